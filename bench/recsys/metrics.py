"""Ranking metrics: NDCG@k, hit rate@k, catalogue coverage, intra-list diversity."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def ndcg(ranked: Sequence[int], grades: dict[int, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the top `k` (graded relevance)."""
    dcg = sum(
        (2 ** grades.get(item, 0) - 1) / math.log2(position + 2)
        for position, item in enumerate(ranked[:k])
    )
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(position + 2) for position, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def hit_rate(ranked: Sequence[int], grades: dict[int, int], k: int = 10) -> float:
    """1 when any of the top `k` is relevant."""
    return 1.0 if any(item in grades for item in ranked[:k]) else 0.0


def intra_list_diversity(ranked: Sequence[int], topic: np.ndarray, k: int = 10) -> float:
    """Share of pairs in the top `k` with different topics (unlabelled counts as its own)."""
    top = [int(topic[i]) for i in ranked[:k]]
    pairs = [(a, b) for n, a in enumerate(top) for b in top[n + 1 :]]
    return sum(a != b for a, b in pairs) / len(pairs) if pairs else 0.0


def distinct_channels(ranked: Sequence[int], channel: np.ndarray, k: int = 10) -> int:
    """How many different channels the top `k` come from."""
    return len({int(channel[i]) for i in ranked[:k]})
