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

from fractional_indexing import generate_key_between

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
    return [row[0] for row in conn.execute("SELECT video_id FROM queue ORDER BY position")]


def list_queue(conn: sqlite3.Connection) -> list[QueueItem]:
    """The queue in order, with titles where the video is cached."""
    rows = conn.execute(
        """
        SELECT q.video_id, q.position, q.added_at, v.title, v.channel_title, v.duration_s
        FROM queue q LEFT JOIN videos v ON v.id = q.video_id ORDER BY q.position
        """
    )
    return [QueueItem(*row) for row in rows]


def _positions(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT video_id, position FROM queue ORDER BY position").fetchall()


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
            "SELECT q2.video_id FROM queue q1 JOIN queue q2 ON q2.position > q1.position "
            "WHERE q1.video_id = ? ORDER BY q2.position LIMIT 1",
            (video_id,),
        ).fetchone()
        if row is not None:
            return str(row[0])
        if conn.execute("SELECT 1 FROM queue WHERE video_id = ?", (video_id,)).fetchone():
            return None  # it was the last one
    row = conn.execute("SELECT video_id FROM queue ORDER BY position LIMIT 1").fetchone()
    return None if row is None else str(row[0])
