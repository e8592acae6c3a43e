"""Records: pull pages after a revision, and pushes serialised per user in the database.

The revision rules (docs/sync-protocol.md): an account's revision starts at 0; a push
with `If-Match: R` succeeds only while the account is at R, and gives its records
revisions R+1, R+2, … in the order sent, leaving the account at R+n. So revisions are
unique per account, a pull can page by them, and a device that pushed at R and got
R+n back knows nothing else happened in between.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from momentum_server import schema as t
from momentum_server.db import writing
from momentum_server.errors import ApiError
from momentum_server.settings import Limits


@dataclass(frozen=True)
class Item:
    """A record to store: its name, its ciphertext (decoded) and the ciphertext's size."""

    name: str
    blob: bytes

    @classmethod
    def decoded(cls, name: str, blob: str) -> Item:
        """From the wire (the body's pattern already guarantees valid base64)."""
        return cls(name, base64.b64decode(blob))


@dataclass(frozen=True)
class Page:
    """One pull page."""

    records: list[tuple[str, str, int]]
    """(name, base64 blob, revision) in revision order."""
    revision: int
    more: bool
    reset: bool


def conflict(current: int) -> ApiError:
    """412: the account is not at the revision the device said (If-Match)."""
    return ApiError(
        412,
        "revision_mismatch",
        f"The account is at revision {current}, not the one in If-Match; "
        "pull from your revision, merge and push again.",
        extra={"revision": current},
    )


def current_revision(conn: Connection, user_id: int) -> int:
    """The account's revision now."""
    return int(conn.execute(select(t.users.c.revision).where(t.users.c.id == user_id)).scalar_one())


def pull(conn: Connection, user_id: int, since: int, limit: int, limits: Limits) -> Page:
    """Records with revision > since (up to `limit` and about `page_bytes`), one snapshot."""
    user = conn.execute(
        select(t.users.c.revision, t.users.c.replaced_at).where(t.users.c.id == user_id)
    ).one()
    current = int(user.revision)
    reset = since > 0 and (since < user.replaced_at or since > current)
    start = 0 if reset else since
    window = (
        t.records.c.user_id == user_id,
        t.records.c.revision > start,
        t.records.c.revision <= current,
    )
    sizes = conn.execute(
        select(t.records.c.revision, t.records.c.size)
        .where(*window)
        .order_by(t.records.c.revision)
        .limit(limit + 1)
    ).all()
    taken, total = 0, 0
    for _revision, size in sizes[:limit]:
        taken += 1
        total += size
        if total >= limits.page_bytes:
            break
    if not taken:
        return Page([], current, False, reset)
    last = sizes[taken - 1].revision
    rows = conn.execute(
        select(t.records.c.name, t.records.c.blob, t.records.c.revision)
        .where(*window, t.records.c.revision <= last)
        .order_by(t.records.c.revision)
    )
    records = [(r.name, base64.b64encode(r.blob).decode("ascii"), int(r.revision)) for r in rows]
    return Page(records, current, taken < len(sizes), reset)


def lock_user(conn: Connection, user_id: int) -> Any:
    """The user's row, locked until the transaction ends (PostgreSQL: FOR UPDATE).

    On SQLite the transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    return conn.execute(
        select(
            t.users.c.revision,
            t.users.c.record_count,
            t.users.c.byte_count,
        )
        .where(t.users.c.id == user_id)
        .with_for_update()
    ).one()


def check_quota(limits: Limits, records: int, size: int, before: tuple[int, int]) -> None:
    """413 if the account would hold more than its quota (shrinking is always allowed)."""
    grows = records > before[0] or size > before[1]
    if grows and (records > limits.quota_records or size > limits.quota_bytes):
        raise ApiError(
            413,
            "quota_exceeded",
            f"The account would hold {records:,} records and {size:,} bytes; this server "
            f"allows {limits.quota_records:,} and {limits.quota_bytes:,}. Nothing was stored.",
        )


def push(
    engine: Engine,
    user_id: int,
    if_match: int,
    items: Sequence[Item],
    replace: bool,
    limits: Limits,
) -> int:
    """Store `items` if the account is at `if_match`; the new revision (412 otherwise)."""
    with writing(engine) as conn:
        user = lock_user(conn, user_id)
        current = int(user.revision)
        if current != if_match:
            raise conflict(current)
        if replace:
            return replace_all(conn, user_id, current, items, user, limits)
        if not items:
            return current
        names = [item.name for item in items]
        old = dict(
            conn.execute(
                select(t.records.c.name, t.records.c.size).where(
                    t.records.c.user_id == user_id, t.records.c.name.in_(names)
                )
            ).all()
        )
        count = user.record_count + len(items) - len(old)
        size = user.byte_count - sum(old.values()) + sum(len(item.blob) for item in items)
        check_quota(limits, count, size, (user.record_count, user.byte_count))
        rows = [
            {
                "user_id": user_id,
                "name": item.name,
                "revision": current + 1 + index,
                "size": len(item.blob),
                "blob": item.blob,
            }
            for index, item in enumerate(items)
        ]
        _upsert(conn, rows)
        revision = current + len(items)
        conn.execute(
            update(t.users)
            .where(t.users.c.id == user_id)
            .values(revision=revision, record_count=count, byte_count=size)
        )
        return revision


def replace_all(
    conn: Connection, user_id: int, current: int, items: Sequence[Item], user: Any, limits: Limits
) -> int:
    """Delete every record of the account and store `items` (inside the caller's lock)."""
    size = sum(len(item.blob) for item in items)
    check_quota(limits, len(items), size, (user.record_count, user.byte_count))
    conn.execute(delete(t.records).where(t.records.c.user_id == user_id))
    if items:
        conn.execute(
            insert(t.records),
            [
                {
                    "user_id": user_id,
                    "name": item.name,
                    "revision": current + 1 + index,
                    "size": len(item.blob),
                    "blob": item.blob,
                }
                for index, item in enumerate(items)
            ],
        )
    return finish_replace(conn, user_id, current, len(items), size)


def finish_replace(conn: Connection, user_id: int, current: int, count: int, size: int) -> int:
    """Move the account past a replace: devices below its first revision must start over."""
    revision = current + max(count, 1)
    conn.execute(
        update(t.users)
        .where(t.users.c.id == user_id)
        .values(revision=revision, replaced_at=current + 1, record_count=count, byte_count=size)
    )
    return revision


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(t.records).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[t.records.c.user_id, t.records.c.name],
        set_={
            "revision": statement.excluded.revision,
            "size": statement.excluded.size,
            "blob": statement.excluded.blob,
        },
    )
    conn.execute(statement)
