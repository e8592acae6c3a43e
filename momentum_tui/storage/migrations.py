"""The cache's schema, created and upgraded by sqlite-utils migrations.

Migrations are append-only: never edit one that has shipped, add a new one. A cache that
has a migration this version does not know was written by a newer Momentum; it is
refused (`SchemaTooNewError`), never modified.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from momentum_tui.errors import SchemaTooNewError

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "momentum"
MIGRATIONS_TABLE = "_sqlite_migrations"

_STEPS: list[tuple[str, Callable[[Database], None]]] = []


def migration(function: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register a schema step (append-only; the function name is its permanent id)."""
    _STEPS.append((function.__name__, function))
    return function


def _sqlite_utils_migrations() -> Migrations:
    # Imported only when a cache needs upgrading: opening an up-to-date cache (every
    # launch) must not pay for sqlite-utils.
    from sqlite_utils.migrations import Migrations

    steps = Migrations(MIGRATION_SET)
    for name, function in _STEPS:
        steps(name=name)(function)
    return steps


@migration
def m001_core(db: Database) -> None:
    """Channels, videos, per-video state, interactions, labels, ledgers, rules, preferences."""
    db.executescript(
        """
        CREATE TABLE channels (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            handle TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            thumbnail_url TEXT NOT NULL DEFAULT '',
            uploads_playlist TEXT NOT NULL DEFAULT '',
            followed INTEGER NOT NULL DEFAULT 1,
            source TEXT NOT NULL DEFAULT '',
            added_at INTEGER NOT NULL,
            last_synced_at INTEGER,
            last_upload_at INTEGER
        );
        -- The feed excludes unfollowed channels; this (usually empty) index makes that free.
        CREATE INDEX channels_unfollowed ON channels(id) WHERE followed = 0;
        CREATE TABLE channel_tags (
            channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (channel_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX channel_tags_tag ON channel_tags(tag);

        CREATE TABLE videos (
            id TEXT PRIMARY KEY,
            channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            channel_title TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '',
            published_at INTEGER NOT NULL,
            duration_s INTEGER,
            is_short INTEGER NOT NULL DEFAULT 0,
            live_state TEXT NOT NULL DEFAULT 'none',
            scheduled_at INTEGER,
            category_id INTEGER,
            view_count INTEGER,
            like_count INTEGER,
            comment_count INTEGER,
            stats_at INTEGER,
            thumbnail_url TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'ok',
            content_hash TEXT NOT NULL DEFAULT '',
            first_seen_at INTEGER NOT NULL
        );
        -- Newest-first is the feed people see most: this index covers its filters, so the
        -- whole ordered feed is read without touching the (wide) rows.
        CREATE INDEX videos_feed_newest ON videos(
            published_at, status, is_short, live_state, duration_s, channel_id, id
        );
        CREATE INDEX videos_channel_published ON videos(channel_id, published_at);
        -- The other orders get covering indexes too, so deep pages of `momentum feed
        -- --sort views --offset 5000` never touch the rows either.
        CREATE INDEX videos_feed_views ON videos(
            view_count, status, is_short, live_state, duration_s, channel_id, id, published_at
        );
        CREATE INDEX videos_feed_length ON videos(
            duration_s, status, is_short, live_state, channel_id, id, published_at
        );
        CREATE INDEX videos_feed_channel ON videos(
            channel_title COLLATE NOCASE, published_at DESC, status, is_short, live_state,
            duration_s, channel_id, id
        );
        CREATE INDEX videos_first_seen ON videos(first_seen_at);

        -- The person's current state per video; `interactions` is the undoable history.
        CREATE TABLE video_state (
            video_id TEXT PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
            watched_at INTEGER,
            rating INTEGER NOT NULL DEFAULT 0,
            rated_at INTEGER,
            hidden_at INTEGER,
            saved_at INTEGER,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            video_id TEXT NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
            mark TEXT NOT NULL,
            at INTEGER NOT NULL,
            previous TEXT NOT NULL,
            undone_at INTEGER
        );
        CREATE INDEX interactions_video ON interactions(video_id);
        CREATE INDEX interactions_at ON interactions(at);

        CREATE TABLE video_labels (
            video_id TEXT PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
            topic TEXT NOT NULL,
            mood TEXT NOT NULL,
            format TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            clickbait REAL NOT NULL,
            plain_title TEXT NOT NULL,
            summary TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT '',
            has_sponsor INTEGER NOT NULL DEFAULT 0,
            confidence REAL NOT NULL DEFAULT 1.0,
            source TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            labelled_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX video_labels_topic ON video_labels(topic);
        CREATE INDEX video_labels_mood ON video_labels(mood);
        CREATE INDEX video_labels_format ON video_labels(format);

        CREATE TABLE sync_state (
            channel_id TEXT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'never',
            last_attempt_at INTEGER,
            last_success_at INTEGER,
            failures INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            newest_video_id TEXT,
            feed_updated TEXT
        ) WITHOUT ROWID;

        CREATE TABLE quota_ledger (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            day TEXT NOT NULL,
            method TEXT NOT NULL,
            units INTEGER NOT NULL,
            status INTEGER
        );
        CREATE INDEX quota_ledger_day ON quota_ledger(day, method);

        CREATE TABLE ai_ledger (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            day TEXT NOT NULL,
            model TEXT NOT NULL,
            kind TEXT NOT NULL,
            videos INTEGER NOT NULL DEFAULT 0,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            usd REAL NOT NULL DEFAULT 0,
            request_id TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX ai_ledger_day ON ai_ledger(day);

        CREATE TABLE rules (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL DEFAULT '',
            spec TEXT NOT NULL,
            action TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            source TEXT NOT NULL DEFAULT 'manual',
            created_at INTEGER NOT NULL
        );

        CREATE TABLE keyword_prefs (
            keyword TEXT PRIMARY KEY,
            weight REAL NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Small named values: last visit, demo marker, UI state. JSON-encoded.
        CREATE TABLE preferences (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Channel renames reach the denormalised title that the full-text index covers.
        CREATE TRIGGER channels_title_au AFTER UPDATE OF title ON channels
        WHEN new.title IS NOT old.title BEGIN
            UPDATE videos SET channel_title = new.title WHERE channel_id = new.id;
        END;
        """
    )
    db.executescript(_FTS_SQL)


