"""Writing channels and videos into the cache (used by sync, the demo and benchmarks)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from momentum_tui.records import Channel, Video

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
    return write_video_rows(db.conn, [video_row(v, now) for v in videos])


def write_video_rows(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> UpsertResult:
    """Upsert `video_row` tuples inside a write transaction; counts new and changed rows."""
    if not rows:
        return UpsertResult()
    known = existing_video_ids(conn, [row[0] for row in rows])  # type: ignore[misc]
    new = len({row[0] for row in rows} - known)
    if new >= BULK_INDEX_THRESHOLD and not _full_text_deferred(conn):
        with full_text_backlog(conn):
            changed = conn.executemany(_UPSERT_VIDEO_SQL, rows).rowcount
    else:
        # rowcount sums sqlite3_changes() per row: trigger writes (the FTS index) don't count.
        changed = conn.executemany(_UPSERT_VIDEO_SQL, rows).rowcount
    return UpsertResult(new=new, updated=max(0, changed - new))


FTS_HASH_BYTES = 16 * 1024 * 1024
"""Terms the full-text index gathers in memory before writing a segment, for bulk writes.

FTS5's default (1 MiB) writes a small segment every few hundred videos and then merges
them again and again; 16 MiB indexes 100,000 videos in half the time.
"""


class FullTextBacklog:
    """New videos the full-text index has not taken yet (see `full_text_backlog`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._indexed_up_to = _highest_rowid(conn)

    def index(self) -> None:
        """Index every video added since the last call, with one statement."""
        conn = self._conn
        highest = _highest_rowid(conn)
        if highest <= self._indexed_up_to:
            return
        # New rows get rowids above the highest one before them (rowids are not reused
        # below the maximum), so this indexes exactly what the insert trigger skipped.
        conn.execute(
            "INSERT INTO videos_fts (rowid, title, description, channel_title, tags) "
            "SELECT video_rowid, title, description, channel_title, tags FROM videos_search "
            "WHERE video_rowid > ? AND video_rowid <= ?",
            (self._indexed_up_to, highest),
        )
        self._indexed_up_to = highest


def _full_text_deferred(conn: sqlite3.Connection) -> bool:
    """Inside `full_text_backlog` (say, a `bulk_load`): whoever opened it indexes new rows."""
    return bool(conn.execute("SELECT deferred FROM fts_control WHERE id = 1").fetchone()[0])


def _highest_rowid(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(rowid), 0) FROM videos").fetchone()[0])


@contextmanager
def full_text_backlog(conn: sqlite3.Connection) -> Iterator[FullTextBacklog]:
    """Switch the per-row insert trigger off; index what was added in bulk on the way out.

    Changed rows are still re-indexed by their update trigger. Must run inside a write
    transaction, so the trigger's switch and the index commit (or roll back) together.
    """
    if not conn.in_transaction:
        raise RuntimeError("bulk writes must run inside Store.write()")
    backlog = FullTextBacklog(conn)
    conn.execute("UPDATE fts_control SET deferred = 1 WHERE id = 1")
    try:
        with _fts_hash_size(conn, FTS_HASH_BYTES):
            yield backlog
            backlog.index()
    finally:
        conn.execute("UPDATE fts_control SET deferred = 0 WHERE id = 1")


@contextmanager
def _fts_hash_size(conn: sqlite3.Connection, size: int) -> Iterator[None]:
    """FTS5's in-memory term buffer at `size` bytes for a while (a no-op where unsupported)."""
    setting = "INSERT INTO videos_fts (videos_fts, rank) VALUES ('hashsize', ?)"
    try:
        conn.execute(setting, (size,))
    except sqlite3.OperationalError:  # an SQLite without the setting: index at its own pace
        yield
        return
    try:
        yield
    finally:
        with suppress(sqlite3.OperationalError):
            conn.execute(setting, (1024 * 1024,))  # FTS5's default


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


IMPORTED_VIDEO_COLUMNS = (
    "id", "channel_id", "channel_title", "title", "published_at", "duration_s", "is_short",
    "live_state", "status", "content_hash", "first_seen_at",
)  # fmt: skip
"""What an export carries of a video (a sync fills in the rest the next time it sees it)."""


def insert_missing_videos(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> int:
    """Add videos the cache lacks (rows in `IMPORTED_VIDEO_COLUMNS` order); returns how many.

    A video already cached is left alone: its synced title and counts are newer than a
    file's. Call inside a write transaction.
    """
    known = existing_video_ids(conn, [str(row[0]) for row in rows])
    fresh = [row for row in rows if str(row[0]) not in known]
    if not fresh:
        return 0
    sql = (
        f"INSERT INTO videos ({', '.join(IMPORTED_VIDEO_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in IMPORTED_VIDEO_COLUMNS)}) ON CONFLICT(id) DO NOTHING"
    )
    if len(fresh) >= BULK_INDEX_THRESHOLD and not _full_text_deferred(conn):
        with full_text_backlog(conn):
            return max(0, conn.executemany(sql, fresh).rowcount)
    return max(0, conn.executemany(sql, fresh).rowcount)
