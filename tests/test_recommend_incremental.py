"""Re-ranking after marks equals ranking from scratch, and the fast MMR equals the plain one.

After a mark the live recommender learns again from what it kept of the load (each marked
video's tag codes, the catalogue's shares, the terms a mark never moves, the rowids) —
these tests hold it to a recommender that reads everything from the cache anew: the same
order, the same reasons, the same scores to the last bit.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentum_tui.config import RecommendSettings
from momentum_tui.models import Mark
from momentum_tui.recommend.diversity import (
    SAME_CHANNEL,
    SAME_FORMAT,
    SAME_TOPIC,
    WINDOW,
    DiversityOptions,
    diversify,
)
from momentum_tui.recommend.session import LiveRecommender
from momentum_tui.storage import Store
from momentum_tui.storage.marks import toggle_mark, undo_last
from tests.conftest import DEMO_NOW

MARKS = (Mark.LIKED, Mark.DISLIKED, Mark.SAVED, Mark.HIDDEN, Mark.WATCHED)


def _copy(template: Path, target: Path) -> Store:
    source, destination = sqlite3.connect(template), sqlite3.connect(target)
    source.backup(destination)
    source.close()
    destination.close()
    return Store.open(target)


def _live(store: Store) -> LiveRecommender:
    return LiveRecommender(store, RecommendSettings(), lambda: DEMO_NOW)


# Each step: which of the top 60 picks (or of every video), which mark, whether to undo
# instead, and whether the app re-ranks before the next mark (marks may pile up).
_STEP = st.tuples(st.integers(0, 59), st.sampled_from(MARKS), st.booleans(), st.booleans())


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(_STEP, min_size=1, max_size=8))
def test_reranking_after_marks_equals_ranking_from_scratch(
    demo_template: Path, tmp_path_factory: object, steps: list[tuple[int, Mark, bool, bool]]
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        store = _copy(demo_template, Path(tmp) / "demo.db")
        live = _live(store)
        listing = live.rank()
        with store.read() as conn:
            ids = dict(conn.execute("SELECT rowid, id FROM videos").fetchall())
        for pick, mark, undo, rank_now in steps:
            video_id = ids[listing.rowids[pick % len(listing.rowids)]]
            result = undo_last(store, now=DEMO_NOW) if undo else None
            if result is None:
                result = toggle_mark(store, video_id, mark, now=DEMO_NOW)
            live.note_mark(result.video_id, result.state)
            if rank_now:
                listing = live.rank()
        after = live.rank()
        fresh = _live(store)
        scratch = fresh.rank()
        assert list(after.rowids) == list(scratch.rowids)
        assert after.reasons == scratch.reasons
        assert (after.candidates, after.cold) == (scratch.candidates, scratch.cold)
        assert live.ranking is not None and fresh.ranking is not None
        assert np.array_equal(live.ranking.score, fresh.ranking.score)  # bit for bit
        for name, term in live.ranking.terms.items():
            assert np.array_equal(term, fresh.ranking.terms[name]), name
        for rowid in list(after.rowids[:3]):
            mine, theirs = live.explain(ids[rowid]), fresh.explain(ids[rowid])
            assert mine is not None and theirs is not None
            assert (mine.reasons, mine.position) == (theirs.reasons, theirs.position)
            assert [(t.signal, t.contribution) for t, _ in mine.terms] == [
                (t.signal, t.contribution) for t, _ in theirs.terms
            ]
        live.close()
        fresh.close()
        store.close()


def test_a_like_moves_the_liked_channel_and_its_reasons_count_it(demo_store: Store) -> None:
    live = _live(demo_store)
    first = live.rank()
    with demo_store.read() as conn:
        ids = dict(conn.execute("SELECT rowid, id FROM videos").fetchall())
    liked = ids[first.rowids[5]]
    result = toggle_mark(demo_store, liked, Mark.LIKED, now=DEMO_NOW)
    live.note_mark(result.video_id, result.state)
    after = live.rank()
    assert after.rowids != first.rowids  # the tastes moved…
    assert after.reasons == _live(demo_store).rank().reasons  # …as a fresh load sees them
    live.close()


def _plain_mmr(
    pool: np.ndarray, score: np.ndarray, channel: np.ndarray, topic: np.ndarray,
    fmt: np.ndarray, options: DiversityOptions, picks: int,
) -> list[int]:  # fmt: skip
    """MMR as written down: every pick scans the whole pool (the reference)."""
    size = len(pool)
    rel = score[pool]
    low, high = float(rel.min()), float(rel.max())
    rel = (rel - low) / (high - low) if high > low else np.ones(size)
    ch, tp, fm = channel[pool], topic[pool], fmt[pool]
    max_sim = np.zeros(size)
    available = np.ones(size, dtype=np.bool_)
    picked: list[int] = []
    for _ in range(min(picks, size)):
        value = np.where(available, options.lam * rel - (1 - options.lam) * max_sim, -np.inf)
        recent = picked[-(WINDOW - 1) :]
        channels = Counter(int(ch[i]) for i in recent)
        topics = Counter(int(tp[i]) for i in recent)
        blocked = np.zeros(size, dtype=np.bool_)
        for code, count in channels.items():
            if count >= options.channel_cap:
                blocked |= ch == code
        for code, count in topics.items():
            if count >= options.topic_cap and code >= 0:
                blocked |= tp == code
        allowed = np.where(blocked, -np.inf, value)
        if np.isfinite(allowed).any():
            value = allowed
        best = int(np.argmax(value))
        picked.append(best)
        available[best] = False
        similarity = (
            SAME_CHANNEL * (ch == ch[best])
            + SAME_TOPIC * ((tp == tp[best]) & (tp >= 0))
            + SAME_FORMAT * ((fm == fm[best]) & (fm >= 0))
        )
        np.maximum(max_sim, similarity, out=max_sim)
    return [int(pool[i]) for i in picked]


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 6), st.integers(-1, 4), st.integers(-1, 3), st.integers(0, 12)),
        min_size=2,
        max_size=300,
    ),
    lam=st.sampled_from([0.45, 0.73, 0.85, 1.0]),
    caps=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    picks=st.integers(1, 120),
    shuffled=st.booleans(),
)
def test_fast_mmr_picks_what_scanning_the_whole_pool_picks(
    data: list[tuple[int, int, int, int]],
    lam: float,
    caps: tuple[int, int],
    picks: int,
    shuffled: bool,
) -> None:
    channel, topic, fmt, points = (np.array(column) for column in zip(*data, strict=True))
    score = points / 4.0  # coarse: many ties, which the first entry must win
    pool = np.argsort(-score, kind="stable")  # best first, as the ranker hands it over
    if shuffled:  # not ordered by score: every pick scans the whole pool
        pool = pool[::-1].copy()
    options = DiversityOptions(lam, *caps)
    fast = diversify(pool, score, channel, topic, fmt, options, picks=picks).tolist()
    assert fast == _plain_mmr(pool, score, channel, topic, fmt, options, picks)
