"""End-to-end encryption of records: the server stores what it cannot read.

* The **sync key** is 32 random bytes made on the first device and shown as 24 words
  from the BIP-39 English list (the `mnemonic` package; its last word is a checksum, so a
  mistyped word is caught, and four letters of each word are enough to type it).
* Two keys are derived from it with HKDF-SHA256 under different labels: one for names,
  one for values, so neither use can leak the other.
* A record's **name** goes to the server as HMAC-SHA256(name key, name), base64url
  without padding (43 characters): the server can keep one row per record and cannot
  tell `kw:rust` from `video:dQw4w9WgXcQ:watched`.
* Its **value** (with the plain name, the clock stamp and the device) is sealed with
  ChaCha20-Poly1305 under a fresh random 96-bit nonce, padded to a multiple of 64 bytes
  so sizes say little, with the hashed name as associated data: a blob moved to another
  row fails to open. ChaCha20-Poly1305 is in every build of `cryptography` (AES-GCM-SIV
  needs OpenSSL 3.2); random nonces are safe far beyond one person's edits (after a
  million records the chance of any repeat is about 10^-17), and rotating the key
  starts afresh. Blobs travel as standard base64 (the protocol's choice).
* A **key-check record**, under a fixed public name, holds a known value sealed with the
  key: a device with a different key fails to open it and says so before touching
  anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from momentum_tui.errors import MomentumError
from momentum_tui.prefsync.records import KEY_CHECK_NAME, Record, Stamp, canonical_json

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from mnemonic import Mnemonic

KEY_BYTES = 32
WORD_COUNT = 24
_FORMAT = 1
_NONCE_BYTES = 12
_PAD = 64
_AAD_PREFIX = b"momentum-prefsync:v1:"
MAX_HLC = 2**63
"""Stamps are SQLite integers (64-bit)."""
_KEY_CHECK_VALUE = {"check": "momentum prefsync key v1"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


KEY_CHECK_HASH = _b64(hashlib.sha256(b"momentum prefsync key check v1").digest())
"""The key-check record's server name: fixed and public, the same for every account."""


class SyncKeyError(MomentumError):
    """Sync-key words that can't be a key (wrong count, unknown word, bad checksum)."""


class UnreadableRecordError(Exception):
    """A blob that does not open with this key (another key, or damaged on the way)."""


def _mnemonic() -> Mnemonic:
    from mnemonic import Mnemonic  # only key commands pay for loading the word list

    return Mnemonic("english")


