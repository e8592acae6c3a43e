"""Feed rules: the model, `evaluate`, the SQL the feed uses, and the two agreeing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from momentum_tui.models import FeedRow, Filters, Format, Mood, Topic
from momentum_tui.rules.spec import Rule, RuleAction, RuleSpec, evaluate, matches
from momentum_tui.rules.sql import notify_clause
from momentum_tui.rules.store import add_rule, hide_specs, list_rules, remove_rule, update_rule
from momentum_tui.storage import Store
from momentum_tui.storage import feed as feed_queries

CHANNEL = "UC" + "x" * 22


def row(**values: object) -> FeedRow:
    base: dict[str, object] = {
        "rowid": 1, "id": "AAAAAAAAAAA", "title": "A title", "channel_id": CHANNEL,
        "channel_title": "Chan", "published_at": 0, "duration_s": 600, "is_short": False,
        "live_state": "none", "view_count": 1, "watched": False, "rating": 0, "hidden": False,
        "saved": False, "plain_title": None, "topic": "music", "mood": "upbeat",
        "format": "music-video", "clickbait": 0.1,
    }  # fmt: skip
    base.update(values)
    return FeedRow(**base)  # type: ignore[arg-type]


def test_a_rule_needs_a_condition() -> None:
    with pytest.raises(ValidationError, match="at least one condition"):
        RuleSpec(action=RuleAction.HIDE)
    with pytest.raises(ValidationError, match="channel id"):
        RuleSpec(action=RuleAction.HIDE, channels=("Veritasium",))
    with pytest.raises(ValidationError, match="larger than"):
        RuleSpec(action=RuleAction.HIDE, min_seconds=600, max_seconds=60)


def test_describe_says_the_rule_in_words() -> None:
    spec = RuleSpec(
        action=RuleAction.HIDE, channels=(CHANNEL,), channel_names=("Chan",), shorts=True,
        formats=(Format.SHORT_CLIP,),
    )  # fmt: skip
    assert spec.describe() == "Hide videos: from Chan, Shorts or short-clip"
    bury = RuleSpec(action=RuleAction.BURY, topics=(Topic.NEWS,), weight=2, max_seconds=120)
    assert bury.describe() == "Bury videos (×2): shorter than 2:00, topic news"
    notify = RuleSpec(action=RuleAction.NOTIFY, channels=(CHANNEL,), channel_names=("Chan",),
                      title_words=("physics",), weight=2)  # fmt: skip
    assert notify.describe() == "Notify of new uploads: from Chan, title has “physics”"


def test_shorts_and_clips_means_either() -> None:
    spec = RuleSpec(action=RuleAction.HIDE, shorts=True, formats=(Format.SHORT_CLIP,))
    assert matches(spec, row(is_short=True, format="vlog"))
    assert matches(spec, row(is_short=False, format="short-clip"))
    assert not matches(spec, row(is_short=False, format="vlog"))
    no_shorts = RuleSpec(action=RuleAction.BURY, shorts=False, topics=(Topic.MUSIC,))
    assert not matches(no_shorts, row(is_short=True))
    assert matches(no_shorts, row(is_short=False))


def test_conditions_all_hold_and_unknowns_never_match() -> None:
    spec = RuleSpec(action=RuleAction.HIDE, channels=(CHANNEL,), min_seconds=300,
                    moods=(Mood.UPBEAT,), title_words=("ПРЯМОЙ",))  # fmt: skip
    assert matches(spec, row(title="Наш прямой эфир"))
    assert not matches(spec, row(title="Наш прямой эфир", duration_s=None))
    assert not matches(spec, row(title="Наш прямой эфир", mood=None))
    assert not matches(spec, row(title="Другое"))
    assert not matches(spec, row(title="Другое", plain_title="прямой эфир"))  # original only


def test_evaluate_hides_and_weighs() -> None:
    rules = [
        Rule(1, RuleSpec(action=RuleAction.BOOST, topics=(Topic.MUSIC,), weight=2)),
        Rule(2, RuleSpec(action=RuleAction.BURY, shorts=True)),
        Rule(3, RuleSpec(action=RuleAction.HIDE, title_words=("spoiler",)), enabled=False),
    ]
    outcome = evaluate(rules, row(is_short=True, title="Spoiler alert"))
    assert (outcome.hidden, outcome.weight, outcome.matched) == (False, 1.0, (1, 2))
    rules.append(Rule(4, RuleSpec(action=RuleAction.HIDE, title_words=("spoiler",))))
    assert evaluate(rules, row(title="SPOILER")).hidden
    assert evaluate([], row()).matched == ()


def test_a_notify_rule_neither_hides_nor_weighs() -> None:
    notify = Rule(5, RuleSpec(action=RuleAction.NOTIFY, shorts=True))
    assert matches(notify.spec, row(is_short=True))  # it matches, for announcements
    assert evaluate([notify], row(is_short=True)).matched == ()
    bury = Rule(6, RuleSpec(action=RuleAction.BURY, shorts=True))
    outcome = evaluate([notify, bury], row(is_short=True))
    assert (outcome.hidden, outcome.weight, outcome.matched) == (False, -1.0, (6,))


def test_rules_are_stored_changed_and_removed(store: Store) -> None:
    spec = RuleSpec(action=RuleAction.HIDE, shorts=True)
    with store.write() as db:
        rule_id = add_rule(db, spec, text="hide shorts", source="claude", now=10)
    with store.read() as conn:
        (rule,) = list_rules(conn)
        assert (rule.id, rule.spec, rule.text, rule.source) == (
            rule_id,
            spec,
            "hide shorts",
            "claude",
        )
        assert hide_specs(conn) == [spec]
    with store.write() as db:
        update_rule(db, rule_id, enabled=False)
    with store.read() as conn:
        assert hide_specs(conn) == []
    with store.write() as db:
        removed = remove_rule(db, rule_id)
    assert removed is not None and removed.id == rule_id


def _ids(store: Store, filters: Filters | None = None) -> set[str]:
    with store.read() as conn:
        rowids = list(feed_queries.feed_ids(conn, filters or Filters()))
        return {r.id for r in feed_queries.rows_by_rowid(conn, rowids)}


def test_the_feed_honours_hide_rules(demo_store: Store) -> None:
    everything = _ids(demo_store)
    with demo_store.read() as conn:
        rows = feed_queries.feed_page(conn, Filters(), limit=10_000)
    shorts = {r.id for r in rows if r.is_short}
    assert shorts
    with demo_store.write() as db:
        rule_id = add_rule(db, RuleSpec(action=RuleAction.HIDE, shorts=True))
        add_rule(db, RuleSpec(action=RuleAction.BURY, topics=(Topic.NEWS,)))
    assert _ids(demo_store) == everything - shorts
    assert _ids(demo_store, Filters(include_hidden=True)) == everything
    with demo_store.read() as conn:
        assert feed_queries.feed_count(conn, Filters()) == len(everything - shorts)
    with demo_store.write() as db:
        update_rule(db, rule_id, enabled=False)
    assert _ids(demo_store) == everything


@pytest.fixture(scope="module")
def sample_values() -> dict[str, list[str]]:
    from momentum_tui.demo.corpus import iter_corpus

    videos = [item.video for item in iter_corpus()][:400]
    words = sorted({w for v in videos for w in v.title.split() if len(w) > 3})[:300]
    return {"channels": sorted({v.channel_id for v in videos})[:60], "words": words}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_sql_and_python_agree_on_every_row(
    demo_store: Store, sample_values: dict[str, list[str]], data: st.DataObject
) -> None:
    spec = data.draw(_spec_strategy(sample_values))
    with demo_store.read() as conn:
        rows = feed_queries.feed_page(conn, Filters(), limit=10_000)
    expected = {r.id for r in rows if not matches(spec, r)}
    with demo_store.write() as db:
        rule_id = add_rule(db, spec)
    try:
        assert _ids(demo_store) == expected
    finally:
        with demo_store.write() as db:
            remove_rule(db, rule_id)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_notify_sql_and_python_agree_on_every_row(
    demo_store: Store, sample_values: dict[str, list[str]], data: st.DataObject
) -> None:
    first = data.draw(_spec_strategy(sample_values, RuleAction.NOTIFY))
    second = data.draw(_spec_strategy(sample_values, RuleAction.NOTIFY))
    with demo_store.read() as conn:
        rows = feed_queries.feed_page(conn, Filters(include_hidden=True), limit=10_000)
        expected = {r.id for r in rows if matches(first, r) or matches(second, r)}
        rules = [Rule(1, first), Rule(2, second), Rule(3, second, enabled=False)]
        clause = notify_clause(rules)
        assert clause is not None
        sql, params = clause
        found = {vid for (vid,) in conn.execute(f"SELECT v.id FROM videos v WHERE {sql}", params)}
        assert found & {r.id for r in rows} == expected
        # A rule announces only what arrived after it was made.
        later = max(first_seen for (first_seen,) in conn.execute(
            "SELECT first_seen_at FROM videos")) + 1  # fmt: skip
        sql, params = notify_clause([Rule(1, first, created_at=later)]) or ("", [])
        assert conn.execute(f"SELECT count(*) FROM videos v WHERE {sql}", params).fetchone()[0] == 0
    assert notify_clause([Rule(1, first.model_copy(update={"action": RuleAction.HIDE}))]) is None


def _spec_strategy(
    values: dict[str, list[str]], action: RuleAction = RuleAction.HIDE
) -> st.SearchStrategy[RuleSpec]:
    def build(parts: dict[str, object]) -> RuleSpec | None:
        try:
            return RuleSpec(action=action, **parts)  # type: ignore[arg-type]
        except ValidationError:
            return None

    parts = st.fixed_dictionaries(
        {},
        optional={
            "channels": st.lists(st.sampled_from(values["channels"]), min_size=1, max_size=3),
            "min_seconds": st.integers(min_value=0, max_value=4000),
            "max_seconds": st.integers(min_value=4000, max_value=20000),
            "shorts": st.booleans(),
            "title_words": st.lists(st.sampled_from(values["words"]), min_size=1, max_size=2),
            "topics": st.lists(st.sampled_from(list(Topic)), min_size=1, max_size=3),
            "formats": st.lists(st.sampled_from(list(Format)), min_size=1, max_size=2),
            "moods": st.lists(st.sampled_from(list(Mood)), min_size=1, max_size=2),
        },
    )
    return parts.map(build).filter(lambda spec: spec is not None)  # type: ignore[return-value]
