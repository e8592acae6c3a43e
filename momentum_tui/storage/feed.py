"""Feed queries: filters and sorts to SQL, ordered id lists, pages of rows, video details.

The app asks once for the ordered rowids of everything a filter matches (one indexed
query, a few ms at 100,000 videos), then fetches the rows it is about to draw by id.
Scripts use `feed_page`, which does both in one query with LIMIT/OFFSET.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from array import array
from dataclasses import dataclass, field
from typing import Any

from momentum_tui.models import FeedRow, Filters, Sort
from momentum_tui.storage.marks import current_state

_ROW_COLUMNS = """
    v.rowid, v.id, v.title, v.channel_id, v.channel_title, v.published_at, v.duration_s,
    v.is_short, v.live_state, v.view_count,
    s.watched_at IS NOT NULL, coalesce(s.rating, 0), s.hidden_at IS NOT NULL,
    s.saved_at IS NOT NULL,
    l.plain_title, l.topic, l.mood, l.format, l.clickbait
"""
_ROW_JOINS = """
    LEFT JOIN video_state s ON s.video_id = v.id
    LEFT JOIN video_labels l ON l.video_id = v.id
"""
# Index-friendly orders: DESC puts NULLs last by itself; ties follow the index.
_ORDER = {
    Sort.NEWEST: "v.published_at DESC",
    Sort.VIEWS: "v.view_count DESC",
    Sort.LONGEST: "v.duration_s DESC",
    Sort.SHORTEST: "v.duration_s IS NULL, v.duration_s ASC",
    Sort.CHANNEL: "v.channel_title COLLATE NOCASE, v.published_at DESC",
}
_WORD = re.compile(r"\w+", re.UNICODE)


def _needs_substring_search(text: str) -> bool:
    """CJK and other scripts without spaces are not split into words by FTS5's unicode61."""
    for ch in text:
        name = unicodedata.name(ch, "")
        if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")):
            return True
    return False


def fts_query(text: str) -> str | None:
    """Turn what a person typed into a safe FTS5 query: every word, prefix-matched, ANDed."""
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:12])


def _state(column: str, present: bool) -> str:
    exists = "EXISTS" if present else "NOT EXISTS"
    return (
        f"{exists} (SELECT 1 FROM video_state s WHERE s.video_id = v.id AND s.{column} IS NOT NULL)"
    )


_VISIBLE = (
    "v.status = 'ok'",
    # Subqueries rather than joins, so the newest-first scan stays on its covering index.
    "v.channel_id NOT IN (SELECT id FROM channels WHERE followed = 0)",
)
"""What every listing and count starts from: watchable videos of followed channels."""


def _where(filters: Filters, conn: sqlite3.Connection | None = None) -> tuple[list[str], list[Any]]:
    clauses = list(_VISIBLE)
    params: list[Any] = []
    if not filters.include_hidden:
        clauses.append(_state("hidden_at", present=False))
    if filters.unwatched_only:
        clauses.append(_state("watched_at", present=False))
    if filters.saved_only:
        clauses.append(_state("saved_at", present=True))
    if filters.hide_shorts:
        clauses.append("v.is_short = 0")
    if filters.hide_live:
        clauses.append("v.live_state IN ('none', 'was_live')")
    # A unary + keeps the planner on the sort's index instead of the duration index,
    # unless the sort is by duration anyway.
    by_length = filters.sort in (Sort.LONGEST, Sort.SHORTEST)
    duration = "v.duration_s" if by_length else "+v.duration_s"
    if filters.min_seconds is not None:
        clauses.append(f"{duration} >= ?")
        params.append(filters.min_seconds)
    if filters.max_seconds is not None:
        clauses.append(f"{duration} <= ?")
        params.append(filters.max_seconds)
    if filters.channel_id:
        clauses.append("v.channel_id = ?")
        params.append(filters.channel_id)
    if filters.channel_tag:
        clauses.append("v.channel_id IN (SELECT channel_id FROM channel_tags WHERE tag = ?)")
        params.append(filters.channel_tag)
    for column, values in (
        ("topic", filters.topics),
        ("mood", filters.moods),
        ("format", filters.formats),
    ):
        if values:
            marks = ", ".join("?" for _ in values)
            clauses.append(
                f"v.id IN (SELECT video_id FROM video_labels WHERE {column} IN ({marks}))"
            )
            params.extend(values)
    if filters.max_clickbait is not None:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM video_labels bait WHERE bait.video_id = v.id "
            "AND bait.clickbait > ?)"
        )
        params.append(filters.max_clickbait)
    if filters.search:
        if _needs_substring_search(filters.search):
            clauses.append("(v.title LIKE ? OR v.channel_title LIKE ? OR v.tags LIKE ?)")
            pattern = f"%{filters.search.strip()}%"
            params.extend([pattern, pattern, pattern])
        else:
            query = fts_query(filters.search)
            if query is None:
                clauses.append("0")
            else:
                clauses.append("v.rowid IN (SELECT rowid FROM videos_fts WHERE videos_fts MATCH ?)")
                params.append(query)
    if conn is not None and not filters.include_hidden:
        # `hide` rules (momentum rules …) drop their matches like manually hidden videos.
        hiding = _hide_rules_clause(conn)
        if hiding is not None:
            clauses.append(hiding[0])
            params.extend(hiding[1])
    return clauses, params


