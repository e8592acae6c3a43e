"""What a person says about a video — watched, hidden, liked, disliked, saved — and undo.

`video_state` holds the current state; `interactions` is the history, each entry with
the state it replaced, so the last action can be undone and the recommender can weigh
recent interactions more than old ones.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from momentum_tui.errors import NotFoundError
from momentum_tui.models import Mark
from momentum_tui.storage.db import Store

if TYPE_CHECKING:
    from sqlite_utils import Database

_STATE_FIELDS = ("watched_at", "rating", "rated_at", "hidden_at", "saved_at")


@dataclass
class MarkResult:
    """The outcome of a mark or an undo."""

    video_id: str
    mark: str
    state: dict[str, int | None]
    interaction_id: int | None = None
    before: dict[str, int | None] | None = None
    """The state the mark replaced (None: not known, so anything may have changed)."""
    channel_id: str | None = None
    """The video's channel, when the video is listed (not deleted or private)."""

    def changed(self, field: str) -> bool:
        """Whether the mark changed this `video_state` field (True when not known)."""
        return self.before is None or self.before.get(field) != self.state.get(field)

    @property
    def unwatched_change(self) -> int | None:
        """How the mark moved its channel's unwatched count: -1, 0 or +1 (None: not known).

        Unwatched is neither watched nor hidden, as the channel list counts it.
        """
        if self.before is None:
            return None
        if self.channel_id is None:
            return 0  # an unlisted video is in no count

        def unwatched(state: dict[str, int | None]) -> bool:
            return state.get("watched_at") is None and state.get("hidden_at") is None

        return int(unwatched(self.state)) - int(unwatched(self.before))


def current_state(conn: sqlite3.Connection, video_id: str) -> dict[str, int | None]:
    """A video's marks (`video_state` fields; a video never marked has none set)."""
    row = conn.execute(
        f"SELECT {', '.join(_STATE_FIELDS)} FROM video_state WHERE video_id = ?", (video_id,)
    ).fetchone()
    if row is None:
        return {
            "watched_at": None,
            "rating": 0,
            "rated_at": None,
            "hidden_at": None,
            "saved_at": None,
        }
    return dict(zip(_STATE_FIELDS, row, strict=True))


def _apply(state: dict[str, int | None], mark: Mark, now: int) -> dict[str, int | None]:
    new = dict(state)
    match mark:
        case Mark.WATCHED:
            new["watched_at"] = now
        case Mark.UNWATCHED:
            new["watched_at"] = None
        case Mark.HIDDEN:
            new["hidden_at"] = now
        case Mark.UNHIDDEN:
            new["hidden_at"] = None
        case Mark.LIKED:
            new["rating"], new["rated_at"] = 1, now
        case Mark.DISLIKED:
            new["rating"], new["rated_at"] = -1, now
        case Mark.UNRATED:
            new["rating"], new["rated_at"] = 0, None
        case Mark.SAVED:
            new["saved_at"] = now
        case Mark.UNSAVED:
            new["saved_at"] = None
    return new


def _write_state(
    conn: sqlite3.Connection, video_id: str, state: dict[str, int | None], now: int
) -> None:
    conn.execute(
        """
        INSERT INTO video_state (video_id, watched_at, rating, rated_at, hidden_at, saved_at,
                                 updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(video_id) DO UPDATE SET watched_at = excluded.watched_at,
            rating = excluded.rating, rated_at = excluded.rated_at,
            hidden_at = excluded.hidden_at, saved_at = excluded.saved_at,
            updated_at = excluded.updated_at
        """,
        (video_id, *(state[f] for f in _STATE_FIELDS), now),
    )


def mark_video(store: Store, video_id: str, mark: Mark | str, now: int | None = None) -> MarkResult:
    """Record `mark` for `video_id` (state + history, one transaction)."""
    mark = Mark(mark)
    now = int(time.time()) if now is None else now
    with store.transaction() as conn:
        channel_id = _listed_channel(conn, video_id)
        previous = current_state(conn, video_id)
        state = _apply(previous, mark, now)
        _write_state(conn, video_id, state, now)
        cursor = conn.execute(
            "INSERT INTO interactions (video_id, mark, at, previous) VALUES (?, ?, ?, ?)",
            (video_id, mark.value, now, json.dumps(previous)),
        )
    return MarkResult(video_id, mark.value, state, cursor.lastrowid, previous, channel_id)


def _listed_channel(conn: sqlite3.Connection, video_id: str) -> str | None:
    """The video's channel if the video is listed (None: deleted or private); raises if the
    cache doesn't have the video."""
    row = conn.execute("SELECT channel_id, status FROM videos WHERE id = ?", (video_id,)).fetchone()
    if row is None:
        raise NotFoundError(
            f"No video {video_id!r} in the cache.",
            "Check the id with `momentum search` or `momentum feed --json`.",
        )
    return str(row[0]) if row[1] == "ok" else None