SEARCHED_DESCRIPTION_CHARS = 500
"""How much of a description the full-text index covers: where a video says what it is.

The rest of a description is mostly links, credits and sponsor reads; indexing it
doubles the cost of writing a video and makes searches noisier.
"""

# The full-text index reads its content through a view that trims descriptions, so the
# index, its triggers and FTS5's own 'rebuild' and 'integrity-check' all agree.
_FTS_SQL = f"""
CREATE VIEW videos_search AS
    SELECT rowid AS video_rowid, title,
           substr(description, 1, {SEARCHED_DESCRIPTION_CHARS}) AS description,
           channel_title, tags
    FROM videos;
CREATE VIRTUAL TABLE videos_fts USING fts5(
    title, description, channel_title, tags,
    content='videos_search', content_rowid='video_rowid',
    tokenize='unicode61 remove_diacritics 2', detail=column
);
-- Bulk writers (a first sync, the demo, benchmarks) switch the insert trigger off inside
-- their own transaction and index all their new rows with one statement, which is a third
-- faster; see storage/videos.py. Every other write is indexed row by row by the triggers.
CREATE TABLE fts_control (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    deferred INTEGER NOT NULL DEFAULT 0
);
INSERT INTO fts_control (id, deferred) VALUES (1, 0);
CREATE TRIGGER videos_fts_ai AFTER INSERT ON videos
WHEN NOT (SELECT deferred FROM fts_control WHERE id = 1) BEGIN
    INSERT INTO videos_fts (rowid, title, description, channel_title, tags)
    VALUES (new.rowid, new.title, substr(new.description, 1, {SEARCHED_DESCRIPTION_CHARS}),
            new.channel_title, new.tags);
END;
CREATE TRIGGER videos_fts_ad AFTER DELETE ON videos BEGIN
    INSERT INTO videos_fts (videos_fts, rowid, title, description, channel_title, tags)
    VALUES ('delete', old.rowid, old.title,
            substr(old.description, 1, {SEARCHED_DESCRIPTION_CHARS}), old.channel_title, old.tags);
END;
CREATE TRIGGER videos_fts_au AFTER UPDATE OF title, description, channel_title, tags ON videos
BEGIN
    INSERT INTO videos_fts (videos_fts, rowid, title, description, channel_title, tags)
    VALUES ('delete', old.rowid, old.title,
            substr(old.description, 1, {SEARCHED_DESCRIPTION_CHARS}), old.channel_title, old.tags);
    INSERT INTO videos_fts (rowid, title, description, channel_title, tags)
    VALUES (new.rowid, new.title, substr(new.description, 1, {SEARCHED_DESCRIPTION_CHARS}),
            new.channel_title, new.tags);
END;
"""


