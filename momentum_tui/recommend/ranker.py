"""The "For you" ranker: a score per video from every signal, diversified, explained.

A video's score is a plain sum: for each signal, `recommend.w_<signal>` (config) times
the signal's value for that video. `Ranking.terms` keeps every term for every video, so
`why` shows a breakdown that adds up to the score, and reasons quote the terms
that lifted a pick most.

`Ranker` is the in-memory model: features are loaded once per refresh (after a sync or
a classification), tastes are re-learned from the marks in a few milliseconds, and
`mark()` updates one video's marks in place — re-ranking after a like does not re-read
the cache. Candidates are videos not watched, hidden (by hand or by a rule), disliked
or still upcoming. Pure and deterministic: no clock is read here, `now` is given.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from momentum_tui.config import RecommendSettings
from momentum_tui.recommend import signals as sig
from momentum_tui.recommend.affinity import Tastes, learn
from momentum_tui.recommend.diversity import DiversityOptions, diversify
from momentum_tui.recommend.features import (
    MOODS,
    TOPICS,
    UPCOMING,
    BoolArray,
    Features,
    FloatArray,
    IntArray,
    codes_in,
    load_features,
)
from momentum_tui.recommend.prefs import KeywordPref, list_keywords
from momentum_tui.recommend.text_masks import TextMasks, keyword_weights
from momentum_tui.rules import store as rule_store
from momentum_tui.rules.masks import apply_rules
from momentum_tui.rules.spec import Rule

SIGNALS: tuple[tuple[str, str], ...] = (
    ("topic", "Topic you like"),
    ("tag", "Tags you like"),
    ("channel", "Creator you like"),
    ("mood", "Mood you like"),
    ("format", "Format you like"),
    ("length", "Length you like"),
    ("keyword", "Your keywords"),
    ("freshness", "Freshness"),
    ("momentum", "Momentum"),
    ("quality", "Like rate"),
    ("clickbait", "Clickbait"),
    ("rare", "Rare upload"),
    ("rules", "Your rules"),
    ("explore", "Something new"),
)
"""Every term of the score, in the order `why` lists them, with a short label."""

POOL_FACTOR = 10
"""Diversity picks the top positions from this many times as many of the best candidates."""
LIST_LENGTH = 1000
"""How many picks a ranking orders (For you is a short list, not the whole cache)."""
EXPLORE_FAMILIAR = 3
"""A topic counts as tried once this many marked videos have it."""


@dataclass(frozen=True)
class Ask:
    """What a list is for: all of For you, or a smart feed's topics, moods and length."""

    topics: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    max_seconds: int | None = None
    known_length: bool = False
    shorts: bool = True
    since: int | None = None
    """Only videos published at or after this time."""


@dataclass
class Ranking:
    """One ranking: every video's score and terms, and the best candidates in order.

    `order` holds at most `limit` candidates; `candidates.sum()` says how many there were.
    """

    order: IntArray
    score: FloatArray
    terms: dict[str, FloatArray]
    candidates: BoolArray
    diversified: int

    def position(self, index: int) -> int | None:
        """Where a video is in the order (0 = top), or None if it is not a candidate."""
        found = np.flatnonzero(self.order == index)
        return int(found[0]) if len(found) else None


@dataclass
class Term:
    """One line of `why`: a signal's value, its weight, and what it adds to the score."""

    signal: str
    label: str
    value: float
    weight: float
    contribution: float


