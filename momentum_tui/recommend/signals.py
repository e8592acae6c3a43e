"""Signals that do not depend on the person: freshness, momentum, quality, clickbait, rarity.

Each is a NumPy column in a fixed range (freshness, clickbait and rarity 0…1; momentum and
quality -1…1), computed once per load for a given "now". What they mean, and what they
assume, is written in docs/recommend.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from momentum_tui.recommend.features import Features, FloatArray

HOUR = 3600.0
DAY = 86400.0
_SHRINK = 3.0
"""A channel's own average counts like this many videos against the cache-wide one."""
_RARE_FROM_DAYS = 14.0
_RARE_FULL_DAYS = 90.0
_MOMENTUM_WINDOW_DAYS = 14.0


@dataclass
class StaticSignals:
    """Per-video signals that only change with time and sync, not with the person's marks."""

    freshness: FloatArray
    momentum: FloatArray
    momentum_ratio: FloatArray
    quality: FloatArray
    like_rate: FloatArray
    clickbait: FloatArray
    rare: FloatArray
    gap_days: FloatArray


def freshness(features: Features, now: float, half_life_hours: float) -> FloatArray:
    """1 for a video published now, halving every `half_life_hours`."""
    age_hours = np.maximum(0.0, now - features.published) / HOUR
    result: FloatArray = np.power(0.5, age_hours / half_life_hours)
    return result


def _channel_mean(values: FloatArray, channel: FloatArray, n_channels: int) -> FloatArray:
    """Each video's channel average of `values` (NaN ignored), shrunk to the overall mean."""
    known = ~np.isnan(values)
    overall = float(np.nanmedian(values)) if known.any() else 0.0
    codes = channel.astype(np.int64)
    sums = np.bincount(codes[known], weights=values[known], minlength=n_channels)
    counts = np.bincount(codes[known], minlength=n_channels).astype(np.float64)
    shrunk = (sums + _SHRINK * overall) / (counts + _SHRINK)
    result: FloatArray = shrunk[codes]
    return result


def momentum(features: Features, now: float) -> tuple[FloatArray, FloatArray]:
    """How far a video's views run ahead of its channel's usual pace, -1…1, and the ratio.

    One view count per video is all the cache has, so "pace" is views adjusted for the
    age at which they were counted (log views − ½ log hours, since views grow roughly
    with the square root of age in a video's first weeks), compared with the channel's
    average of the same (shrunk towards the cache-wide median when the channel has few
    videos). Only recent videos have momentum: it fades over two weeks.
    """
    hours = np.maximum(1.0, (features.stats_at - features.published) / HOUR)
    pace = np.log1p(features.views) - 0.5 * np.log1p(hours)
    baseline = _channel_mean(pace, features.channel.astype(np.float64), len(features.channel_ids))
    excess = pace - baseline
    # No view counts at all (an empty cache, or RSS-only videos): no spread to measure.
    spread = (float(np.nanstd(pace)) if np.isfinite(pace).any() else 0.0) or 1.0
    age_days = np.maximum(0.0, now - features.published) / DAY
    fade = np.power(0.5, age_days / (_MOMENTUM_WINDOW_DAYS / 2))
    value = np.clip(excess / (1.5 * spread), -1.0, 1.0) * fade
    ratio = np.exp(excess)
    return np.nan_to_num(value), np.nan_to_num(ratio, nan=1.0)


def quality(features: Features) -> tuple[FloatArray, FloatArray]:
    """Like rate against the cache-wide median, -1…1 (0 when unknown or under 100 views)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = features.likes / features.views
    rate[~(features.views >= 100)] = np.nan
    if np.isnan(rate).all():
        return np.zeros(len(features)), rate
    median = float(np.nanmedian(rate)) or 1e-6
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.clip(np.log(np.maximum(rate, 1e-9) / median) / np.log(4.0), -1.0, 1.0)
    return np.nan_to_num(value), rate


def clickbait(features: Features) -> FloatArray:
    """0 for honest titles, rising to 1 for pure bait (labels' score above 0.2)."""
    result: FloatArray = np.clip((features.clickbait - 0.2) / 0.8, 0.0, 1.0)
    return result


def upload_gaps(features: Features) -> FloatArray:
    """Days since the same channel's previous cached upload (NaN for its first)."""
    order = np.lexsort((features.published, features.channel))
    channel = features.channel[order]
    published = features.published[order].astype(np.float64)
    gaps = np.full(len(features), np.nan)
    same = np.zeros(len(order), dtype=np.bool_)
    same[1:] = channel[1:] == channel[:-1]
    previous = np.full_like(published, np.nan)  # no previous for the first (or an empty cache)
    previous[1:] = published[:-1]
    gaps[order] = np.where(same, (published - previous) / DAY, np.nan)
    return gaps


def rarity(gap_days: FloatArray) -> FloatArray:
    """0 for a channel's usual rhythm, 1 for a first upload after three months or more."""
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.log(np.maximum(gap_days, 1e-9) / _RARE_FROM_DAYS) / np.log(
            _RARE_FULL_DAYS / _RARE_FROM_DAYS
        )
    result: FloatArray = np.nan_to_num(np.clip(value, 0.0, 1.0))
    return result


def static_signals(features: Features, now: float, half_life_hours: float) -> StaticSignals:
    """Compute every person-independent signal for `now`."""
    moving, ratio = momentum(features, now)
    liked, rate = quality(features)
    gaps = upload_gaps(features)
    return StaticSignals(
        freshness=freshness(features, now, half_life_hours),
        momentum=moving,
        momentum_ratio=ratio,
        quality=liked,
        like_rate=rate,
        clickbait=clickbait(features),
        rare=rarity(gaps),
        gap_days=gaps,
    )
