"""Ranking: likes lift a topic, hidden channels vanish, rules and caps hold, reasons add up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentum_tui.config import RecommendSettings
from momentum_tui.models import Mark
from momentum_tui.recommend.diversity import DiversityOptions, diversify
from momentum_tui.recommend.features import load_features
from momentum_tui.recommend.feeds import fit_budget, picks, smart_feed
from momentum_tui.recommend.ranker import Ranker
from momentum_tui.recommend.reasons import Explainer
from momentum_tui.recommend.text_masks import TextMasks
from momentum_tui.records import VideoLabels
from momentum_tui.rules.masks import apply_rules, rule_mask
from momentum_tui.rules.spec import Rule, RuleSpec, evaluate, matches
from momentum_tui.rules.store import add_rule
from momentum_tui.storage import Store
from momentum_tui.storage import feed as feed_queries
from momentum_tui.storage.marks import mark_video
from tests.conftest import DEMO_NOW
from tests.factories import add, channel_id, make_video

NOW = 1_800_000_000


def _label(store: Store, video_id: str, topic: str, mood: str = "calm", fmt: str = "explainer",
           clickbait: float = 0.1, tags: list[str] | None = None) -> None:  # fmt: skip
    from momentum_tui.ai.queries import save_labels

    labels = VideoLabels(
        topic=topic, mood=mood, format=fmt, clickbait=clickbait, plain_title="t", summary="s",
        tags=tags or [], source="local",
    )  # fmt: skip
    with store.write() as db:
        save_labels(db, [(video_id, labels)], NOW)


@pytest.fixture
def small(store: Store) -> Store:
    """Six channels, 60 videos over 10 days; two topics (science, gaming), all labelled."""
    videos = []
    for n in range(60):
        ch = n % 6
        videos.append(
            make_video(
                n,
                channel_id=channel_id(ch),
                channel_title=f"Channel {ch}",
                published_at=NOW - 86400 * 10 + n * 14000,
                view_count=1000 + 10 * n,
                like_count=50,
            )
        )
    add(store, *videos, now=NOW)
    for video in videos:
        topic = "science" if int(video.channel_id[-1]) < 3 else "gaming"
        _label(store, video.id, topic, tags=["space"] if topic == "science" else ["speedrun"])
    return store


def _ranker(store: Store, **overrides: object) -> Ranker:
    conn = store.read().__enter__()  # held for the test's life
    return Ranker.load(conn, RecommendSettings.from_dict(overrides), NOW)


def _top_topics(ranker: Ranker, k: int = 10) -> list[int]:
    ranking = ranker.rank()
    return [int(ranker.features.topic[i]) for i in ranking.order[:k]]


def test_a_liked_topic_rises(small: Store) -> None:
    science = 0  # TOPICS.index("science")
    before = _top_topics(_ranker(small, topic_cap=10, channel_cap=10)).count(science)
    for n in (0, 1, 2, 6, 7):  # channels 0–2: science
        mark_video(small, f"v{n:010d}", Mark.LIKED, now=NOW - 3600)
    after = _top_topics(_ranker(small, topic_cap=10, channel_cap=10)).count(science)
    assert after > before
    assert after >= 8


def test_first_likes_reorder_in_memory_without_rereading(small: Store) -> None:
    ranker = _ranker(small, topic_cap=10, channel_cap=10)
    gaming = ranker.features.topic[ranker.features.index_of("v0000000003")]
    first = ranker.rank()
    for n in (3, 4, 5):
        assert ranker.mark(f"v{n:010d}", {"rating": 1, "rated_at": NOW - 60})
    second = ranker.rank()
    share = lambda r: float(np.mean(ranker.features.topic[r.order[:10]] == gaming))  # noqa: E731
    assert share(second) > share(first)


def test_watched_hidden_and_disliked_videos_are_not_recommended(small: Store) -> None:
    mark_video(small, "v0000000010", Mark.WATCHED, now=NOW)
    mark_video(small, "v0000000011", Mark.HIDDEN, now=NOW)
    mark_video(small, "v0000000012", Mark.DISLIKED, now=NOW)
    ranker = _ranker(small)
    shown = {ranker.features.ids[int(i)] for i in ranker.rank().order}
    assert not shown & {"v0000000010", "v0000000011", "v0000000012"}
    assert len(shown) == 57


def test_a_hide_rule_on_a_channel_removes_it(small: Store) -> None:
    with small.write() as db:
        add_rule(db, RuleSpec(action="hide", channels=[channel_id(1)]), now=NOW)
    ranker = _ranker(small)
    channels = {
        ranker.features.channel_ids[ranker.features.channel[i]] for i in ranker.rank().order
    }
    assert channel_id(1) not in channels
    assert len(channels) == 5


def test_boost_and_bury_rules_move_videos(small: Store) -> None:
    plain = _ranker(small)
    base = plain.rank()
    with small.write() as db:
        add_rule(db, RuleSpec(action="boost", channels=[channel_id(5)], weight=3), now=NOW)
        add_rule(db, RuleSpec(action="bury", channels=[channel_id(0)], weight=3), now=NOW)
    ruled = _ranker(small)
    ranking = ruled.rank()
    f = ruled.features
    code = {c: i for i, c in enumerate(f.channel_ids)}
    boosted = np.flatnonzero(f.channel == code[channel_id(5)])
    buried = np.flatnonzero(f.channel == code[channel_id(0)])
    assert np.allclose(ranking.score[boosted] - base.score[boosted], 3.0)
    assert np.allclose(ranking.score[buried] - base.score[buried], -3.0)
    assert "Your rules" in " ".join(Explainer(ruled, ranking).reasons(int(boosted[-1])))


def test_keyword_preferences_lift_matching_titles(small: Store) -> None:
    from momentum_tui.recommend.prefs import add_keyword

    with small.write() as db:
        db.conn.execute("UPDATE videos SET title = 'Rust in 100 seconds' WHERE id = 'v0000000000'")
        db.conn.execute("UPDATE videos SET title = 'Trust me' WHERE id = 'v0000000001'")
        add_keyword(db, "rust", 2.0, now=NOW)
    ranker = _ranker(small)
    ranking = ranker.rank()
    rust, trust = ranker.features.index_of("v0000000000"), ranker.features.index_of("v0000000001")
    assert ranking.terms["keyword"][rust] == pytest.approx(2.0)
    assert ranking.terms["keyword"][trust] == 0  # whole words only
    assert ranking.position(rust) == 0
    assert Explainer(ranker, ranking).reasons(rust)[0] == "Matches your keyword “rust”"


def test_diversity_caps_hold_in_every_window_of_ten(demo_store: Store) -> None:
    with demo_store.read() as conn:
        ranker = Ranker.load(conn, RecommendSettings(), DEMO_NOW)
        order = ranker.rank().order[:60]
        f = ranker.features
        for start in range(51):
            window = order[start : start + 10]
            _, per_channel = np.unique(f.channel[window], return_counts=True)
            topics = f.topic[window]
            _, per_topic = np.unique(topics[topics >= 0], return_counts=True)
            assert per_channel.max() <= 2
            assert per_topic.max() <= 2


def _cap_breaches(
    order: list[int], ch: np.ndarray, tp: np.ndarray, caps: tuple[int, int]
) -> list[int]:
    """Positions where a capped pick was made although an uncapped one was still available."""
    channel_cap, topic_cap = caps
    breaches = []
    for k, pick in enumerate(order):
        recent = order[max(0, k - 9) : k]  # with the pick itself: ten in a row

        def capped(i: int, recent: list[int] = recent) -> bool:
            same_channel = sum(1 for r in recent if ch[r] == ch[i])
            same_topic = sum(1 for r in recent if tp[r] == tp[i])
            return same_channel >= channel_cap or (tp[i] >= 0 and same_topic >= topic_cap)

        rest = set(range(len(order))) - set(order[:k])
        if capped(pick) and any(not capped(i) for i in rest):
            breaches.append(k)
    return breaches


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=12, max_size=40),
    st.lists(st.integers(-1, 4), min_size=12, max_size=40),
)
def test_mmr_keeps_caps_when_the_pool_allows_it(channels: list[int], topics: list[int]) -> None:
    size = min(len(channels), len(topics))
    pool = np.arange(size)
    score = np.linspace(1, 0, size)
    ch, tp = np.array(channels[:size]), np.array(topics[:size])
    order = diversify(pool, score, ch, tp, np.zeros(size, int), DiversityOptions(0.8, 2, 3))
    assert sorted(order.tolist()) == list(range(size))  # a permutation
    # The first pick is always the best-scored one.
    assert order[0] == 0
    # Each pick breaks a cap only when every video left would break one.
    assert _cap_breaches(order.tolist(), ch, tp, (2, 3)) == []


def test_mmr_caps_a_flooding_channel_in_every_window_of_ten() -> None:
    # The 20 best-scored videos all come from channel 0 (topic 0); 30 others follow.
    size = 50
    ch = np.array([0] * 20 + [1 + n % 5 for n in range(30)])
    tp = np.array([0] * 20 + [1 + n % 4 for n in range(30)])
    order = diversify(
        np.arange(size), np.linspace(1, 0, size), ch, tp, np.zeros(size, int),
        DiversityOptions(0.95, 2, 3),
    )  # fmt: skip
    top = order[:30].tolist()  # 6 from channel 0 and 24 others: the others last that far
    for start in range(len(top) - 9):
        window = top[start : start + 10]
        assert max(np.bincount(ch[window])) <= 2, (start, ch[window])
        assert max(np.bincount(tp[window])) <= 3, (start, tp[window])


def test_reasons_match_the_score(demo_store: Store) -> None:
    with demo_store.read() as conn:
        ranker = Ranker.load(conn, RecommendSettings(), DEMO_NOW)
        ranking = ranker.rank()
        explainer = Explainer(ranker, ranking)
        for index in ranking.order[:25]:
            i = int(index)
            terms = ranker.breakdown(ranking, i)
            assert sum(t.contribution for t in terms) == pytest.approx(ranking.score[i])
            reasons = explainer.reasons(i)
            assert 1 <= len(reasons) <= 2
            # Every quoted reason comes from one of the largest positive terms.
            top = sorted(terms, key=lambda t: -t.contribution)[:2]
            sentences = {explainer.sentence(t.signal, i) for t in top}
            assert set(reasons) <= sentences


def test_cold_start_ranks_fresh_honest_videos_first(small: Store) -> None:
    with small.write() as db:
        db.conn.execute("UPDATE video_labels SET clickbait = 0.95 WHERE video_id = 'v0000000059'")
    ranker = _ranker(small)
    assert ranker.tastes.cold
    ranking = ranker.rank()
    newest_honest = ranker.features.index_of("v0000000058")
    baity = ranker.features.index_of("v0000000059")
    assert ranking.score[newest_honest] > ranking.score[baity]
    assert ranking.position(newest_honest) == 0
    assert Explainer(ranker, ranking).reasons(newest_honest)[0].startswith("Uploaded")


def test_rule_masks_agree_with_rules_matches(demo_store: Store) -> None:
    specs = [
        RuleSpec(action="hide", shorts=True),
        RuleSpec(action="bury", topics=["music"], max_seconds=300),
        RuleSpec(action="boost", title_words=["official", "live"], moods=["upbeat"]),
        RuleSpec(action="hide", formats=["news"], shorts=True),
        RuleSpec(action="bury", min_seconds=1200, shorts=False),
    ]
    with demo_store.read() as conn:
        features = load_features(conn)
        text = TextMasks(conn, features)
        rows = {
            r.id: r
            for r in feed_queries.feed_page(conn, feed_queries.Filters(include_hidden=True), 5000)
        }
        for spec in specs:
            mask = rule_mask(spec, features, text)
            for index, video_id in enumerate(features.ids):
                assert mask[index] == matches(spec, rows[video_id]), (spec, video_id)


def test_apply_rules_says_what_evaluate_says_for_each_row(demo_store: Store) -> None:
    rules = [
        Rule(1, RuleSpec(action="hide", shorts=True)),
        Rule(2, RuleSpec(action="bury", topics=["music"], weight=2)),
        Rule(3, RuleSpec(action="boost", title_words=["official"], weight=1.5)),
        Rule(4, RuleSpec(action="boost", moods=["upbeat"]), enabled=False),
        Rule(5, RuleSpec(action="notify", topics=["music"])),  # announces; never weighs
    ]
    with demo_store.read() as conn:
        features = load_features(conn)
        hidden, weight, masks = apply_rules(rules, features, TextMasks(conn, features))
        rows = {
            r.id: r
            for r in feed_queries.feed_page(conn, feed_queries.Filters(include_hidden=True), 5000)
        }
    assert 4 not in masks  # a rule that is off weighs nothing
    assert 5 not in masks  # nor does a notify rule (no mask, no "why" reason)
    assert hidden.any() and (weight > 0).any() and (weight < 0).any()
    for index, video_id in enumerate(features.ids):
        outcome = evaluate(rules, rows[video_id])
        assert (bool(hidden[index]), float(weight[index])) == (outcome.hidden, outcome.weight)


def test_title_word_rules_read_the_title_the_feed_reads(small: Store) -> None:
    """For you and Subscriptions hide the same videos: original titles, the SQL's casing."""
    from momentum_tui.ai.queries import save_labels

    add(small, make_video(900, title="Die Straße", published_at=NOW - 3600), now=NOW)
    claude = VideoLabels(
        topic="science", mood="calm", format="explainer", clickbait=0.1,
        plain_title="Rocket launch explained", summary="s", source="claude",
    )  # fmt: skip
    with small.write() as db:
        save_labels(db, [("v0000000001", claude)], NOW)
        add_rule(db, RuleSpec(action="hide", title_words=["rocket"]))
        add_rule(db, RuleSpec(action="hide", title_words=["STRASSE"]))
    ranker = _ranker(small)
    with small.read() as conn:
        listed = {r.id for r in feed_queries.feed_page(conn, feed_queries.Filters(), 1000)}
    ranked = {ranker.features.ids[i] for i in ranker.rank().order}
    # Only a plain title (Claude's words) says "rocket"; only casefold() turns ß into ss.
    assert {"v0000000001", "v0000000900"} <= listed
    assert ranked == listed


