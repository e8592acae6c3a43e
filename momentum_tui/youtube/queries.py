"""Every SQL statement of the YouTube side: what syncs read and write, and the quota ledger.

Sync: channels to sync, runs, each channel's result, refreshed videos, the status bar's
line. Each channel's result is one transaction: its videos, the videos it lost (deleted
or private), its `sync_state` row and the run's counters land together or not at all. A
sync killed at any instant therefore leaves every channel either fully synced or
untouched, and the next sync picks up the untouched ones.

Quota: `quota_ledger` rows, one per call, written before the call is sent. Channel
following (add, remove, list, import, export) is channel storage: `storage/channels.py`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from momentum_tui.models import format_age
from momentum_tui.records import Channel, Video
from momentum_tui.storage.videos import UpsertResult, upsert_channels, upsert_videos

if TYPE_CHECKING:
    from sqlite_utils import Database

STREAM_MAX_AGE_S = 15 * 60
"""A live stream or due premiere is looked at again when its details are older than this."""


@dataclass(frozen=True)
class ChannelRow:
    """A followed channel as the engine needs it."""

    id: str
    title: str
    uploads_playlist: str
    details_at: int | None
    last_success_at: int | None

    @property
    def playlist(self) -> str:
        """The uploads playlist (`UU…`), known or derived from the channel id."""
        return self.uploads_playlist or "UU" + self.id[2:]


def channels_to_sync(conn: sqlite3.Connection, only: Sequence[str] = ()) -> list[ChannelRow]:
    """Followed channels (or just `only`, followed or not), least recently synced first."""
    sql = (
        "SELECT c.id, c.title, c.uploads_playlist, s.details_at, s.last_success_at "
        "FROM channels c LEFT JOIN sync_state s ON s.channel_id = c.id "
    )
    params: list[str] = []
    if only:
        sql += f"WHERE c.id IN ({', '.join('?' for _ in only)}) "
        params = list(only)
    else:
        sql += "WHERE c.followed = 1 "
    sql += "ORDER BY s.last_success_at IS NOT NULL, s.last_success_at, c.id"
    return [ChannelRow(*row) for row in conn.execute(sql, params)]


def stale_recent_videos(
    conn: sqlite3.Connection, now: int, days: int, max_age_s: float, limit: int
) -> list[tuple[str, bool]]:
    """Videos worth a fresh `videos.list` look, most urgent first: (id, cached as a Short).

    Streams live now and premieres whose start is near or past, read more than
    `STREAM_MAX_AGE_S` ago (they end, and get a length); then recent uploads whose view
    counts are older than `max_age_s`.
    """
    if limit <= 0:
        return []
    rows = conn.execute(
        """
        SELECT v.id, v.is_short FROM videos v JOIN channels c ON c.id = v.channel_id
        WHERE c.followed = 1 AND v.status = 'ok' AND (
            ((v.live_state = 'live'
              OR (v.live_state = 'upcoming' AND coalesce(v.scheduled_at, 0) <= ?))
             AND coalesce(v.stats_at, 0) < ?)
            OR (v.published_at >= ? AND coalesce(v.stats_at, 0) < ?))
        ORDER BY v.live_state = 'live' DESC, v.live_state = 'upcoming' DESC,
                 v.stats_at IS NOT NULL, v.stats_at
        LIMIT ?
        """,
        (now + 600, now - STREAM_MAX_AGE_S, now - days * 86400, now - int(max_age_s), limit),
    ).fetchall()
    return [(row[0], bool(row[1])) for row in rows]


def videos_lacking_details(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    """Cached videos known only from their channel feeds, newest first: (id, is a Short).

    A feed gives no length and no live state, so an upload of unknown length that is not
    a stream is one no `videos.list` has described yet (or one YouTube is still
    processing: asking again is what it needs too).
    """
    rows = conn.execute(
        """
        SELECT v.id, v.is_short FROM videos v JOIN channels c ON c.id = v.channel_id
        WHERE c.followed = 1 AND v.status = 'ok' AND v.duration_s IS NULL
              AND v.live_state = 'none'
        ORDER BY v.published_at DESC
        """
    ).fetchall()
    return [(row[0], bool(row[1])) for row in rows]


def begin_run(db: Database, mode: str, total: int, skipped: int, now: int) -> int:
    """Record a run that has started; returns its id (a run left "running" was killed)."""
    db.conn.execute("UPDATE sync_runs SET status = 'interrupted' WHERE status = 'running'")
    cursor = db.conn.execute(
        "INSERT INTO sync_runs (started_at, mode, status, channels_total, channels_skipped) "
        "VALUES (?, ?, 'running', ?, ?)",
        (now, mode, total, skipped),
    )
    return int(cursor.lastrowid or 0)


def save_channel_details(
    db: Database, channels: Iterable[Channel], now: int, source: str = ""
) -> None:
    """Store fresh titles, handles, avatars and uploads playlists from `channels.list`."""
    batch = list(channels)
    upsert_channels(db, batch, source=source, now=now)
    db.conn.executemany(
        "INSERT INTO sync_state (channel_id, details_at) VALUES (?, ?) "
        "ON CONFLICT(channel_id) DO UPDATE SET details_at = excluded.details_at",
        [(c.id, now) for c in batch],
    )


@dataclass
class ChannelResult:
    """What one channel's sync found, ready to be committed."""

    channel_id: str
    videos: list[Video]
    newest_video_id: str | None
    private: list[str]
    """Videos the uploads playlist now lists as private."""
    empty: bool = False
    feed_views: list[tuple[str, int]] = field(default_factory=list)
    """Free view counts from the channel's feed, for videos already cached."""
    title: str = ""
    """The channel's title from its feed (cleaned); empty when the feed was not read."""


