"""Staged replaces: a record set larger than one request, sent in parts, swapped in at once.

Key rotation re-encrypts (and renames) every record. With more than 500 records that
cannot be one push, and a replace done push by push would leave other devices pulling a
half-old, half-new set. So the device opens an upload, adds parts (re-sending a part is
harmless: names are upserted), and commits it with `If-Match`: one transaction deletes
the old set and moves the staged one in. Uncommitted uploads expire.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from momentum_server import schema as t
from momentum_server.clock import now_ms
from momentum_server.credentials import new_id
from momentum_server.db import writing
from momentum_server.errors import not_found
from momentum_server.records import Item, check_quota, conflict, finish_replace, lock_user
from momentum_server.settings import Limits


def open_upload(engine: Engine, user_id: int, limits: Limits) -> tuple[str, int]:
    """A new upload's id and creation time; drops expired uploads and this user's oldest."""
    now = now_ms()
    upload_id = new_id()
    with writing(engine) as conn:
        expired = select(t.uploads.c.id).where(
            t.uploads.c.created_ms < now - limits.upload_ttl_seconds * 1000
        )
        _drop(conn, [row.id for row in conn.execute(expired)])
        mine = conn.execute(
            select(t.uploads.c.id)
            .where(t.uploads.c.user_id == user_id)
            .order_by(t.uploads.c.created_ms.desc(), t.uploads.c.id)
        ).all()
        _drop(conn, [row.id for row in mine[max(0, limits.open_uploads - 1) :]])
        conn.execute(insert(t.uploads).values(id=upload_id, user_id=user_id, created_ms=now))
    return upload_id, now


def add_part(
    engine: Engine, user_id: int, upload_id: str, items: Sequence[Item], limits: Limits
) -> tuple[int, int]:
    """Stage more records (upserted by name); the upload's record count and bytes."""
    with writing(engine) as conn:
        _owned(conn, user_id, upload_id, limits)
        if items:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(t.upload_records).values(
                [
                    {"upload_id": upload_id, "name": i.name, "size": len(i.blob), "blob": i.blob}
                    for i in items
                ]
            )
            statement = statement.on_conflict_do_update(
                index_elements=[t.upload_records.c.upload_id, t.upload_records.c.name],
                set_={"size": statement.excluded.size, "blob": statement.excluded.blob},
            )
            conn.execute(statement)
        count, size = _totals(conn, upload_id)
        check_quota(limits, count, size, (0, 0))
        conn.execute(
            update(t.uploads)
            .where(t.uploads.c.id == upload_id)
            .values(record_count=count, byte_count=size)
        )
    return count, size


def commit(engine: Engine, user_id: int, upload_id: str, if_match: int, limits: Limits) -> int:
    """Replace the account's records with the upload's, if it is at `if_match`."""
    with writing(engine) as conn:
        user = lock_user(conn, user_id)
        _owned(conn, user_id, upload_id, limits)
        current = int(user.revision)
        if current != if_match:
            raise conflict(current)
        count, size = _totals(conn, upload_id)
        conn.execute(delete(t.records).where(t.records.c.user_id == user_id))
        staged = t.upload_records.c
        numbered = select(
            literal(user_id),
            staged.name,
            literal(current) + func.row_number().over(order_by=staged.name),
            staged.size,
            staged.blob,
        ).where(staged.upload_id == upload_id)
        conn.execute(
            insert(t.records).from_select(["user_id", "name", "revision", "size", "blob"], numbered)
        )
        _drop(conn, [upload_id])
        return finish_replace(conn, user_id, current, count, size)


def discard(engine: Engine, user_id: int, upload_id: str, limits: Limits) -> None:
    """Drop an upload without committing it."""
    with writing(engine) as conn:
        _owned(conn, user_id, upload_id, limits)
        _drop(conn, [upload_id])


def _owned(conn: Connection, user_id: int, upload_id: str, limits: Limits) -> Any:
    """The upload's row (locked) if it is this user's and not expired; 404 otherwise."""
    row = conn.execute(
        select(t.uploads.c.created_ms)
        .where(t.uploads.c.id == upload_id, t.uploads.c.user_id == user_id)
        .with_for_update()
    ).one_or_none()
    if row is None or row.created_ms < now_ms() - limits.upload_ttl_seconds * 1000:
        raise not_found("upload (it may have expired or been replaced by a newer one)")
    return row


def _totals(conn: Connection, upload_id: str) -> tuple[int, int]:
    count, size = conn.execute(
        select(func.count(), func.coalesce(func.sum(t.upload_records.c.size), 0)).where(
            t.upload_records.c.upload_id == upload_id
        )
    ).one()
    return int(count), int(size)


def _drop(conn: Connection, upload_ids: list[str]) -> None:
    if not upload_ids:
        return
    conn.execute(delete(t.upload_records).where(t.upload_records.c.upload_id.in_(upload_ids)))
    conn.execute(delete(t.uploads).where(t.uploads.c.id.in_(upload_ids)))
