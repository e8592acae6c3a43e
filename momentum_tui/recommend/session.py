"""The app's live "For you": one ranker kept in memory, re-ranked after every mark.

The feed screen keeps one `LiveRecommender`. It holds a read connection for as long as
its ranker lives (the ranker looks tags and channel names up lazily), serialises every
use with a lock (the app calls it from thread workers), narrows the candidates with the
feed's filters, turns rankings into cache rowids for the feed table, and remembers the
top of the last ranking in the `preferences` table, so the next launch can show it at
once while the features (about 240 ms at 100,000 videos) load in the background.

Marks reach it through `note_mark` right after they are written: they queue up and are
applied before the next ranking (a mark is the video's whole new state, so applying one
twice is harmless), which keeps a mark made while the features were loading from being
lost. Plain Python: no Textual here.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field

import numpy as np

from momentum_tui.config import RecommendSettings
from momentum_tui.models import FeedRow, Filters
from momentum_tui.recommend import queries
from momentum_tui.recommend.digest import Digest, build_digest
from momentum_tui.recommend.features import (
    FORMATS,
    LIVE,
    MOODS,
    TOPICS,
    UPCOMING,
    BoolArray,
    Features,
    IntArray,
    codes_in,
)
from momentum_tui.recommend.feeds import smart_feed
from momentum_tui.recommend.memory import SAVED_ROWS, SavedOrder, save_order
from momentum_tui.recommend.ranker import Ask, Ranker, Ranking, Term
from momentum_tui.recommend.reasons import Explainer
from momentum_tui.storage import Store
from momentum_tui.storage import feed as feed_queries

ROW_REASONS = 3
"""Reasons kept per row; the table shows as many as fit on the line."""


_EVERYTHING = Ask()


@dataclass
class _NarrowedRanker(Ranker):
    """A ranker whose candidates are also narrowed by the feed's filters (`only`)."""

    only: BoolArray | None = None

    def candidates(self, ask: Ask = _EVERYTHING) -> BoolArray:
        """The ranker's candidates for `ask`, within `only` when it is set."""
        mask = super().candidates(ask)
        return mask if self.only is None else mask & self.only


@dataclass(frozen=True)
class SmartAsk:
    """What the smart-feed picker asks for: a mood, a time budget and topics (each optional)."""

    mood: str | None = None
    minutes: int | None = None
    topics: tuple[str, ...] = ()

    def describe(self) -> str:
        """`calm · 25 min · science` for the status bar."""
        parts = [self.mood or "any mood"]
        if self.minutes is not None:
            parts.append(f"{self.minutes} min")
        parts.extend(self.topics)
        return " · ".join(parts)


@dataclass
class Listing:
    """One ordered For-you list, ready for the feed table."""

    rowids: array[int]
    reasons: dict[int, tuple[str, ...]]
    """Reasons of the first rows by rowid (the rest are explained when their page loads)."""
    candidates: int
    cold: bool
    total_seconds: int | None = None
    """A smart feed's total length."""
    notes: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    """Everything `why` shows about one video: the score, its terms and where it ranks."""

    video_id: str
    score: float
    position: int | None
    excluded: str | None
    terms: list[tuple[Term, str]]
    reasons: list[str]

    @property
    def total(self) -> float:
        """The sum of the terms (equal to `score`)."""
        return sum(term.contribution for term, _ in self.terms)

    @classmethod
    def of(
        cls, video_id: str, index: int, ranker: Ranker, ranking: Ranking, explainer: Explainer
    ) -> Explanation:
        """The breakdown of the video at `index` in `ranker`'s features."""
        return cls(
            video_id=video_id,
            score=float(ranking.score[index]),
            position=ranking.position(index),
            excluded=excluded_because(ranker, index),
            terms=explainer.explain(index),
            reasons=explainer.reasons(index),
        )


def excluded_because(ranker: Ranker, index: int) -> str | None:
    """Why a video is not a For-you candidate (watched, hidden…), or None if it is one."""
    state = ranker.features.state
    if state.watched_at[index]:
        return "watched"
    if state.hidden_at[index]:
        return "hidden"
    if state.rating[index] < 0:
        return "disliked"
    if ranker.rule_hidden[index]:
        return "hidden by a rule"
    if ranker.features.live[index] == UPCOMING:
        return "upcoming"
    return None


