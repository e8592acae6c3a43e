"""The watch tables (migration m050_watch): the queue, playback positions, notifications.

* `queue`: the watch-later queue. Its order is a fractional index (`position`, compared
  as text): moving an item rewrites only its own row, so two machines that reorder the
  queue merge item by item. No foreign key to videos: a queued video may arrive by
  preference sync before this machine has synced it from YouTube. Watched videos leave
  it by a trigger, whoever marked them (the app, the CLI, a sync).
* `playback`: where playback stopped, to resume there.
* `channels.notify`: 0 off, otherwise the Unix time announcements were switched on
  (what arrived before isn't news); `notified`: videos already announced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

SCHEMA = """
-- The queue's order is a fractional index (`position`, compared as text): moving
-- an item rewrites only its own row, so two machines that reorder the queue merge
-- item by item. No foreign key to videos: a queued video may arrive by preference
-- sync before this machine has synced it from YouTube.
CREATE TABLE queue (
    video_id TEXT PRIMARY KEY,
    position TEXT NOT NULL,
    added_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX queue_position ON queue(position);
-- Watched videos leave the queue, whoever marked them (the app, the CLI, a sync).
CREATE TRIGGER queue_leaves_when_watched_ai AFTER INSERT ON video_state
    WHEN new.watched_at IS NOT NULL BEGIN
    DELETE FROM queue WHERE video_id = new.video_id;
END;
-- (Watching it again counts too: a watched video queued again leaves when it is watched.)
CREATE TRIGGER queue_leaves_when_watched_au AFTER UPDATE OF watched_at ON video_state
    WHEN new.watched_at IS NOT NULL AND new.watched_at IS NOT old.watched_at BEGIN
    DELETE FROM queue WHERE video_id = new.video_id;
END;
-- Where playback stopped, to resume there.
CREATE TABLE playback (
    video_id TEXT PRIMARY KEY,
    position_s REAL NOT NULL,
    duration_s REAL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
-- New uploads of these channels are announced after a sync: 0 off, otherwise the
-- Unix time announcements were switched on (what arrived before isn't news).
ALTER TABLE channels ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;
-- Videos already announced (on any machine, once preference sync carries it).
CREATE TABLE notified (
    video_id TEXT PRIMARY KEY,
    at INTEGER NOT NULL
) WITHOUT ROWID;
"""


def create(db: Database) -> None:
    """Create the watch tables and the trigger that takes watched videos out of the queue."""
    db.executescript(SCHEMA)
