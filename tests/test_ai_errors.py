"""Every failure Claude can hand Momentum becomes a sentence: what happened, what was kept,
what to do — with Anthropic's request id under --debug, never a traceback."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import pytest

from momentum_tui import locations
from momentum_tui.ai.batches import BatchRunner
from momentum_tui.ai.errors import ClaudeKeyError, ClaudeRequestError, ClaudeUnavailableError
from momentum_tui.ai.transport import make_client
from momentum_tui.errors import MomentumError
from momentum_tui.rules.claude import parse_rule
from momentum_tui.storage import Store
from tests.emulators.claude import ClaudeEmulator
from tests.support.claude import Sleeps, classifier, corpus_videos, running_claude, seed
from tests.support.claude import settings_for as settings_at


@pytest.fixture
def claude() -> Iterator[ClaudeEmulator]:
    yield from running_claude()


SENTENCES = [
    # (fault, retries, error class, the title, a phrase of the hint)
    ("500", 0, ClaudeUnavailableError,
     "Claude's servers failed with an internal error (HTTP 500) after 1 try; nothing was "
     "labelled.", "Anthropic's side"),
    ("529", 1, ClaudeUnavailableError,
     "Claude was still overloaded (HTTP 529) after 2 tries; nothing was labelled.",
     "try again in a few minutes"),
    ("429", 1, ClaudeUnavailableError,
     "Claude was still rate-limiting Momentum's requests (HTTP 429) after 2 tries; nothing "
     "was labelled.", "claude.concurrency"),
    ("401", 2, ClaudeKeyError,
     "Claude rejected the Anthropic API key (HTTP 401); nothing was labelled.",
     "momentum keys set anthropic"),
    ("403", 2, ClaudeKeyError,
     "Claude refused the request: the Anthropic API key has no permission for it (HTTP 403); "
     "nothing was labelled.", "Anthropic Console"),
    ("400", 2, ClaudeRequestError,
     "Claude rejected a request as invalid (HTTP 400): Injected bad request; nothing was "
     "labelled.", "--debug"),
]  # fmt: skip


@pytest.mark.parametrize(("fault", "retries", "kind", "title", "hint"), SENTENCES)
def test_a_failed_run_says_what_happened_what_was_kept_and_what_to_do(
    store: Store, claude: ClaudeEmulator, fault: str, retries: int,
    kind: type[MomentumError], title: str, hint: str,
) -> None:  # fmt: skip
    seed(store, corpus_videos()[:5])
    claude.fail(fault, times=-1)
    with pytest.raises(kind) as caught:
        classifier(store, claude, max_retries=retries).run()
    assert caught.value.title == title
    assert hint in caught.value.hint
    assert "momentum classify" in caught.value.hint or kind is not ClaudeUnavailableError
    assert caught.value.debug_details[0].startswith("Anthropic request id: req_")


def test_no_answer_at_all_names_the_address_and_the_setting(store: Store) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    seed(store, corpus_videos()[:5])
    from momentum_tui.config import ClaudeSettings

    settings = ClaudeSettings(base_url=f"http://127.0.0.1:{port}", max_retries=1)
    from momentum_tui.ai.claude import Classifier

    with pytest.raises(ClaudeUnavailableError) as caught:
        Classifier(store, settings, make_client(settings, "sk-ant-x"), sleep=Sleeps()).run()
    assert caught.value.title == (
        f"Claude could still not be reached at http://127.0.0.1:{port} after 2 tries; nothing "
        "was labelled."
    )
    assert "MOMENTUM_CLAUDE_BASE_URL" in caught.value.hint
    assert caught.value.debug_details == ()  # no answer, so no request id


def test_a_429_with_retry_after_waits_that_long(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:5])
    claude.fail("429")  # the API's 429s carry retry-after (the emulator's says 1 s)
    sleeps = Sleeps()
    assert classifier(store, claude, sleeps).run().labelled == 5
    assert sleeps == [1.0]


def test_a_429_without_retry_after_backs_off(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:5])
    claude.fail("429", times=2, no_retry_after=True)
    sleeps = Sleeps()
    assert classifier(store, claude, sleeps).run().labelled == 5
    assert sleeps == [2.0, 4.0]  # exponential, since the answer named no wait


def test_a_rule_sentence_that_meets_a_500_keeps_no_rule(
    store: Store, claude: ClaudeEmulator
) -> None:
    claude.fail("500", times=-1)
    settings = settings_at(claude, max_retries=0)
    with pytest.raises(ClaudeUnavailableError) as caught:
        parse_rule("hide shorts", store, settings, make_client(settings), sleep=Sleeps())
    assert caught.value.title == (
        "Claude's servers failed with an internal error (HTTP 500) after 1 try; no rule was saved."
    )
    assert "momentum rules add --hide" in caught.value.hint


def test_a_batch_claude_no_longer_has_is_forgotten_and_its_videos_freed(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:30])
    settings = settings_at(claude)
    runner = BatchRunner(store, settings, make_client(settings), sleep=Sleeps())
    batch = runner.submit().submitted[0]
    claude.batches.clear()  # expired after 29 days, or deleted in the Console
    report = runner.collect()
    assert (report.forgotten, report.returned, report.pending) == ([batch.id], 30, [])
    assert runner.submit().submitted[0].videos == 30  # sent again, once


def test_the_cli_cites_the_request_id_only_under_debug(  # type: ignore[no-untyped-def]
    run_cli, claude: ClaudeEmulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("MOMENTUM_CLAUDE_BASE_URL", claude.base_url)
    monkeypatch.setenv("MOMENTUM_CLAUDE_MAX_RETRIES", "0")
    with Store.open(locations.cache_db()) as store:
        seed(store, corpus_videos()[:5])
    claude.fail("500", times=-1)
    plain = run_cli("classify")
    assert plain.code == 1
    assert "Claude's servers failed with an internal error (HTTP 500) after 1 try" in plain.err
    assert "HTTP 500 (HTTP 500)" not in plain.err and "Traceback" not in plain.err
    assert "request id" not in plain.err
    with pytest.raises(ClaudeUnavailableError):
        run_cli("--debug", "classify")  # --debug lets the traceback through, after the sentence
    err = capsys.readouterr().err
    assert "Claude's servers failed with an internal error (HTTP 500)" in err
    assert re.search(r"Anthropic request id: req_emu\d+", err)
