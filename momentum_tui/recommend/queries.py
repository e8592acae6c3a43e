"""Every SQL statement of the recommend package, in one place.

The recommender reads the cache and decides locally; only keyword preferences are
written here. Who calls what:

* `videos_columns`, `labels_columns`, `unfollowed_channels`, `marked_videos` —
  `features.load_features` (the columns the ranker works on, aggregated by SQLite);
* `tag_videos`, `video_tags`, `title_texts`, `titles` — `features.Features`, on demand
  (tags for learned tastes and reasons, text for keywords and title-word rules);
* `followed_channels` — `cleanup.suggestions`; `video_summaries` — `digest.build_digest`;
  `channel_title` — `reasons.Explainer`; `tagged_channels` — `session` (the channel-group
  filter on For you);
* `keywords`, `keyword`, `upsert_keyword`, `delete_keyword` — `prefs` (`momentum prefs
  keyword …`, and the ranker through `prefs.list_keywords`);
* `trend_uploads`, `label_counts`, `label_channels`, `label_videos`,
  `counted_uploads_since`, `usual_paces` — `trends.compute_trends` (`momentum trends`).

Rules have their own (`rules.store`); feed rows and id lookups are `storage.feed`'s.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

_CHUNK = 500  # ids per `IN (…)`: well under SQLite's variable limit

# Each column aggregated by SQLite into one comma-separated string over a covering index
# (migration m030), which NumPy parses in C: see `features`.
_VIDEOS_SQL = """
SELECT group_concat(id), group_concat(channel_id),
       group_concat(published_at), group_concat(coalesce(duration_s, -1)),
       group_concat(is_short), group_concat(live_state),
       group_concat(coalesce(view_count, -1)), group_concat(coalesce(like_count, -1)),
       group_concat(coalesce(stats_at, published_at))
FROM videos INDEXED BY videos_rank
WHERE status = 'ok'
"""
_LABELS_SQL = """
SELECT group_concat(video_id), group_concat(topic), group_concat(mood), group_concat(format),
       group_concat(cast(clickbait * 1000 + 0.5 AS INTEGER)),
       group_concat(cast(confidence * 1000 + 0.5 AS INTEGER))
FROM video_labels INDEXED BY video_labels_rank
"""
_STATE_SQL = """
SELECT video_id, coalesce(watched_at, 0), rating, coalesce(rated_at, 0),
       coalesce(hidden_at, 0), coalesce(saved_at, 0)