@given(st.lists(st.integers(-5, 4000), max_size=30), st.integers(0, 7200))
def test_fit_budget_never_overruns(durations: list[int], budget: int) -> None:
    kept = fit_budget(list(range(len(durations))), durations, budget)
    assert sum(durations[i] for i in kept) <= budget
    assert kept == sorted(kept)
    assert all(durations[i] > 0 for i in kept)


def test_fit_budget_takes_a_video_that_fills_the_budget_exactly() -> None:
    assert fit_budget([0], [1500], 1500) == [0]
    assert fit_budget([0], [1501], 1500) == []
    assert fit_budget([0, 1, 2], [900, 700, 600], 1500) == [0, 2]  # 600 fills what's left
    assert fit_budget([0, 1], [1440, 60], 1500) == [0, 1]  # a minute left is still room
    assert fit_budget([0, 1], [1441, 59], 1500) == [0]  # under a minute left: stop


def _timed(store: Store, seconds: list[int]) -> list[str]:
    videos = [
        make_video(n, channel_id=channel_id(n), duration_s=s, published_at=NOW - 3600 * (n + 1))
        for n, s in enumerate(seconds)
    ]
    add(store, *videos, now=NOW)
    for video in videos:
        _label(store, video.id, "science")
    return [video.id for video in videos]