def _hide_rules_clause(conn: sqlite3.Connection) -> tuple[str, list[Any]] | None:
    """The clause leaving out what enabled `hide` rules match (None: no such rule).

    The rules package (its pydantic models) is imported only when there is one: most
    caches have none, and `feed --json` and the app's first screen start sooner.
    """
    if conn.execute(_ANY_HIDE_RULE).fetchone() is None:
        return None
    from momentum_tui.rules import store as rule_store
    from momentum_tui.rules.sql import hide_clause

    return hide_clause(rule_store.hide_specs(conn))


_ANY_HIDE_RULE = "SELECT 1 FROM rules WHERE enabled = 1 AND action = 'hide' LIMIT 1"


RELEVANCE_LIMIT = 1000
"""Searches matching more videos than this (the first letters typed) list newest first.

Relevance (bm25) is computed for every match: about 10 µs each, so 7,000 matches of a
three-letter prefix would take 70 ms per keystroke, while the person is still typing.
"""


def _too_broad_to_rank(conn: sqlite3.Connection, query: str) -> bool:
    count = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM videos_fts WHERE videos_fts MATCH ? LIMIT ?)",
        (query, RELEVANCE_LIMIT + 1),
    ).fetchone()[0]
    return bool(count > RELEVANCE_LIMIT)


def _relevance_query(filters: Filters, conn: sqlite3.Connection | None) -> str | None:
    """The full-text query to order a search by relevance, or None (listed in sort order)."""
    ranked_search = (
        filters.search
        and filters.sort == Sort.NEWEST
        and not _needs_substring_search(filters.search)
    )
    query = fts_query(filters.search) if ranked_search else None
    if query and conn is not None and _too_broad_to_rank(conn, query):
        return None
    return query


def ordered_by_relevance(conn: sqlite3.Connection, filters: Filters) -> bool:
    """Whether `feed_ids` lists these filters' videos best match first (a ranked search)."""
    return _relevance_query(filters, conn) is not None


def _select(
    columns: str, filters: Filters, joins: str = "", conn: sqlite3.Connection | None = None
) -> tuple[str, list[Any]]:
    clauses, params = _where(filters, conn)
    query = _relevance_query(filters, conn)
    if query:
        # Searches are ordered by relevance (title matches weigh most), then recency.
        sql = (
            f"SELECT {columns} FROM videos v "
            "JOIN videos_fts f ON f.rowid = v.rowid AND videos_fts MATCH ? "
            f"{joins} WHERE {' AND '.join(clauses)} "
            "ORDER BY bm25(videos_fts, 10.0, 1.0, 4.0, 2.0), v.published_at DESC"
        )
        return sql, [query, *params]
    sql = (
        f"SELECT {columns} FROM videos v {joins} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {_ORDER[filters.sort]}"
    )
    return sql, params


def _row(values: tuple[Any, ...]) -> FeedRow:
    return FeedRow(
        values[0],
        values[1],
        values[2],
        values[3],
        values[4],
        values[5],
        values[6],
        bool(values[7]),
        values[8],
        values[9],
        bool(values[10]),
        values[11],
        bool(values[12]),
        bool(values[13]),
        values[14],
        values[15],
        values[16],
        values[17],
        values[18],
    )


