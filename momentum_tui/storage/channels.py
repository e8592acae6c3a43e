"""Channel groups (tags) in the cache."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from momentum_tui import sanitize
from momentum_tui.errors import NotFoundError
from momentum_tui.storage.db import Store


def normalise_tag(tag: str) -> str:
    """Channel tags are short, lower-case, single words or dashed phrases."""
    return "-".join(sanitize.clean_line(tag, max_len=40).casefold().split())


def tag_channel(store: Store, channel_id: str, tags: list[str], *, remove: bool = False) -> None:
    """Add (or remove) group tags on a channel."""
    clean = [t for t in (normalise_tag(tag) for tag in tags) if t]
    with store.write() as db:
        if db.conn.execute("SELECT 1 FROM channels WHERE id = ?", (channel_id,)).fetchone() is None:
            raise NotFoundError(
                f"No channel {channel_id!r} is followed.", "See `momentum channels list`."
            )
        if remove:
            db.conn.executemany(
                "DELETE FROM channel_tags WHERE channel_id = ? AND tag = ?",
                [(channel_id, tag) for tag in clean],
            )
        else:
            db.conn.executemany(
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
