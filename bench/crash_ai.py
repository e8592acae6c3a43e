"""Crash proofs for the paid writers: `momentum classify` (standard and `--batch`).

Acknowledged, for classify, is what a committed answer wrote: a ledger row settled with
the answer's usage, and the labels of the videos it carried (one transaction). The
Claude emulator (tests/emulators/claude.py, with a little latency so requests are in
flight when the kill comes) keeps its own log of every answer it gave; the AI ledger
must hold each of them — settled with the exact usage, or, when the process died before
the answer arrived, at the request's upper bound — so the ledger never under-counts what
Anthropic would bill. For batches: every batch Claude made must be known to the cache
(or adoptable from Claude's list on the next run), never made twice, and after the
rerun collected once, with every succeeded request's usage in the ledger.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.crash import ROOT, Check, output_of
from momentum_tui.ai import ledger
from momentum_tui.config import ClaudeSettings
from tests.emulators.claude import TEST_KEY, ClaudeEmulator

VIDEOS = 300
MODEL = ClaudeSettings().model
PRICES = ClaudeSettings().prices[MODEL]
LABEL_COLUMNS = "video_id, source, topic, mood, format, clickbait, plain_title, summary, tags"


class LoggingClaude(ClaudeEmulator):
    """The emulator, slowed down a little, keeping every answer it gave (what is billed)."""

    def __init__(self, latency: float) -> None:
        super().__init__(batch_polls=1)
        self.latency = latency
        self.answers: list[dict[str, Any]] = []
        """One entry per 200 answer to /v1/messages: request id, usage, dollars."""

    def start(self) -> LoggingClaude:
        """Serve; a client killed mid-request is expected here, not worth a traceback."""
        super().start()
        assert self._server is not None
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        return self

    def handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer like the emulator does, after `latency`, and log what was billable."""
        if method == "POST" and path.startswith("/v1/messages"):
            time.sleep(self.latency)
        status, out, body = super().handle(method, path, headers, raw)
        if method == "POST" and path == "/v1/messages" and status == 200:
            usage = json.loads(body)["usage"]
            with self._lock:
                self.answers.append({"request_id": out["request-id"], "usage": usage,
                                     "usd": _usd(usage)})  # fmt: skip
        return status, out, body


def timed_window(child: subprocess.Popen[bytes], started: Callable[[], bool]) -> float:
    """Seconds from `started` turning true to the end of an uninterrupted `child`."""
    while not started() and child.poll() is None:
        time.sleep(0.002)
    begin = time.monotonic()
    child.wait(timeout=600)
    return time.monotonic() - begin


def _usd(usage: dict[str, int], factor: float = 1.0) -> float:
    return ledger.cost_usd(
        ledger.Usage(usage["input_tokens"], usage["output_tokens"],
                     usage["cache_creation_input_tokens"], usage["cache_read_input_tokens"]),
        PRICES, batch_factor=factor,
    )  # fmt: skip


def build_template(path: Path) -> None:
    """A cache of the first `VIDEOS` demo-corpus videos, labelled offline only."""
    from momentum_tui.ai.local import label_store
    from momentum_tui.demo.corpus import iter_corpus
    from momentum_tui.storage import Store
    from momentum_tui.storage.videos import upsert_channels, upsert_videos

    items = [item for _, item in zip(range(VIDEOS), iter_corpus(), strict=False)]
    with Store.open(path) as store:
        with store.write() as db:
            upsert_channels(db, {i.channel.id: i.channel for i in items}.values(), now=1)
            upsert_videos(db, [i.video for i in items], now=1)
        label_store(store, now=1)


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


def momentum(home: Path, env: dict[str, str], *args: str, **popen: Any) -> subprocess.Popen[bytes]:
    """Start the real `momentum ARGS` in `home`, its output into files there."""
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "momentum_tui", *args],
        env={**os.environ, **env, "MOMENTUM_HOME": str(home), "PYTHONPATH": str(ROOT)},
        stdout=(home / "stdout.txt").open("wb"), stderr=(home / "stderr.txt").open("wb"),
        cwd=home, **popen,
    )  # fmt: skip


