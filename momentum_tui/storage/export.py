"""Reading everything a person made out of the cache, as the export document's sections.

Each section is read in a stable order, so two exports of the same cache are the same
document (apart from `exported_at`). Rows are produced one at a time and written as
they come: an export of 100,000 labelled videos never holds them all in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from momentum_tui import __version__
from momentum_tui.storage.export_model import FORMAT, SECTIONS, VERSION

Row = dict[str, Any]


def _time(value: int | None) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rows(conn: sqlite3.Connection, sql: str) -> Iterator[Row]:
    cursor = conn.execute(sql)
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _with_times(row: Row, *names: str) -> Row:
    for name in names:
        row[name] = _time(row[name])
    return row


def _channels(conn: sqlite3.Connection) -> Iterator[Row]:
    # `notify` is 0 when off, else when announcements were switched on.
    sql = (
        "SELECT id, title, handle, followed, source, added_at, NULLIF(notify, 0) AS notify "
        "FROM channels ORDER BY id"
    )
    for row in _rows(conn, sql):
        row["followed"] = bool(row["followed"])
        yield _with_times(row, "added_at", "notify")


def _groups(conn: sqlite3.Connection) -> Iterator[Row]:
    yield from _rows(
        conn, 'SELECT channel_id, tag AS "group" FROM channel_tags ORDER BY channel_id, tag'
    )


# The videos the person's records point at: marked (now or ever), labelled, queued or
# played. (An announced video alone isn't carried: its record only keeps it from being
# announced again once a sync brings it.)
_EXPORTED_VIDEOS = """
    SELECT id FROM videos v WHERE EXISTS (SELECT 1 FROM video_state s WHERE s.video_id = v.id)
        OR EXISTS (SELECT 1 FROM interactions i WHERE i.video_id = v.id)
        OR EXISTS (SELECT 1 FROM video_labels l WHERE l.video_id = v.id)
        OR EXISTS (SELECT 1 FROM queue q WHERE q.video_id = v.id)
        OR EXISTS (SELECT 1 FROM playback p WHERE p.video_id = v.id)
"""


def _videos(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = (
        "SELECT id, channel_id, channel_title, title, published_at, duration_s, is_short, "
        f"live_state, status, content_hash, first_seen_at FROM videos WHERE id IN "
        f"({_EXPORTED_VIDEOS}) ORDER BY id"
    )
    for row in _rows(conn, sql):
        row["is_short"] = bool(row["is_short"])
        yield _with_times(row, "published_at", "first_seen_at")


def _video_states(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = (
        "SELECT video_id, watched_at, rating, rated_at, hidden_at, saved_at, updated_at "
        "FROM video_state ORDER BY video_id"
    )
    for row in _rows(conn, sql):
        yield _with_times(row, "watched_at", "rated_at", "hidden_at", "saved_at", "updated_at")


_STATE = ("watched_at", "rating", "rated_at", "hidden_at", "saved_at")
_STATE_TIMES = ("watched_at", "rated_at", "hidden_at", "saved_at")


def _marks(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = "SELECT video_id, mark, at, previous, undone_at FROM interactions ORDER BY at, id"
    for row in _rows(conn, sql):
        stored = json.loads(row["previous"])
        previous = _with_times({name: stored.get(name) for name in _STATE}, *_STATE_TIMES)
        previous["rating"] = previous["rating"] or 0
        row["previous"] = previous
        yield _with_times(row, "at", "undone_at")


def _queue(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = "SELECT video_id, position, added_at FROM queue ORDER BY position, video_id"
    for row in _rows(conn, sql):
        yield _with_times(row, "added_at")


def _playback(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = "SELECT video_id, position_s, duration_s, updated_at FROM playback ORDER BY video_id"
    for row in _rows(conn, sql):
        row["position_s"] = float(row["position_s"])
        if row["duration_s"] is not None:
            row["duration_s"] = float(row["duration_s"])
        yield _with_times(row, "updated_at")


def _notified(conn: sqlite3.Connection) -> Iterator[Row]:
    for row in _rows(conn, "SELECT video_id, at FROM notified ORDER BY video_id"):
        yield _with_times(row, "at")


def _keywords(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = "SELECT keyword, weight, created_at FROM keyword_prefs ORDER BY keyword"
    for row in _rows(conn, sql):
        yield _with_times(row, "created_at")


def _rules(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = "SELECT text, spec, enabled, source, created_at FROM rules ORDER BY id"
    for row in _rows(conn, sql):
        row["spec"] = json.loads(row["spec"])
        row["enabled"] = bool(row["enabled"])
        yield _with_times(row, "created_at")


def _labels(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = (
        "SELECT video_id, topic, mood, format, tags, clickbait, plain_title, summary, language, "
        "has_sponsor, confidence, source, model, content_hash, labelled_at "
        "FROM video_labels ORDER BY video_id"
    )
    for row in _rows(conn, sql):
        row["tags"] = json.loads(row["tags"] or "[]")
        row["has_sponsor"] = bool(row["has_sponsor"])
        yield _with_times(row, "labelled_at")


def _label_cache(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = "SELECT content_hash, model, labels, created_at FROM ai_label_cache ORDER BY 1"
    for row in _rows(conn, sql):
        row["labels"] = json.loads(row["labels"])
        yield _with_times(row, "created_at")


def _quota(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = "SELECT at, day, method, units, status FROM quota_ledger ORDER BY at, id"
    for row in _rows(conn, sql):
        yield _with_times(row, "at")


def _ai(conn: sqlite3.Connection) -> Iterator[Row]:
    sql = (
        "SELECT at, day, model, kind, videos, input_tokens, output_tokens, cache_write_tokens, "
        "cache_read_tokens, usd, request_id FROM ai_ledger ORDER BY at, id"
    )
    for row in _rows(conn, sql):
        yield _with_times(row, "at")


READERS: dict[str, Callable[[sqlite3.Connection], Iterator[Row]]] = {
    "channels": _channels,
    "groups": _groups,
    "videos": _videos,
    "video_states": _video_states,
    "marks": _marks,
    "queue": _queue,
    "playback": _playback,
    "notified": _notified,
    "keywords": _keywords,
    "rules": _rules,
    "labels": _labels,
    "label_cache": _label_cache,
    "quota_ledger": _quota,
    "ai_ledger": _ai,
}
assert list(READERS) == list(SECTIONS), "every section has a reader, in the document's order"


def header(settings: dict[str, Any], now: float) -> Row:
    """The document's fields other than the sections."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(int(now)),
        "momentum_version": __version__,
        "settings": settings,
    }


def write_json(
    conn: sqlite3.Connection, settings: dict[str, Any], now: float, out: TextIO
) -> dict[str, int]:
    """Write the whole document to `out` as JSON (one record per line); counts per section.

    Reads through `conn` in one read transaction, so the document is one moment of the
    cache even while a sync writes.
    """
    counts: dict[str, int] = {}
    conn.execute("BEGIN")
    try:
        out.write("{\n")
        for key, value in header(settings, now).items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        for n, (section, read) in enumerate(READERS.items()):
            out.write(f"  {json.dumps(section)}: [")
            count = 0
            for row in read(conn):
                out.write(",\n    " if count else "\n    ")
                out.write(json.dumps(row, ensure_ascii=False, separators=(", ", ": ")))
                count += 1
            out.write("\n  ]" if count else "]")
            out.write(",\n" if n < len(READERS) - 1 else "\n")
            counts[section] = count
        out.write("}\n")
    finally:
        conn.rollback()
    return counts
