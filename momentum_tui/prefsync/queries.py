"""Every SQL statement of preference sync: the sync tables, and reading and writing the
preferences that records stand for (follows, groups, keywords, rules, video states).

Reads take a connection; writes are called inside the caller's write transaction
(`Store.write()`), never commit, and are made while `prefsync_state.applying` is set, so
the outbox triggers do not echo what came from other devices back to the server.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from momentum_tui import sanitize
from momentum_tui.prefsync.records import Record, Stamp, Value

_IN_CHUNK = 500


@dataclass(frozen=True)
class StoredRecord:
    """A row of `prefsync_records`: a record and what this device knows about it."""

    record: Record
    synced: bool
    applied: bool


@dataclass(frozen=True)
class SyncState:
    """The `prefsync_state` row: this device, its clock, and the account it syncs with."""

    device: str
    hlc: int
    server: str
    username: str
    server_device_id: str
    revision: int
    key_fingerprint: str
    last_sync_at: int | None
    last_outcome: str


def state(conn: sqlite3.Connection) -> SyncState:
    """This device's sync state."""
    row = conn.execute(
        "SELECT device, hlc, server, username, server_device_id, revision, key_fingerprint, "
        "last_sync_at, "
        "last_outcome FROM prefsync_state WHERE id = 1"
    ).fetchone()
    return SyncState(*row)


def set_applying(conn: sqlite3.Connection, on: bool) -> None:
    """Silence (or re-arm) the outbox triggers for the rest of this transaction's writes."""
    conn.execute("UPDATE prefsync_state SET applying = ? WHERE id = 1", (int(on),))


def receive_clock(conn: sqlite3.Connection, reading: int) -> None:
    """Move the clock up to `reading` (never down)."""
    conn.execute("UPDATE prefsync_state SET hlc = max(hlc, ?) WHERE id = 1", (reading,))


def set_revision(conn: sqlite3.Connection, revision: int) -> None:
    """Remember the server revision this device has everything up to."""
    conn.execute("UPDATE prefsync_state SET revision = ? WHERE id = 1", (revision,))


def set_account(
    conn: sqlite3.Connection, *, server: str, username: str, server_device_id: str, device: str
) -> None:
    """Bind this cache to an account (login) with a fresh device id; nothing is synced yet."""
    conn.execute(
        "UPDATE prefsync_state SET server = ?, username = ?, server_device_id = ?, "
        "device = ?, revision = 0, last_outcome = '' WHERE id = 1",
        (server, username, server_device_id, device),
    )
    conn.execute("UPDATE prefsync_records SET synced = 0")


def clear_account(conn: sqlite3.Connection) -> None:
    """Forget the account binding (logout); records and the outbox stay for next time."""
    conn.execute(
        "UPDATE prefsync_state SET server = '', username = '', server_device_id = '', "
        "revision = 0 WHERE id = 1"
    )
    conn.execute("UPDATE prefsync_records SET synced = 0")


def forget_server_copy(conn: sqlite3.Connection, key_fingerprint: str) -> None:
    """Start over with the server (a new key): pull everything again, push what it lacks."""
    conn.execute(
        "UPDATE prefsync_state SET revision = 0, key_fingerprint = ? WHERE id = 1",
        (key_fingerprint,),
    )
    conn.execute("UPDATE prefsync_records SET synced = 0")


def set_outcome(conn: sqlite3.Connection, outcome: dict[str, object], at: int) -> None:
    """Remember how the last sync went (for `momentum prefsync --status` and the app)."""
    conn.execute(
        "UPDATE prefsync_state SET last_sync_at = ?, last_outcome = ? WHERE id = 1",
        (at, json.dumps(outcome)),
    )


# --- the outbox and the records ------------------------------------------------------------


