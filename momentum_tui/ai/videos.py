"""What the classifiers read about a video: `VideoText`, the few fields a label is made from.

Both classifiers take `VideoText` and produce `VideoLabels`. A label remembers the
content hash it was made from, so a video is labelled again only when its title,
description or tags change. Reading and writing them is `ai.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VideoText:
    """The parts of a cached video a label is made from."""

    video_id: str
    title: str
    description: str
    tags: tuple[str, ...]
    channel_title: str
    category_id: int | None
    duration_s: int | None
    is_short: bool
    live_state: str
    content_hash: str
