"""The preference-sync tables and the triggers that fill the outbox (migration m040_prefsync).

Every writer of a synced preference — the app, the CLI, rules, imports, `sqlite3` by
hand — goes through these triggers, so a change enters the outbox in the *same*
transaction as the change itself, and no writer has to remember to call anything:

* `prefsync_state` (one row): this device's id, its hybrid logical clock (`hlc`), the
  `applying` flag that silences the triggers while remote records are written, and the
  account bookkeeping (server, revision pulled up to).
* `prefsync_outbox`: one row per record name changed here and not yet folded into
  `prefsync_records`, with the clock reading of its latest change. The value is read
  from the tables when the outbox is folded, so it is always the current one.
* `prefsync_records`: the merged state of every record this device knows (its own and
  other devices'), with its stamp, whether the server is known to hold exactly it
  (`synced`) and whether it is reflected in the local tables (`applied`; a mark for a
  video this machine has not synced from YouTube yet waits here).

The clock is `physical milliseconds × 65536 + counter`, ticked in SQL exactly as
`prefsync/clock.py` ticks it in Python. Record names (`channel:UC…`, `kw:rust`…) are
spelled here in SQL and parsed by `prefsync/records.py`; a test keeps the two agreeing.
The video cache itself is never tracked: deleting cached videos is not a preference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

NOW_MS_SQL = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
"""Unix time in milliseconds, as SQLite 3.40 can compute it (no 'subsec' before 3.42)."""

COUNTER_SPAN = 65536
"""Clock readings per millisecond before the counter spills into the next millisecond."""

_TICK = f"UPDATE prefsync_state SET hlc = max(hlc + 1, {NOW_MS_SQL} * {COUNTER_SPAN}) WHERE id = 1;"
_LIVE = "(SELECT applying FROM prefsync_state WHERE id = 1) = 0"
_NOW_HLC = "(SELECT hlc FROM prefsync_state WHERE id = 1)"


def _queue(name_sql: str, where: str = "") -> str:
    """SQL that puts `name_sql` in the outbox at the current clock reading.

    Delete, then insert: an `OR REPLACE` inside a trigger is overridden by the conflict
    policy of the statement that fired it (an upsert's is ABORT), so it can't be relied on.
    """
    condition = f" WHERE {where}" if where else ""
    return (
        f"DELETE FROM prefsync_outbox WHERE name = {name_sql}"
        + (f" AND ({where})" if where else "")
        + "; "
        + f"INSERT INTO prefsync_outbox (name, hlc) SELECT {name_sql}, {_NOW_HLC}{condition};"
    )


def _trigger(name: str, event: str, when: str, body: str) -> str:
    condition = f"{_LIVE} AND ({when})" if when else _LIVE
    return f"CREATE TRIGGER {name} {event} WHEN {condition} BEGIN {_TICK} {body} END;"


_VIDEO_FIELDS = (
    # (record field, the "is set" test on a row, the "changed" test between old and new)
    ("watched", "{r}.watched_at IS NOT NULL", "old.watched_at IS NOT new.watched_at"),
    (
        "rating",
        "{r}.rating != 0",
        "old.rating IS NOT new.rating OR old.rated_at IS NOT new.rated_at",
    ),
    ("hidden", "{r}.hidden_at IS NOT NULL", "old.hidden_at IS NOT new.hidden_at"),
    ("saved", "{r}.saved_at IS NOT NULL", "old.saved_at IS NOT new.saved_at"),
)


def _video_state_triggers() -> str:
    inserted = " ".join(
        _queue(f"'video:' || new.video_id || ':{field}'", is_set.format(r="new"))
        for field, is_set, _ in _VIDEO_FIELDS
    )
    updated = " ".join(
        _queue(f"'video:' || new.video_id || ':{field}'", changed)
        for field, _, changed in _VIDEO_FIELDS
    )
    any_change = " OR ".join(f"({changed})" for _, _, changed in _VIDEO_FIELDS)
    return "\n".join(
        [
            _trigger("prefsync_video_state_ai", "AFTER INSERT ON video_state", "", inserted),
            _trigger("prefsync_video_state_au", "AFTER UPDATE ON video_state", any_change, updated),
        ]
    )


_RULE_NAME = "'rule:' || (SELECT uid FROM rules WHERE id = new.id)"
_NEW_UID = "lower(hex(randomblob(16)))"

_TRIGGERS = "\n".join(
    [
        # Follows: a followed channel is a record; unfollowing or purging it is a removal.
        _trigger(
            "prefsync_channels_ai", "AFTER INSERT ON channels", "new.followed = 1",
            _queue("'channel:' || new.id"),
        ),
        _trigger(
            "prefsync_channels_au", "AFTER UPDATE OF followed ON channels",
            "old.followed IS NOT new.followed", _queue("'channel:' || new.id"),
        ),
        _trigger(
            "prefsync_channels_ad", "AFTER DELETE ON channels", "old.followed = 1",
            _queue("'channel:' || old.id"),
        ),
        # Channel groups: one record per (channel, group), so two machines adding a channel
        # to two different groups both keep their addition.
        _trigger(
            "prefsync_channel_tags_ai", "AFTER INSERT ON channel_tags", "",
            _queue("'group:' || new.channel_id || ':' || new.tag"),
        ),
        _trigger(
            "prefsync_channel_tags_ad", "AFTER DELETE ON channel_tags", "",
            _queue("'group:' || old.channel_id || ':' || old.tag"),
        ),
        # Keyword preferences and their weights.
        _trigger(
            "prefsync_keyword_prefs_ai", "AFTER INSERT ON keyword_prefs", "",
            _queue("'kw:' || new.keyword"),
        ),
        _trigger(
            "prefsync_keyword_prefs_au", "AFTER UPDATE ON keyword_prefs",
            "old.weight IS NOT new.weight OR old.keyword IS NOT new.keyword",
            _queue("'kw:' || old.keyword", "old.keyword IS NOT new.keyword")
            + _queue("'kw:' || new.keyword"),
        ),
        _trigger(
            "prefsync_keyword_prefs_ad", "AFTER DELETE ON keyword_prefs", "",
            _queue("'kw:' || old.keyword"),
        ),
        # Rules: what a rule is (`rule:<uid>`) and whether it is on (`rule:<uid>:on`) are
        # separate records, so switching a rule off on one machine and rewording it on
        # another both survive. A rule gets a global uid the moment it is inserted.
        f"CREATE TRIGGER rules_uid_ai AFTER INSERT ON rules WHEN new.uid IS NULL BEGIN "
        f"UPDATE rules SET uid = {_NEW_UID} WHERE id = new.id AND uid IS NULL; END;",
        _trigger(
            "prefsync_rules_ai", "AFTER INSERT ON rules", "",
            f"UPDATE rules SET uid = {_NEW_UID} WHERE id = new.id AND uid IS NULL; "
            + _queue(_RULE_NAME)
            + _queue(_RULE_NAME + " || ':on'"),
        ),
        _trigger(
            "prefsync_rules_au", "AFTER UPDATE OF text, spec, action ON rules",
            "old.text IS NOT new.text OR old.spec IS NOT new.spec "
            "OR old.action IS NOT new.action",
            _queue(_RULE_NAME),
        ),
        _trigger(
            "prefsync_rules_on_au", "AFTER UPDATE OF enabled ON rules",
            "old.enabled IS NOT new.enabled", _queue(_RULE_NAME + " || ':on'"),
        ),
        _trigger(
            "prefsync_rules_ad", "AFTER DELETE ON rules", "old.uid IS NOT NULL",
            _queue("'rule:' || old.uid"),
        ),
        _video_state_triggers(),
    ]
)  # fmt: skip

_TABLES = f"""
CREATE TABLE prefsync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device TEXT NOT NULL,
    hlc INTEGER NOT NULL,
    applying INTEGER NOT NULL DEFAULT 0,
    server TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL DEFAULT '',
    server_device_id TEXT NOT NULL DEFAULT '',
    revision INTEGER NOT NULL DEFAULT 0,
    -- Which sync key the synced flags refer to (a short HKDF fingerprint, not the key).
    key_fingerprint TEXT NOT NULL DEFAULT '',
    last_sync_at INTEGER,
    last_outcome TEXT NOT NULL DEFAULT ''
);
INSERT INTO prefsync_state (id, device, hlc) VALUES (1, {_NEW_UID}, {NOW_MS_SQL} * {COUNTER_SPAN});

