"""The person's tastes, learned from their marks: topics, tags, channels, moods, formats, lengths.

Every marked video is evidence: liked, saved and watched count for what it is; disliked
and hidden count against. Each mark weighs its setting (`recommend.mark_*`) times a
time decay (half of it after `recommend.half_life_days`). A category's affinity is its
evidence beyond what the catalogue alone would explain — positive evidence minus the
share of it the category would get if the person picked at random (its share of the
cache), minus the evidence against it — squashed into -1…1 by `tanh` on a scale that
grows with the amount of evidence. So watching a lot of music from a cache that is
mostly music is no taste for music, and a heavy watcher's favourites still stand out.
"Other" (topic or format) says nothing about taste and never gets an affinity.

Tags need care: most tags are rare, and a tag seen on one liked video says little. A tag
counts once it is on two or more marked videos.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from momentum_tui.config import RecommendSettings
from momentum_tui.recommend.features import Features, FloatArray, IntArray
from momentum_tui.recommend.signals import DAY

TAG_SUPPORT = 2
"""A tag becomes a taste once it is on this many marked videos."""


@dataclass
class Evidence:
    """Per marked video: how much it says for (+) or against (-), and which marks made it."""

    indexes: IntArray
    weight: FloatArray
    liked: IntArray
    disliked: IntArray
    watched: IntArray
    saved: IntArray
    hidden: IntArray


def evidence(features: Features, settings: RecommendSettings, now: float) -> Evidence:
    """Turn the current marks into decayed evidence weights."""
    state = features.state
    marked = state.marked()

    def decay(at: IntArray) -> FloatArray:
        age_days = np.maximum(0.0, now - at[marked]) / DAY
        result: FloatArray = np.where(
            at[marked] > 0, np.power(0.5, age_days / settings.half_life_days), 0.0
        )
        return result

    rating = state.rating[marked]
    rated = decay(state.rated_at)
    # A rating without a time (imported, or set by hand) still counts, at full weight.
    rated = np.where((rating != 0) & (rated == 0), 1.0, rated)
    weight = (
        settings.mark_watched * decay(state.watched_at)
        + settings.mark_saved * decay(state.saved_at)
        + settings.mark_hidden * decay(state.hidden_at)
        + np.where(rating > 0, settings.mark_liked, 0.0) * rated
        + np.where(rating < 0, settings.mark_disliked, 0.0) * rated
    )
    return Evidence(
        indexes=marked,
        weight=weight,
        liked=(rating > 0).astype(np.int64),
        disliked=(rating < 0).astype(np.int64),
        watched=(state.watched_at[marked] > 0).astype(np.int64),
        saved=(state.saved_at[marked] > 0).astype(np.int64),
        hidden=(state.hidden_at[marked] > 0).astype(np.int64),
    )


def _scale(total: float) -> float:
    """How much evidence makes an affinity strong: more marks, more needed."""
    return 1.5 + 0.1 * total


def _squash(raw: FloatArray, total: float) -> FloatArray:
    result: FloatArray = np.tanh(raw / _scale(total))
    return result


@dataclass
class Table:
    """Affinity per code of one categorical feature, with the counts reasons quote."""

    affinity: FloatArray
    liked: IntArray
    watched: IntArray
    saved: IntArray
    against: IntArray
    seen: IntArray


def _table(
    codes: np.ndarray, ev: Evidence, size: int, total: float, neutral: int | None = None
) -> Table:
    everything = codes[codes >= 0].astype(np.int64)
    share = np.bincount(everything, minlength=size) / max(1, len(everything))
    values = codes[ev.indexes].astype(np.int64)
    known = values >= 0
    values, weight = values[known], ev.weight[known]

    def count(flags: IntArray) -> IntArray:
        result: IntArray = np.bincount(values, weights=flags[known], minlength=size).astype(
            np.int64
        )
        return result

    positive = np.clip(weight, 0, None)
    raw = np.bincount(values, weights=weight, minlength=size) - share * positive.sum()
    affinity = _squash(raw, total)
    if neutral is not None:
        affinity[neutral] = 0.0
    return Table(
        affinity=affinity,
        liked=count(ev.liked),
        watched=count(ev.watched),
        saved=count(ev.saved),
        against=count(np.maximum(ev.disliked, ev.hidden)),
        seen=np.bincount(values, minlength=size).astype(np.int64),
    )


@dataclass
class TagTastes:
    """Tags on two or more marked videos, their affinity and counts."""

    affinity: dict[str, float] = field(default_factory=dict)
    liked: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)


@dataclass
class Tastes:
    """Everything learned from the marks."""

    topic: Table
    mood: Table
    format: Table
    length: Table
    channel: Table
    tags: TagTastes
    marked: int

    @property
    def cold(self) -> bool:
        """True while there is too little evidence to personalise much."""
        return self.marked < 3


def tag_tastes(
    conn: sqlite3.Connection, features: Features, ev: Evidence, total: float
) -> TagTastes:
    """Affinity for tags carried by at least `TAG_SUPPORT` marked videos."""
    tastes = TagTastes()
    if not len(ev.indexes):
        return tastes
    tags_by_video = features.tags_of(conn, ev.indexes)
    raw: dict[str, float] = {}
    for position, index in enumerate(ev.indexes):
        for tag in tags_by_video.get(int(index), []):
            tastes.seen[tag] += 1
            raw[tag] = raw.get(tag, 0.0) + float(ev.weight[position])
            if ev.liked[position]:
                tastes.liked[tag] += 1
    scale = _scale(total)
    tastes.affinity = {
        tag: float(np.tanh(value / scale))
        for tag, value in raw.items()
        if tastes.seen[tag] >= TAG_SUPPORT and value != 0
    }
    return tastes


def learn(
    conn: sqlite3.Connection, features: Features, settings: RecommendSettings, now: float
) -> Tastes:
    """Learn every affinity from the current marks (vectorised; a few ms at 100,000 videos)."""
    from momentum_tui.recommend.features import FORMATS, LENGTHS, MOODS, TOPICS

    ev = evidence(features, settings, now)
    total = float(np.abs(ev.weight).sum())
    return Tastes(
        topic=_table(features.topic, ev, len(TOPICS), total, TOPICS.index("other")),
        mood=_table(features.mood, ev, len(MOODS), total),
        format=_table(features.format, ev, len(FORMATS), total, FORMATS.index("other")),
        length=_table(features.length, ev, len(LENGTHS), total),
        channel=_table(features.channel, ev, len(features.channel_ids), total),
        tags=tag_tastes(conn, features, ev, total),
        marked=len(ev.indexes),
    )
