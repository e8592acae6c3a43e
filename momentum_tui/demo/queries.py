"""Every SQL statement of the demo build (`demo.build`): a made-up history, written directly.

A real mark goes through `storage.marks`, which also logs the interaction for undo; the
demo profile's seeded watches, likes and saves are a starting state, so they are written
to `video_state` alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


def open_elsewhere(path: Path) -> bool:
    """Whether another process has the demo cache open (so deleting it for a rebuild
    would pull the file out from under that app, whose marks would then vanish).

    Leaving WAL mode needs the only connection to the file; with a zero wait it fails at
    once when any other is open. The file is about to be deleted, so changing its
    journal mode costs nothing. Call it before this process opens the file: SQLite's
    locks are per process, and closing this connection would drop any of ours.
    """
    try:
        conn = sqlite3.connect(path, timeout=0)
    except sqlite3.Error:
        return False
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError:
        return True
    except sqlite3.Error:
        return False  # damaged: nothing can be using it, and the rebuild replaces it
    finally:
        conn.close()
    return mode is None or str(mode[0]).lower() != "delete"


def set_last_synced(db: Database, at: int) -> None:
    """Every channel was "last synced" at `at`, successfully (the demo never syncs).

    The sync state says so too, so the channels screen's state agrees with its "synced 2h".
    """
    db.conn.execute("UPDATE channels SET last_synced_at = ?", (at,))
    db.conn.execute(
        "INSERT OR REPLACE INTO sync_state (channel_id, status, last_attempt_at, "
        "last_success_at) SELECT id, 'ok', ?, ? FROM channels",
        (at, at),
    )


def seed_watched(db: Database, rows: Iterable[tuple[str, int, int]]) -> None:
    """(video id, watched at, updated at) for videos the demo person has watched."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO video_state (video_id, watched_at, updated_at) VALUES (?, ?, ?)",
        rows,
    )


def unmarked_labelled(conn: sqlite3.Connection, before: int) -> list[tuple[str, str, int]]:
    """(video id, topic, published at) of labelled, never-marked videos published before."""
    return conn.execute(
        "SELECT v.id, l.topic, v.published_at FROM videos v "
        "JOIN video_labels l ON l.video_id = v.id "
        "LEFT JOIN video_state s ON s.video_id = v.id "
        "WHERE v.published_at < ? AND s.video_id IS NULL",
        (before,),
    ).fetchall()


def seed_state(
    db: Database,
    video_id: str,
    *,
    watched_at: int | None,
    rating: int,
    rated_at: int | None,
    saved_at: int | None,
    now: int,
) -> None:
    """One video's seeded marks."""
    db.conn.execute(
        "INSERT INTO video_state (video_id, watched_at, rating, rated_at, saved_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        (video_id, watched_at, rating, rated_at, saved_at, now),
    )
