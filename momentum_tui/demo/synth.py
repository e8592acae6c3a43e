"""Deterministic stand-ins for what the trending dataset lacks: durations and live state.

The dataset (YouTube Trending, CC0) has no durations and no live/upcoming state. The
demo profile and the test emulators need both, so they are derived from a hash of the
video id and shaped by the YouTube category — the same video always gets the same
values, on every machine. Roughly: 10 % of videos are Shorts (more in entertainment
and comedy, fewer in music), 1 % are live now, 1 % are upcoming, 4 % are finished
streams; the rest follow a log-normal length around a per-category median.
"""

from __future__ import annotations

import hashlib
import math

from momentum_tui.models import LiveState

# Median length in minutes, and share of Shorts, by YouTube category id.
_CATEGORY_SHAPE: dict[int, tuple[float, float]] = {
    1: (11.0, 0.08),  # Film & Animation
    2: (14.0, 0.08),  # Autos & Vehicles
    10: (4.0, 0.04),  # Music
    15: (8.0, 0.20),  # Pets & Animals
    17: (9.0, 0.12),  # Sports
    19: (13.0, 0.08),  # Travel & Events
    20: (22.0, 0.10),  # Gaming
    22: (11.0, 0.15),  # People & Blogs
    23: (8.0, 0.18),  # Comedy
    24: (12.0, 0.16),  # Entertainment
    25: (7.0, 0.06),  # News & Politics
    26: (12.0, 0.10),  # Howto & Style
    27: (15.0, 0.06),  # Education
    28: (14.0, 0.06),  # Science & Technology
    29: (10.0, 0.05),  # Nonprofits & Activism
}
_DEFAULT_SHAPE = (10.0, 0.10)
_STREAMY_CATEGORIES = {20, 25, 17, 10}


def _uniforms(video_id: str, count: int) -> list[float]:
    digest = hashlib.sha256(video_id.encode("utf-8")).digest()
    return [int.from_bytes(digest[i * 4 : i * 4 + 4], "big") / 2**32 for i in range(count)]


def live_state(video_id: str, category_id: int | None) -> LiveState:
    """Live now (1 %), upcoming (1 %), finished stream (4 %, 10 % for gaming/news/sport/music)."""
    roll = _uniforms(video_id, 5)[4]
    if roll < 0.01:
        return LiveState.LIVE
    if roll < 0.02:
        return LiveState.UPCOMING
    was_live_share = 0.10 if category_id in _STREAMY_CATEGORIES else 0.04
    if roll < 0.02 + was_live_share:
        return LiveState.WAS_LIVE
    return LiveState.NONE


def duration_seconds(video_id: str, category_id: int | None) -> int | None:
    """A plausible length in seconds; None for live and upcoming streams (not known yet)."""
    state = live_state(video_id, category_id)
    if state in (LiveState.LIVE, LiveState.UPCOMING):
        return None
    median_minutes, shorts_share = _CATEGORY_SHAPE.get(category_id or 0, _DEFAULT_SHAPE)
    u_short, u_len, u_len2, u_tail = _uniforms(video_id, 4)
    if state == LiveState.WAS_LIVE:
        return int(3600 + u_len * 3 * 3600)  # streams: one to four hours
    if u_short < shorts_share:
        # Most Shorts are under a minute; a few use the three-minute allowance.
        return int(8 + u_len * 52) if u_tail > 0.15 else int(61 + u_len * 119)
    # Log-normal via Box–Muller from two uniforms; sigma 0.6 gives a realistic spread.
    normal = math.sqrt(-2.0 * math.log(max(u_len, 1e-9))) * math.cos(2 * math.pi * u_len2)
    minutes = median_minutes * math.exp(0.6 * normal)
    return max(61, min(int(minutes * 60), 6 * 3600))


def is_short(video_id: str, category_id: int | None) -> bool:
    """Whether the synthesized video is a Short (≤ 60 s, or a three-minute Short)."""
    seconds = duration_seconds(video_id, category_id)
    if seconds is None or live_state(video_id, category_id) != LiveState.NONE:
        return False
    if seconds <= 60:
        return True
    return seconds <= 180 and _uniforms(video_id, 4)[3] <= 0.15