def commit_channel(db: Database, run_id: int, result: ChannelResult, now: int) -> UpsertResult:
    """Write one channel's videos, losses and state, and count them in the run (one txn)."""
    counts = upsert_videos(db, result.videos, now=now)
    if result.feed_views:
        save_feed_views(db, result.feed_views, now)
    unavailable = mark_unavailable(db, result.private, "private")
    newest_upload = max((v.published_at for v in result.videos), default=None)
    db.conn.execute(
        """
        INSERT INTO sync_state (channel_id, status, last_attempt_at, last_success_at, failures,
                                error, newest_video_id)
        VALUES (?, ?, ?, ?, 0, '', ?)
        ON CONFLICT(channel_id) DO UPDATE SET
            status = excluded.status, last_attempt_at = excluded.last_attempt_at,
            last_success_at = excluded.last_success_at, failures = 0, error = '',
            newest_video_id = coalesce(excluded.newest_video_id, newest_video_id)
        """,
        (result.channel_id, "empty" if result.empty else "ok", now, now, result.newest_video_id),
    )
    db.conn.execute(
        "UPDATE channels SET last_synced_at = ?, "
        "last_upload_at = max(coalesce(last_upload_at, 0), coalesce(?, 0)), "
        "title = CASE WHEN ? != '' THEN ? ELSE title END WHERE id = ?",
        (now, newest_upload, result.title, result.title, result.channel_id),
    )
    db.conn.execute(
        "UPDATE sync_runs SET channels_ok = channels_ok + 1, videos_new = videos_new + ?, "
        "videos_updated = videos_updated + ? WHERE id = ?",
        (counts.new, counts.updated + unavailable, run_id),
    )
    return UpsertResult(counts.new, counts.updated + unavailable)


def fail_channel(db: Database, run_id: int, channel_id: str, error: str, now: int) -> None:
    """Record that a channel failed this time (the next sync retries it)."""
    db.conn.execute(
        """
        INSERT INTO sync_state (channel_id, status, last_attempt_at, failures, error)
        VALUES (?, 'failed', ?, 1, ?)
        ON CONFLICT(channel_id) DO UPDATE SET status = 'failed',
            last_attempt_at = excluded.last_attempt_at, failures = failures + 1,
            error = excluded.error
        """,
        (channel_id, now, error),
    )
    db.conn.execute(
        "UPDATE sync_runs SET channels_failed = channels_failed + 1 WHERE id = ?", (run_id,)
    )


def mark_unavailable(db: Database, ids: Sequence[str], status: str) -> int:
    """Mark cached videos deleted or private; returns how many changed."""
    if not ids:
        return 0
    cursor = db.conn.executemany(
        "UPDATE videos SET status = ? WHERE id = ? AND status != ?",
        [(status, video_id, status) for video_id in ids],
    )
    return cursor.rowcount  # not total_changes: that counts the full-text triggers too


def save_refreshed(
    db: Database, run_id: int, videos: Sequence[Video], gone: Sequence[str], now: int
) -> UpsertResult:
    """Store refreshed view counts and live states (cached videos only)."""
    counts = upsert_videos(db, videos, now=now)
    changed = counts.updated + mark_unavailable(db, gone, "deleted")
    db.conn.execute(
        "UPDATE sync_runs SET videos_updated = videos_updated + ? WHERE id = ?", (changed, run_id)
    )
    return UpsertResult(counts.new, changed)


def save_feed_views(db: Database, views: Iterable[tuple[str, int]], now: int) -> None:
    """Free view counts from channel feeds, for videos already cached."""
    db.conn.executemany(
        "UPDATE videos SET view_count = ?, stats_at = ? WHERE id = ? AND view_count IS NOT ?",
        [(count, now, video_id, count) for video_id, count in views],
    )


def finish_run(
    db: Database,
    run_id: int,
    status: str,
    units_by_method: dict[str, int],
    requests: int,
    error: str,
    now: int,
) -> None:
    """Close a run with its outcome."""
    db.conn.execute(
        "UPDATE sync_runs SET finished_at = ?, status = ?, units = ?, units_by_method = ?, "
        "requests = ?, error = ? WHERE id = ?",
        (
            now,
            status,
            sum(units_by_method.values()),
            json.dumps(units_by_method, sort_keys=True),
            requests,
            error,
            run_id,
        ),
    )