FROM video_state
WHERE watched_at IS NOT NULL OR rating != 0 OR hidden_at IS NOT NULL OR saved_at IS NOT NULL
"""


def videos_columns(conn: sqlite3.Connection) -> tuple[str | None, ...]:
    """Visible videos in id order, one joined string per column (id, channel, published…)."""
    return tuple(conn.execute(_VIDEOS_SQL).fetchone())


def labels_columns(conn: sqlite3.Connection) -> tuple[str | None, ...]:
    """Labels in video-id order, one joined string per column (video id, topic, mood…)."""
    return tuple(conn.execute(_LABELS_SQL).fetchone())


def unfollowed_channels(conn: sqlite3.Connection) -> set[str]:
    """Ids of cached channels the person no longer follows."""
    return {row[0] for row in conn.execute("SELECT id FROM channels WHERE followed = 0")}


def marked_videos(conn: sqlite3.Connection) -> Iterator[tuple[str, int, int, int, int, int]]:
    """(video id, watched, rating, rated, hidden, saved) of every video with any mark."""
    yield from conn.execute(_STATE_SQL)


def tag_videos(conn: sqlite3.Connection, tags: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(tag, comma-joined video ids) for each of `tags` that some label carries."""
    for start in range(0, len(tags), _CHUNK):
        chunk = list(tags[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        # One row per tag (ids joined by SQLite, split in C) instead of one per posting.
        yield from conn.execute(
            f"SELECT tag, group_concat(video_id) FROM label_tags WHERE tag IN ({marks}) "
            "GROUP BY tag",
            chunk,
        )


def video_tags(conn: sqlite3.Connection, video_ids: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(video id, tag) for the label tags of `video_ids`, by video then tag."""
    for start in range(0, len(video_ids), _CHUNK):
        chunk = list(video_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        yield from conn.execute(
            f"SELECT video_id, tag FROM label_tags WHERE video_id IN ({marks}) "
            "ORDER BY video_id, tag",
            chunk,
        )


def title_texts(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Visible video id → ("title, newline, plain title", label tags JSON) for keywords."""
    found: dict[str, tuple[str, str]] = {}
    cursor = conn.execute(
        "SELECT v.id, v.title || char(10) || coalesce(l.plain_title, ''), "
        "coalesce(l.tags, '') FROM videos v LEFT JOIN video_labels l ON l.video_id = v.id "
        "WHERE v.status = 'ok'"
    )
    while chunk := cursor.fetchmany(8192):
        found.update((row[0], (row[1], row[2])) for row in chunk)
    return found


def titles(conn: sqlite3.Connection) -> dict[str, str]:
    """Visible video id → its original title (what title-word rules test)."""
    found: dict[str, str] = {}
    cursor = conn.execute("SELECT id, title FROM videos WHERE status = 'ok'")
    while chunk := cursor.fetchmany(8192):
        found.update(chunk)
    return found


def followed_channels(conn: sqlite3.Connection) -> list[tuple[str, str, int | None, int | None]]:
    """(id, title, followed since, last upload) of every followed channel."""
    return conn.execute(
        "SELECT id, title, added_at, last_upload_at FROM channels WHERE followed = 1"
    ).fetchall()


def video_summaries(
    conn: sqlite3.Connection, video_ids: Sequence[str]
) -> dict[str, tuple[str, str, int | None]]:
    """Video id → (title, channel title, length in seconds) for a few videos."""
    found: dict[str, tuple[str, str, int | None]] = {}
    for start in range(0, len(video_ids), _CHUNK):
        chunk = list(video_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, title, channel_title, duration_s FROM videos WHERE id IN ({marks})",
            chunk,
        ):
            found[row[0]] = (row[1], row[2], row[3])
    return found


def channel_title(conn: sqlite3.Connection, channel_id: str) -> str | None:
    """A cached channel's title (None when unknown or empty)."""
    row = conn.execute("SELECT title FROM channels WHERE id = ?", (channel_id,)).fetchone()
    return str(row[0]) if row and row[0] else None


def tagged_channels(conn: sqlite3.Connection, tag: str) -> set[str]:
    """Ids of the channels in the person's channel group `tag`."""
    return {
        row[0] for row in conn.execute("SELECT channel_id FROM channel_tags WHERE tag = ?", (tag,))
    }


def keywords(conn: sqlite3.Connection) -> list[tuple[str, float, int]]:
    """(keyword, weight, created at) of every keyword preference, strongest first."""
    return conn.execute(
        "SELECT keyword, weight, created_at FROM keyword_prefs ORDER BY abs(weight) DESC, keyword"
    ).fetchall()


def keyword(conn: sqlite3.Connection, word: str) -> tuple[str, float, int] | None:
    """(keyword, weight, created at) of one keyword preference, if there is one."""
    row: Any = conn.execute(
        "SELECT keyword, weight, created_at FROM keyword_prefs WHERE keyword = ?", (word,)
    ).fetchone()
    return None if row is None else (str(row[0]), float(row[1]), int(row[2]))


def upsert_keyword(db: Database, word: str, weight: float, now: int) -> None:
    """Add a keyword preference, or give an existing one a new weight (its date is kept)."""
    db.conn.execute(
        "INSERT INTO keyword_prefs (keyword, weight, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT(keyword) DO UPDATE SET weight = excluded.weight",
        (word, weight, now),
    )


def delete_keyword(db: Database, word: str) -> None:
    """Remove one keyword preference."""
    db.conn.execute("DELETE FROM keyword_prefs WHERE keyword = ?", (word,))


# --- trends ------------------------------------------------------------------------

_TREND_VISIBLE = "v.status = 'ok' AND c.followed = 1"
_TREND_RANGE = f"v.published_at >= :start AND v.published_at <= :until AND {_TREND_VISIBLE}"
_TREND_WINDOW = "min(:last, (v.published_at - :start) / :width)"
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


def _trend_params(start: int, until: int, width: int, windows: int) -> dict[str, int]:
    return {"start": start, "until": until, "width": width, "last": windows - 1}


def trend_uploads(
    conn: sqlite3.Connection, start: int, until: int, width: int, windows: int
) -> Iterator[Upload]:
    """Followed channels' uploads in [start, until], each with its window."""
    rows = conn.execute(
        f"""
        SELECT v.id, v.channel_id, v.title, {_TREND_WINDOW}, coalesce(v.view_count, 0)
        FROM videos v JOIN channels c ON c.id = v.channel_id WHERE {_TREND_RANGE}
        """,
        _trend_params(start, until, width, windows),
    )
    for row in rows:
        yield Upload(*row)


_TREND_TERMS = {
    "topic": ("JOIN video_labels l ON l.video_id = v.id", "l.topic", "l.topic != 'other'"),
    "tag": ("JOIN label_tags l ON l.video_id = v.id", "l.tag", "1"),
}
"""How each kind of label term is joined to the uploads: (join, the term, a condition)."""


def label_counts(
    conn: sqlite3.Connection, kind: str, start: int, until: int, width: int, windows: int
) -> dict[str, list[int]]:
    """Uploads per window for every topic or tag in the range (counted by SQLite)."""
    join, term, condition = _TREND_TERMS[kind]
    counts: dict[str, list[int]] = {}
    rows = conn.execute(
        f"""
        SELECT {term}, {_TREND_WINDOW} AS w, count(*)
        FROM videos v JOIN channels c ON c.id = v.channel_id {join}
        WHERE {_TREND_RANGE} AND {condition} GROUP BY 1, 2
        """,
        _trend_params(start, until, width, windows),
    )
    for value, window, count in rows:
        counts.setdefault(value, [0] * windows)[window] = count
    return counts


def label_channels(conn: sqlite3.Connection, kind: str, since: int, until: int) -> dict[str, int]:
    """How many channels uploaded each topic or tag in [since, until]."""
    join, term, condition = _TREND_TERMS[kind]
    rows = conn.execute(
        f"""
        SELECT {term}, count(DISTINCT v.channel_id)
        FROM videos v JOIN channels c ON c.id = v.channel_id {join}
        WHERE v.published_at >= ? AND v.published_at <= ? AND {_TREND_VISIBLE} AND {condition}
        GROUP BY 1
        """,
        (since, until),
    )
    return dict(rows.fetchall())


def label_videos(
    conn: sqlite3.Connection, kind: str, value: str, since: int, until: int, limit: int
) -> list[str]:
    """The most viewed uploads in [since, until] with this topic or tag."""
    join, term, condition = _TREND_TERMS[kind]
    rows = conn.execute(
        f"""
        SELECT v.id FROM videos v JOIN channels c ON c.id = v.channel_id {join}
        WHERE v.published_at >= ? AND v.published_at <= ? AND {_TREND_VISIBLE} AND {condition}
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
          AND v.live_state IN ('none', 'was_live') AND {_TREND_VISIBLE}
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