def feed_ids(conn: sqlite3.Connection, filters: Filters, limit: int | None = None) -> array[int]:
    """Rowids of every video the filters match (or the first `limit`), in display order."""
    sql, params = _select("v.rowid", filters, conn=conn)
    if limit is not None:
        sql, params = f"{sql} LIMIT ?", [*params, limit]
    ids: array[int] = array("q")
    cursor = conn.execute(sql, params)
    while chunk := cursor.fetchmany(4096):
        ids.extend(row[0] for row in chunk)
    return ids


def rowids_by_id(conn: sqlite3.Connection, video_ids: list[str]) -> dict[str, int]:
    """Video id → rowid (the feed's handle on a row) for the cached ones of `video_ids`."""
    found: dict[str, int] = {}
    for start in range(0, len(video_ids), 500):
        chunk = video_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT id, rowid FROM videos WHERE id IN ({marks})", chunk))
    return found


def rows_by_rowid(conn: sqlite3.Connection, rowids: list[int]) -> list[FeedRow]:
    """Feed rows for `rowids`, in the same order (missing ids are skipped)."""
    if not rowids:
        return []
    marks = ",".join("?" for _ in rowids)
    found = {
        values[0]: _row(values)
        for values in conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM videos v {_ROW_JOINS} WHERE v.rowid IN ({marks})", rowids
        )
    }
    return [found[rowid] for rowid in rowids if rowid in found]


def feed_page(
    conn: sqlite3.Connection, filters: Filters, limit: int = 50, offset: int = 0
) -> list[FeedRow]:
    """One page of the feed, for scripts and benchmarks."""
    sql, params = _select(_ROW_COLUMNS, filters, _ROW_JOINS, conn)
    return [_row(v) for v in conn.execute(f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset])]


_ABSENT_STATES = {_state(column, present=False): column for column in ("hidden_at", "watched_at")}
"""The "not hidden" and "unwatched" clauses, by the `video_state` column each tests."""


def feed_count(conn: sqlite3.Connection, filters: Filters) -> int:
    """How many videos the filters match.

    "Not hidden" and "unwatched" are anti-joins that cost a `video_state` lookup per
    video (70 ms at 100,000); counted instead as every match of the other filters (a
    scan of a covering index) less the matches that are hidden or watched, found from
    `video_state`'s few rows. The other clauses take every parameter, in order.
    """
    clauses, params = _where(filters, conn)
    absent = [_ABSENT_STATES[c] for c in clauses if c in _ABSENT_STATES]
    rest = " AND ".join(c for c in clauses if c not in _ABSENT_STATES)
    total = int(conn.execute(f"SELECT count(*) FROM videos v WHERE {rest}", params).fetchone()[0])
    if not absent:
        return total
    marked = " OR ".join(f"s.{column} IS NOT NULL" for column in absent)
    sql = (
        "SELECT count(*) FROM video_state s CROSS JOIN videos v ON v.id = s.video_id "
        f"WHERE ({marked}) AND {rest}"
    )
    return total - int(conn.execute(sql, params).fetchone()[0])


def unknown_length_count(conn: sqlite3.Connection, filters: Filters) -> int:
    """Videos a length filter leaves out because their length is unknown (synced without a key).

    Streams live now have no length either, but they are not waiting for one.
    """
    if filters.min_seconds is None and filters.max_seconds is None:
        return 0
    unbounded = filters.replace(min_seconds=None, max_seconds=None)
    clauses, params = _where(unbounded, conn)
    clauses += ["v.duration_s IS NULL", "v.live_state = 'none'"]
    sql = f"SELECT count(*) FROM videos v WHERE {' AND '.join(clauses)}"
    return int(conn.execute(sql, params).fetchone()[0])


@dataclass
class VideoDetail:
    """Everything the detail pane and `--json` show about one video."""

    video: dict[str, Any]
    state: dict[str, Any]
    labels: dict[str, Any] | None
    channel_tags: list[str] = field(default_factory=list)
    resume_s: float | None = None
    """Where the next play starts (the detail pane fills it in: `resume at 12:40`)."""
    queued: int | None = None
    """Its place in the watch-later queue, from 1 (None: not queued; the pane fills it in)."""