@dataclass
class Ranker:
    """The in-memory recommender for one cache (see the module notes)."""

    features: Features
    settings: RecommendSettings
    now: float
    static: sig.StaticSignals
    text: TextMasks
    rules: list[Rule]
    keywords: list[KeywordPref]
    rule_hidden: BoolArray
    rule_weight: FloatArray
    rule_masks: dict[int, BoolArray]
    keyword_weight: FloatArray | None
    keyword_masks: dict[str, BoolArray]
    tastes: Tastes
    conn: sqlite3.Connection
    channel_titles: dict[str, str] = field(default_factory=dict, repr=False)
    """Channel names reasons quoted (read once per load)."""
    _tag_term: FloatArray | None = field(default=None, repr=False)
    _tags_laid_out: tuple[bytes, IntArray, IntArray, IntArray] | None = field(
        default=None, repr=False
    )
    _static_terms: tuple[dict[str, float], dict[str, FloatArray], FloatArray] | None = field(
        default=None, repr=False
    )

    @classmethod
    def load(
        cls,
        conn: sqlite3.Connection,
        settings: RecommendSettings,
        now: float,
        features: Features | None = None,
    ) -> Ranker:
        """Load features (unless given), rules, keywords and marks; learn the tastes."""
        features = features if features is not None else load_features(conn)
        text = TextMasks(conn, features)
        rules = rule_store.list_rules(conn, enabled_only=True)
        keywords = list_keywords(conn)
        hidden, weight, masks = apply_rules(rules, features, text)
        keyword_weight, keyword_masks = keyword_weights(keywords, text)
        return cls(
            features=features,
            settings=settings,
            now=now,
            static=sig.static_signals(features, now, settings.freshness_half_life_hours),
            text=text,
            rules=rules,
            keywords=keywords,
            rule_hidden=hidden,
            rule_weight=weight,
            rule_masks=masks,
            keyword_weight=keyword_weight,
            keyword_masks=keyword_masks,
            tastes=learn(conn, features, settings, now),
            conn=conn,
        )

    # -- learning ---------------------------------------------------------------------

    def mark(self, video_id: str, state: dict[str, int | None]) -> bool:
        """Take one video's new marks into account (no re-read); False if it is not loaded."""
        index = self.features.index_of(video_id)
        if index is None:
            return False
        self.features.state.set(index, state)
        self.relearn()
        return True

    def relearn(self) -> None:
        """Learn the tastes again from the marks held in memory."""
        self.tastes = learn(self.conn, self.features, self.settings, self.now)
        self._tag_term = None

    # -- scoring ----------------------------------------------------------------------

    def candidates(self, ask: Ask = Ask()) -> BoolArray:
        """Videos that may be recommended for `ask`."""
        f = self.features
        state = f.state
        mask: BoolArray = (
            (state.watched_at == 0)
            & (state.hidden_at == 0)
            & (state.rating >= 0)
            & ~self.rule_hidden
            & (f.live != UPCOMING)
        )
        if ask.topics:
            mask &= codes_in(f.topic, ask.topics, TOPICS)
        if ask.moods:
            mask &= codes_in(f.mood, ask.moods, MOODS)
        if ask.known_length:
            mask &= f.duration > 0
        if ask.max_seconds is not None:
            mask &= (f.duration > 0) & (f.duration <= ask.max_seconds)
        if not ask.shorts:
            mask &= ~f.is_short
        if ask.since is not None:
            mask &= f.published >= ask.since
        return mask

    def _tags(self) -> FloatArray:
        if self._tag_term is None:
            codes, videos, lengths = self._tag_layout()
            n = len(self.features)
            term: FloatArray
            if len(codes):
                # Each video's tags are added in tag-name order (bincount adds in the order
                # given), so the term is the same however the tastes were learned.
                weights = np.repeat(self.tastes.tags.affinity_by_code[codes], lengths)
                counted = np.bincount(videos, weights=weights, minlength=n)
                term = counted.astype(np.float64, copy=False)  # floats already (weights)
            else:
                term = np.zeros(n)
            self._tag_term = np.clip(term, -1.0, 1.0)
        return self._tag_term

    def _tag_layout(self) -> tuple[IntArray, IntArray, IntArray]:
        """The tags that are tastes by name (as codes), the videos carrying each one after
        the other, and how many each has: kept while the tags that are tastes stay the
        same (a mark usually changes their affinities, not which they are)."""
        tastes = self.tastes.tags
        codes = np.flatnonzero(tastes.taste)
        key = codes.tobytes()
        if self._tags_laid_out is None or self._tags_laid_out[0] != key:
            names = [tastes.names[code] for code in codes.tolist()]
            order = sorted(range(len(names)), key=names.__getitem__)
            by_name = [names[i] for i in order]
            postings = self.features.tag_postings(self.conn, by_name)
            carried = [postings[name] for name in by_name]
            lengths = np.fromiter(map(len, carried), dtype=np.int64, count=len(carried))
            videos = np.concatenate(carried) if carried else np.zeros(0, dtype=np.int64)
            self._tags_laid_out = (key, codes[order], videos, lengths)
        return self._tags_laid_out[1:]

    def _novelty(self) -> FloatArray:
        """How new each topic is to the person (0 for the tried ones and those they avoid)."""
        if self.tastes.cold:
            return np.zeros(len(TOPICS))
        table = self.tastes.topic
        familiar = np.minimum(1.0, table.seen / EXPLORE_FAMILIAR)
        result: FloatArray = np.where(table.affinity >= 0, 1.0 - familiar, 0.0)
        return result

    def signal_values(self) -> dict[str, FloatArray]:
        """Each signal's value for every video (before weights)."""
        ones = dict.fromkeys(self.weights(), 1.0)
        return {**self._static_values(), **self._learned_terms(ones)}

    def _learned_terms(self, weights: dict[str, float]) -> dict[str, FloatArray]:
        """Weight times value of the signals that change with the tastes (after every mark).

        The categorical ones are a table per code: it is weighted (a few dozen numbers, or
        one per channel) and then looked up for every video, one gather in C.
        """
        f = self.features
        t = self.tastes

        def lookup(name: str, table: FloatArray, codes: np.ndarray) -> FloatArray:
            # A 0 after the last code: the unknown code -1 picks it.
            result: FloatArray = (weights[name] * np.append(table, 0.0))[codes]
            return result

        return {
            "topic": lookup("topic", t.topic.affinity, f.topic),
            "tag": weights["tag"] * self._tags(),
            "channel": lookup("channel", t.channel.affinity, f.channel),
            "mood": lookup("mood", t.mood.affinity, f.mood),
            "format": lookup("format", t.format.affinity, f.format),
            "length": lookup("length", t.length.affinity, f.length),
            "explore": lookup("explore", self._novelty(), f.topic),
        }

    def _static_values(self) -> dict[str, FloatArray]:
        """The signals a mark never moves (fixed until the next load)."""
        zero = np.zeros(len(self.features))
        return {
            "keyword": self.keyword_weight if self.keyword_weight is not None else zero,
            "freshness": self.static.freshness,
            "momentum": self.static.momentum,
            "quality": self.static.quality,
            "clickbait": self.static.clickbait,
            "rare": self.static.rare,
            "rules": self.rule_weight,
        }

    def _terms(self) -> tuple[dict[str, FloatArray], FloatArray]:
        """Weight times value for every signal, in `SIGNALS` order, and their sum (the
        score). The terms a mark never moves, and their sum, are made once per set of
        weights, not at every ranking."""
        weights = self.weights()
        cached = self._static_terms
        if cached is None or cached[0] != weights:
            static = {name: weights[name] * value for name, value in self._static_values().items()}
            total = np.zeros(len(self.features))
            for term in static.values():
                total += term
            for term in (*static.values(), total):
                term.flags.writeable = False  # shared by every ranking until the next load
            cached = self._static_terms = (weights, static, total)
        learned = self._learned_terms(weights)
        terms = {name: cached[1][name] if name in cached[1] else learned[name]
                 for name, _ in SIGNALS}  # fmt: skip
        # The learned terms in order, then what a mark never moves, then exploring: the
        # same sum in the same order at every ranking, however the tastes were learned.
        score = np.zeros(len(self.features))
        for name in ("topic", "tag", "channel", "mood", "format", "length"):
            score += learned[name]
        score += cached[2]
        score += learned["explore"]
        return terms, score

    def weights(self) -> dict[str, float]:
        """The weight of each signal (clickbait is a penalty, so its weight is negative)."""
        s = self.settings
        return {
            "topic": s.w_topic,
            "tag": s.w_tag,
            "channel": s.w_channel,
            "mood": s.w_mood,
            "format": s.w_format,
            "length": s.w_length,
            "keyword": s.w_keyword,
            "freshness": s.w_freshness,
            "momentum": s.w_momentum,
            "quality": s.w_quality,
            "clickbait": -s.w_clickbait,
            "rare": s.w_rare,
            "rules": s.w_rules,
            "explore": s.w_explore * s.adventurousness,
        }

    def rank(
        self, ask: Ask = Ask(), *, limit: int = LIST_LENGTH, diversify_top: int | None = None
    ) -> Ranking:
        """Score every video; order the best `limit` candidates, the top ones diversified."""
        terms, score = self._terms()
        candidates = self.candidates(ask)
        pool_size = self.settings.diversify if diversify_top is None else diversify_top
        indexes = np.flatnonzero(candidates)
        best = indexes
        limit = max(limit, pool_size * POOL_FACTOR)
        if len(indexes) > limit:
            # Only the best `limit` are ever shown: partition first, then sort just those.
            best = indexes[np.argpartition(-score[indexes], limit - 1)[:limit]]
            best.sort()
        # Ties break on the video id order (stable sort), so rankings are reproducible.
        by_score = best[np.argsort(-score[best], kind="stable")]
        options = DiversityOptions.from_adventurousness(
            self.settings.adventurousness, self.settings.channel_cap, self.settings.topic_cap
        )
        f = self.features
        pool = by_score[: pool_size * POOL_FACTOR]
        head = diversify(pool, score, f.channel, f.topic, f.format, options, picks=pool_size)
        rest = by_score[~np.isin(by_score, head)]
        order = np.concatenate([head, rest]).astype(np.int64)
        return Ranking(order, score, terms, candidates, len(head))

    def breakdown(self, ranking: Ranking, index: int) -> list[Term]:
        """Every term of one video's score (they add up to `ranking.score[index]`)."""
        weights = self.weights()
        labels = dict(SIGNALS)
        result: list[Term] = []
        for name, term in ranking.terms.items():
            weight = weights[name]
            contribution = float(term[index])
            value = contribution / weight if weight else 0.0
            result.append(Term(name, labels[name], value, weight, contribution))
        return result


def rank_ids(
    conn: sqlite3.Connection, settings: RecommendSettings, now: float, limit: int = 50
) -> Sequence[str]:
    """The ids of the top `limit` picks (a convenience for scripts and tests)."""
    ranker = Ranker.load(conn, settings, now)
    ranking = ranker.rank()
    return [ranker.features.ids[int(i)] for i in ranking.order[:limit]]