@dataclass(frozen=True)
class SyncKey:
    """The account's sync key (32 bytes). Never stored in SQLite, logs or exports."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != KEY_BYTES:
            raise SyncKeyError("A sync key is 32 bytes.", "Make one with `momentum prefsync key`.")

    def __repr__(self) -> str:  # never print the key itself
        return f"SyncKey(fingerprint={self.fingerprint()})"

    @classmethod
    def generate(cls) -> SyncKey:
        """A fresh random key."""
        return cls(os.urandom(KEY_BYTES))

    def words(self) -> str:
        """The key as 24 words (BIP-39 English), for a person to write down."""
        return str(_mnemonic().to_mnemonic(self.raw))

    @classmethod
    def from_words(cls, text: str) -> SyncKey:
        """Read the 24 words back (any case and spacing; four letters of a word will do)."""
        words = text.replace(",", " ").casefold().split()
        if len(words) != WORD_COUNT:
            raise SyncKeyError(
                f"A sync key is {WORD_COUNT} words; {len(words)} were given.",
                "Copy all the words shown by `momentum prefsync key` on your other machine.",
            )
        mnemonic = _mnemonic()
        expanded = [mnemonic.expand_word(word) for word in words]
        for number, word in enumerate(expanded, start=1):
            if word not in mnemonic.wordlist:
                raise SyncKeyError(
                    f"Word {number} ({words[number - 1][:20]!r}) is not one of the key words.",
                    "Check its spelling against your other machine.",
                )
        phrase = " ".join(expanded)
        if not mnemonic.check(phrase):
            raise SyncKeyError(
                "These words are not a sync key: one of them is mistyped or out of order.",
                "Compare them word by word with `momentum prefsync key --show` elsewhere.",
            )
        return cls(bytes(mnemonic.to_entropy(phrase)))

    def to_secret(self) -> str:
        """How the key is kept in the keyring."""
        return _b64(self.raw)

    @classmethod
    def from_secret(cls, text: str) -> SyncKey:
        """The key as kept in the keyring (or given in MOMENTUM_SYNC_KEY: words or base64url)."""
        text = text.strip()
        if len(text.split()) > 1:
            return cls.from_words(text)
        try:
            return cls(_unb64(text))
        except (ValueError, SyncKeyError):
            raise SyncKeyError(
                "The stored sync key is damaged.",
                "Enter it again with `momentum prefsync key --set-stdin`.",
            ) from None

    def fingerprint(self) -> str:
        """Eight hex digits that identify the key without revealing it (compare machines)."""
        return _derive(self.raw, b"momentum prefsync fingerprint")[:4].hex()


def _derive(key: bytes, label: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(key)


class Cipher:
    """Seals records for the server and opens what it sends back."""

    def __init__(self, key: SyncKey) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        self._names_key = _derive(key.raw, b"momentum prefsync names v1")
        self._aead: ChaCha20Poly1305 = ChaCha20Poly1305(
            _derive(key.raw, b"momentum prefsync values v1")
        )

    def hashed_name(self, name: str) -> str:
        """What the server calls the record `name`: a keyed hash, 43 characters."""
        return _b64(hmac.new(self._names_key, name.encode("utf-8"), hashlib.sha256).digest())

    def _seal(self, hashed: str, payload: Mapping[str, object]) -> str:
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        plain += b" " * (-len(plain) % _PAD)  # JSON ignores trailing spaces
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain, _AAD_PREFIX + hashed.encode("ascii"))
        return base64.b64encode(bytes([_FORMAT]) + nonce + sealed).decode("ascii")

    def _open(self, hashed: str, blob: str) -> dict[str, object]:
        from cryptography.exceptions import InvalidTag

        try:
            data = base64.b64decode(blob, validate=True)
        except (ValueError, TypeError) as error:
            raise UnreadableRecordError("not base64") from error
        if len(data) < 1 + _NONCE_BYTES + 16 or data[0] != _FORMAT:
            raise UnreadableRecordError("unknown blob format")
        nonce, sealed = data[1 : 1 + _NONCE_BYTES], data[1 + _NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, sealed, _AAD_PREFIX + hashed.encode("ascii"))
        except InvalidTag:
            raise UnreadableRecordError("does not open with this key") from None
        try:
            payload = json.loads(plain.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise UnreadableRecordError("sealed value is not JSON") from error
        if not isinstance(payload, dict):
            raise UnreadableRecordError("sealed value is not an object")
        return payload

    def seal(self, record: Record) -> tuple[str, str]:
        """(server name, blob) for a record."""
        hashed = self.hashed_name(record.name)
        payload = {
            "n": record.name,
            "v": record.value,
            "h": record.stamp.hlc,
            "d": record.stamp.device,
        }
        return hashed, self._seal(hashed, payload)

    def open(self, hashed: str, blob: str) -> Record:
        """The record inside a blob; `UnreadableRecordError` when it isn't one of ours."""
        payload = self._open(hashed, blob)
        name, value, hlc, device = (payload.get(k) for k in ("n", "v", "h", "d"))
        if not isinstance(name, str) or not isinstance(hlc, int) or not isinstance(device, str):
            raise UnreadableRecordError("sealed record lacks a name, stamp or device")
        if not 0 <= hlc < MAX_HLC:
            raise UnreadableRecordError("sealed stamp out of range")
        if value is not None and not isinstance(value, dict):
            raise UnreadableRecordError("sealed value is not an object")
        if not hmac.compare_digest(self.hashed_name(name), hashed):
            raise UnreadableRecordError("sealed under another name")
        return Record(name, value, Stamp(hlc, device))

    def key_check(self) -> tuple[str, str]:
        """The key-check record: (its fixed server name, a blob only this key opens)."""
        return KEY_CHECK_HASH, self._seal(
            KEY_CHECK_HASH, {"n": KEY_CHECK_NAME, "v": _KEY_CHECK_VALUE}
        )

    def opens_key_check(self, blob: str) -> bool:
        """True when the account's key-check blob was sealed with this key."""
        try:
            payload = self._open(KEY_CHECK_HASH, blob)
        except UnreadableRecordError:
            return False
        value = payload.get("v")
        return isinstance(value, dict) and canonical_json(value) == canonical_json(_KEY_CHECK_VALUE)
