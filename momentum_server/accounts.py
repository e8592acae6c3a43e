"""Accounts and devices: register, sign in (with a shared back-off), devices, erase.

Password hashing is slow on purpose, so it never runs inside a transaction: a write
lock is never held while Argon2 works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from momentum_server import schema as t
from momentum_server.clock import now_ms
from momentum_server.credentials import IssuedToken, Passwords, issue_token
from momentum_server.db import flush_erased, reading, writing
from momentum_server.errors import ApiError, not_found, rate_limited
from momentum_server.settings import RateLimits

LAST_SEEN_GRANULARITY_MS = 60_000
"""`last_seen_at` is written at most once a minute per device (not on every request)."""


@dataclass(frozen=True)
class Caller:
    """Who a valid token belongs to."""

    user_id: int
    device_id: str


def register(engine: Engine, passwords: Passwords, username: str, password: str) -> int:
    """A new account's id; 409 if the username is taken."""
    encoded = passwords.hash(password)
    try:
        with writing(engine) as conn:
            row = conn.execute(
                insert(t.users)
                .values(username=username, password_hash=encoded, created_ms=now_ms())
                .returning(t.users.c.id)
            ).one()
    except IntegrityError:
        raise ApiError(
            409, "username_taken", f"The username {username!r} is taken; choose another."
        ) from None
    return int(row.id)


def sign_in(
    engine: Engine,
    passwords: Passwords,
    rates: RateLimits,
    username: str,
    password: str,
    device_name: str,
) -> IssuedToken:
    """A new device and token for the right password; 401 otherwise, 429 while backing off.

    After `free_failures` wrong passwords in a row, each try first pushes the account's
    next allowed time forward (in the database, so every process sees it) and only then
    checks the password: parallel guesses are serialised by the user's row.
    """
    with writing(engine) as conn:
        user = conn.execute(
            select(
                t.users.c.id,
                t.users.c.password_hash,
                t.users.c.failed_sign_ins,
                t.users.c.sign_in_after_ms,
            )
            .where(t.users.c.username == username)
            .with_for_update()
        ).one_or_none()
        if user is not None and user.failed_sign_ins >= rates.free_failures:
            now = now_ms()
            if now < user.sign_in_after_ms:
                raise rate_limited((user.sign_in_after_ms - now) / 1000, "wrong passwords")
            delay = _failure_delay_ms(user.failed_sign_ins + 1, rates)
            conn.execute(
                update(t.users).where(t.users.c.id == user.id).values(sign_in_after_ms=now + delay)
            )
    if not passwords.verify(user.password_hash if user else None, password):
        if user is not None:
            _count_failure(engine, user.id, rates)
        raise ApiError(401, "bad_credentials", "The username or password is wrong.")
    assert user is not None
    issued = issue_token()
    rehashed = passwords.hash(password) if passwords.needs_rehash(user.password_hash) else None
    now = now_ms()
    with writing(engine) as conn:
        changes: dict[str, Any] = {"failed_sign_ins": 0, "sign_in_after_ms": 0}
        if rehashed:
            changes["password_hash"] = rehashed
        conn.execute(update(t.users).where(t.users.c.id == user.id).values(**changes))
        conn.execute(
            insert(t.devices).values(
                id=issued.device_id,
                user_id=user.id,
                name=device_name,
                token_salt=issued.salt,
                token_hash=issued.digest,
                created_ms=now,
                last_seen_ms=now,
            )
        )
    return issued


def _failure_delay_ms(failures: int, rates: RateLimits) -> int:
    """The wait after `failures` wrong passwords in a row: 1 s, 2 s, 4 s… up to the cap."""
    if failures < rates.free_failures:
        return 0
    doubled = rates.failure_delay_seconds * 2 ** min(failures - rates.free_failures, 30)
    return int(min(rates.max_failure_delay_seconds, doubled)) * 1000