def finish(home: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run `momentum ARGS` to the end in this process (a rerun); (exit code, its errors).

    In-process because starting a `momentum` costs seconds on a loaded machine and the
    harness reruns after every kill; the killed runs are always real processes.
    """
    import contextlib
    import io

    from momentum_tui.cli import main

    saved = dict(os.environ)
    os.environ.update({**env, "MOMENTUM_HOME": str(home)})
    err = io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main(list(args))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code, err.getvalue()


def labels(db: Path) -> list[tuple[Any, ...]]:
    """Every video's labels (the state a rerun must reproduce)."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            f"SELECT {LABEL_COLUMNS} FROM video_labels ORDER BY video_id"
        ).fetchall()


def integrity(db: Path) -> bool:
    """`PRAGMA integrity_check` says ok."""
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def ledger_rows(db: Path, kind: str) -> list[dict[str, Any]]:
    """The AI ledger's rows of one kind."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM ai_ledger WHERE kind = ?", (kind,))]


UNSETTLED = getattr(ledger, "UNSETTLED", "unsettled:")
"""Request-id prefix of a ledger row written before its request was sent."""


def under_counts(
    rows: list[dict[str, Any]], answers: list[dict[str, Any]]
) -> tuple[int, list[str]]:
    """How many billed answers the ledger holds less for than Claude billed (and why)."""
    by_id = {row["request_id"]: row for row in rows}
    unsettled = sorted(
        (row for row in rows if row["request_id"].startswith(UNSETTLED)), key=lambda r: r["usd"]
    )
    short, missing, notes = 0, [], []
    for answer in answers:
        row = by_id.get(answer["request_id"])
        if row is None:
            missing.append(answer)
        elif (
            row["usd"] + 1e-12 < answer["usd"]
            or row["output_tokens"] < answer["usage"]["output_tokens"]
        ):
            short += 1
            notes.append(f"ledger row {answer['request_id']} holds less than the bill")
    # Each answer whose row never settled needs an upper-bound row of at least its cost.
    uncovered = 0
    for answer in sorted(missing, key=lambda a: a["usd"]):
        billed_in = sum(answer["usage"][k] for k in (
            "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))  # fmt: skip
        fit = next((row for row in unsettled if row["usd"] + 1e-12 >= answer["usd"]
                    and row["input_tokens"] + row["cache_write_tokens"]
                    + row["cache_read_tokens"] >= billed_in
                    and row["output_tokens"] >= answer["usage"]["output_tokens"]),
                   None)  # fmt: skip
        if fit is None:
            uncovered += 1
        else:
            unsettled.remove(fit)
    if uncovered:
        notes.append(f"{uncovered} billed answer(s) missing from the ledger")
    return short + uncovered, notes


class Classify:
    """`momentum classify` (standard requests, 4 in flight) over 300 videos."""

    name = "classify"

    def __init__(self) -> None:
        self.window = 0.0
        self.claude = LoggingClaude(latency=0.15).start()
        self.env = {"ANTHROPIC_API_KEY": TEST_KEY, "MOMENTUM_CLAUDE_BASE_URL": self.claude.base_url,
                    "MOMENTUM_CLAUDE_DAILY_BUDGET_USD": "100",
                    "MOMENTUM_CLAUDE_MONTHLY_BUDGET_USD": "1000"}  # fmt: skip
        self.template = Path()
        self.reference: list[tuple[Any, ...]] = []
        self._mark = 0

    def setup(self, work: Path) -> None:
        """The template cache and one uninterrupted run for the reference labels and window."""
        self.template = work / "template.db"
        build_template(self.template)
        home = work / "reference"
        child, started = self.launch(home)
        self.window = timed_window(child, started)
        assert child.returncode == 0, output_of(home)
        self.reference = labels(home / "data" / "momentum.db")
        assert {row[1] for row in self.reference} == {"claude"}, "the reference run fell short"

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """A fresh copy of the template, `momentum classify`; started at the first request."""
        copy_db(self.template, home / "data" / "momentum.db")
        mark = len(self.claude.received)
        with self.claude._lock:
            self._mark = len(self.claude.answers)
        child = momentum(home, self.env, "classify")
        return child, lambda: len(self.claude.received) > mark

    def _answers_since(self) -> list[dict[str, Any]]:
        """What Claude answered (billed) since this home's run started."""
        with self.claude._lock:
            return self.claude.answers[self._mark :]

    def check(self, home: Path, output: str) -> Check:
        """Integrity, labels only with their settled ledger rows, the ledger ≥ the bill, rerun."""
        time.sleep(self.claude.latency + 0.05)  # let requests the kill orphaned be answered
        db = home / "data" / "momentum.db"
        result = Check(integrity_ok=integrity(db))
        rows = ledger_rows(db, "classify")
        ids = [row["request_id"] for row in rows]
        result.duplicated = len(ids) - len(set(ids))
        settled = [row for row in rows if not row["request_id"].startswith(UNSETTLED)]
        claude_labels = sum(1 for row in labels(db) if row[1] == "claude")
        # Every settled answer's videos carry Claude labels (they were one transaction).
        result.lost = max(0, sum(row["videos"] for row in settled) - claude_labels)
        acknowledged = _acknowledged_labels(output)
        if claude_labels < acknowledged:
            result.lost += acknowledged - claude_labels
            result.notes.append(f"printed {acknowledged} labelled, {claude_labels} kept")
        under, notes = under_counts(rows, self._answers_since())
        result.under_counted, result.notes = under, result.notes + notes
        code, err = finish(home, self.env, "classify")
        result.rerun_ok = code == 0
        if not result.rerun_ok:
            result.notes.append(f"rerun failed: {err.strip()[-300:]}")
        result.equal = labels(db) == self.reference
        if not result.equal:
            result.notes.append("labels after the rerun differ from the uninterrupted run")
        under, notes = under_counts(ledger_rows(db, "classify"), self._answers_since())
        result.under_counted += under
        result.notes += [f"after the rerun: {note}" for note in notes]
        return result

    def teardown(self) -> None:
        """Stop the emulator."""
        self.claude.stop()


