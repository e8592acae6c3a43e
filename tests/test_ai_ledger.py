"""The AI ledger never under-counts: a request is in it before it goes out.

Anthropic bills a request it answered even if the answer never reaches Momentum (a kill
-9, a dropped connection). So each request's row is written at its upper bound before
it is sent, settled with the real usage when the answer arrives, and removed only when
Claude refused the request without doing it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from momentum_tui import secrets
from momentum_tui.ai import ledger
from momentum_tui.ai.errors import ClaudeKeyError
from momentum_tui.config import ClaudeSettings
from momentum_tui.storage import Store
from tests.conftest import REPO
from tests.emulators.claude import TEST_KEY, ClaudeEmulator
from tests.support.claude import (
    classifier,
    corpus_videos,
    labels_by_video,
    ledger_rows,
    running_claude,
    seed,
)

PRICES = ClaudeSettings().prices[ClaudeSettings().model]


def billed(usage: dict[str, int]) -> float:
    return ledger.cost_usd(
        ledger.Usage(usage["input_tokens"], usage["output_tokens"],
                     usage["cache_creation_input_tokens"], usage["cache_read_input_tokens"]),
        PRICES,
    )  # fmt: skip


class WatchingClaude(ClaudeEmulator):
    """Looks at the cache's ledger at the moment each request arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.cache_path = ""
        self.seen_on_arrival: list[list[tuple[str, float]]] = []

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Any:
        if path == "/v1/messages" and self.cache_path:
            with sqlite3.connect(self.cache_path) as conn:
                rows = conn.execute("SELECT request_id, usd FROM ai_ledger").fetchall()
            self.seen_on_arrival.append(rows)
        return super().handle(method, path, headers, raw)


@pytest.fixture
def claude() -> Iterator[ClaudeEmulator]:
    yield from running_claude()


@pytest.fixture
def watching() -> Iterator[WatchingClaude]:
    emulator = WatchingClaude().start()
    secrets.set_secret("anthropic", TEST_KEY)
    try:
        yield emulator
    finally:
        emulator.stop()


def test_each_request_is_in_the_ledger_at_its_upper_bound_before_it_is_sent(
    store: Store, watching: WatchingClaude
) -> None:
    seed(store, corpus_videos()[:50])
    watching.cache_path = str(store.path)
    result = classifier(store, watching).run()
    assert result.requests == 2
    first, second = watching.seen_on_arrival
    assert [rid.startswith(ledger.UNSETTLED) for rid, _ in first] == [True]
    # When the second request arrives, the first is settled and the second reserved.
    assert [rid.startswith(ledger.UNSETTLED) for rid, _ in second] == [False, True]
    rows = ledger_rows(store)
    # Settled: the real usage replaced the bound, which was never below it.
    assert all(not row["request_id"].startswith(ledger.UNSETTLED) for row in rows)
    assert first[0][1] >= rows[0]["usd"] > 0
    assert second[1][1] >= rows[1]["usd"] > 0


def test_an_answer_lost_on_the_way_stays_in_the_ledger_at_its_bound(
    store: Store, claude: ClaudeEmulator
) -> None:
    seed(store, corpus_videos()[:10])
    claude.fail("lost_answer")  # Claude does the work (and bills it); the answer never comes
    result = classifier(store, claude).run()
    assert result.labelled == 10  # the retry got an answer
    (lost,) = claude.lost_answers
    rows = ledger_rows(store)
    assert len(rows) == 2
    unsettled = [r for r in rows if r["request_id"].startswith(ledger.UNSETTLED)]
    settled = [r for r in rows if not r["request_id"].startswith(ledger.UNSETTLED)]
    assert len(unsettled) == len(settled) == 1
    assert unsettled[0]["usd"] >= billed(lost["usage"])
    assert unsettled[0]["output_tokens"] >= lost["usage"]["output_tokens"]
    assert settled[0]["usd"] == pytest.approx(result.usd)


def test_a_request_claude_refused_leaves_no_row(store: Store, claude: ClaudeEmulator) -> None:
    seed(store, corpus_videos()[:10])
    claude.fail("401")
    with pytest.raises(ClaudeKeyError):
        classifier(store, claude).run()
    assert ledger_rows(store) == []


def test_a_run_cut_off_mid_request_is_still_counted_against_the_budget(
    store: Store, claude: ClaudeEmulator
) -> None:
    # As if a run was killed while its request was in flight: the row stays unsettled.
    with store.write() as db:
        ledger.reserve(db, model="claude-haiku-5-5", kind="classify", videos=25,
                       usage=ledger.Usage(9000, 4000), usd=0.45, now=1_800_000_000)  # fmt: skip
    with store.read() as conn:
        today, month = ledger.spent_usd(conn, now=1_800_000_000)
    assert (today, month) == (pytest.approx(0.45), pytest.approx(0.45))


class KillingClaude(ClaudeEmulator):
    """Kills the `momentum classify` process the moment its first request arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.victim: subprocess.Popen[bytes] | None = None
        self.billed: list[dict[str, int]] = []
        self.answered = threading.Event()
        """Set once the killed request's answer is done and billed (the test's process
        sees the victim die before this handler, on its own thread, gets that far)."""

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Any:
        if path == "/v1/messages" and self.victim is not None:
            self.victim.send_signal(signal.SIGKILL)
            self.victim.wait()
            self.victim = None
        status, out, body = super().handle(method, path, headers, raw)
        if path == "/v1/messages" and status == 200:
            self.billed.append(json.loads(body)["usage"])  # done: Anthropic bills it
            self.answered.set()
        return status, out, body


@pytest.mark.slow
def test_classify_killed_mid_request_keeps_the_request_in_the_ledger(tmp_path: Path) -> None:
    from momentum_tui import locations

    emulator = KillingClaude().start()
    try:
        path = locations.cache_db()
        with Store.open(path) as store:
            seed(store, corpus_videos()[:10])
        env = {**os.environ, "ANTHROPIC_API_KEY": TEST_KEY, "PYTHONPATH": str(REPO),
               "MOMENTUM_CLAUDE_BASE_URL": emulator.base_url}  # fmt: skip
        emulator.victim = subprocess.Popen(
            [sys.executable, "-m", "momentum_tui", "classify", "--json"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        emulator.victim.wait(timeout=120)
        assert emulator.answered.wait(timeout=60), "classify never sent its request"
        (bill,) = emulator.billed
        with Store.open(path) as store:
            assert store.integrity_check() == ["ok"]
            (row,) = ledger_rows(store)
            assert row["request_id"].startswith(ledger.UNSETTLED)
            assert row["usd"] >= billed(bill) and row["videos"] == 10
            assert "claude" not in {source for source, *_ in labels_by_video(store).values()}
            # The next run labels them (paying again: the first answer was lost) and the
            # ledger holds both requests.
            secrets.set_secret("anthropic", TEST_KEY)
            assert classifier(store, emulator).run().labelled == 10
            rows = ledger_rows(store)
        assert len(rows) == len(emulator.billed) == 2
        assert sum(r["usd"] for r in rows) >= sum(billed(u) for u in emulator.billed)
    finally:
        emulator.stop()
