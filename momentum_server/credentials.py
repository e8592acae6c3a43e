"""Password hashes (Argon2id) and device tokens (random, stored as salted SHA-256).

Passwords are chosen by people, so they are guessable: they get Argon2id, the
memory-hard hash of RFC 9106 and OWASP's first choice, through argon2-cffi (its hash
string carries its own parameters and salt, so the cost can be raised later and old
hashes upgraded at the next sign-in). Hashing is bounded per process by a semaphore so
a burst of sign-ins cannot take all memory.

Device tokens are 256 random bits, so no one can guess one: a slow hash would only make
every request pay for nothing. Each device stores a random salt and SHA-256(salt ‖
secret); the token names its device (`mt1.<device id>.<secret>`), so the server finds
the row by its key and compares the hash in constant time. A stolen database yields
neither a usable token nor a way to test guesses faster than 2^256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from momentum_server.settings import PasswordHashing

TOKEN_PREFIX = "mt1"


def new_id() -> str:
    """A random public identifier (22 base64url characters, 128 bits)."""
    return secrets.token_urlsafe(16)


class Passwords:
    """Argon2id hashing with a bound on how many hashes run at once."""

    def __init__(self, cost: PasswordHashing) -> None:
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
        )
        self._slots = threading.BoundedSemaphore(cost.concurrency)
        # Verified when the username is unknown, so a miss costs what a hit costs.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """The encoded Argon2id hash of `password` (parameters and salt included)."""
        with self._slots:
            return self._hasher.hash(password)

    def verify(self, encoded: str | None, password: str) -> bool:
        """Whether `password` matches `encoded`; None (no such user) takes as long and fails."""
        with self._slots:
            try:
                return self._hasher.verify(encoded or self._decoy, password) and bool(encoded)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, encoded: str) -> bool:
        """Whether `encoded` was made with other parameters than today's."""
        return self._hasher.check_needs_rehash(encoded)


@dataclass(frozen=True)
class IssuedToken:
    """A new device token: the text the client keeps, and what the server stores."""

    device_id: str
    token: str
    salt: bytes
    digest: bytes


def issue_token() -> IssuedToken:
    """A new device id and its bearer token."""
    device_id = new_id()
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    return IssuedToken(
        device_id, f"{TOKEN_PREFIX}.{device_id}.{secret}", salt, _digest(salt, secret)
    )


def parse_token(token: str) -> tuple[str, str] | None:
    """(device id, secret) of a well-formed token, or None."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    if len(parts[1]) > 22 or len(parts[2]) > 64:
        return None
    return parts[1], parts[2]


def token_matches(salt: bytes, digest: bytes, secret: str) -> bool:
    """Constant-time check of a presented secret against the stored salted hash."""
    return hmac.compare_digest(_digest(salt, secret), digest)


def _digest(salt: bytes, secret: str) -> bytes:
    return hashlib.sha256(salt + secret.encode("utf-8")).digest()