CREATE TABLE prefsync_outbox (
    name TEXT PRIMARY KEY,
    hlc INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE prefsync_records (
    name TEXT PRIMARY KEY,
    hlc INTEGER NOT NULL,
    device TEXT NOT NULL,
    value TEXT,
    synced INTEGER NOT NULL DEFAULT 0,
    applied INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX prefsync_records_unsynced ON prefsync_records(name) WHERE synced = 0;
CREATE INDEX prefsync_records_unapplied ON prefsync_records(name) WHERE applied = 0;

-- Rules get a global id so two machines' "rule 3" are never confused.
ALTER TABLE rules ADD COLUMN uid TEXT;
UPDATE rules SET uid = {_NEW_UID};
CREATE UNIQUE INDEX rules_uid ON rules(uid);
"""


def _seconds_hlc(column: str) -> str:
    return f"coalesce({column}, 0) * 1000 * {COUNTER_SPAN}"


# What a cache already held before it tracked changes enters the outbox stamped with the
# time it was made (where the cache knows it), so a machine that joins later does not
# overrule a newer change made elsewhere with an old state it happens to hold.
_SEED = f"""
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'channel:' || id, {_seconds_hlc("added_at")} FROM channels WHERE followed = 1;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'group:' || t.channel_id || ':' || t.tag, {_seconds_hlc("c.added_at")}
    FROM channel_tags t JOIN channels c ON c.id = t.channel_id;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'kw:' || keyword, {_seconds_hlc("created_at")} FROM keyword_prefs;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'rule:' || uid, {_seconds_hlc("created_at")} FROM rules;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'rule:' || uid || ':on', {_seconds_hlc("created_at")} FROM rules;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'video:' || video_id || ':watched', {_seconds_hlc("watched_at")}
    FROM video_state WHERE watched_at IS NOT NULL;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'video:' || video_id || ':rating', {_seconds_hlc("rated_at")}
    FROM video_state WHERE rating != 0;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'video:' || video_id || ':hidden', {_seconds_hlc("hidden_at")}
    FROM video_state WHERE hidden_at IS NOT NULL;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'video:' || video_id || ':saved', {_seconds_hlc("saved_at")}
    FROM video_state WHERE saved_at IS NOT NULL;
"""


def _watch_triggers() -> str:
    """The queue, playback positions, announced videos and per-channel notify (m070)."""
    queued = "'video:' || {r}.video_id || ':queue'"
    position = "'video:' || {r}.video_id || ':position'"
    notified = "'video:' || {r}.video_id || ':notified'"
    triggers = []
    for table, name in (("queue", queued), ("playback", position), ("notified", notified)):
        triggers += [
            _trigger(f"prefsync_{table}_ai", f"AFTER INSERT ON {table}", "",
                     _queue(name.format(r="new"))),
            _trigger(f"prefsync_{table}_au", f"AFTER UPDATE ON {table}", "",
                     _queue(name.format(r="new"))),
            _trigger(f"prefsync_{table}_ad", f"AFTER DELETE ON {table}", "",
                     _queue(name.format(r="old"))),
        ]  # fmt: skip
    triggers.append(
        _trigger(
            "prefsync_channels_notify_au",
            "AFTER UPDATE OF notify ON channels",
            "old.notify IS NOT new.notify",
            _queue("'notify:' || new.id"),
        )
    )
    return "\n".join(triggers)


_WATCH_SEED = f"""
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'video:' || video_id || ':queue', {_seconds_hlc("added_at")} FROM queue;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'video:' || video_id || ':position', {_seconds_hlc("updated_at")} FROM playback;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'video:' || video_id || ':notified', {_seconds_hlc("at")} FROM notified;
INSERT OR REPLACE INTO prefsync_outbox (name, hlc)
    SELECT 'notify:' || id, {_seconds_hlc("notify")} FROM channels WHERE notify > 0;
"""


def create_watch(db: Database) -> None:
    """Track the watch tables too (migration m070, after m050_watch made them)."""
    db.executescript(_WATCH_SEED)
    db.executescript(_watch_triggers())


def create(db: Database) -> None:
    """Create the sync tables, seed the outbox with what the cache holds, add the triggers."""
    db.executescript(_TABLES)
    db.executescript(_SEED)
    db.executescript(_TRIGGERS)
