"""The SQL of the watch records: the queue, playback positions, notifications.

`video:<id>:queue` (`{"position": "a0", "added_at": …}`), `video:<id>:position`
(`{"seconds": …, "duration": …, "at": …}`), `video:<id>:notified` (`{"at": …}`) and
`notify:UC…` (`{"since": …}`: the channel announces its uploads since then). None of
the first three waits for its video: the queue, playback and notified tables have no
foreign key to `videos`, so a video queued on the laptop is queued on the desktop before
the desktop has synced it from YouTube. A channel's notify setting waits for the channel.
"""

from __future__ import annotations

import sqlite3

from momentum_tui.prefsync.records import Value


def _number(value: Value, key: str) -> float | None:
    item = value.get(key)
    return float(item) if isinstance(item, int | float) and not isinstance(item, bool) else None


def queue_value(conn: sqlite3.Connection, video_id: str) -> Value | None:
    """`{"position", "added_at"}` while the video is in the queue."""
    row = conn.execute(
        "SELECT position, added_at FROM queue WHERE video_id = ?", (video_id,)
    ).fetchone()
    return None if row is None else {"position": str(row[0]), "added_at": int(row[1])}


def _order_key(position: object) -> str | None:
    """The record's queue position if it is a usable fractional-index key."""
    from fractional_indexing import FIError, validate_order_key

    if not isinstance(position, str) or not 0 < len(position) <= 64:
        return None
    try:
        validate_order_key(position)
    except FIError:
        return None
    return position


def apply_queue(conn: sqlite3.Connection, video_id: str, value: Value | None) -> None:
    """Queue the video at the record's position, or take it out of the queue."""
    position = _order_key(value.get("position")) if value else None
    if value is None or position is None:
        conn.execute("DELETE FROM queue WHERE video_id = ?", (video_id,))
        return
    added_at = int(_number(value, "added_at") or 0)
    conn.execute(
        "INSERT INTO queue (video_id, position, added_at) VALUES (?, ?, ?) "
        "ON CONFLICT(video_id) DO UPDATE SET position = excluded.position",
        (video_id, position, added_at),
    )


def position_value(conn: sqlite3.Connection, video_id: str) -> Value | None:
    """`{"seconds", "duration", "at"}` while a playback position is remembered."""
    row = conn.execute(
        "SELECT position_s, duration_s, updated_at FROM playback WHERE video_id = ?",
        (video_id,),
    ).fetchone()
    if row is None:
        return None
    return {"seconds": float(row[0]), "duration": row[1], "at": int(row[2])}


def apply_position(conn: sqlite3.Connection, video_id: str, value: Value | None) -> None:
    """Remember where another machine stopped playing the video, or forget it."""
    seconds = _number(value, "seconds") if value else None
    if value is None or seconds is None or seconds < 0:
        conn.execute("DELETE FROM playback WHERE video_id = ?", (video_id,))
        return
    duration = _number(value, "duration")
    conn.execute(
        "INSERT INTO playback (video_id, position_s, duration_s, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(video_id) DO UPDATE SET position_s = excluded.position_s, "
        "duration_s = excluded.duration_s, updated_at = excluded.updated_at",
        (video_id, seconds, duration, int(_number(value, "at") or 0)),
    )


def notified_value(conn: sqlite3.Connection, video_id: str) -> Value | None:
    """`{"at"}` once the video was announced (on any machine)."""
    row = conn.execute("SELECT at FROM notified WHERE video_id = ?", (video_id,)).fetchone()
    return None if row is None else {"at": int(row[0])}


def apply_notified(conn: sqlite3.Connection, video_id: str, value: Value | None) -> None:
    """Remember that another machine announced the video, so this one never does."""
    if value is None:
        conn.execute("DELETE FROM notified WHERE video_id = ?", (video_id,))
        return
    conn.execute(
        "INSERT INTO notified (video_id, at) VALUES (?, ?) ON CONFLICT(video_id) DO NOTHING",
        (video_id, int(_number(value, "at") or 0)),
    )


def notify_value(conn: sqlite3.Connection, channel_id: str) -> Value | None:
    """`{"since"}` while the channel announces its new uploads."""
    row = conn.execute("SELECT notify FROM channels WHERE id = ?", (channel_id,)).fetchone()
    return None if row is None or not row[0] else {"since": int(row[0])}


def apply_notify(conn: sqlite3.Connection, channel_id: str, value: Value | None) -> bool:
    """Switch the channel's announcements on or off; False while the channel is unknown."""
    since = int(_number(value, "since") or 0) if value else 0
    cursor = conn.execute(
        "UPDATE channels SET notify = ? WHERE id = ?", (max(0, since), channel_id)
    )
    return value is None or cursor.rowcount > 0
