"""Where playback of a video stopped, so the next play resumes there."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from momentum_tui.storage.db import Store

RESUME_MIN_S = 10.0
"""Positions this close to the start aren't worth resuming from."""
RESUME_END_MARGIN_S = 15.0
"""…nor positions this close to the end (the video was as good as finished)."""


@dataclass(frozen=True)
class Position:
    """A remembered playback position."""

    video_id: str
    position_s: float
    duration_s: float | None
    updated_at: int

    @property
    def resumable(self) -> bool:
        """Whether playing again should start here rather than at the beginning."""
        if self.position_s < RESUME_MIN_S:
            return False
        return self.duration_s is None or self.position_s < self.duration_s - RESUME_END_MARGIN_S


def position_of(conn: sqlite3.Connection, video_id: str) -> Position | None:
    """The remembered position of a video, if any."""
    row = conn.execute(
        "SELECT video_id, position_s, duration_s, updated_at FROM playback WHERE video_id = ?",
        (video_id,),
    ).fetchone()
    return None if row is None else Position(*row)


def save_position(
    store: Store,
    video_id: str,
    position_s: float,
    duration_s: float | None,
    now: int | None = None,
) -> None:
    """Remember where playback of `video_id` is (rounded to the second)."""
    now = int(time.time()) if now is None else now
    with store.write() as db:
        db.conn.execute(
            """
            INSERT INTO playback (video_id, position_s, duration_s, updated_at)
            VALUES (?, ?, ?, ?)
            ON CONFLICT(video_id) DO UPDATE SET position_s = excluded.position_s,
                duration_s = coalesce(excluded.duration_s, playback.duration_s),
                updated_at = excluded.updated_at
            WHERE playback.position_s IS NOT excluded.position_s
               OR playback.duration_s IS NOT excluded.duration_s
            """,
            (video_id, round(max(0.0, position_s)), duration_s, now),
        )


def forget_position(store: Store, video_id: str) -> None:
    """Forget where playback stopped (the next play starts at the beginning)."""
    with store.write() as db:
        db.conn.execute("DELETE FROM playback WHERE video_id = ?", (video_id,))