def filter_mask(features: Features, filters: Filters, conn: sqlite3.Connection) -> BoolArray | None:
    """The videos the feed's filters let through (None when nothing narrows the list).

    Search and sort are not here: For you has its own order, and a search is shown on
    the Subscriptions tab. Unwatched-only needs nothing: For you is unwatched already.
    """
    f = features
    mask = np.ones(len(f), dtype=np.bool_)
    narrowed = False

    def narrow(condition: BoolArray) -> None:
        nonlocal mask, narrowed
        mask &= condition
        narrowed = True

    if filters.hide_shorts:
        narrow(~f.is_short)
    if filters.hide_live:
        narrow(f.live != LIVE)
    if filters.min_seconds is not None:
        narrow(f.duration >= filters.min_seconds)
    if filters.max_seconds is not None:
        narrow((f.duration >= 0) & (f.duration <= filters.max_seconds))
    if filters.channel_id:
        narrow(f.channel_mask([filters.channel_id]))
    if filters.channel_tag:
        narrow(f.channel_mask(queries.tagged_channels(conn, filters.channel_tag)))
    if filters.saved_only:
        narrow(f.state.saved_at > 0)
    for values, column, vocabulary in (
        (filters.topics, f.topic, TOPICS),
        (filters.moods, f.mood, MOODS),
        (filters.formats, f.format, FORMATS),
    ):
        if values:
            narrow(codes_in(column, values, vocabulary))
    if filters.max_clickbait is not None:
        narrow(f.clickbait <= filters.max_clickbait + 1e-9)
    return mask if narrowed else None


