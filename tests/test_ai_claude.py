"""Claude labels end to end: the real anthropic SDK against the loopback emulator."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from momentum_tui.ai import ledger
from momentum_tui.ai.errors import (
    ClaudeKeyError,
    ClaudeRequestError,
    ClaudeSpendLimitError,
    ClaudeUnavailableError,
)
from momentum_tui.ai.queries import clear_failures, failures
from momentum_tui.config import ClaudeSettings
from momentum_tui.errors import BudgetExceededError
from momentum_tui.models import Format, Topic
from momentum_tui.storage import Store
from momentum_tui.storage.videos import upsert_videos
from tests.emulators.claude import API_VERSION, TEST_KEY, ClaudeEmulator
from tests.support.claude import (
    Sleeps,
    classifier,
    corpus_videos,
    labels_by_video,
    ledger_rows,
    running_claude,
    seed,
    videos_in_request,
)


@pytest.fixture
def claude() -> Iterator[ClaudeEmulator]:
    yield from running_claude()


def test_end_to_end_labels_every_video_in_batches_with_a_cached_prefix(
    store: Store, claude: ClaudeEmulator
) -> None:
    videos = seed(store, corpus_videos()[:60])
    result = classifier(store, claude).run()

    assert (result.candidates, result.labelled, result.failed) == (60, 60, 0)
    assert result.requests == 3  # 25 + 25 + 10
    labels = labels_by_video(store)
    assert {source for source, _, _ in labels.values()} == {"claude"}
    assert all(labels[v.id][2] == v.content_hash() for v in videos)
    music = next(v for v in videos if v.category_id == 10)
    assert labels[music.id][1] == Topic.MUSIC

    sent = claude.messages_received()
    assert [videos_in_request(r.body) for r in sent] == [25, 25, 10]
    for request in sent:
        assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
        assert request.headers["anthropic-version"] == API_VERSION
        assert request.body["system"][-1]["cache_control"] == {"type": "ephemeral"}
        assert request.body["output_config"]["format"]["type"] == "json_schema"
        assert "temperature" not in request.body
    rows = ledger_rows(store)
    assert len(rows) == 3
    assert rows[0]["cache_write_tokens"] > 1000
    assert rows[0]["cache_read_tokens"] == 0
    assert all(r["cache_read_tokens"] == rows[0]["cache_write_tokens"] for r in rows[1:])
    assert sum(r["videos"] for r in rows) == 60
    prices = ClaudeSettings().prices["claude-haiku-5-5"]
    for row in rows:
        usage = ledger.Usage(row["input_tokens"], row["output_tokens"],
                             row["cache_write_tokens"], row["cache_read_tokens"])  # fmt: skip
        assert row["usd"] == pytest.approx(ledger.cost_usd(usage, prices))
    assert result.usd == pytest.approx(sum(r["usd"] for r in rows))
    uncached = sum(r["input_tokens"] for r in rows) / 60
    assert uncached <= 150


def test_a_second_run_costs_nothing_and_changed_text_is_labelled_again(
    store: Store, claude: ClaudeEmulator
) -> None:
    videos = seed(store, corpus_videos()[:30])
    classifier(store, claude).run()
    before = len(claude.received)

    again = classifier(store, claude).run()
    assert (again.candidates, again.requests, again.usd) == (0, 0, 0)
    assert len(claude.received) == before

    changed = videos[3].model_copy(update={"title": "A completely new title"})
    with store.write() as db:
        upsert_videos(db, [changed], now=5)
    third = classifier(store, claude).run()
    assert (third.candidates, third.requests, third.labelled) == (1, 1, 1)
    assert videos_in_request(claude.messages_received()[-1].body) == 1
    assert labels_by_video(store)[changed.id][2] == changed.content_hash()


def test_the_same_text_is_never_paid_twice_even_after_a_delete(
    store: Store, claude: ClaudeEmulator
) -> None:
    videos = seed(store, corpus_videos()[:5])
    classifier(store, claude).run()
    with store.write() as db:
        db.conn.execute("DELETE FROM videos WHERE id = ?", (videos[0].id,))
    seed(store, videos[:1])  # synced again later: same text
    result = classifier(store, claude).run()
    assert (result.candidates, result.reused, result.requests) == (1, 1, 0)
    assert labels_by_video(store)[videos[0].id][0] == "claude"


def test_forced_tool_output_mode(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:30])
    result = classifier(store, claude, output_mode="tool").run()
    assert result.labelled == 30
    body = claude.messages_received()[0].body
    assert body["tool_choice"]["type"] == "tool"
    assert "output_config" not in body


def test_concurrent_requests_after_one_cache_write(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:200])
    result = classifier(store, claude, concurrency=4).run()
    assert result.labelled == 200
    rows = ledger_rows(store)
    assert len(rows) == 8
    assert sum(1 for r in rows if r["cache_write_tokens"]) == 1


def test_limit_takes_the_newest_first(store: Store, claude: ClaudeEmulator) -> None:
    videos = seed(store, corpus_videos()[:40])
    classifier(store, claude).run(limit=5)
    newest = sorted(videos, key=lambda v: (-v.published_at, v.id))[:5]
    assert set(labels_by_video(store)) == {v.id for v in newest}


# -- budgets -------------------------------------------------------------------------------


def test_the_daily_budget_stops_before_it_is_crossed(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:200])
    result = classifier(store, claude, daily_budget_usd=0.06).run()
    assert result.stopped is not None
    assert "today" in result.stopped
    assert 0 < result.labelled < 200
    assert sum(r["usd"] for r in ledger_rows(store)) <= 0.06
    assert result.remaining > 0


def test_a_spent_budget_sends_nothing(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:10])
    with pytest.raises(BudgetExceededError, match="nothing was sent"):
        classifier(store, claude, monthly_budget_usd=0.001).run()
    assert claude.messages_received() == []


def test_the_run_budget_caps_one_run(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:200])
    result = classifier(store, claude).run(budget_usd=0.05)
    assert "--budget" in (result.stopped or "")
    assert result.usd <= 0.05


def test_a_model_without_a_price_is_refused_before_sending(claude: ClaudeEmulator,
                                                           store: Store) -> None:  # fmt: skip
    from momentum_tui.errors import ConfigError

    with pytest.raises(ConfigError, match="price"):
        classifier(store, claude, model="claude-sonnet-5-5")
    assert claude.received == []


# -- errors --------------------------------------------------------------------------------


def test_a_bad_key_is_one_sentence_pointing_at_keys_set(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:10])
    claude.api_keys = {"sk-ant-some-other-key"}
    with pytest.raises(ClaudeKeyError) as caught:
        classifier(store, claude).run()
    assert "momentum keys set anthropic" in caught.value.hint
    assert "nothing was labelled" in caught.value.title
    assert TEST_KEY not in str(caught.value)
    assert len(claude.messages_received()) == 1


def test_429_waits_as_long_as_retry_after_says(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:10])
    claude.fail("429", retry_after=7)
    sleeps = Sleeps()
    result = classifier(store, claude, sleeps).run()
    assert result.labelled == 10
    assert 7.0 in sleeps
    assert len(claude.messages_received()) == 2


def test_529_overloaded_backs_off_then_succeeds(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:10])
    claude.fail("529", times=2)
    sleeps = Sleeps()
    assert classifier(store, claude, sleeps).run().labelled == 10
    assert sleeps == [2.0, 4.0]


def test_overloaded_for_good_stops_and_keeps_what_was_paid(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:50])
    assert classifier(store, claude).run(limit=25).labelled == 25
    claude.fail("529", times=-1)
    sleeps = Sleeps()
    with pytest.raises(ClaudeUnavailableError) as caught:
        classifier(store, claude, sleeps, max_retries=2).run()
    assert caught.value.title == (
        "Claude was still overloaded (HTTP 529) after 3 tries; nothing was labelled."
    )
    assert sleeps == [2.0, 4.0]
    assert len(labels_by_video(store)) == 25


def test_a_long_retry_after_stops_instead_of_hanging(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:5])
    claude.fail("429", retry_after=3600)
    with pytest.raises(ClaudeUnavailableError, match="3600 s"):
        classifier(store, claude, max_wait_seconds=60).run()


@pytest.mark.parametrize("fault", ["429_spend_limit", "400_billing", "402_billing"])
def test_spend_limits_are_never_retried(store: Store, claude: ClaudeEmulator, fault: str) -> None:
    seed(store, corpus_videos()[:40])
    classifier(store, claude).run(limit=25)
    claude.fail(fault, times=-1)
    sleeps = Sleeps()
    with pytest.raises(ClaudeSpendLimitError) as caught:
        classifier(store, claude, sleeps).run()
    assert "nothing was labelled" in caught.value.title
    assert "Anthropic Console" in caught.value.hint
    assert sleeps == []
    assert len(claude.messages_received()) == 2


def test_spend_limit_mid_run_keeps_earlier_answers(store: Store, claude: ClaudeEmulator) -> None:
    videos = seed(store, corpus_videos()[:50])
    newest = sorted(videos, key=lambda v: (-v.published_at, v.id))
    claude.fail("429_spend_limit", when_contains=newest[30].title[:20], times=-1)
    with pytest.raises(ClaudeSpendLimitError, match="the 25 videos labelled before that are kept"):
        classifier(store, claude).run()
    assert len(labels_by_video(store)) == 25


def test_an_unknown_model_says_so(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:3])
    prices = {"claude-nonexistent-1": {"input": 1, "output": 5, "cache_write": 1.25,
                                       "cache_read": 0.1}}  # fmt: skip
    with pytest.raises(ClaudeRequestError, match="claude-nonexistent-1"):
        classifier(store, claude, model="claude-nonexistent-1", prices=prices).run()


def test_a_refusal_is_narrowed_down_to_the_one_video(store: Store, claude: ClaudeEmulator) -> None:
    videos = seed(store, corpus_videos()[:25])
    culprit = videos[11]
    claude.fail("refusal", when_contains=culprit.title[:25], times=-1)
    result = classifier(store, claude).run()
    assert (result.labelled, result.failed) == (24, 1)
    assert culprit.id not in labels_by_video(store)
    with store.read() as conn:
        given_up = failures(conn)
    assert [(f["video_id"], f["reason"]) for f in given_up] == [(culprit.id, "refused")]
    # Binary search: 1 + about 2·log2(25) requests, not 25.
    assert result.requests <= 1 + 2 * math.ceil(math.log2(25))
    assert len(ledger_rows(store)) == result.requests  # refusals are paid for, and recorded

    assert classifier(store, claude).run().candidates == 0  # given up until its text changes
    with store.write() as db:
        clear_failures(db)
    assert classifier(store, claude).run().candidates == 1


def test_a_truncated_answer_keeps_the_complete_labels_and_retries_smaller(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:25])
    claude.fail("max_tokens")
    result = classifier(store, claude).run()
    assert (result.labelled, result.failed) == (25, 0)
    sent = [videos_in_request(r.body) for r in claude.messages_received()]
    assert sent[0] == 25
    assert sum(sent[1:]) < 25  # the complete labels of the cut answer were kept
    first = ledger_rows(store)[0]
    assert first["output_tokens"] > 0
    assert first["videos"] == 25


def test_answers_too_long_for_max_tokens_are_split_until_they_fit(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:25])
    claude.verbose_summaries = True  # every label is far longer than planned
    result = classifier(store, claude, output_tokens_per_video=60).run()
    assert result.failed + result.labelled == 25
    assert result.labelled > 0
    assert all(len(s) <= 140 for s in _summaries(store))


def _summaries(store: Store) -> list[str]:
    with store.read() as conn:
        return [row[0] for row in conn.execute("SELECT summary FROM video_labels")]


@pytest.mark.parametrize("fault", ["malformed_json", "schema_mismatch"])
def test_an_unreadable_answer_is_retried_once_smaller(
    store: Store, claude: ClaudeEmulator, fault: str
) -> None:
    seed(store, corpus_videos()[:20])
    claude.fail(fault)
    result = classifier(store, claude).run()
    assert (result.labelled, result.failed) == (20, 0)
    assert [videos_in_request(r.body) for r in claude.messages_received()] == [20, 10, 10]


def test_unreadable_twice_gives_up_and_moves_on(store: Store, claude: ClaudeEmulator) -> None:
    videos = seed(store, corpus_videos()[:30])
    newest = sorted(videos, key=lambda v: (-v.published_at, v.id))
    claude.fail("malformed_json", when_contains=newest[0].title[:25], times=-1)
    result = classifier(store, claude).run()
    # The first request (25 videos) fails, its halves once more: the half with the
    # poisoned video is given up; the other half and the second request are labelled.
    assert result.failed == 13
    assert result.labelled == 17
    with store.read() as conn:
        assert {f["reason"] for f in failures(conn)} == {"invalid JSON"}


def test_values_outside_the_enums_are_rejected_never_stored(
    store: Store, claude: ClaudeEmulator
) -> None:
    videos = seed(store, corpus_videos()[:10])
    claude.fail("bad_enum")  # the first label of the first answer says "cryptozoology"
    result = classifier(store, claude).run()
    assert (result.labelled, result.failed) == (10, 0)
    assert [videos_in_request(r.body) for r in claude.messages_received()] == [10, 1]
    assert "cryptozoology" not in {topic for _, topic, _ in labels_by_video(store).values()}
    assert len(videos) == 10


@pytest.mark.parametrize("fault", ["extra_field", "missing_item"])
def test_extra_fields_and_missing_items_are_retried(
    store: Store, claude: ClaudeEmulator, fault: str
) -> None:
    seed(store, corpus_videos()[:10])
    claude.fail(fault)
    result = classifier(store, claude).run()
    assert (result.labelled, result.failed) == (10, 0)
    assert [videos_in_request(r.body) for r in claude.messages_received()] == [10, 1]


def test_a_label_outside_the_enums_every_time_is_given_up(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:10])
    claude.fail("bad_enum", items="all", times=-1)
    result = classifier(store, claude).run()
    assert (result.labelled, result.failed) == (0, 10)
    assert labels_by_video(store) == {}


def test_formats_follow_the_length(store: Store, claude: ClaudeEmulator) -> None:
    videos = seed(store, [v for v in corpus_videos()[:200] if v.is_short][:3])
    classifier(store, claude).run()
    with store.read() as conn:
        formats = {row[0] for row in conn.execute("SELECT format FROM video_labels")}
    assert formats == {Format.SHORT_CLIP.value}
    assert len(videos) == 3


def test_a_stop_request_sends_nothing_more(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:100])
    asked: list[int] = []

    def should_stop() -> bool:
        asked.append(1)
        return len(claude.messages_received()) >= 1

    result = classifier(store, claude).run(should_stop=should_stop)
    assert result.cancelled
    assert (result.requests, result.labelled, result.remaining) == (1, 25, 75)
    assert asked


def test_an_interrupt_keeps_every_answer_already_paid_for(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:200])
    reports: list[int] = []

    def progress(status: object) -> None:
        reports.append(1)
        if len(reports) == 3:  # the first answer after the run went concurrent
            raise KeyboardInterrupt

    run = classifier(store, claude, concurrency=4)
    run.progress = progress
    with pytest.raises(KeyboardInterrupt):
        run.run()
    sent = len(claude.messages_received())
    assert sent > 2
    assert len(ledger_rows(store)) == sent  # every request sent was recorded…
    assert len(labels_by_video(store)) == 25 * sent  # …with its labels
