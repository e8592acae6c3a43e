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
from dataclasses import dataclass, field

import numpy as np

from momentum_tui.config import RecommendSettings
from momentum_tui.recommend.features import BoolArray, Features, FloatArray, IntArray
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


@dataclass
class _Share:
    """Each code's share of the cache (what picking at random would give it), and the
    distinct shares: the same for every learning until the features are loaded again."""

    share: FloatArray
    distinct: FloatArray
    which: IntArray
    """Where each code's share is in `distinct`."""


def _share(features: Features, name: str, codes: np.ndarray, size: int) -> _Share:
    key = f"share:{name}"
    found = features.derived.get(key)
    if not isinstance(found, _Share):
        everything = codes[codes >= 0].astype(np.int64)
        share = np.bincount(everything, minlength=size) / max(1, len(everything))
        distinct, which = np.unique(share, return_inverse=True)
        found = features.derived[key] = _Share(share, distinct, which)
    return found


def _table(share: _Share, codes: np.ndarray, ev: Evidence, total: float,
           neutral: int | None = None) -> Table:  # fmt: skip
    size = len(share.share)
    values = codes[ev.indexes].astype(np.int64)
    known = values >= 0
    values, weight = values[known], ev.weight[known]

    def count(flags: IntArray) -> IntArray:
        result: IntArray = np.bincount(values, weights=flags[known], minlength=size).astype(
            np.int64
        )
        return result

    positive = np.clip(weight, 0, None).sum()
    # A code no marked video has: its raw affinity is 0 - share × positive, the same for
    # every code of that share, so its tanh is taken once per distinct share (77,000
    # channels have a few dozen), and only the codes of marked videos one by one.
    affinity = _squash(0.0 - share.distinct * positive, total)[share.which]
    marked = np.unique(values)
    evidence_sum = np.bincount(values, weights=weight, minlength=size)[marked]
    raw = evidence_sum - share.share[marked] * positive
    affinity[marked] = _squash(raw, total)
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


_NO_FLOATS: FloatArray = np.zeros(0)
_NO_INTS: IntArray = np.zeros(0, dtype=np.int64)


@dataclass
class TagTastes:
    """Tags on two or more marked videos, their affinity and counts.

    Arrays by tag code (`Features.tag_names`; codes given after this was learned are
    simply not tastes).
    """

    names: list[str] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    affinity_by_code: FloatArray = field(default_factory=lambda: _NO_FLOATS)
    """The affinity of each tag that is a taste (0 for the others)."""
    taste: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    liked_by_code: IntArray = field(default_factory=lambda: _NO_INTS)
    seen_by_code: IntArray = field(default_factory=lambda: _NO_INTS)

    def _code(self, tag: str) -> int | None:
        code = self.codes.get(tag)
        return code if code is not None and code < len(self.taste) else None

    def affinity(self, tag: str) -> float | None:
        """The affinity for `tag`, or None when it is not a taste."""
        code = self._code(tag)
        return float(self.affinity_by_code[code]) if code is not None and self.taste[code] else None

    def liked(self, tag: str) -> int:
        """How many liked videos carry `tag`."""
        code = self._code(tag)
        return int(self.liked_by_code[code]) if code is not None else 0

    def seen(self, tag: str) -> int:
        """How many marked videos carry `tag`."""
        code = self._code(tag)
        return int(self.seen_by_code[code]) if code is not None else 0


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
    """Affinity for tags carried by at least `TAG_SUPPORT` marked videos.

    Each marked video's tags are codes, looked up once per load (a new mark looks up
    only its own video's), so learning again is a few counts in C over the marked
    videos' tags rather than a walk through them: the sums come out bit for bit the
    same however the marks arrived, because each tag's evidence is added in the order
    of its videos in the features, every time.
    """
    if not len(ev.indexes):
        return TagTastes()
    flat, lengths = features.tag_codes_of(conn, ev.indexes)
    size = len(features.tag_names)
    raw = np.bincount(flat, weights=np.repeat(ev.weight, lengths), minlength=size)
    seen = np.bincount(flat, minlength=size).astype(np.int64)
    liked = np.bincount(flat, weights=np.repeat(ev.liked, lengths), minlength=size)
    taste = (seen >= TAG_SUPPORT) & (raw != 0)
    affinity = np.where(taste, np.tanh(raw / _scale(total)), 0.0)
    return TagTastes(
        names=features.tag_names,
        codes=features.tag_code,
        affinity_by_code=affinity,
        taste=taste,
        liked_by_code=liked.astype(np.int64),
        seen_by_code=seen,
    )


def learn(
    conn: sqlite3.Connection, features: Features, settings: RecommendSettings, now: float
) -> Tastes:
    """Learn every affinity from the current marks (vectorised; a few ms at 100,000 videos)."""
    from momentum_tui.recommend.features import FORMATS, LENGTHS, MOODS, TOPICS

    ev = evidence(features, settings, now)
    total = float(np.abs(ev.weight).sum())
    f = features

    def table(name: str, codes: np.ndarray, size: int, neutral: int | None = None) -> Table:
        return _table(_share(f, name, codes, size), codes, ev, total, neutral)

    return Tastes(
        topic=table("topic", f.topic, len(TOPICS), TOPICS.index("other")),
        mood=table("mood", f.mood, len(MOODS)),
        format=table("format", f.format, len(FORMATS), FORMATS.index("other")),
        length=table("length", f.length, len(LENGTHS)),
        channel=table("channel", f.channel, len(f.channel_ids)),
        tags=tag_tastes(conn, features, ev, total),
        marked=len(ev.indexes),
    )
