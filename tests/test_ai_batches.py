"""Bulk mode on the Message Batches API: submit, poll, collect, resume after a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from momentum_tui.ai import ledger
from momentum_tui.ai.batches import SUBMIT_GRACE_S, BatchReport, BatchRunner
from momentum_tui.ai.errors import ClaudeRequestError, ClaudeUnavailableError
from momentum_tui.ai.queries import failures
from momentum_tui.ai.transport import make_client
from momentum_tui.ai.work import BATCH_ATTEMPTS
from momentum_tui.commands.classify_batch import progress_words, wait_for_every_batch
from momentum_tui.config import ClaudeSettings
from momentum_tui.errors import BudgetExceededError
from momentum_tui.storage import Store
from tests.emulators.claude import LIST_BATCHES, ClaudeEmulator
from tests.support.claude import (
    Sleeps,
    classifier,
    corpus_videos,
    labels_by_video,
    ledger_rows,
    running_claude,
    seed,
    settings_for,
)


@pytest.fixture
def claude() -> Iterator[ClaudeEmulator]:
    yield from running_claude()


def runner(store: Store, emulator: ClaudeEmulator, sleeps: Sleeps | None = None,
           **overrides: object) -> BatchRunner:  # fmt: skip
    settings = settings_for(emulator, **overrides)
    return BatchRunner(store, settings, make_client(settings),
                       sleep=sleeps if sleeps is not None else Sleeps())  # fmt: skip


def test_submit_then_resume_after_a_restart(tmp_path: Path, claude: ClaudeEmulator) -> None:
    path = tmp_path / "cache.db"
    with Store.open(path) as store:
        seed(store, corpus_videos()[:60])
        report = runner(store, claude).submit()
        assert len(report.submitted) == 1
        batch = report.submitted[0]
        assert (batch.requests, batch.videos) == (3, 60)
        assert labels_by_video(store) == {}
        # While the batch is out, a standard run doesn't send those videos again.
        assert classifier(store, claude).run().candidates == 0

    # A new process: nothing in memory, only the cache knows the batch id.
    with Store.open(path) as store:
        first = runner(store, claude).collect()
        assert first.collected == []  # still in progress on the first check
        assert [info.id for info in first.pending] == [batch.id]
        second = runner(store, claude).collect()
        assert second.collected == [batch.id]
        assert second.pending == []
        assert second.labelled == 60
        assert {source for source, _, _ in labels_by_video(store).values()} == {"claude"}
        rows = ledger_rows(store)
        assert len(rows) == 3
        assert {row["kind"] for row in rows} == {"batch"}
        assert all(row["request_id"].startswith(batch.id + "/") for row in rows)

        # Collecting again counts nothing twice.
        assert runner(store, claude).collect().collected == []
        assert len(ledger_rows(store)) == 3


def test_batch_prices_are_half_the_standard_price(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:50])
    runner(store, claude).submit()
    report = runner(store, claude).wait(poll_seconds=0)
    prices = ClaudeSettings().prices["claude-haiku-5-5"]
    rows = ledger_rows(store)
    assert len(rows) == 2
    for row in rows:
        usage = ledger.Usage(row["input_tokens"], row["output_tokens"],
                             row["cache_write_tokens"], row["cache_read_tokens"])  # fmt: skip
        assert row["usd"] == pytest.approx(ledger.cost_usd(usage, prices) / 2)
    assert report.usd == pytest.approx(sum(row["usd"] for row in rows))


def test_wait_polls_until_done(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:30])
    claude.batch_polls = 3
    sleeps = Sleeps()
    batches = runner(store, claude, sleeps, batch_poll_seconds=15)
    batches.submit()
    report = batches.wait()
    assert report.labelled == 30
    assert sleeps == [15.0, 15.0]


def test_errored_and_expired_requests_cost_nothing_and_come_back(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:75])
    claude.fail("batch_errored")
    claude.fail("expired")
    batches = runner(store, claude)
    batches.submit()
    report = batches.wait(poll_seconds=0)
    assert (report.labelled, report.returned) == (25, 50)
    assert len(ledger_rows(store)) == 1  # only the succeeded request is billed
    assert classifier(store, claude).run().candidates == 50


def test_cancel_returns_the_videos(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:30])
    batches = runner(store, claude)
    batches.submit()
    assert batches.cancel() == [batches.pending()[0].id]
    report = batches.collect()
    assert (report.labelled, report.returned) == (0, 30)
    assert ledger_rows(store) == []
    assert classifier(store, claude).run().labelled == 30


def test_the_budget_limits_what_is_submitted(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:250])
    report = runner(store, claude, daily_budget_usd=0.04).submit()
    assert report.stopped is not None
    assert 0 < report.submitted[0].requests < 10
    assert report.submitted[0].estimate_usd <= 0.04
    with pytest.raises(BudgetExceededError):
        runner(store, claude, daily_budget_usd=0.04).submit()  # the pending estimate counts


def test_videos_unlabelled_in_several_batches_are_given_up(
    store: Store, claude: ClaudeEmulator
) -> None:
    videos = seed(store, corpus_videos()[:3])
    claude.fail("bad_enum", items="all", times=-1)
    for _ in range(BATCH_ATTEMPTS):
        batches = runner(store, claude)
        batches.submit()
        batches.wait(poll_seconds=0)
    with store.read() as conn:
        given_up = {f["video_id"] for f in failures(conn)}
    assert given_up == {v.id for v in videos}
    assert runner(store, claude).submit().submitted == []


def test_a_lost_answer_to_a_batch_create_is_found_not_sent_twice(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:50])
    claude.fail("lost_answer")  # Claude makes (and bills) the batch; the answer never comes
    report = runner(store, claude).submit()
    assert len(claude.batches) == 1  # not retried into a second, paid-twice batch
    assert [info.id for info in report.submitted] == list(claude.batches)
    assert runner(store, claude).submit().submitted == []  # nothing left to send
    collected = runner(store, claude).wait(poll_seconds=0)
    assert collected.labelled == 50 and len(claude.batches) == 1


def test_a_crash_between_create_and_record_is_settled_on_the_next_run(
    tmp_path: Path, claude: ClaudeEmulator
) -> None:
    path = tmp_path / "cache.db"
    with Store.open(path) as store:
        seed(store, corpus_videos()[:50])
        crashing = runner(store, claude)

        def crash(*_: object) -> None:
            raise KeyboardInterrupt  # the process dies right after Claude made the batch

        crashing._adopt = crash  # type: ignore[method-assign]
        with pytest.raises(KeyboardInterrupt):
            crashing.submit()
        assert [info.status for info in crashing.pending()] == ["submitting"]
        # Meanwhile a standard run leaves those videos alone: they may be paid for.
        assert classifier(store, claude).run().candidates == 0

    with Store.open(path) as store:  # the next run
        report = runner(store, claude).wait(poll_seconds=0)
        assert report.collected == list(claude.batches)
        assert report.labelled == 50
        assert len(claude.batches) == 1


def test_a_batch_claude_never_got_frees_its_videos_after_a_while(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:30])
    claude.fail("lost_request")  # the connection drops before Claude makes anything
    now = [1_800_000_000.0]
    batches = BatchRunner(store, settings_for(claude), make_client(settings_for(claude)),
                          sleep=Sleeps(), clock=lambda: now[0])  # fmt: skip
    with pytest.raises(ClaudeUnavailableError, match="may have arrived"):
        batches.submit()
    assert claude.batches == {}
    assert [info.status for info in batches.pending()] == ["submitting"]
    now[0] += SUBMIT_GRACE_S - 60
    batches.collect()
    assert len(batches.pending()) == 1  # still looking: lists can lag
    now[0] += 120
    batches.collect()
    assert batches.pending() == []
    assert classifier(store, claude).run().labelled == 30  # the videos are free again


def _rerun_after_a_lost_create(
    store: Store, claude: ClaudeEmulator
) -> tuple[BatchRunner, BatchReport, list[float]]:
    """A batch written down whose create Claude never got, then a rerun's collect and
    (held back) submit: the runner, the rerun's report and its clock (seconds, settable)."""
    seed(store, corpus_videos()[:30])
    claude.fail("lost_request")
    now = [1_800_000_000.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    settings = settings_for(claude, batch_poll_seconds=60)
    batches = BatchRunner(store, settings, make_client(settings), sleep=sleep,
                          clock=lambda: now[0])  # fmt: skip
    with pytest.raises(ClaudeUnavailableError):
        batches.submit()
    rerun = batches.collect()
    rerun.held_back = batches.submit().held_back
    return batches, rerun, now


def test_waiting_sends_what_a_batch_claude_never_got_held_back(
    store: Store, claude: ClaudeEmulator
) -> None:
    # A run killed after writing its batch down, before Claude got it (crash harness,
    # classify-batch): the rerun with --wait used to free the videos after the grace
    # and stop there, saying nothing was left to send.
    batches, rerun, now = _rerun_after_a_lost_create(store, claude)
    assert rerun.held_back and claude.batches == {}
    wait_for_every_batch(batches, rerun, limit=None, budget_usd=None)
    assert [info.videos for info in rerun.submitted] == [30]
    assert rerun.collected == list(claude.batches) and len(claude.batches) == 1
    assert rerun.labelled == 30 and not rerun.held_back
    assert {source for source, _, _ in labels_by_video(store).values()} == {"claude"}
    assert now[0] - 1_800_000_000.0 > SUBMIT_GRACE_S  # it waited out the grace first


def test_waiting_on_an_unconfirmed_batch_says_why_and_for_how_long(
    store: Store, claude: ClaudeEmulator
) -> None:
    batches, report, now = _rerun_after_a_lost_create(store, claude)
    said: list[str] = []

    def on_poll(polled: BatchReport) -> None:
        said.append(progress_words(polled, now[0]))

    wait_for_every_batch(batches, report, limit=None, budget_usd=None, on_poll=on_poll)
    waiting = [words for words in said if "never confirmed" in words]
    assert waiting, said
    assert "about 10 more min" in waiting[0] and "about 1 more min" in waiting[-1]
    assert any("1 batch(es) in progress" in words for words in said)  # then the real batch


def test_a_server_error_on_create_is_not_retried_into_a_second_batch(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:30])
    claude.fail("500")  # did Claude make it? A 500 doesn't say
    with pytest.raises(ClaudeUnavailableError):
        runner(store, claude).submit()
    creates = [
        r for r in claude.received if r.path == "/v1/messages/batches" and r.method == "POST"
    ]
    assert len(creates) == 1
    assert [info.status for info in runner(store, claude).pending()] == ["submitting"]


