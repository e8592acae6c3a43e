"""Forgetting part of the cache: your marks and watch history, or one channel's videos.

Each is one transaction. Marks go through `storage.marks.forget_marks` (the one place
marks are removed); the caller names the preferences that remember them too (the last
ranking shown, the last visit: `owndata/forget.py`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from momentum_tui.storage.db import Store
from momentum_tui.storage.marks import forget_marks


@dataclass(frozen=True)
class Erased:
    """What went: history entries, marked videos, and (for a channel) videos."""

    marks: int
    marked_videos: int
    videos: int = 0


def history_size(conn: sqlite3.Connection) -> tuple[int, int]:
    """(marked videos, history entries): what `erase_history` would remove."""
    marked = int(conn.execute("SELECT count(*) FROM video_state").fetchone()[0])
    return marked, int(conn.execute("SELECT count(*) FROM interactions").fetchone()[0])


def channel_size(conn: sqlite3.Connection, channel_id: str) -> int:
    """How many videos of a channel are cached."""
    sql = "SELECT count(*) FROM videos WHERE channel_id = ?"
    return int(conn.execute(sql, (channel_id,)).fetchone()[0])


def erase_history(store: Store, remembered: tuple[str, ...] = ()) -> Erased:
    """Forget every mark, its history, and the `remembered` preferences (visits, rankings)."""
    with store.write() as db:
        marked = int(db.conn.execute("SELECT count(*) FROM video_state").fetchone()[0])
        history = forget_marks(db)
        db.conn.executemany("DELETE FROM preferences WHERE key = ?", [(k,) for k in remembered])
    return Erased(history, marked)


def erase_channel(store: Store, channel_id: str) -> Erased:
    """Forget one channel's videos, their marks, history and labels (it stays followed)."""
    with store.write() as db:
        marked = int(
            db.conn.execute(
                "SELECT count(*) FROM video_state WHERE video_id IN "
                "(SELECT id FROM videos WHERE channel_id = ?)",
                (channel_id,),
            ).fetchone()[0]
        )
        history = forget_marks(db, channel_id)
        videos = db.conn.execute("DELETE FROM videos WHERE channel_id = ?", (channel_id,))
        # Its next sync reads its latest uploads again, as for a channel never synced.
        db.conn.execute(
            "UPDATE sync_state SET newest_video_id = NULL, feed_updated = NULL "
            "WHERE channel_id = ?",
            (channel_id,),
        )
        db.conn.execute(
            "UPDATE channels SET last_synced_at = NULL, last_upload_at = NULL WHERE id = ?",
            (channel_id,),
        )
    return Erased(history, marked, max(0, videos.rowcount))