def _count_failure(engine: Engine, user_id: int, rates: RateLimits) -> None:
    with writing(engine) as conn:
        failures = conn.execute(
            select(t.users.c.failed_sign_ins).where(t.users.c.id == user_id).with_for_update()
        ).scalar_one_or_none()
        if failures is None:  # the account was erased meanwhile
            return
        conn.execute(
            update(t.users)
            .where(t.users.c.id == user_id)
            .values(
                failed_sign_ins=failures + 1,
                sign_in_after_ms=now_ms() + _failure_delay_ms(failures + 1, rates),
            )
        )


def device_row(conn: Connection, device_id: str) -> Any:
    """The device's user, token salt and hash, and last-seen time (None if unknown)."""
    return conn.execute(
        select(
            t.devices.c.user_id,
            t.devices.c.token_salt,
            t.devices.c.token_hash,
            t.devices.c.last_seen_ms,
        ).where(t.devices.c.id == device_id)
    ).one_or_none()


def touch_device(engine: Engine, device_id: str, last_seen_ms: int) -> None:
    """Record that the device was seen, at most once a minute."""
    now = now_ms()
    if now - last_seen_ms < LAST_SEEN_GRANULARITY_MS:
        return
    with writing(engine) as conn:
        conn.execute(update(t.devices).where(t.devices.c.id == device_id).values(last_seen_ms=now))


def list_devices(conn: Connection, user_id: int) -> list[Any]:
    """The account's devices, oldest first."""
    return list(
        conn.execute(
            select(
                t.devices.c.id,
                t.devices.c.name,
                t.devices.c.created_ms,
                t.devices.c.last_seen_ms,
            )
            .where(t.devices.c.user_id == user_id)
            .order_by(t.devices.c.created_ms, t.devices.c.id)
        )
    )


def revoke_device(engine: Engine, user_id: int, device_id: str) -> None:
    """Forget a device of this account (its token stops working at once); 404 otherwise."""
    with writing(engine) as conn:
        gone = conn.execute(
            delete(t.devices).where(t.devices.c.id == device_id, t.devices.c.user_id == user_id)
        ).rowcount
    if not gone:
        raise not_found("device")


def account_row(conn: Connection, user_id: int) -> Any:
    """The account's username, creation time, revision and usage."""
    return conn.execute(
        select(
            t.users.c.username,
            t.users.c.created_ms,
            t.users.c.revision,
            t.users.c.record_count,
            t.users.c.byte_count,
        ).where(t.users.c.id == user_id)
    ).one()


def check_password(engine: Engine, passwords: Passwords, user_id: int, password: str) -> None:
    """401 unless `password` is the account's (for erasing it or changing the password)."""
    with reading(engine) as conn:
        encoded = conn.execute(
            select(t.users.c.password_hash).where(t.users.c.id == user_id)
        ).scalar_one_or_none()
    if not passwords.verify(encoded, password):
        raise ApiError(401, "bad_credentials", "The password is wrong; nothing was changed.")


def change_password(engine: Engine, passwords: Passwords, user_id: int, new_password: str) -> None:
    """Store a new password hash (devices stay signed in)."""
    encoded = passwords.hash(new_password)
    with writing(engine) as conn:
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=encoded))


def erase(engine: Engine, user_id: int) -> None:
    """Delete the account and everything it owns, in one transaction."""
    with writing(engine) as conn:
        # The user's row first, as pushes and commits take it: no lock-order deadlock.
        conn.execute(select(t.users.c.id).where(t.users.c.id == user_id).with_for_update())
        uploads = select(t.uploads.c.id).where(t.uploads.c.user_id == user_id)
        conn.execute(delete(t.upload_records).where(t.upload_records.c.upload_id.in_(uploads)))
        conn.execute(delete(t.uploads).where(t.uploads.c.user_id == user_id))
        conn.execute(delete(t.records).where(t.records.c.user_id == user_id))
        conn.execute(delete(t.devices).where(t.devices.c.user_id == user_id))
        conn.execute(delete(t.users).where(t.users.c.id == user_id))
    flush_erased(engine)


def count_users(conn: Connection) -> int:
    """How many accounts exist (for the operator's `status`)."""
    return int(conn.execute(select(func.count()).select_from(t.users)).scalar_one())