def outbox(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Names changed here since they were last folded, with their latest clock readings."""
    return [(str(n), int(h)) for n, h in conn.execute("SELECT name, hlc FROM prefsync_outbox")]


def outbox_size(conn: sqlite3.Connection) -> int:
    """How many local changes wait to be folded."""
    return int(conn.execute("SELECT count(*) FROM prefsync_outbox").fetchone()[0])


def queue(conn: sqlite3.Connection, name: str, hlc: int) -> None:
    """Put `name` in the outbox at reading `hlc` (for changes no trigger sees: settings)."""
    conn.execute("INSERT OR REPLACE INTO prefsync_outbox (name, hlc) VALUES (?, ?)", (name, hlc))
    receive_clock(conn, hlc)


def drop_outbox(conn: sqlite3.Connection, entries: Iterable[tuple[str, int]]) -> None:
    """Remove folded outbox entries (only if no newer change to the name came since)."""
    conn.executemany("DELETE FROM prefsync_outbox WHERE name = ? AND hlc = ?", entries)


def _stored(row: Sequence[object]) -> StoredRecord:
    value = json.loads(str(row[3])) if row[3] is not None else None
    record = Record(str(row[0]), value, Stamp(int(str(row[1])), str(row[2])))
    return StoredRecord(record, bool(row[4]), bool(row[5]))


_RECORD_COLUMNS = "name, hlc, device, value, synced, applied"


def records_named(conn: sqlite3.Connection, names: Iterable[str]) -> dict[str, StoredRecord]:
    """The stored records of these names (those this device knows)."""
    wanted = list(dict.fromkeys(names))
    found: dict[str, StoredRecord] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM prefsync_records WHERE name IN ({marks})", chunk
        ):
            stored = _stored(row)
            found[stored.record.name] = stored
    return found


def all_records(conn: sqlite3.Connection) -> Iterator[StoredRecord]:
    """Every record this device knows, by name."""
    for row in conn.execute(f"SELECT {_RECORD_COLUMNS} FROM prefsync_records ORDER BY name"):
        yield _stored(row)


def unsynced(conn: sqlite3.Connection) -> list[Record]:
    """Records the server is not known to hold yet (what a push sends), by name."""
    rows = conn.execute(
        f"SELECT {_RECORD_COLUMNS} FROM prefsync_records INDEXED BY prefsync_records_unsynced "
        "WHERE synced = 0 ORDER BY name"
    )
    return [_stored(row).record for row in rows]


def unapplied(conn: sqlite3.Connection) -> list[Record]:
    """Records that won but wait for their video, channel or rule to reach this cache."""
    rows = conn.execute(
        f"SELECT {_RECORD_COLUMNS} FROM prefsync_records INDEXED BY prefsync_records_unapplied "
        "WHERE applied = 0 ORDER BY name"
    )
    return [_stored(row).record for row in rows]


def put_record(conn: sqlite3.Connection, record: Record, *, synced: bool, applied: bool) -> None:
    """Store (or replace) a record with its bookkeeping."""
    conn.execute(
        "INSERT OR REPLACE INTO prefsync_records (name, hlc, device, value, synced, applied) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (record.name, record.stamp.hlc, record.stamp.device, record.value_json(),
         int(synced), int(applied)),
    )  # fmt: skip


def mark_synced(conn: sqlite3.Connection, records: Iterable[Record]) -> None:
    """The server holds these records now (unless they changed again meanwhile)."""
    conn.executemany(
        "UPDATE prefsync_records SET synced = 1 WHERE name = ? AND hlc = ? AND device = ?",
        ((r.name, r.stamp.hlc, r.stamp.device) for r in records),
    )


def mark_all_unsynced(conn: sqlite3.Connection) -> None:
    """The server's copy is gone (replaced or a new account): everything must go again."""
    conn.execute("UPDATE prefsync_records SET synced = 0")


def set_synced(conn: sqlite3.Connection, name: str, synced: bool) -> None:
    """Say whether the server holds exactly this device's copy of `name`."""
    conn.execute("UPDATE prefsync_records SET synced = ? WHERE name = ?", (int(synced), name))


def set_applied(conn: sqlite3.Connection, name: str) -> None:
    """The local tables now reflect record `name`."""
    conn.execute("UPDATE prefsync_records SET applied = 1 WHERE name = ?", (name,))


def counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(records known, not yet on the server, waiting to be applied)."""
    row = conn.execute(
        "SELECT count(*), coalesce(sum(synced = 0), 0), coalesce(sum(applied = 0), 0) "
        "FROM prefsync_records"
    ).fetchone()
    return int(row[0]), int(row[1]) + outbox_size(conn), int(row[2])


# --- reading a preference as a record value ------------------------------------------------


def channel_value(conn: sqlite3.Connection, channel_id: str) -> Value | None:
    """`{"title": …}` while the channel is followed."""
    row = conn.execute(
        "SELECT title FROM channels WHERE id = ? AND followed = 1", (channel_id,)
    ).fetchone()
    return None if row is None else {"title": str(row[0])}


def group_value(conn: sqlite3.Connection, channel_id: str, group: str) -> Value | None:
    """`{}` while the channel is in the group."""
    row = conn.execute(
        "SELECT 1 FROM channel_tags WHERE channel_id = ? AND tag = ?", (channel_id, group)
    ).fetchone()
    return None if row is None else {}


def keyword_value(conn: sqlite3.Connection, keyword: str) -> Value | None:
    """`{"weight": …}` while the keyword preference exists."""
    row = conn.execute("SELECT weight FROM keyword_prefs WHERE keyword = ?", (keyword,)).fetchone()
    return None if row is None else {"weight": float(row[0])}


def rule_value(conn: sqlite3.Connection, uid: str) -> Value | None:
    """What the rule is: its text, spec (as JSON), source and creation time."""
    row = conn.execute(
        "SELECT text, spec, source, created_at FROM rules WHERE uid = ?", (uid,)
    ).fetchone()
    if row is None:
        return None
    return {"text": row[0], "spec": json.loads(row[1]), "source": row[2], "created_at": row[3]}


def rule_on_value(conn: sqlite3.Connection, uid: str) -> Value | None:
    """`{"on": …}` while the rule exists."""
    row = conn.execute("SELECT enabled FROM rules WHERE uid = ?", (uid,)).fetchone()
    return None if row is None else {"on": bool(row[0])}


def video_value(conn: sqlite3.Connection, video_id: str, field: str) -> Value | None:
    """`{"at": …}` for watched, hidden, saved; `{"rating": ±1, "at": …}` for a rating."""
    row = conn.execute(
        "SELECT watched_at, rating, rated_at, hidden_at, saved_at FROM video_state "
        "WHERE video_id = ?",
        (video_id,),
    ).fetchone()
    if row is None:
        return None
    watched_at, rating, rated_at, hidden_at, saved_at = row
    if field == "rating":
        return {"rating": int(rating), "at": rated_at} if rating else None
    at = {"watched": watched_at, "hidden": hidden_at, "saved": saved_at}[field]
    return None if at is None else {"at": int(at)}


# --- writing a record's value into the preference tables -----------------------------------


def _now() -> int:
    return int(time.time())


def follow(conn: sqlite3.Connection, channel_id: str, title: str) -> None:
    """Follow a channel another device followed (creating its row if this cache lacks it)."""
    conn.execute(
        "INSERT INTO channels (id, title, followed, source, added_at) "
        "VALUES (?, ?, 1, 'prefsync', ?) ON CONFLICT(id) DO UPDATE SET followed = 1, "
        "title = CASE WHEN channels.title = '' THEN excluded.title ELSE channels.title END",
        (channel_id, sanitize.clean_line(title, max_len=sanitize.NAME_MAX), _now()),
    )


def unfollow(conn: sqlite3.Connection, channel_id: str) -> None:
    """Stop following (the channel's videos and marks stay, as with `channels remove`)."""
    conn.execute("UPDATE channels SET followed = 0 WHERE id = ?", (channel_id,))


def channel_known(conn: sqlite3.Connection, channel_id: str) -> bool:
    """The cache has a row for this channel."""
    return conn.execute("SELECT 1 FROM channels WHERE id = ?", (channel_id,)).fetchone() is not None


def add_to_group(conn: sqlite3.Connection, channel_id: str, group: str) -> None:
    """Put a channel in a group."""
    conn.execute(
        "INSERT OR IGNORE INTO channel_tags (channel_id, tag) VALUES (?, ?)", (channel_id, group)
    )


def remove_from_group(conn: sqlite3.Connection, channel_id: str, group: str) -> None:
    """Take a channel out of a group."""
    conn.execute("DELETE FROM channel_tags WHERE channel_id = ? AND tag = ?", (channel_id, group))


def set_keyword(conn: sqlite3.Connection, keyword: str, weight: float) -> None:
    """Add or re-weigh a keyword preference."""
    conn.execute(
        "INSERT INTO keyword_prefs (keyword, weight, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT(keyword) DO UPDATE SET weight = excluded.weight",
        (keyword, weight, _now()),
    )


def remove_keyword(conn: sqlite3.Connection, keyword: str) -> None:
    """Remove a keyword preference."""
    conn.execute("DELETE FROM keyword_prefs WHERE keyword = ?", (keyword,))


def put_rule(
    conn: sqlite3.Connection, uid: str, *, text: str, spec_json: str, action: str, source: str,
    created_at: int,
) -> None:  # fmt: skip
    """Create or reword a rule another device made (a new one starts switched on)."""
    conn.execute(
        "INSERT INTO rules (uid, text, spec, action, enabled, source, created_at) "
        "VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(uid) DO UPDATE SET text = excluded.text, "
        "spec = excluded.spec, action = excluded.action",
        (uid, text, spec_json, action, source, created_at),
    )


def remove_rule(conn: sqlite3.Connection, uid: str) -> None:
    """Delete a rule another device deleted."""
    conn.execute("DELETE FROM rules WHERE uid = ?", (uid,))


def switch_rule(conn: sqlite3.Connection, uid: str, on: bool) -> bool:
    """Switch a rule on or off; False when this cache has no such rule (yet)."""
    cursor = conn.execute("UPDATE rules SET enabled = ? WHERE uid = ?", (int(on), uid))
    return cursor.rowcount > 0


def video_known(conn: sqlite3.Connection, video_id: str) -> bool:
    """The cache has this video (marks on other videos wait until it is synced)."""
    return conn.execute("SELECT 1 FROM videos WHERE id = ?", (video_id,)).fetchone() is not None


_VIDEO_COLUMNS = {
    "watched": ("watched_at",),
    "hidden": ("hidden_at",),
    "saved": ("saved_at",),
    "rating": ("rating", "rated_at"),
}


def set_video_state(
    conn: sqlite3.Connection, video_id: str, field: str, values: tuple[int | None, ...]
) -> None:
    """Set one per-video state (None clears it; a rating is (rating, rated_at))."""
    columns = _VIDEO_COLUMNS[field]
    assignments = ", ".join(f"{column} = ?" for column in columns)
    conn.execute(
        "INSERT INTO video_state (video_id, updated_at) VALUES (?, ?) "
        "ON CONFLICT(video_id) DO NOTHING",
        (video_id, _now()),
    )
    conn.execute(
        f"UPDATE video_state SET {assignments}, updated_at = ? WHERE video_id = ?",
        (*values, _now(), video_id),
    )
