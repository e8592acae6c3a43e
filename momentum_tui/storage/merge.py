"""The SQL of merging an export into a cache (`owndata/importing.py` drives it)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


def channel_ids(conn: sqlite3.Connection) -> set[str]:
    """Every cached channel's id."""
    return {str(row[0]) for row in conn.execute("SELECT id FROM channels")}


def video_ids(conn: sqlite3.Connection) -> set[str]:
    """Every cached video's id."""
    return {str(row[0]) for row in conn.execute("SELECT id FROM videos")}


def keywords(conn: sqlite3.Connection) -> set[str]:
    """Every keyword with a preference."""
    return {str(row[0]) for row in conn.execute("SELECT keyword FROM keyword_prefs")}


def rule_keys(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """(spec JSON, text) of every rule: what makes two rules the same rule."""
    return {(str(spec), str(text)) for spec, text in conn.execute("SELECT spec, text FROM rules")}


def group_count(conn: sqlite3.Connection) -> int:
    """How many (channel, group) pairs there are."""
    return int(conn.execute("SELECT count(*) FROM channel_tags").fetchone()[0])


def add_label_cache(db: Database, rows: Sequence[tuple[str, str, str, int]]) -> int:
    """Add (content_hash, model, labels JSON, created_at) entries the cache lacks."""
    cursor = db.conn.executemany(
        "INSERT OR IGNORE INTO ai_label_cache (content_hash, model, labels, created_at) "
        "VALUES (?, ?, ?, ?)",
        rows,
    )
    return max(0, cursor.rowcount)


LEDGER_COLUMNS = {
    "quota_ledger": ("at", "day", "method", "units", "status"),
    "ai_ledger": (
        "at", "day", "model", "kind", "videos", "input_tokens", "output_tokens",
        "cache_write_tokens", "cache_read_tokens", "usd", "request_id",
    ),
}  # fmt: skip
"""The columns of each ledger that an export carries (everything but the local id)."""


def merge_ledger(db: Database, table: str, rows: Sequence[tuple[object, ...]]) -> int:
    """Add ledger rows as a multiset: a row the cache has as many times already is skipped."""
    columns = LEDGER_COLUMNS[table]
    names = ", ".join(columns)
    have = Counter(tuple(row) for row in db.conn.execute(f"SELECT {names} FROM {table}"))
    wanted = Counter(tuple(row) for row in rows)
    missing = [row for row, n in wanted.items() for _ in range(max(0, n - have[row]))]
    missing.sort(key=lambda row: row[0])  # type: ignore[arg-type,return-value]  # by time
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", missing)
    return len(missing)


def switch_on_notify(db: Database, rows: Sequence[tuple[int, str]]) -> int:
    """Announce new uploads of these (switched-on time, channel id) where it is off."""
    cursor = db.conn.executemany("UPDATE channels SET notify = ? WHERE id = ? AND notify = 0", rows)
    return max(0, cursor.rowcount)


def merge_queue(db: Database, rows: Sequence[tuple[str, str, int]]) -> int:
    """Queue the (video id, position, added_at) entries the queue lacks, in their places.

    A video already queued keeps its place, and a watched one is not queued again
    (watched videos leave the queue). An entry whose position another video holds goes
    just after that one: positions stay distinct, so there is always room to move an
    item between two neighbours.
    """
    from bisect import bisect_left, bisect_right, insort

    from fractional_indexing import generate_key_between

    conn = db.conn
    queued = {str(row[0]) for row in conn.execute("SELECT video_id FROM queue")}
    watched = {
        str(row[0])
        for row in conn.execute("SELECT video_id FROM video_state WHERE watched_at IS NOT NULL")
    }
    taken = sorted(str(row[0]) for row in conn.execute("SELECT position FROM queue"))
    added: list[tuple[str, str, int]] = []
    for video_id, position, added_at in sorted(rows, key=lambda row: row[1]):
        if video_id in queued or video_id in watched:
            continue
        at = bisect_left(taken, position)
        if at < len(taken) and taken[at] == position:
            after = bisect_right(taken, position)
            position = generate_key_between(position, taken[after] if after < len(taken) else None)
        insort(taken, position)
        queued.add(video_id)
        added.append((video_id, position, added_at))
    conn.executemany("INSERT INTO queue (video_id, position, added_at) VALUES (?, ?, ?)", added)
    return len(added)


def merge_playback(db: Database, rows: Sequence[tuple[str, float, float | None, int]]) -> int:
    """Add (video id, position, duration, updated_at) positions; a newer one replaces yours."""
    cursor = db.conn.executemany(
        """
        INSERT INTO playback (video_id, position_s, duration_s, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(video_id) DO UPDATE SET position_s = excluded.position_s,
            duration_s = excluded.duration_s, updated_at = excluded.updated_at
        WHERE excluded.updated_at > playback.updated_at
        """,
        rows,
    )
    return max(0, cursor.rowcount)


def add_notified(db: Database, rows: Sequence[tuple[str, int]]) -> int:
    """Remember these (video id, time) as announced, where they weren't already."""
    cursor = db.conn.executemany(
        "INSERT OR IGNORE INTO notified (video_id, at) VALUES (?, ?)", rows
    )
    return max(0, cursor.rowcount)
