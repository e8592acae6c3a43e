"""The SQL behind trends: uploads per window, topic and tag counts, and view paces."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

_VISIBLE = "v.status = 'ok' AND c.followed = 1"
_IN_RANGE = f"v.published_at >= :start AND v.published_at <= :until AND {_VISIBLE}"
_WINDOW = "min(:last, (v.published_at - :start) / :width)"
"""A video's window index, 0 = oldest (a video published exactly `until` is in the last)."""


@dataclass(frozen=True)
class Upload:
    """One upload in the windows, as trends reads it."""

    id: str
    channel_id: str
    title: str
    window: int
    views: int


@dataclass(frozen=True)
class CountedUpload:
    """An upload with a view count and the time it was read."""

    id: str
    channel_id: str
    channel_title: str
    published_at: int
    views: int
    stats_at: int


def _params(start: int, until: int, width: int, windows: int) -> dict[str, int]:
    return {"start": start, "until": until, "width": width, "last": windows - 1}


def uploads(
    conn: sqlite3.Connection, start: int, until: int, width: int, windows: int
) -> Iterator[Upload]:
    """Followed channels' uploads in [start, until], each with its window."""
    rows = conn.execute(
        f"""
        SELECT v.id, v.channel_id, v.title, {_WINDOW}, coalesce(v.view_count, 0)
        FROM videos v JOIN channels c ON c.id = v.channel_id WHERE {_IN_RANGE}
        """,
        _params(start, until, width, windows),
    )
    for row in rows:
        yield Upload(*row)


_LABEL_TERMS = {
    "topic": ("JOIN video_labels l ON l.video_id = v.id", "l.topic", "l.topic != 'other'"),
    "tag": ("JOIN label_tags l ON l.video_id = v.id", "l.tag", "1"),
}
"""How each kind of label term is joined to the uploads: (join, the term, a condition)."""


def label_counts(
    conn: sqlite3.Connection, kind: str, start: int, until: int, width: int, windows: int
) -> dict[str, list[int]]:
    """Uploads per window for every topic or tag in the range (counted by SQLite)."""
    join, term, condition = _LABEL_TERMS[kind]
    counts: dict[str, list[int]] = {}
    rows = conn.execute(
        f"""
        SELECT {term}, {_WINDOW} AS w, count(*)
        FROM videos v JOIN channels c ON c.id = v.channel_id {join}
        WHERE {_IN_RANGE} AND {condition} GROUP BY 1, 2
        """,
        _params(start, until, width, windows),
    )
    for value, window, count in rows:
        counts.setdefault(value, [0] * windows)[window] = count
    return counts


def label_channels(conn: sqlite3.Connection, kind: str, since: int, until: int) -> dict[str, int]:
    """How many channels uploaded each topic or tag in [since, until]."""
    join, term, condition = _LABEL_TERMS[kind]
    rows = conn.execute(
        f"""
        SELECT {term}, count(DISTINCT v.channel_id)
        FROM videos v JOIN channels c ON c.id = v.channel_id {join}
        WHERE v.published_at >= ? AND v.published_at <= ? AND {_VISIBLE} AND {condition}
        GROUP BY 1
        """,
        (since, until),
    )
    return dict(rows.fetchall())


def label_videos(
    conn: sqlite3.Connection, kind: str, value: str, since: int, until: int, limit: int
) -> list[str]:
    """The most viewed uploads in [since, until] with this topic or tag."""
    join, term, condition = _LABEL_TERMS[kind]
    rows = conn.execute(
        f"""
        SELECT v.id FROM videos v JOIN channels c ON c.id = v.channel_id {join}
        WHERE v.published_at >= ? AND v.published_at <= ? AND {_VISIBLE} AND {condition}
          AND {term} = ?
        ORDER BY coalesce(v.view_count, 0) DESC, v.id LIMIT ?
        """,
        (since, until, value, limit),
    )
    return [row[0] for row in rows]


def counted_uploads_since(conn: sqlite3.Connection, since: int) -> Iterator[CountedUpload]:
    """Followed channels' uploads since `since` that have a view count."""
    rows = conn.execute(
        f"""
        SELECT v.id, v.channel_id, COALESCE(NULLIF(c.title, ''), v.channel_title),
               v.published_at, v.view_count, v.stats_at
        FROM videos v JOIN channels c ON c.id = v.channel_id
        WHERE v.published_at >= ? AND v.view_count IS NOT NULL AND v.stats_at IS NOT NULL
          AND v.live_state IN ('none', 'was_live') AND {_VISIBLE}
        """,
        (since,),
    )
    for row in rows:
        yield CountedUpload(*row)


def usual_paces(
    conn: sqlite3.Connection, channel_ids: list[str], *, before: int, per_channel: int = 30
) -> dict[str, list[tuple[int, int, int]]]:
    """Each channel's newest `per_channel` counted uploads before `before`.

    Each as (views, published_at, stats_at): one short read of the (channel_id,
    published_at) index per channel, cheaper than ranking every channel's whole history.
    """
    found: dict[str, list[tuple[int, int, int]]] = {}
    for channel_id in channel_ids:
        found[channel_id] = conn.execute(
            """
            SELECT view_count, published_at, stats_at FROM videos
            WHERE channel_id = ? AND published_at < ? AND view_count IS NOT NULL
              AND stats_at IS NOT NULL AND status = 'ok' AND live_state IN ('none', 'was_live')
            ORDER BY published_at DESC LIMIT ?
            """,
            (channel_id, before, per_channel),
        ).fetchall()
    return found