def test_a_smart_feed_keeps_a_video_exactly_as_long_as_the_minutes_asked(store: Store) -> None:
    exact, over = _timed(store, [25 * 60, 25 * 60 + 1])
    feed = smart_feed(_ranker(store), minutes=25)
    assert [p.video_id for p in feed.picks] == [exact]
    assert feed.total_seconds == 25 * 60
    # The longer one is a fine candidate otherwise: with more minutes both fit.
    assert {p.video_id for p in smart_feed(_ranker(store), minutes=51).picks} == {exact, over}


def test_smart_feed_fits_the_budget_and_the_mood(demo_store: Store) -> None:
    with demo_store.read() as conn:
        ranker = Ranker.load(conn, RecommendSettings(), DEMO_NOW)
        for mood, minutes in (("funny", 25), ("informative", 60), ("energetic", 8)):
            feed = smart_feed(ranker, mood=mood, minutes=minutes)
            f = ranker.features
            assert feed.picks
            assert feed.total_seconds <= minutes * 60
            assert feed.total_seconds == sum(int(f.duration[p.index]) for p in feed.picks)
            from momentum_tui.recommend.features import MOODS

            assert all(MOODS[f.mood[p.index]] in feed.moods for p in feed.picks)
            if minutes >= 10:
                assert not any(f.is_short[p.index] for p in feed.picks)
        # A rare mood widens to its neighbours, and says so.
        calm = smart_feed(ranker, mood="calm", minutes=25, topics=("science",))
        assert calm.total_seconds <= 25 * 60
        assert calm.moods[0] == "calm"


def test_picks_carry_ids_scores_and_reasons(demo_store: Store) -> None:
    with demo_store.read() as conn:
        ranker = Ranker.load(conn, RecommendSettings(), DEMO_NOW)
        ranking = ranker.rank()
        found = picks(ranker, ranking, 5)
    assert [p.index for p in found] == [int(i) for i in ranking.order[:5]]
    assert all(p.reasons for p in found)
    assert found[0].score >= found[-1].score - 3  # diversified, but still near the top
