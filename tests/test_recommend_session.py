"""The app's live recommender without Textual: marks, filters, saved order, visits, why."""

from __future__ import annotations

import numpy as np
import pytest

from momentum_tui.config import RecommendSettings
from momentum_tui.models import Filters, Mark
from momentum_tui.recommend.memory import (
    LAST_VISIT_PREF,
    SAVED_ORDER_PREF,
    SavedOrder,
    last_visit,
    load_saved_order,
    record_visit,
)
from momentum_tui.recommend.session import LiveRecommender, SmartAsk, filter_mask
from momentum_tui.screens.digest import DigestScreen, windows
from momentum_tui.storage import Store
from momentum_tui.storage.marks import mark_video
from tests.conftest import DEMO_NOW


def live(store: Store) -> LiveRecommender:
    return LiveRecommender(store, RecommendSettings(), lambda: DEMO_NOW)


def ids_of(store: Store, rowids: list[int]) -> list[str]:
    with store.read() as conn:
        found = dict(conn.execute("SELECT rowid, id FROM videos").fetchall())
    return [found[rowid] for rowid in rowids]


def test_a_noted_mark_counts_at_the_next_ranking(demo_store: Store) -> None:
    recommender = live(demo_store)
    first = recommender.rank()
    top = ids_of(demo_store, list(first.rowids[:1]))[0]
    result = mark_video(demo_store, top, Mark.WATCHED, now=DEMO_NOW)
    assert ids_of(demo_store, list(recommender.rank().rowids[:1]))[0] == top  # not noted yet
    recommender.note_mark(result.video_id, result.state)
    after = recommender.rank()
    assert top not in ids_of(demo_store, list(after.rowids))
    assert after.candidates == first.candidates - 1
    recommender.close()


def test_marks_noted_before_a_load_are_not_applied_twice_and_invalidate_reloads(
    demo_store: Store,
) -> None:
    recommender = live(demo_store)
    listing = recommender.rank()
    top = ids_of(demo_store, list(listing.rowids[:1]))[0]
    result = mark_video(demo_store, top, Mark.HIDDEN, now=DEMO_NOW)
    recommender.note_mark(result.video_id, result.state)
    recommender.invalidate()
    reloaded = recommender.rank()  # reloads features: the mark is read from the cache
    assert recommender._pending == []
    assert top not in ids_of(demo_store, list(reloaded.rowids))
    recommender.close()


def test_filters_narrow_the_candidates(demo_store: Store) -> None:
    recommender = live(demo_store)
    everything = recommender.rank()
    no_shorts = recommender.rank(Filters(hide_shorts=True))
    assert no_shorts.candidates < everything.candidates
    with demo_store.read() as conn:
        shorts = {r[0] for r in conn.execute("SELECT rowid FROM videos WHERE is_short = 1")}
    assert not shorts & set(no_shorts.rowids)
    music = recommender.rank(Filters(topics=("music",), max_seconds=300))
    with demo_store.read() as conn:
        marks = ",".join("?" * len(music.rowids))
        checked = conn.execute(
            f"SELECT count(*) FROM videos v JOIN video_labels l ON l.video_id = v.id "
            f"WHERE v.rowid IN ({marks}) AND l.topic = 'music' AND v.duration_s <= 300",
            list(music.rowids),
        ).fetchone()[0]
    assert 0 < checked == len(music.rowids)
    recommender.close()


def test_filter_mask_is_none_when_nothing_narrows(demo_store: Store) -> None:
    recommender = live(demo_store)
    ranker = recommender._ready()
    with demo_store.read() as conn:
        assert filter_mask(ranker.features, Filters(unwatched_only=True, search="x"), conn) is None
        channel = ranker.features.channel_ids[0]
        mask = filter_mask(ranker.features, Filters(channel_id=channel), conn)
    assert mask is not None
    assert set(np.flatnonzero(mask)) == set(np.flatnonzero(ranker.features.channel == 0))
    recommender.close()


def test_a_smart_feed_fits_its_budget(demo_store: Store) -> None:
    recommender = live(demo_store)
    listing = recommender.smart(SmartAsk(None, 30, ()))
    with demo_store.read() as conn:
        marks = ",".join("?" * len(listing.rowids))
        total = conn.execute(
            f"SELECT sum(duration_s) FROM videos WHERE rowid IN ({marks})", list(listing.rowids)
        ).fetchone()[0]
    assert listing.total_seconds == total
    assert 0 < total <= 30 * 60
    assert SmartAsk("calm", 25, ("science",)).describe() == "calm · 25 min · science"
    recommender.close()


def test_why_terms_add_up_and_say_why_a_video_is_out(demo_store: Store) -> None:
    recommender = live(demo_store)
    listing = recommender.rank()
    top = ids_of(demo_store, list(listing.rowids[:1]))[0]
    explanation = recommender.explain(top)
    assert explanation is not None
    assert explanation.position == 0 and explanation.excluded is None
    assert explanation.total == pytest.approx(explanation.score)
    with demo_store.read() as conn:
        watched = conn.execute(
            "SELECT video_id FROM video_state WHERE watched_at IS NOT NULL AND rating = 0"
        ).fetchone()[0]
    out = recommender.explain(watched)
    assert out is not None and out.position is None and out.excluded == "watched"
    assert recommender.explain("no-such-video") is None
    recommender.close()


def test_the_saved_order_round_trips_and_bad_values_are_ignored(store: Store) -> None:
    order = SavedOrder([3, 1, 2], {3: ("You liked 2 videos about music",), 1: ()})
    again = SavedOrder.from_json(order.to_json())
    assert again is not None
    assert again.rowids == [3, 1, 2]
    assert again.reasons[3] == ("You liked 2 videos about music",)
    for bad in ("", "nope", "[]", '{"v": 2, "rows": [[1, []]]}', '{"v": 1, "rows": []}',
                '{"v": 1, "rows": [["x", 5]]}'):  # fmt: skip
        assert SavedOrder.from_json(bad) is None
    store.set_pref(SAVED_ORDER_PREF, "{broken")
    assert load_saved_order(store) is None


def test_a_ranking_is_remembered_for_the_next_launch(demo_store: Store) -> None:
    recommender = live(demo_store)
    listing = recommender.rank()
    recommender.save_order(listing)
    saved = load_saved_order(demo_store)
    assert saved is not None
    assert saved.rowids == list(listing.rowids[:100])
    assert all(saved.reasons[rowid] for rowid in saved.rowids)
    recommender.close()


def test_visits_are_recorded_and_the_previous_one_returned(store: Store) -> None:
    assert last_visit(store) is None
    assert record_visit(store, 1000) is None
    assert record_visit(store, 2000) == 1000
    assert last_visit(store) == 2000
    store.set_pref(LAST_VISIT_PREF, "not a time")
    assert last_visit(store) is None


def test_the_digest_starts_at_the_last_visit_or_a_week_back(store: Store) -> None:
    now = float(DEMO_NOW)
    assert [label for label, _ in windows(DEMO_NOW - 100, now)] == [
        "your last visit", "the last day", "the last week",
    ]  # fmt: skip
    recommender = live(store)
    with_visit = DigestScreen(recommender, visit=DEMO_NOW - 100, now=now)
    assert with_visit.choices[with_visit.window] == ("your last visit", DEMO_NOW - 100)
    first_time = DigestScreen(recommender, visit=None, now=now)
    assert first_time.choices[first_time.window] == ("the last week", DEMO_NOW - 7 * 86400)
