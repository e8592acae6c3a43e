"""Channels in the cache: following, finding, listing, groups (tags) and import writes.

The SQL behind `momentum channels …`, `import` and `export` (`youtube/channels.py`
resolves and reports; this module stores).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from momentum_tui import sanitize
from momentum_tui.errors import NotFoundError
from momentum_tui.storage.db import Store

if TYPE_CHECKING:
    from sqlite_utils import Database


def normalise_tag(tag: str) -> str:
    """Channel tags are short, lower-case, single words or dashed phrases."""
    return "-".join(sanitize.clean_line(tag, max_len=40).casefold().split())


def tag_channel(store: Store, channel_id: str, tags: list[str], *, remove: bool = False) -> None:
    """Add (or remove) group tags on a channel."""
    clean = [t for t in (normalise_tag(tag) for tag in tags) if t]
    with store.transaction() as conn:  # plain SQL: no sqlite-utils to import for it
        if conn.execute("SELECT 1 FROM channels WHERE id = ?", (channel_id,)).fetchone() is None:
            raise NotFoundError(
                f"No channel {channel_id!r} is followed.", "See `momentum channels list`."
            )
        if remove:
            conn.executemany(
                "DELETE FROM channel_tags WHERE channel_id = ? AND tag = ?",
                [(channel_id, tag) for tag in clean],
            )
        else:
            conn.executemany(
                "INSERT OR IGNORE INTO channel_tags (channel_id, tag) VALUES (?, ?)",
                [(channel_id, tag) for tag in clean],
            )


def channel_titles(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """Titles of cached channels by id."""
    wanted = list(ids)
    if not wanted:
        return {}
    marks = ",".join("?" for _ in wanted)
    return dict(conn.execute(f"SELECT id, title FROM channels WHERE id IN ({marks})", wanted))


def is_followed(conn: sqlite3.Connection, channel_id: str) -> bool | None:
    """Whether a cached channel is followed; None when it is not cached at all."""
    row = conn.execute("SELECT followed FROM channels WHERE id = ?", (channel_id,)).fetchone()
    return None if row is None else bool(row[0])


def set_followed(db: Database, channel_id: str, followed: bool) -> None:
    """Follow a cached channel again, or stop following it (its videos and marks stay)."""
    db.conn.execute("UPDATE channels SET followed = ? WHERE id = ?", (int(followed), channel_id))


def forget_channel(db: Database, channel_id: str) -> None:
    """Delete a channel with its videos and marks (`channels remove --purge`)."""
    db.conn.execute("DELETE FROM channels WHERE id = ?", (channel_id,))


def channels_named(conn: sqlite3.Connection, value: str) -> list[tuple[str, str]]:
    """(id, title) of cached channels whose id, @handle or title (any case) is `value`."""
    handle = value if value.startswith("@") else f"@{value}"
    rows = conn.execute(
        "SELECT id, title FROM channels WHERE id = ? OR (handle != '' AND handle = ? "
        "COLLATE NOCASE) OR title = ? COLLATE NOCASE",
        (value, handle, value),
    ).fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def follow_states(conn: sqlite3.Connection) -> dict[str, bool]:
    """Every cached channel id and whether it is followed."""
    return {row[0]: bool(row[1]) for row in conn.execute("SELECT id, followed FROM channels")}


def fill_missing_titles(db: Database, titles: Sequence[tuple[str, str]]) -> None:
    """Give channels these titles where they have none (a synced title is never replaced)."""
    db.conn.executemany(
        "UPDATE channels SET title = ? WHERE id = ? AND title = ''",
        [(title, channel_id) for channel_id, title in titles],
    )


def add_tags(db: Database, tags: Sequence[tuple[str, str]]) -> int:
    """Put channels into groups ((channel id, tag) pairs); returns how many were new."""
    cursor = db.conn.executemany(
        "INSERT OR IGNORE INTO channel_tags (channel_id, tag) VALUES (?, ?)", tags
    )
    return cursor.rowcount  # not total_changes: that counts the sync outbox's rows too


def followed_with_groups(conn: sqlite3.Connection) -> list[tuple[str, str, tuple[str, ...]]]:
    """(id, title, groups) of every followed channel, by title: what an export writes."""
    rows = conn.execute(
        """
        SELECT c.id, c.title,
               (SELECT group_concat(tag, char(31)) FROM
                  (SELECT tag FROM channel_tags t WHERE t.channel_id = c.id ORDER BY tag))
        FROM channels c WHERE c.followed = 1 ORDER BY c.title COLLATE NOCASE, c.id
        """
    )
    return [(row[0], row[1], tuple(row[2].split("\x1f")) if row[2] else ()) for row in rows]


@dataclass(frozen=True)
class ChannelListing:
    """A row of `momentum channels list`."""

    id: str
    title: str
    handle: str
    followed: bool
    tags: tuple[str, ...]
    videos: int
    last_synced_at: int | None
    last_upload_at: int | None
    status: str
    error: str


def list_channels(
    conn: sqlite3.Connection, *, include_removed: bool = False, tag: str | None = None
) -> list[ChannelListing]:
    """Followed channels (and removed ones when asked), by title."""
    where, params = ([] if include_removed else ["c.followed = 1"]), []
    if tag:
        where.append("c.id IN (SELECT channel_id FROM channel_tags WHERE tag = ?)")
        params.append(normalise_tag(tag))
    sql = f"""
        SELECT c.id, c.title, c.handle, c.followed,
               (SELECT group_concat(tag, ',') FROM
                  (SELECT tag FROM channel_tags t WHERE t.channel_id = c.id ORDER BY tag)),
               (SELECT count(*) FROM videos v WHERE v.channel_id = c.id),
               c.last_synced_at, c.last_upload_at,
               coalesce(s.status, 'never'), coalesce(s.error, '')
        FROM channels c LEFT JOIN sync_state s ON s.channel_id = c.id
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY c.title COLLATE NOCASE, c.id
    """
    return [
        ChannelListing(
            row[0],
            row[1],
            row[2],
            bool(row[3]),
            tuple(row[4].split(",")) if row[4] else (),
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
        )
        for row in conn.execute(sql, params)
    ]


def unwatched_by_channel(conn: sqlite3.Connection) -> dict[str, int]:
    """Channel id → its videos neither watched nor hidden (channels with none are left out)."""
    # `+v.channel_id` keeps the planner off videos_channel_published (which would read
    # every video's row for its status) and on an index that holds status and channel.
    rows = conn.execute(
        """
        SELECT v.channel_id, count(*) FROM videos v
        LEFT JOIN video_state s ON s.video_id = v.id
        WHERE v.status = 'ok' AND s.watched_at IS NULL AND s.hidden_at IS NULL
        GROUP BY +v.channel_id
        """
    )
    return dict(rows)


def channel_list_counts(conn: sqlite3.Connection) -> list[tuple[str, str | None, int]]:
    """The channel list's channels: (id, title, unwatched videos) of every followed channel,
    most unwatched first, then by title.

    Counted on the index that holds each video's status and channel (see
    `unwatched_by_channel`): at 100,000 videos about half the work of joining each
    channel to its videos.
    """
    rows = conn.execute(
        """
        WITH unwatched AS (
            SELECT v.channel_id AS id, count(*) AS videos FROM videos v
            LEFT JOIN video_state s ON s.video_id = v.id
            WHERE v.status = 'ok' AND s.watched_at IS NULL AND s.hidden_at IS NULL
            GROUP BY +v.channel_id
        )
        SELECT c.id, c.title, coalesce(u.videos, 0) FROM channels c
        LEFT JOIN unwatched u ON u.id = c.id
        WHERE c.followed = 1
        ORDER BY 3 DESC, c.title COLLATE NOCASE
        """
    )
    return rows.fetchall()