OFFLINE_PREF = "network.offline"
"""Preference the feed screen reads to show the "offline" badge ("1" or "0")."""


def set_offline(db: Database, offline: bool, now: int) -> None:
    """Remember whether the last sync found the network down."""
    db.conn.execute(
        "INSERT INTO preferences (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (OFFLINE_PREF, "1" if offline else "0", now),
    )


@dataclass(frozen=True)
class SyncStatusLine:
    """What the status bar says about syncing."""

    last_finished_at: int | None
    failed_channels: int
    offline: bool
    running: bool
    interrupted: bool

    def text(self, now: float) -> str:
        """`last sync 5 min ago · 3 failed`, `offline`, `never synced`."""
        if self.running:
            return "syncing…"
        parts = [
            f"last sync {format_age(self.last_finished_at, now)}"
            if self.last_finished_at
            else "never synced"
        ]
        if self.failed_channels:
            parts.append(f"{self.failed_channels} failed")
        if self.offline:
            parts.append("offline")
        elif self.interrupted:
            parts.append("interrupted")
        return " · ".join(parts)


def sync_status(
    conn: sqlite3.Connection, now: float, stale_after_s: int = 6 * 3600
) -> SyncStatusLine:
    """The latest runs and channel states, for the status bar."""
    last = conn.execute(
        "SELECT finished_at, status, started_at FROM sync_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    finished = conn.execute(
        "SELECT max(finished_at) FROM sync_runs WHERE status IN ('ok', 'partial', 'quota', "
        "'cancelled')"
    ).fetchone()[0]
    failed = conn.execute(
        "SELECT count(*) FROM sync_state s JOIN channels c ON c.id = s.channel_id "
        "WHERE c.followed = 1 AND s.status = 'failed'"
    ).fetchone()[0]
    # A run still marked running long after it started was killed, not running.
    running = bool(last and last[1] == "running" and now - last[2] < stale_after_s)
    interrupted = bool(last and last[1] == "running" and not running)
    return SyncStatusLine(
        last_finished_at=int(finished) if finished else None,
        failed_channels=int(failed),
        offline=bool(last and last[1] == "offline"),
        running=running,
        interrupted=interrupted,
    )


# --- the quota ledger -------------------------------------------------------------------


def quota_by_method(conn: sqlite3.Connection, day: str) -> list[tuple[str, int]]:
    """(method, units) spent on a quota day (the exhausted marker included, at 0 units)."""
    rows = conn.execute(
        "SELECT method, sum(units) FROM quota_ledger WHERE day = ? GROUP BY method", (day,)
    ).fetchall()
    return [(str(method), int(units)) for method, units in rows]


def record_call(
    db: Database, day: str, method: str, units: int, budget: int, at: int, exhausted_marker: str
) -> tuple[int, int, bool]:
    """Write one call's row unless it would pass `budget`: (row id or 0, used, exhausted).

    Inside `Store.write()` (`BEGIN IMMEDIATE`), so the sum and the insert are one step
    across threads and processes.
    """
    used, exhausted = db.conn.execute(
        "SELECT coalesce(sum(units), 0), coalesce(max(method = ?), 0) FROM quota_ledger "
        "WHERE day = ?",
        (exhausted_marker, day),
    ).fetchone()
    if exhausted or used + units > budget:
        return 0, int(used), bool(exhausted)
    cursor = db.conn.execute(
        "INSERT INTO quota_ledger (at, day, method, units) VALUES (?, ?, ?, ?)",
        (at, day, method, units),
    )
    return int(cursor.lastrowid or 0), int(used), False


def settle_call(db: Database, row_id: int, status: int) -> None:
    """Note the HTTP status of a call that did not succeed."""
    db.conn.execute("UPDATE quota_ledger SET status = ? WHERE id = ?", (status, row_id))


def delete_call(db: Database, row_id: int) -> bool:
    """Take a call's row back out (it never reached YouTube); True when it was there."""
    return bool(db.conn.execute("DELETE FROM quota_ledger WHERE id = ?", (row_id,)).rowcount)


def mark_day_exhausted(db: Database, day: str, at: int, marker: str) -> None:
    """The zero-unit row that says YouTube itself called today's quota spent."""
    db.conn.execute(
        "INSERT INTO quota_ledger (at, day, method, units, status) VALUES (?, ?, ?, 0, 403)",
        (at, day, marker),
    )


def quota_history(
    conn: sqlite3.Connection, since_day: str, marker: str
) -> list[tuple[str, str, int, int]]:
    """(day, method, calls, units) after `since_day`, newest first."""
    rows = conn.execute(
        "SELECT day, method, count(*), sum(units) FROM quota_ledger "
        "WHERE day > ? AND method != ? GROUP BY day, method ORDER BY day DESC, method",
        (since_day, marker),
    ).fetchall()
    return [(day, method, int(calls), int(units)) for day, method, calls, units in rows]