def test_no_new_batch_goes_out_while_an_earlier_one_is_unconfirmed(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:30])
    claude.fail("lost_request")
    with pytest.raises(ClaudeUnavailableError):
        runner(store, claude).submit()
    seed(store, corpus_videos()[30:60])
    report = runner(store, claude).submit()
    assert report.submitted == [] and claude.batches == {}
    assert report.stopped is not None and "not confirmed" in report.stopped
    assert report.held_back


def test_a_lost_batch_is_found_pages_deep_in_claudes_list(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:30])
    claude.fail("lost_answer")  # made (and billed), but the answer never arrives…
    claude.fail("500", when_contains=LIST_BATCHES)  # …and the look-up right after fails
    with pytest.raises(ClaudeUnavailableError, match="wait on Claude's side"):
        runner(store, claude, max_retries=0).submit()
    lost = next(iter(claude.batches))
    # Meanwhile 150 more batches (someone else's, of another size) are made on the account.
    newer = claude.make_batches(150)
    report = runner(store, claude).collect()
    assert [info.id for info in report.pending] == [lost]  # adopted, not sent again
    pages = [r.query for r in claude.received if r.method == "GET" and r.query]
    assert pages[-2:] == [{"limit": "100"}, {"limit": "100", "after_id": newer[50]}]


def test_a_batch_is_kept_under_claudes_size_cap(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:30])
    claude.max_batch_bytes = 40_000
    too_big = runner(store, claude, batch_size=5)  # a 200 MB cap of its own: six requests
    with pytest.raises(ClaudeRequestError, match=r"too large \(HTTP 413\); nothing was sent"):
        too_big.submit()
    assert too_big.pending() == []  # Claude made nothing, so nothing is held back
    settings = settings_for(claude, batch_size=5)
    capped = BatchRunner(store, settings, make_client(settings), sleep=Sleeps(),
                         max_batch_bytes=40_000)  # fmt: skip
    first = capped.submit().submitted[0]
    sent = [len(json.dumps(r.body).encode()) for r in claude.received
            if r.path == "/v1/messages/batches" and r.method == "POST"]  # fmt: skip
    assert 1 <= first.requests < 6 and sent[-1] <= 40_000
    claude.batch_polls = 1
    capped.collect()
    rest = capped.submit().submitted[0]
    assert first.videos + rest.videos == 30  # the rest went in the next batch
