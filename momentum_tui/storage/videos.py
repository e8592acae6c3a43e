"""Writing channels and videos into the cache (used by sync, the demo and benchmarks)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from momentum_tui.models import Channel, Video

if TYPE_CHECKING:
    from sqlite_utils import Database

_VIDEO_COLUMNS = (
    "id",
    "channel_id",
    "channel_title",
    "title",
    "description",
    "tags",
    "published_at",
    "duration_s",
    "is_short",
    "live_state",
    "scheduled_at",
    "category_id",
    "view_count",
    "like_count",
    "comment_count",
    "stats_at",
    "thumbnail_url",
    "status",
    "content_hash",
    "first_seen_at",
)
# first_seen_at never changes once set; everything else follows the newest read.
_UPDATED_ON_CONFLICT = [c for c in _VIDEO_COLUMNS if c not in ("id", "first_seen_at")]

_UPSERT_VIDEO_SQL = (
    f"INSERT INTO videos ({', '.join(_VIDEO_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _VIDEO_COLUMNS)}) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED_ON_CONFLICT)
    # Leave the row alone (and the full-text index untouched) when nothing changed.
    + " WHERE "
    + " OR ".join(f"{c} IS NOT excluded.{c}" for c in _UPDATED_ON_CONFLICT if c != "stats_at")
)


BULK_INDEX_THRESHOLD = 500
"""From this many new videos in one write, index them in one statement instead of per row."""


@dataclass
class UpsertResult:
    """How many videos a write added and changed."""

    new: int = 0
    updated: int = 0


def video_row(video: Video, first_seen_at: int) -> tuple[object, ...]:
    """The `videos` row for a `Video`, in `_VIDEO_COLUMNS` order."""
    return (
        video.id,
        video.channel_id,
        video.channel_title,
        video.title,
        video.description,
        json.dumps(video.tags, ensure_ascii=False) if video.tags else "",
        video.published_at,
        video.duration_s,
        int(video.is_short),
        video.live_state.value,
        video.scheduled_at,
        video.category_id,
        video.view_count,
        video.like_count,
        video.comment_count,
        video.stats_at,
        video.thumbnail_url,
        video.status.value,
        video.content_hash(),
        first_seen_at,
    )


def existing_video_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    """Which of `ids` are already cached."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" for _ in chunk)
        found.update(
            row[0] for row in conn.execute(f"SELECT id FROM videos WHERE id IN ({marks})", chunk)
        )
    return found


def upsert_videos(db: Database, videos: Iterable[Video], now: int | None = None) -> UpsertResult:
    """Insert or update videos (call inside `Store.write()`); counts new and changed rows."""
    now = int(time.time()) if now is None else now
    batch = list(videos)
    if not batch:
        return UpsertResult()
    known = existing_video_ids(db.conn, [v.id for v in batch])
    new = sum(1 for v in {v.id for v in batch} if v not in known)
    if new >= BULK_INDEX_THRESHOLD:
        return _bulk_upsert(db, batch, now, new)
    # rowcount sums sqlite3_changes() per row: trigger writes (the FTS index) don't count.
    changed = db.conn.executemany(_UPSERT_VIDEO_SQL, (video_row(v, now) for v in batch)).rowcount
    return UpsertResult(new=new, updated=max(0, changed - new))


def _bulk_upsert(db: Database, batch: list[Video], now: int, new: int) -> UpsertResult:
    """Write many new videos and index them in one statement (same transaction, same result)."""
    conn = db.conn
    if not conn.in_transaction:
        raise RuntimeError("bulk writes must run inside Store.write()")
    highest = conn.execute("SELECT coalesce(max(rowid), 0) FROM videos").fetchone()[0]
    conn.execute("UPDATE fts_control SET deferred = 1 WHERE id = 1")
    try:
        changed = conn.executemany(_UPSERT_VIDEO_SQL, (video_row(v, now) for v in batch)).rowcount
        # New rows get rowids above the highest one before this write (rowids are not reused
        # below the maximum), so this indexes exactly what the insert trigger skipped.
        conn.execute(
            "INSERT INTO videos_fts (rowid, title, description, channel_title, tags) "
            "SELECT video_rowid, title, description, channel_title, tags FROM videos_search "
            "WHERE video_rowid > ?",
            (highest,),
        )
    finally:
        conn.execute("UPDATE fts_control SET deferred = 0 WHERE id = 1")
    return UpsertResult(new=new, updated=max(0, changed - new))


def upsert_channels(
    db: Database, channels: Iterable[Channel], source: str = "", now: int | None = None
) -> int:
    """Insert or update channels, keeping their added time and follow state; returns rows added."""
    now = int(time.time()) if now is None else now
    before = db.conn.execute("SELECT count(*) FROM channels").fetchone()[0]
    db.conn.executemany(
        """
        INSERT INTO channels (id, title, handle, thumbnail_url, uploads_playlist, followed,
                              source, added_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET
            title = CASE WHEN excluded.title != '' THEN excluded.title ELSE title END,
            handle = CASE WHEN excluded.handle != '' THEN excluded.handle ELSE handle END,
            thumbnail_url = CASE WHEN excluded.thumbnail_url != ''
                                 THEN excluded.thumbnail_url ELSE thumbnail_url END,
            uploads_playlist = CASE WHEN excluded.uploads_playlist != ''
                                    THEN excluded.uploads_playlist ELSE uploads_playlist END
        """,
        (
            (
                c.id,
                c.title,
                c.handle,
                c.thumbnail_url,
                c.uploads_playlist,
                int(c.followed),
                source,
                now,
            )
            for c in channels
        ),
    )
    after = int(db.conn.execute("SELECT count(*) FROM channels").fetchone()[0])
    return after - int(before)
