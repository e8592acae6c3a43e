"""Small builders for test data (channels and videos with sensible defaults)."""

from __future__ import annotations

import itertools
from typing import Any

from momentum_tui.records import Channel, Video
from momentum_tui.storage import Store
from momentum_tui.storage.videos import upsert_channels, upsert_videos

_counter = itertools.count()


def channel_id(n: int) -> str:
    return f"UC{n:022d}"


def video_id(n: int) -> str:
    return f"v{n:010d}"


def make_video(n: int | None = None, **fields: Any) -> Video:
    n = next(_counter) if n is None else n
    values: dict[str, Any] = {
        "id": video_id(n),
        "channel_id": channel_id(0),
        "channel_title": "Channel 0",
        "title": f"Video {n}",
        "description": "",
        "published_at": 1_700_000_000 + n * 60,
        "duration_s": 600,
        "view_count": 1000 + n,
    }
    values.update(fields)
    return Video(**values)


def add(store: Store, *videos: Video, channels: list[Channel] | None = None, now: int = 0) -> None:
    """Insert videos (and their channels) into `store`."""
    known = {c.id: c for c in channels or []}
    for video in videos:
        known.setdefault(video.channel_id, Channel(id=video.channel_id, title=video.channel_title))
    with store.write() as db:
        upsert_channels(db, known.values(), now=now)
        upsert_videos(db, videos, now=now)
