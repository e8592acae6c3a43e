"""Diversity: maximal marginal relevance with hard caps, so no channel or topic floods the top.

Greedy MMR (Carbonell & Goldstein, 1998): each next pick maximises
`λ·relevance − (1−λ)·similarity to what is already picked`, with relevance the score
scaled to 0…1 within the pool and similarity 0.6 for the same channel, 0.3 for the same
topic and 0.1 for the same format. `λ` falls as adventurousness rises. On top of that,
within any ten consecutive picks at most `channel_cap` come from one channel and at most
`topic_cap` share a topic, as long as the pool has anything else to offer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from momentum_tui.recommend.features import BoolArray, FloatArray, IntArray

WINDOW = 10
"""Caps hold within any this many consecutive picks."""
SAME_CHANNEL, SAME_TOPIC, SAME_FORMAT = 0.6, 0.3, 0.1


@dataclass(frozen=True)
class DiversityOptions:
    """How to diversify: trade-off (`lam`, 1 = pure score) and the per-window caps."""

    lam: float
    channel_cap: int
    topic_cap: int

    @classmethod
    def from_adventurousness(
        cls, adventurousness: float, channel_cap: int, topic_cap: int
    ) -> DiversityOptions:
        """0 → λ 0.85 (mostly score), 1 → λ 0.45 (variety weighs as much as score)."""
        return cls(0.85 - 0.4 * adventurousness, channel_cap, topic_cap)


def diversify(
    pool: IntArray,
    score: FloatArray,
    channel: np.ndarray,
    topic: np.ndarray,
    fmt: np.ndarray,
    options: DiversityOptions,
    picks: int | None = None,
) -> IntArray:
    """Choose `picks` of `pool` (indexes, best first) by MMR under the caps, in order.

    The pool should be several times larger than `picks`, so that the caps can reach past
    a person's favourite topics for something else; what is not picked is left out.
    """
    size = len(pool)
    picks = size if picks is None else min(picks, size)
    if size <= 1:
        return pool[:picks]
    rel = score[pool]
    low, high = float(rel.min()), float(rel.max())
    rel = (rel - low) / (high - low) if high > low else np.ones(size)
    pool_channel = channel[pool]
    pool_topic = topic[pool]
    pool_format = fmt[pool]
    max_sim = np.zeros(size)
    available = np.ones(size, dtype=np.bool_)
    picked: list[int] = []
    for _ in range(picks):
        value = np.where(available, options.lam * rel - (1 - options.lam) * max_sim, -np.inf)
        blocked = _blocked(picked, pool_channel, pool_topic, options)
        if blocked is not None:
            allowed = np.where(blocked, -np.inf, value)
            if np.isfinite(allowed).any():
                value = allowed
        best = int(np.argmax(value))
        picked.append(best)
        available[best] = False
        similarity = (
            SAME_CHANNEL * (pool_channel == pool_channel[best])
            + SAME_TOPIC * ((pool_topic == pool_topic[best]) & (pool_topic >= 0))
            + SAME_FORMAT * ((pool_format == pool_format[best]) & (pool_format >= 0))
        )
        np.maximum(max_sim, similarity, out=max_sim)
    result: IntArray = pool[np.array(picked, dtype=np.int64)]
    return result


def _blocked(
    picked: list[int], channel: np.ndarray, topic: np.ndarray, options: DiversityOptions
) -> BoolArray | None:
    """Pool entries the caps rule out for the next position (None: nothing is capped)."""
    recent = picked[-(WINDOW - 1) :]
    if not recent:
        return None
    channels = Counter(int(channel[i]) for i in recent)
    topics = Counter(int(topic[i]) for i in recent)
    full_channels = [c for c, n in channels.items() if n >= options.channel_cap]
    full_topics = [t for t, n in topics.items() if n >= options.topic_cap and t >= 0]
    if not full_channels and not full_topics:
        return None
    blocked = np.zeros(len(channel), dtype=np.bool_)
    for code in full_channels:
        blocked |= channel == code
    for code in full_topics:
        blocked |= topic == code
    return blocked
