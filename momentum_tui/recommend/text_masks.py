"""Masks over the loaded videos' text: title words for rules, keywords for preferences.

Titles only change with a sync, so each mask is computed once per load of the ranker
(`recommend.ranker.Ranker.load` makes one `TextMasks`). `rules.masks` asks it for
title-word masks; `keyword_weights` turns keyword preferences into one weight per video.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from momentum_tui.recommend.features import BoolArray, Features, FloatArray
from momentum_tui.recommend.prefs import KeywordPref, keyword_pattern
from momentum_tui.rules.spec import title_has


class TextMasks:
    """Title-word and whole-word keyword masks over titles and tags, remembered per load."""

    def __init__(self, conn: sqlite3.Connection, features: Features) -> None:
        self._conn = conn
        self._features = features
        self._cache: dict[tuple[str, str], BoolArray] = {}

    def title_has(self, word: str) -> BoolArray:
        """Videos whose original title holds `word`, by exactly the test `rules.spec` uses."""
        key = ("title", word)
        if key not in self._cache:
            words = (word,)
            titles = self._features.titles(self._conn)
            self._cache[key] = np.fromiter(
                (title_has(title, words) for title in titles), dtype=np.bool_, count=len(titles)
            )
        return self._cache[key]

    def keyword(self, keyword: str) -> BoolArray:
        """Videos whose title, plain title or label tags have `keyword` as a whole word."""
        key = ("keyword", keyword)
        if key not in self._cache:
            titles, tags = self._features.haystacks(self._conn)
            pattern = keyword_pattern(keyword)
            mask = np.zeros(len(titles), dtype=np.bool_)
            # A plain substring test first (fast), then the word-boundary check on hits.
            for i, (title, tag_text) in enumerate(zip(titles, tags, strict=True)):
                if (keyword in title or keyword in tag_text) and (
                    pattern.search(title) or pattern.search(tag_text)
                ):
                    mask[i] = True
            self._cache[key] = mask
        return self._cache[key]


def keyword_weights(
    prefs: Sequence[KeywordPref], text: TextMasks
) -> tuple[FloatArray | None, dict[str, BoolArray]]:
    """Sum of matching keyword weights per video (None without keywords), and each mask."""
    if not prefs:
        return None, {}
    masks = {pref.keyword: text.keyword(pref.keyword) for pref in prefs}
    total = np.zeros(len(next(iter(masks.values()))), dtype=np.float64)
    for pref in prefs:
        total += np.where(masks[pref.keyword], pref.weight, 0.0)
    return total, masks
