"""Forgetting part of the cache: your marks and watch history, or one channel's videos.

Each is one transaction. Marks go through `storage.marks.forget_marks` (the one place
marks are removed); the caller names the preferences that remember them too (the last
ranking shown, the last visit: `owndata/forget.py`). Where playback stopped is watch
history too, and so are preference sync's copies of the marks (its merged `video:…`
records and unsent changes): they go with them, so nothing in the cache still says
what was watched. The sync server and other machines keep theirs (removals of marks are
not synced: a forgotten history here is not a change there). The watch-later queue and
the record of announced uploads stay: the one is a plan, the other keeps old uploads
from being announced again.
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


_SYNCED_COPIES = ("prefsync_records", "prefsync_outbox")
"""Preference sync's tables that hold marks by record name (`video:<id>:<field>`: the id
is 11 characters, so the field starts at the 19th; `prefsync/records.py`)."""


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
        db.conn.execute("DELETE FROM playback")
        # Last: the delete above queues removals for preference sync (m070's triggers);
        # forgetting here is not a change to send, so those go with the rest.
        for table in _SYNCED_COPIES:
            db.conn.execute(
                f"DELETE FROM {table} WHERE name LIKE 'video:%' AND substr(name, 19) IN "
                "('watched', 'rating', 'hidden', 'saved', 'position')"
            )
    return Erased(history, marked)


def erase_channel(store: Store, channel_id: str) -> Erased:
    """Forget one channel's videos, their marks, history, labels, playback positions and
    queue entries (it stays followed; the record of what was announced stays)."""
    with store.write() as db:
        marked = int(
            db.conn.execute(
                "SELECT count(*) FROM video_state WHERE video_id IN "
                "(SELECT id FROM videos WHERE channel_id = ?)",
                (channel_id,),
            ).fetchone()[0]
        )
        theirs = "SELECT id FROM videos WHERE channel_id = ?"
        db.conn.execute(f"DELETE FROM playback WHERE video_id IN ({theirs})", (channel_id,))
        db.conn.execute(f"DELETE FROM queue WHERE video_id IN ({theirs})", (channel_id,))
        # Last: the deletes above queue removals for preference sync (m070's triggers);
        # forgetting here is not a change to send, so those go with the rest.
        for table in _SYNCED_COPIES:
            db.conn.execute(
                f"DELETE FROM {table} WHERE name LIKE 'video:%' AND "
                f"substr(name, 7, 11) IN ({theirs}) AND substr(name, 19) != 'notified'",
                (channel_id,),
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