@migration
def m020_ai(db: Database) -> None:
    """Claude's label cache by content hash, given-up videos, and Message Batches in flight."""
    db.executescript(
        """
        -- Claude's labels by the text they were made from: the same text is never paid twice,
        -- even after a video is deleted and synced again, or appears under two ids.
        CREATE TABLE ai_label_cache (
            content_hash TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            labels TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Videos Claude could not label (refused, invalid answers): skipped until their
        -- text changes or `momentum classify --retry-failed`.
        CREATE TABLE ai_failures (
            video_id TEXT PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            reason TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            gave_up INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Message Batches submitted and not yet collected, so a restart can resume them.
        CREATE TABLE ai_batches (
            id TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            requests INTEGER NOT NULL,
            videos INTEGER NOT NULL,
            estimate_usd REAL NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            checked_at INTEGER,
            ended_at INTEGER,
            collected_at INTEGER,
            error TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID;
        CREATE TABLE ai_batch_items (
            batch_id TEXT NOT NULL REFERENCES ai_batches(id) ON DELETE CASCADE,
            custom_id TEXT NOT NULL,
            ref TEXT NOT NULL,
            video_id TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            PRIMARY KEY (batch_id, custom_id, ref)
        ) WITHOUT ROWID;
        CREATE INDEX ai_batch_items_video ON ai_batch_items(video_id);
        """
    )


def known_names() -> list[str]:
    """Names of every migration this version knows, in order."""
    return [name for name, _ in _STEPS]


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations a cache has applied, read with plain sqlite3."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        (MIGRATION_SET,),
    )
    return [row[0] for row in rows]


def schema_version(conn: sqlite3.Connection) -> int:
    """How many of this set's migrations the cache has applied."""
    return len(applied_names(conn))


def check_not_newer(conn: sqlite3.Connection) -> list[str]:
    """Refuse a cache that has migrations this version does not know; returns what is pending."""
    applied = applied_names(conn)
    known = known_names()
    unknown = [name for name in applied if name not in set(known)]
    if unknown:
        raise SchemaTooNewError(
            f"This cache was written by a newer Momentum (schema step {unknown[-1]!r} is "
            "unknown to this version); it was left untouched.",
            "Upgrade Momentum (`pip install -U momentum-tui`), or point MOMENTUM_HOME elsewhere.",
        )
    return [name for name in known if name not in set(applied)]


def upgrade(db: Database) -> list[str]:
    """Apply pending migrations; returns the names applied."""
    pending = check_not_newer(db.conn)
    if pending:
        _sqlite_utils_migrations().apply(db)
    return pending