class LiveRecommender:
    """The ranker behind the app's For-you tab (see the module notes)."""

    def __init__(
        self, store: Store, settings: RecommendSettings, clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.ranker: _NarrowedRanker | None = None
        self.ranking: Ranking | None = None
        self._explainer: Explainer | None = None
        self._conn: sqlite3.Connection | None = None
        self._generation = 0
        self._held = ExitStack()
        self._lock = threading.RLock()
        self._marks_lock = threading.Lock()
        self._pending: list[tuple[str, dict[str, int | None]]] = []
        self._stale = False
        self._listed: tuple[Ranking, Filters | None, Listing] | None = None
        """The last `rank`: the ranking it made, for which filters, and its listing."""
        self._rowids: tuple[Features, IntArray] | None = None
        """The features' rowids, as far as they were looked up (-1: not yet)."""

    # -- life cycle -------------------------------------------------------------------

    def load(self) -> None:
        """(Re)load features, rules, keywords and marks: after a sync, labels or rule change."""
        with self._lock:
            with self._marks_lock:
                # Marks noted before this point are already in the cache this load reads.
                known = len(self._pending)
                self._stale = False
            ranker = _NarrowedRanker.load(self._connection(), self.settings, self.clock())
            assert isinstance(ranker, _NarrowedRanker)  # `load` builds `cls`
            self.ranker = ranker
            self.ranking = None
            self._explainer = None
            with self._marks_lock:
                del self._pending[:known]

    def close(self) -> None:
        """Give the read connection back."""
        with self._lock:
            self.ranker = None
            self.ranking = None
            self._explainer = None
            self._conn = None
            self._held.close()

    def invalidate(self) -> None:
        """The cache changed (a sync, new labels, a rule): reload before the next ranking."""
        with self._marks_lock:
            self._stale = True

    def note_mark(self, video_id: str, state: dict[str, int | None]) -> None:
        """A mark was written: take it into account at the next ranking (cheap; any thread)."""
        with self._marks_lock:
            self._pending.append((video_id, dict(state)))

    def _ready(self) -> _NarrowedRanker:
        with self._marks_lock:
            stale = self._stale
        if self.ranker is None or stale:
            self.load()
        assert self.ranker is not None
        with self._marks_lock:
            pending, self._pending = self._pending, []
        features = self.ranker.features
        changed = False
        for video_id, state in pending:
            index = features.index_of(video_id)
            if index is not None:  # not loaded: its channel is unfollowed
                changed |= features.state.set(index, state)
        if changed:  # (a mark noted twice, or one the load read already, changes nothing)
            self.ranker.relearn()
            self.ranking = None
        return self.ranker

    # -- lists ------------------------------------------------------------------------

    def rank(self, filters: Filters | None = None) -> Listing:
        """The For-you order within the feed's filters, with reasons for the first rows.

        Asked again with the same filters and nothing changed since, the same listing.
        """
        with self._lock:
            ranker = self._ready()
            listed = self._listed
            if listed is not None and listed[0] is self.ranking and listed[1] == filters:
                return listed[2]
            assert self._conn is not None
            ranker.only = filter_mask(ranker.features, filters, self._conn) if filters else None
            self._set_ranking(ranker.rank())
            assert self.ranking is not None
            listing = self._listing(self.ranking.order, int(self.ranking.candidates.sum()))
            self._listed = (self.ranking, filters, listing)
            return listing

    def smart(self, ask: SmartAsk, filters: Filters | None = None) -> Listing:
        """A smart feed (mood, minutes, topics) within the feed's filters."""
        with self._lock:
            ranker = self._ready()
            assert self._conn is not None
            ranker.only = filter_mask(ranker.features, filters, self._conn) if filters else None
            feed = smart_feed(
                ranker, mood=ask.mood, minutes=ask.minutes, topics=ask.topics, limit=200
            )
            ranker.only = None
            self._ranking(ranker)
            picks = np.array([p.index for p in feed.picks], dtype=np.int64)
            listing = self._listing(picks, feed.candidates)
            listing.total_seconds = feed.total_seconds
            listing.notes = feed.notes
            return listing

    def _connection(self) -> sqlite3.Connection:
        """The read connection this recommender holds between loads (opened on first use).

        Borrowed again when the store reopened on a replaced file (a restore).
        """
        if self._conn is not None and self._generation != self.store.generation:
            self._conn = None
            self._held.close()
        if self._conn is None:
            self._generation = self.store.generation
            self._conn = self._held.enter_context(self.store.read())
        return self._conn

    def _ranking(self, ranker: Ranker) -> Ranking:
        """The current unfiltered ranking, made now if there is none."""
        if self.ranking is None:
            self._set_ranking(ranker.rank())
        assert self.ranking is not None
        return self.ranking

    def _set_ranking(self, ranking: Ranking) -> None:
        assert self.ranker is not None
        self.ranking = ranking
        self._explainer = Explainer(self.ranker, ranking)

    def _listing(self, order: IntArray, candidates: int) -> Listing:
        assert self.ranker is not None
        assert self._explainer is not None
        rowids = self._rowids_at(order)
        listed = rowids > 0  # a video deleted from the cache since the load has none
        order, rowids = order[listed], rowids[listed]
        explained = self._explainer.reasons_of(order[:SAVED_ROWS].tolist(), ROW_REASONS)
        head = rowids[:SAVED_ROWS].tolist()
        reasons = {rowid: tuple(why) for rowid, why in zip(head, explained, strict=True)}
        shown: array[int] = array("q")
        shown.frombytes(rowids.astype(np.int64).tobytes())
        return Listing(shown, reasons, candidates, self.ranker.tastes.cold)

    def _rowids_at(self, indexes: IntArray) -> IntArray:
        """The cache rowids of the videos at `indexes` of the features (0: none), each read
        once per load."""
        assert self.ranker is not None
        assert self._conn is not None
        features = self.ranker.features
        if self._rowids is None or self._rowids[0] is not features:
            self._rowids = (features, np.full(len(features), -1, dtype=np.int64))
        known = self._rowids[1]
        wanted = indexes[known[indexes] < 0]
        if len(wanted):
            ids = [features.ids[index] for index in wanted.tolist()]
            found = feed_queries.rowids_by_id(self._conn, ids)
            known[wanted] = [found.get(video_id, 0) for video_id in ids]
        result: IntArray = known[indexes]
        return result

    def explain_rows(self, rows: Iterable[FeedRow]) -> None:
        """Give rows their reasons (rows of videos the ranker does not know keep none)."""
        with self._lock:
            if self.ranker is None or self._explainer is None:
                return
            features = self.ranker.features
            known = [(row, at) for row in rows if (at := features.index_of(row.id)) is not None]
            explained = self._explainer.reasons_of([index for _, index in known], ROW_REASONS)
            for (row, _), why in zip(known, explained, strict=True):
                row.reasons = tuple(why)

    def save_order(self, listing: Listing) -> None:
        """Remember the top of a plain ranking for the next launch."""
        save_order(self.store, SavedOrder(list(listing.rowids[:SAVED_ROWS]), listing.reasons))

    # -- one video, the digest --------------------------------------------------------

    def explain(self, video_id: str) -> Explanation | None:
        """The full breakdown of one video's score (None if the ranker does not know it)."""
        with self._lock:
            ranker = self._ready()
            ranking = self._ranking(ranker)
            assert self._explainer is not None
            index = ranker.features.index_of(video_id)
            if index is None:
                return None
            return Explanation.of(video_id, index, ranker, ranking, self._explainer)

    def digest(self, since: int) -> Digest:
        """What was published since `since`, by topic (scores from the current tastes)."""
        with self._lock:
            ranker = self._ready()
            return build_digest(ranker, self._ranking(ranker), since)

    def rowid_of(self, video_id: str) -> int | None:
        """The cache rowid of a video (for jumping to it)."""
        with self._lock:
            return feed_queries.rowids_by_id(self._connection(), [video_id]).get(video_id)
