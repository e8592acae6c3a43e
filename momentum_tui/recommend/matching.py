"""Rules and keyword preferences as vectorised masks over every loaded video.

`rules.matches` decides one row at a time; ranking 100,000 videos needs the same answer
for all of them at once. `rule_mask` is that answer, column by column, and a test keeps
the two in agreement on the demo profile. Masks for text (title words, keywords) are
cached per load, since titles only change with a sync.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from momentum_tui.recommend.features import (
    FORMATS,
    MOODS,
    TOPICS,
    BoolArray,
    Features,
    FloatArray,
    codes_in,
)
from momentum_tui.recommend.prefs import KeywordPref, keyword_pattern
from momentum_tui.rules import Rule, RuleAction, RuleSpec


class TextMasks:
    """Substring and whole-word masks over titles and tags, remembered per load."""

    def __init__(self, conn: sqlite3.Connection, features: Features) -> None:
        self._conn = conn
        self._features = features
        self._cache: dict[tuple[str, str], BoolArray] = {}

    def title_has(self, word: str) -> BoolArray:
        """Videos whose title or plain title contains `word` (case-folded), as rules test it."""
        key = ("title", word.casefold())
        if key not in self._cache:
            titles, _ = self._features.haystacks(self._conn)
            needle = key[1]
            self._cache[key] = np.array([needle in text for text in titles], dtype=np.bool_)
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


def rule_mask(spec: RuleSpec, features: Features, text: TextMasks) -> BoolArray:
    """Which loaded videos `spec` matches: the vectorised twin of `rules.matches`."""
    mask = np.ones(len(features), dtype=np.bool_)
    if spec.channels:
        mask &= features.channel_mask(spec.channels)
    if spec.shorts is True or spec.formats:
        kind = np.zeros(len(features), dtype=np.bool_)
        if spec.shorts is True:
            kind |= features.is_short
        if spec.formats:
            kind |= codes_in(features.format, [f.value for f in spec.formats], FORMATS)
        mask &= kind
    if spec.shorts is False:
        mask &= ~features.is_short
    known = features.duration >= 0
    if spec.min_seconds is not None:
        mask &= known & (features.duration >= spec.min_seconds)
    if spec.max_seconds is not None:
        mask &= known & (features.duration <= spec.max_seconds)
    if spec.title_words:
        words = np.zeros(len(features), dtype=np.bool_)
        for word in spec.title_words:
            words |= text.title_has(word)
        mask &= words
    if spec.topics:
        mask &= codes_in(features.topic, [t.value for t in spec.topics], TOPICS)
    if spec.moods:
        mask &= codes_in(features.mood, [m.value for m in spec.moods], MOODS)
    return mask


def apply_rules(
    rules: Sequence[Rule], features: Features, text: TextMasks
) -> tuple[BoolArray, FloatArray, dict[int, BoolArray]]:
    """Hidden-by-rule mask, boost-minus-bury weight per video, and each rule's own mask."""
    hidden = np.zeros(len(features), dtype=np.bool_)
    weight = np.zeros(len(features), dtype=np.float64)
    masks: dict[int, BoolArray] = {}
    for rule in rules:
        if not rule.enabled:
            continue
        mask = rule_mask(rule.spec, features, text)
        masks[rule.id] = mask
        if rule.spec.action == RuleAction.HIDE:
            hidden |= mask
        elif rule.spec.action == RuleAction.BOOST:
            weight += np.where(mask, rule.spec.weight, 0.0)
        else:
            weight -= np.where(mask, rule.spec.weight, 0.0)
    return hidden, weight, masks


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