@migration
def m010_sync_runs(db: Database) -> None:
    """One row per sync run (status bar, `momentum sync --json`), channel-detail freshness."""
    db.executescript(
        """
        CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            mode TEXT NOT NULL,
            -- running | ok | partial | cancelled | quota | offline | failed
            status TEXT NOT NULL DEFAULT 'running',
            channels_total INTEGER NOT NULL DEFAULT 0,
            channels_ok INTEGER NOT NULL DEFAULT 0,
            channels_failed INTEGER NOT NULL DEFAULT 0,
            channels_skipped INTEGER NOT NULL DEFAULT 0,
            videos_new INTEGER NOT NULL DEFAULT 0,
            videos_updated INTEGER NOT NULL DEFAULT 0,
            units INTEGER NOT NULL DEFAULT 0,
            units_by_method TEXT NOT NULL DEFAULT '{}',
            requests INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sync_runs_started ON sync_runs(started_at);
        -- When channels.list last refreshed a channel's title, handle and avatar.
        ALTER TABLE sync_state ADD COLUMN details_at INTEGER;
        CREATE INDEX sync_state_status ON sync_state(status);
        """
    )


@migration
def m030_recommend(db: Database) -> None:
    """The recommender's reads: a covering index over what it ranks by, and label tags by tag."""
    db.executescript(
        """
        -- The ranker reads these columns for every video in one scan ordered by id; the
        -- covering index keeps that scan off the wide rows (descriptions), ~10x faster.
        CREATE INDEX videos_rank ON videos(
            id, status, channel_id, published_at, duration_s, is_short, live_state,
            view_count, like_count, stats_at
        );
        CREATE INDEX video_labels_rank ON video_labels(
            video_id, topic, mood, format, clickbait, confidence
        );
        -- Label tags one per row, so the videos sharing a tag the person likes are found by
        -- index instead of parsing every label's JSON. Kept in step by triggers.
        CREATE TABLE label_tags (
            tag TEXT NOT NULL,
            video_id TEXT NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
            PRIMARY KEY (tag, video_id)
        ) WITHOUT ROWID;
        CREATE INDEX label_tags_video ON label_tags(video_id);
        INSERT OR IGNORE INTO label_tags (tag, video_id)
            SELECT j.value, l.video_id FROM video_labels l,
                json_each(CASE WHEN json_valid(l.tags) THEN l.tags ELSE '[]' END) j
            WHERE j.type = 'text';
        CREATE TRIGGER label_tags_ai AFTER INSERT ON video_labels BEGIN
            INSERT OR IGNORE INTO label_tags (tag, video_id)
                SELECT value, new.video_id
                FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags ELSE '[]' END)
                WHERE type = 'text';
        END;
        CREATE TRIGGER label_tags_au AFTER UPDATE OF tags, video_id ON video_labels BEGIN
            DELETE FROM label_tags WHERE video_id = old.video_id;
            INSERT OR IGNORE INTO label_tags (tag, video_id)
                SELECT value, new.video_id
                FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags ELSE '[]' END)
                WHERE type = 'text';
        END;
        CREATE TRIGGER label_tags_ad AFTER DELETE ON video_labels BEGIN
            DELETE FROM label_tags WHERE video_id = old.video_id;
        END;
        """
    )


@migration
def m040_prefsync(db: Database) -> None:
    """Preference sync: the outbox its triggers fill, the hybrid clock, the merged records."""
    from momentum_tui.storage import prefsync_schema

    prefsync_schema.create(db)


@migration
def m050_watch(db: Database) -> None:
    """Watching: the watch-later queue, playback positions, per-channel notifications."""
    from momentum_tui.storage import watch_schema

    watch_schema.create(db)


@migration
def m070_prefsync_watch(db: Database) -> None:
    """Preference sync carries the queue, playback positions and notifications too."""
    from momentum_tui.storage import prefsync_schema

    prefsync_schema.create_watch(db)


@migration
def m080_mark_origin(db: Database) -> None:
    """Where each history entry was made: here (`local`) or brought in (`import`).

    Undo takes back only what was done on this machine: an entry imported from an export
    (or, later, from another device) is history, not the last thing you did.
    """
    db.executescript("ALTER TABLE interactions ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';")