def _acknowledged_labels(output: str) -> int:
    """The last `classify: N/M labelled` count the process printed (0 if none)."""
    counts = [
        int(line.split(":", 1)[1].split("/", 1)[0].replace(",", ""))
        for line in output.splitlines()
        if line.startswith("classify: ") and "/" in line
    ]
    return counts[-1] if counts else 0


class ClassifyBatch(Classify):
    """`momentum classify --batch`: the submission (write-ahead, create, adopt)."""

    name = "classify-batch"

    def __init__(self) -> None:
        super().__init__()
        self.env["MOMENTUM_CLAUDE_BATCH_POLL_SECONDS"] = "0.01"
        self.claude.latency = 0.5  # a create takes a while: kills land while it is in flight
        self.after_grace = 0
        """Kills whose rerun came after the grace (a submission Claude never got)."""

    def setup(self, work: Path) -> None:
        """The template cache and one uninterrupted submit, then collect, for the labels."""
        self.template = work / "template.db"
        build_template(self.template)
        home = work / "reference"
        child, started = self.launch(home)
        self.window = timed_window(child, started)
        assert child.returncode == 0, output_of(home)
        code, err = finish(home, self.env, "classify", "--batch", "--wait")
        assert code == 0, err
        self.reference = labels(home / "data" / "momentum.db")
        assert {row[1] for row in self.reference} == {"claude"}, "the reference run fell short"

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """A fresh copy of the template and an emulator with no batches; submit."""
        copy_db(self.template, home / "data" / "momentum.db")
        with self.claude._lock:
            self.claude.batches.clear()  # each home is its own account
        from bench.crash_bulk import wal_exists

        child = momentum(home, self.env, "classify", "--batch")
        return child, wal_exists(home / "data" / "momentum.db")

    def check(self, home: Path, output: str) -> Check:
        """Every batch Claude made is known or adoptable, none twice; the rerun collects all."""
        time.sleep(self.claude.latency + 0.1)  # a create the kill orphaned still completes
        db = home / "data" / "momentum.db"
        result = Check(integrity_ok=integrity(db))
        with sqlite3.connect(db) as conn:
            local = dict(conn.execute("SELECT id, status FROM ai_batches").fetchall())
        remote = list(self.claude.batches)
        result.duplicated = max(0, len(remote) - 1)  # one submission makes one batch
        waiting = [i for i, status in local.items() if status == "submitting"]
        orphans = [b for b in remote if b not in local and not waiting]
        if orphans:
            result.lost += len(orphans)
            result.notes.append(f"Claude made {orphans} but the cache has no trace of it")
        if "Submitted batch" in output and not any(b in local for b in remote):
            result.lost += 1
            result.notes.append("the batch was reported submitted but is not in the cache")
        before = self.after_grace
        code, err = self.rerun(home)
        result.counts["reruns_after_grace"] = self.after_grace - before
        result.rerun_ok = code == 0
        if code != 0:
            result.notes.append(f"rerun failed: {err.strip()[-300:]}")
        result.equal = labels(db) == self.reference
        if not result.equal:
            result.notes.append("labels after the rerun differ from the uninterrupted run")
        under, notes = self.batch_under_counts(db)
        result.under_counted += under
        result.notes += notes
        return result

    def rerun(self, home: Path) -> tuple[int, str]:
        """`classify --batch --wait`, as a person would rerun it after the kill.

        A submission written down that Claude never got holds its videos back for
        `SUBMIT_GRACE_S` (Claude's list may lag); a `--wait` rerun waits that out, frees
        them and sends them (tests/test_ai_batches.py proves that path with a clock that
        moves). Ten real minutes per such kill would be most of the harness's time, so
        when Claude has no batch at all the rerun is taken to come after the grace: the
        product's own `reconcile` runs first with its clock ten minutes on (it would
        still adopt a batch it found), then the real command.
        """
        db = home / "data" / "momentum.db"
        with sqlite3.connect(db) as conn:
            stuck = conn.execute("SELECT count(*) FROM ai_batches WHERE status = 'submitting'")
            unconfirmed = stuck.fetchone()[0]
        if unconfirmed and not self.claude.batches:
            from momentum_tui.ai.batches import SUBMIT_GRACE_S, BatchRunner
            from momentum_tui.ai.transport import make_client
            from momentum_tui.storage import Store

            settings = ClaudeSettings(base_url=self.claude.base_url)
            with Store.open(db) as store:
                later = time.time() + SUBMIT_GRACE_S + 1
                BatchRunner(store, settings, make_client(settings, TEST_KEY),
                            clock=lambda: later).reconcile()  # fmt: skip
            self.after_grace += 1
        return finish(home, self.env, "classify", "--batch", "--wait")

    def batch_under_counts(self, db: Path) -> tuple[int, list[str]]:
        """Succeeded batch requests whose usage is not (exactly) in the ledger."""
        rows = {r["request_id"]: r for r in ledger_rows(db, "batch")}
        with sqlite3.connect(db) as conn:
            collected = {r[0] for r in conn.execute(
                "SELECT id FROM ai_batches WHERE collected_at IS NOT NULL")}  # fmt: skip
        under, notes = 0, []
        for batch_id, batch in list(self.claude.batches.items()):
            if batch_id not in collected:
                under += 1
                notes.append(f"batch {batch_id} made by Claude was never collected")
                continue
            for line in batch.results:
                if line["result"]["type"] != "succeeded":
                    continue
                usage = line["result"]["message"]["usage"]
                row = rows.get(f"{batch_id}/{line['custom_id']}")
                bill = _usd(usage, ClaudeSettings().batch_discount)
                if row is None or row["usd"] + 1e-12 < bill:
                    under += 1
                    notes.append(f"{batch_id}/{line['custom_id']} is billed but not in the ledger")
        return under, notes


WRITERS: dict[str, Callable[[], Any]] = {"classify": Classify, "classify-batch": ClassifyBatch}
