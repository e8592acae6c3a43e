"""The watch-later queue: videos in the order the person wants to watch them.

Order is a fractional index (`fractional-indexing`: base-62 keys that sort as text, with
a key between any two), so adding or moving an item writes only that item's row — which
is also what lets preference sync merge two machines' reorderings item by item. Watched
videos leave the queue by a trigger (migration m050), whoever marked them.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from fractional_indexing import generate_key_between, generate_n_keys_between

from momentum_tui.errors import MomentumError, NotFoundError
from momentum_tui.storage.db import Store


@dataclass(frozen=True)
class QueueItem:
    """One queued video, with what the queue shows of it (None when it isn't cached)."""

    video_id: str
    position: str
    added_at: int
    title: str | None
    channel: str | None
    duration_s: int | None


def queued_ids(conn: sqlite3.Connection) -> list[str]:
    """The queue's video ids, in order."""
    return [row[0] for row in conn.execute(f"SELECT video_id FROM queue ORDER BY {_ORDER}")]


def queued_rowids(conn: sqlite3.Connection) -> tuple[list[int], int]:
    """The cached queued videos' rowids in order, and how many queued ones aren't cached
    (queued on another machine, through preference sync, before this one synced them)."""
    rows = conn.execute(
        f"SELECT v.rowid FROM queue LEFT JOIN videos v ON v.id = queue.video_id ORDER BY {_ORDER}"
    ).fetchall()
    rowids = [int(row[0]) for row in rows if row[0] is not None]
    return rowids, len(rows) - len(rowids)


def list_queue(conn: sqlite3.Connection) -> list[QueueItem]:
    """The queue in order, with titles where the video is cached."""
    rows = conn.execute(
        """
        SELECT q.video_id, q.position, q.added_at, v.title, v.channel_title, v.duration_s
        FROM queue q LEFT JOIN videos v ON v.id = q.video_id ORDER BY q.position, q.video_id
        """
    )
    return [QueueItem(*row) for row in rows]


_ORDER = "queue.position, queue.video_id"
"""Two machines that queued different videos at the same moment may have given them the
same key: ties go by video id, the same on every machine."""


def _positions(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute(f"SELECT video_id, position FROM queue ORDER BY {_ORDER}").fetchall()


def _renumber(conn: sqlite3.Connection, order: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fresh, distinct keys for the whole queue in its current order (after a tie)."""
    keys = generate_n_keys_between(None, None, len(order))
    conn.executemany(
        "UPDATE queue SET position = ? WHERE video_id = ?",
        [(key, video_id) for key, (video_id, _) in zip(keys, order, strict=True)],
    )
    return [(video_id, key) for key, (video_id, _) in zip(keys, order, strict=True)]


def add(store: Store, video_id: str, *, first: bool = False, now: int | None = None) -> bool:
    """Queue a cached video at the end (or the front); False when it was queued already."""
    now = int(time.time()) if now is None else now
    with store.write() as db:
        conn = db.conn
        if conn.execute("SELECT 1 FROM videos WHERE id = ?", (video_id,)).fetchone() is None:
            raise NotFoundError(
                f"No video {video_id!r} in the cache.",
                "Check the id with `momentum search` or `momentum feed --json`.",
            )
        if conn.execute("SELECT 1 FROM queue WHERE video_id = ?", (video_id,)).fetchone():
            return False
        order = _positions(conn)
        if first:
            key = generate_key_between(None, order[0][1] if order else None)
        else:
            key = generate_key_between(order[-1][1] if order else None, None)
        conn.execute(
            "INSERT INTO queue (video_id, position, added_at) VALUES (?, ?, ?)",
            (video_id, key, now),
        )
    return True


def remove(store: Store, video_id: str) -> bool:
    """Take a video out of the queue; False when it wasn't in it."""
    with store.write() as db:
        cursor = db.conn.execute("DELETE FROM queue WHERE video_id = ?", (video_id,))
    return cursor.rowcount > 0


def move(store: Store, video_id: str, to: int) -> int:
    """Move a queued video to index `to` (0 = first; clamped to the queue); its new index."""
    with store.write() as db:
        order = _positions(db.conn)
        ids = [vid for vid, _ in order]
        if video_id not in ids:
            raise MomentumError(
                f"{video_id} is not in the queue.", "See it with `momentum queue list`."
            )
        rest = [item for item in order if item[0] != video_id]
        to = max(0, min(to, len(rest)))
        before = rest[to - 1][1] if to > 0 else None
        after = rest[to][1] if to < len(rest) else None
        if before is not None and after is not None and before >= after:
            rest = _renumber(db.conn, rest)  # a tie from two machines: no key fits between
            before, after = rest[to - 1][1], rest[to][1]
        db.conn.execute(
            "UPDATE queue SET position = ? WHERE video_id = ?",
            (generate_key_between(before, after), video_id),
        )
    return to


def move_by(store: Store, video_id: str, steps: int) -> int:
    """Move a queued video `steps` places (negative: towards the front); its new index."""
    with store.read() as conn:
        ids = queued_ids(conn)
    if video_id not in ids:
        raise MomentumError(
            f"{video_id} is not in the queue.", "See it with `momentum queue list`."
        )
    return move(store, video_id, ids.index(video_id) + steps)


def next_after(conn: sqlite3.Connection, video_id: str | None) -> str | None:
    """The queued video after `video_id` (the first when None or not queued any more)."""
    if video_id is not None:
        row = conn.execute(
            "SELECT q2.video_id FROM queue q1 JOIN queue q2 "
            "ON (q2.position, q2.video_id) > (q1.position, q1.video_id) "
            "WHERE q1.video_id = ? ORDER BY q2.position, q2.video_id LIMIT 1",
            (video_id,),
        ).fetchone()
        if row is not None:
            return str(row[0])
        if conn.execute("SELECT 1 FROM queue WHERE video_id = ?", (video_id,)).fetchone():
            return None  # it was the last one
    row = conn.execute(f"SELECT video_id FROM queue ORDER BY {_ORDER} LIMIT 1").fetchone()
    return None if row is None else str(row[0])
