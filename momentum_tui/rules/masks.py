"""Rules as NumPy masks: the ranker's answer to "which of 100,000 videos does it match".

`spec.matches` decides one row at a time; the For you ranking needs the answer for
every loaded video at once. `rule_mask` is that answer, column by column over
`recommend.features.Features`, and `apply_rules` folds the enabled rules into one
hidden mask and one boost-minus-bury weight — what `spec.evaluate` says for one row.
Notify rules take no part: they announce new uploads (`notify.announce`, in SQL) and
neither hide nor weigh anything, so they get no mask (and no "why" reason).
Their only caller is `recommend.ranker.Ranker.load`; a test holds `rule_mask` to
`spec.matches` and `apply_rules` to `spec.evaluate` on the demo profile.

Title words are asked of a `TitleMasks` (the ranker's `recommend.text_masks.TextMasks`,
which remembers each word's mask until the next load).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
from momentum_tui.rules.spec import Rule, RuleAction, RuleSpec


class TitleMasks(Protocol):
    """Where a title word is: one boolean per loaded video."""

    def title_has(self, word: str) -> BoolArray:
        """Videos whose original title holds `word` (the test `spec.title_has` makes)."""
        ...


def rule_mask(spec: RuleSpec, features: Features, text: TitleMasks) -> BoolArray:
    """Which loaded videos `spec` matches: the vectorised twin of `spec.matches`."""
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
    rules: Sequence[Rule], features: Features, text: TitleMasks
) -> tuple[BoolArray, FloatArray, dict[int, BoolArray]]:
    """Hidden-by-rule mask, boost-minus-bury weight per video, and each rule's own mask
    (feed rules only: notify rules are skipped)."""
    hidden = np.zeros(len(features), dtype=np.bool_)
    weight = np.zeros(len(features), dtype=np.float64)
    masks: dict[int, BoolArray] = {}
    for rule in rules:
        if not rule.enabled or not rule.spec.action.shapes_feed:
            continue
        mask = rule_mask(rule.spec, features, text)
        masks[rule.id] = mask
        if rule.spec.action == RuleAction.HIDE:
            hidden |= mask
        elif rule.spec.action == RuleAction.BOOST:
            weight += np.where(mask, rule.spec.weight, 0.0)
        else:  # bury
            weight -= np.where(mask, rule.spec.weight, 0.0)
    return hidden, weight, masks