def video_detail(conn: sqlite3.Connection, video_id: str) -> VideoDetail | None:
    """The full record for one video, or None if it is not cached."""
    conn_rows = conn.execute("SELECT * FROM videos WHERE id = ?", (video_id,))
    columns = [d[0] for d in conn_rows.description]
    values = conn_rows.fetchone()
    if values is None:
        return None
    video = dict(zip(columns, values, strict=True))
    video["tags"] = json.loads(video["tags"]) if video["tags"] else []
    state = current_state(conn, video_id)
    label_cursor = conn.execute("SELECT * FROM video_labels WHERE video_id = ?", (video_id,))
    label_values = label_cursor.fetchone()
    labels = None
    if label_values:
        labels = dict(zip([d[0] for d in label_cursor.description], label_values, strict=True))
        labels.pop("video_id")
        labels["tags"] = json.loads(labels["tags"])
        labels["has_sponsor"] = bool(labels["has_sponsor"])
    tags = [
        row[0]
        for row in conn.execute(
            "SELECT tag FROM channel_tags WHERE channel_id = ? ORDER BY tag", (video["channel_id"],)
        )
    ]
    return VideoDetail(video=video, state=state, labels=labels, channel_tags=tags)


def rowid_of(conn: sqlite3.Connection, video_id: str) -> int | None:
    """The rowid of a cached video (for keeping the cursor on it across refreshes)."""
    row = conn.execute("SELECT rowid FROM videos WHERE id = ?", (video_id,)).fetchone()
    return int(row[0]) if row else None


@dataclass(slots=True)
class ChannelSummary:
    """A followed channel with its counts, for the channel list."""

    id: str
    title: str
    total: int
    unwatched: int
    tags: list[str]


def channel_summaries(conn: sqlite3.Connection) -> list[ChannelSummary]:
    """Followed channels, most unwatched first, with their tags."""
    tags: dict[str, list[str]] = {}
    for channel_id, tag in conn.execute("SELECT channel_id, tag FROM channel_tags ORDER BY tag"):
        tags.setdefault(channel_id, []).append(tag)
    rows = conn.execute(
        """
        SELECT c.id, c.title, count(v.id),
               count(v.id) FILTER (WHERE s.watched_at IS NULL AND s.hidden_at IS NULL)
        FROM channels c
        LEFT JOIN videos v ON v.channel_id = c.id AND v.status = 'ok'
        LEFT JOIN video_state s ON s.video_id = v.id
        WHERE c.followed = 1
        GROUP BY c.id
        ORDER BY 4 DESC, c.title COLLATE NOCASE
        """
    )
    return [ChannelSummary(r[0], r[1], r[2], r[3], tags.get(r[0], [])) for r in rows]


def channel_tag_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Channel tags (groups) with how many followed channels carry each."""
    return [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT t.tag, count(*) FROM channel_tags t JOIN channels c ON c.id = t.channel_id "
            "WHERE c.followed = 1 GROUP BY t.tag ORDER BY t.tag"
        )
    ]


@dataclass(slots=True)
class Totals:
    """Cache-wide figures for the status bar and `doctor`."""

    videos: int
    channels: int
    unwatched: int
    last_sync: int | None


def totals(conn: sqlite3.Connection) -> Totals:
    """Count cached videos, followed channels, unwatched videos, and the newest sync time."""
    visible = " AND ".join(_VISIBLE)
    videos = conn.execute(f"SELECT count(*) FROM videos v WHERE {visible}")
    total = int(videos.fetchone()[0])
    # The person's state is small; count what it removes instead of scanning every video.
    seen = conn.execute(
        f"SELECT count(*) FROM video_state s JOIN videos v ON v.id = s.video_id "
        f"WHERE (s.watched_at IS NOT NULL OR s.hidden_at IS NOT NULL) AND {visible}"
    ).fetchone()[0]
    channels, last_sync = conn.execute(
        "SELECT count(*), max(last_synced_at) FROM channels WHERE followed = 1"
    ).fetchone()
    return Totals(total, channels, total - int(seen), last_sync)


def last_sync(conn: sqlite3.Connection) -> int | None:
    """When a followed channel was last synced (None: never)."""
    value = conn.execute("SELECT max(last_synced_at) FROM channels WHERE followed = 1").fetchone()[
        0
    ]
    return int(value) if value is not None else None