def undo_last(store: Store, now: int | None = None) -> MarkResult | None:
    """Undo the most recent mark made here and not undone yet; None when there is none.

    Imported history (`import-data`) is never undone: it is not something just done.
    """
    now = int(time.time()) if now is None else now
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT id, video_id, mark, previous FROM interactions WHERE undone_at IS NULL "
            "AND origin = 'local' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        interaction_id, video_id, mark, previous_json = row
        previous = json.loads(previous_json)
        before = current_state(conn, video_id)
        listed = conn.execute(
            "SELECT channel_id FROM videos WHERE id = ? AND status = 'ok'", (video_id,)
        ).fetchone()
        _write_state(conn, video_id, previous, now)
        conn.execute("UPDATE interactions SET undone_at = ? WHERE id = ?", (now, interaction_id))
    channel_id = str(listed[0]) if listed else None
    return MarkResult(video_id, mark, previous, interaction_id, before, channel_id)


def toggle_mark(store: Store, video_id: str, mark: Mark, now: int | None = None) -> MarkResult:
    """The app's toggles: watched ↔ unwatched, like ↔ unrated, saved ↔ unsaved, hidden ↔ shown."""
    # Decided and written in one transaction, so another process can't change it between.
    with store.transaction() as conn:
        state = current_state(conn, video_id)
        opposite = {
            Mark.WATCHED: (state["watched_at"] is not None, Mark.UNWATCHED),
            Mark.LIKED: (state["rating"] == 1, Mark.UNRATED),
            Mark.DISLIKED: (state["rating"] == -1, Mark.UNRATED),
            Mark.SAVED: (state["saved_at"] is not None, Mark.UNSAVED),
            Mark.HIDDEN: (state["hidden_at"] is not None, Mark.UNHIDDEN),
        }
        is_set, undo_mark = opposite.get(mark, (False, mark))
        return mark_video(store, video_id, undo_mark if is_set else mark, now)


@dataclass(frozen=True)
class HistoryEntry:
    """One mark from elsewhere (an export): what, when, the state it replaced, if undone."""

    video_id: str
    mark: str
    at: int
    previous: dict[str, int | None]
    undone_at: int | None = None


@dataclass
class MergedMarks:
    """What `merge_marks` changed."""

    states: int = 0
    history: int = 0


def merge_marks(
    db: Database,
    states: list[tuple[str, dict[str, int | None], int]],
    history: list[HistoryEntry],
) -> MergedMarks:
    """Bring marks from elsewhere into the cache (inside `Store.write()`), idempotently.

    States are `(video_id, state, updated_at)`: the newer one of each video wins (the
    cache's own on a tie). History entries are merged as a multiset by what they are
    (video, mark, time, previous state): an entry the cache already has as often is not
    added again, so importing the same file twice changes nothing. Added entries are
    marked `origin = 'import'`, which undo leaves alone.
    """
    merged = MergedMarks()
    conn = db.conn
    for video_id, state, updated_at in states:
        row = conn.execute(
            "SELECT updated_at FROM video_state WHERE video_id = ?", (video_id,)
        ).fetchone()
        if row is None or updated_at > row[0]:
            _write_state(conn, video_id, {f: state.get(f) for f in _STATE_FIELDS}, updated_at)
            merged.states += 1
    have: dict[tuple[str, str, int, str], int] = {}
    wanted: dict[tuple[str, str, int, str], list[HistoryEntry]] = {}
    for entry in history:
        previous = json.dumps({f: entry.previous.get(f) for f in _STATE_FIELDS})
        wanted.setdefault((entry.video_id, entry.mark, entry.at, previous), []).append(entry)
    for video_id in {key[0] for key in wanted}:
        for mark, at, previous in conn.execute(
            "SELECT mark, at, previous FROM interactions WHERE video_id = ?", (video_id,)
        ):
            key = (video_id, mark, at, json.dumps(_canonical(previous)))
            have[key] = have.get(key, 0) + 1
    for key, entries in wanted.items():
        for entry in entries[have.get(key, 0) :]:
            conn.execute(
                "INSERT INTO interactions (video_id, mark, at, previous, undone_at, origin) "
                "VALUES (?, ?, ?, ?, ?, 'import')",
                (entry.video_id, entry.mark, entry.at, key[3], entry.undone_at),
            )
            merged.history += 1
    return merged


def _canonical(previous_json: str) -> dict[str, int | None]:
    previous = json.loads(previous_json)
    return {f: previous.get(f) for f in _STATE_FIELDS}


def forget_marks(db: Database, channel_id: str | None = None) -> int:
    """Delete marks and their history (inside `Store.write()`): all, or one channel's.

    Returns how many history entries went. Like every other change to a mark, this goes
    through here so that what happens alongside marks (preference sync) sees it.
    """
    where, params = ("", ()) if channel_id is None else (
        " WHERE video_id IN (SELECT id FROM videos WHERE channel_id = ?)", (channel_id,)
    )  # fmt: skip
    history = db.conn.execute(f"DELETE FROM interactions{where}", params).rowcount
    db.conn.execute(f"DELETE FROM video_state{where}", params)
    return history  # a DELETE's rowcount is the number of rows it deleted, never -1
