"""Bulk labelling on the Message Batches API: half price, results within 24 hours.

`submit` sends every video that needs a label (within the budget, priced at the batch
discount) as one batch of `batch_size`-video requests and records the batch id and which
video each request carries *before* returning, so a restart loses nothing. `collect`
checks every uncollected batch; for an ended one it reads the JSONL results and writes
the ledger rows, labels, cache entries and failures of the whole batch in one
transaction together with its `collected_at`, so collecting twice never counts twice.
Errored, expired and canceled requests cost nothing and their videos simply become
candidates again. Videos waiting in a batch are not sent again meanwhile.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import anthropic
from anthropic.types.messages.batch_create_params import Request

from momentum_tui.ai import ledger, prompt
from momentum_tui.ai.transport import FatalError, Transport
from momentum_tui.ai.videos import VideoText, texts_by_id
from momentum_tui.ai.work import Answer, claude_candidates, commit_answer, reuse_cached
from momentum_tui.config import ClaudeSettings
from momentum_tui.errors import BudgetExceededError
from momentum_tui.storage import Store

MAX_REQUESTS_PER_BATCH = 10_000
"""Well under the API's limit (100,000 requests or 256 MB a batch)."""


@dataclass
class BatchInfo:
    """One submitted batch as Momentum tracks it (the `--json` shape)."""

    id: str
    status: str
    requests: int
    videos: int
    estimate_usd: float
    created_at: int
    ended_at: int | None = None
    collected_at: int | None = None


@dataclass
class BatchReport:
    """What a submit and/or collect did."""

    submitted: list[BatchInfo] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    pending: list[BatchInfo] = field(default_factory=list)
    reused: int = 0
    labelled: int = 0
    failed: int = 0
    returned: int = 0
    usage: ledger.Usage = field(default_factory=ledger.Usage)
    usd: float = 0.0
    stopped: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Stable JSON for scripts."""
        return {
            "submitted": [dataclasses.asdict(info) for info in self.submitted],
            "collected": self.collected,
            "pending": [dataclasses.asdict(info) for info in self.pending],
            "reused": self.reused,
            "labelled": self.labelled,
            "failed": self.failed,
            "returned": self.returned,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cache_write_tokens": self.usage.cache_write_tokens,
            "cache_read_tokens": self.usage.cache_read_tokens,
            "usd": round(self.usd, 6),
            "stopped": self.stopped,
        }


class BatchRunner:
    """Submits, checks, collects and cancels label batches for one cache."""

    def __init__(
        self,
        store: Store,
        settings: ClaudeSettings,
        client: anthropic.Anthropic,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings
        self.client = client
        self.sleep = sleep
        self.clock = clock
        self.prices = ledger.prices_for(settings)
        self.transport = Transport(client, settings, sleep=sleep)

    def _call(self, function: Callable[[], Any]) -> Any:
        try:
            return self.transport.send(function)
        except FatalError as error:
            raise error.fatal.error(0, self.settings.model) from None

    # -- submit -----------------------------------------------------------------------

    def submit(self, *, limit: int | None = None, budget_usd: float | None = None) -> BatchReport:
        """Send the videos that need labels as one batch (as many requests as the budget allows)."""
        report = BatchReport()
        now = int(self.clock())
        with self.store.read() as conn:
            candidates = claude_candidates(conn, limit)
        with self.store.write() as db:
            todo = reuse_cached(db, candidates, now)
        report.reused = len(candidates) - len(todo)
        if not todo:
            return report
        budget = ledger.Budget.from_settings(self.settings, budget_usd)
        size = self.settings.batch_size
        requests: list[dict[str, Any]] = []
        items: list[tuple[str, str, str, str]] = []
        promised = 0.0
        for number, start in enumerate(range(0, len(todo), size)):
            if number >= MAX_REQUESTS_PER_BATCH:
                break
            chunk = todo[start : start + size]
            params, refs = prompt.request_params(
                chunk, model=self.settings.model, output_mode=self.settings.output_mode,
                per_video_tokens=self.settings.output_tokens_per_video,
                label_language=self.settings.label_language,
            )  # fmt: skip
            estimate = ledger.estimate_request_usd(
                params, self.prices, batch_factor=self.settings.batch_discount
            )
            with self.store.read() as conn:
                limit_hit = budget.blocker(conn, estimate, reserved=promised, now=self.clock())
            if limit_hit is not None:
                report.stopped = budget.describe(limit_hit)
                break
            custom_id = f"r{number:05d}"
            requests.append({"custom_id": custom_id, "params": params})
            items.extend((custom_id, ref, v.video_id, v.content_hash) for ref, v in refs.items())
            promised += estimate
        if not requests:
            raise BudgetExceededError(
                f"A batch would go over {report.stopped}; nothing was sent and the offline "
                "labels are kept.",
                "Wait for the budget to renew (days and months are UTC), or raise "
                "claude.daily_budget_usd / claude.monthly_budget_usd in the config file.",
            )
        sendable = cast(list[Request], requests)
        batch = self._call(partial(self.client.messages.batches.create, requests=sendable))
        info = BatchInfo(
            id=batch.id, status=batch.processing_status, requests=len(requests),
            videos=len(items), estimate_usd=round(promised, 6), created_at=now,
        )  # fmt: skip
        with self.store.write() as db:
            db.conn.execute(
                "INSERT INTO ai_batches (id, model, status, requests, videos, estimate_usd, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (info.id, self.settings.model, info.status, info.requests, info.videos,
                 info.estimate_usd, now),
            )  # fmt: skip
            db.conn.executemany(
                "INSERT INTO ai_batch_items (batch_id, custom_id, ref, video_id, content_hash) "
                "VALUES (?, ?, ?, ?, ?)",
                [(info.id, *item) for item in items],
            )
        report.submitted.append(info)
        report.pending = self.pending()
        return report

    # -- collect ----------------------------------------------------------------------

    def pending(self) -> list[BatchInfo]:
        """Batches submitted and not collected yet."""
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT id, status, requests, videos, estimate_usd, created_at, ended_at, "
                "collected_at FROM ai_batches WHERE collected_at IS NULL ORDER BY created_at"
            ).fetchall()
        return [BatchInfo(*row) for row in rows]

    def collect(self, report: BatchReport | None = None) -> BatchReport:
        """Check every pending batch and collect the ones that ended."""
        report = report or BatchReport()
        for info in self.pending():
            batch = self._call(partial(self.client.messages.batches.retrieve, info.id))
            now = int(self.clock())
            if batch.processing_status != "ended":
                with self.store.write() as db:
                    db.conn.execute(
                        "UPDATE ai_batches SET status = ?, checked_at = ? WHERE id = ?",
                        (batch.processing_status, now, info.id),
                    )
                continue
            results = list(self._call(partial(self.client.messages.batches.results, info.id)))
            self._store_results(info.id, results, report, now)
            report.collected.append(info.id)
        report.pending = self.pending()
        return report

    def _store_results(
        self, batch_id: str, results: list[Any], report: BatchReport, now: int
    ) -> None:
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT custom_id, ref, video_id, content_hash FROM ai_batch_items "
                "WHERE batch_id = ?",
                (batch_id,),
            ).fetchall()
            texts = {t.video_id: t for t in texts_by_id(conn, sorted({r[2] for r in rows}))}
        requests: dict[str, dict[str, VideoText]] = {}
        for custom_id, ref, video_id, content_hash in rows:
            text = texts.get(video_id)
            if text is not None:
                # Labels belong to the text that was sent, even if it changed since.
                requests.setdefault(custom_id, {})[ref] = dataclasses.replace(
                    text, content_hash=content_hash
                )
        answers: list[Answer] = []
        for line in results:
            refs = requests.get(line.custom_id, {})
            if line.result.type != "succeeded":
                report.returned += len(refs)  # not billed; they are candidates again
                continue
            answers.append(self._answer(batch_id, line.custom_id, line.result.message, refs))
        with self.store.write() as db:
            for answer in answers:
                commit_answer(db, answer, now)
            db.conn.execute(
                "UPDATE ai_batches SET status = 'ended', ended_at = coalesce(ended_at, ?), "
                "checked_at = ?, collected_at = ? WHERE id = ?",
                (now, now, now, batch_id),
            )
        for answer in answers:
            report.labelled += len(answer.labels)
            report.failed += len(answer.given_up)
            report.usage.add(answer.usage)
            report.usd += answer.usd

    def _answer(
        self, batch_id: str, custom_id: str, message: Any, refs: dict[str, VideoText]
    ) -> Answer:
        usage = ledger.usage_of(message.usage)
        answer = Answer(
            model=self.settings.model, kind="batch", videos=len(refs), usage=usage,
            usd=ledger.cost_usd(usage, self.prices, batch_factor=self.settings.batch_discount),
            request_id=f"{batch_id}/{custom_id}",
        )  # fmt: skip
        # A batch can't retry in halves the way a standard run does: unlabelled videos go
        # back to the candidates (a standard run narrows them down), and a video that comes
        # back unlabelled from BATCH_ATTEMPTS batches is given up.
        if message.stop_reason == "refusal":
            answer.retry_later = {v.video_id: (v.content_hash, "refused") for v in refs.values()}
            return answer
        truncated = message.stop_reason in ("max_tokens", "model_context_window_exceeded")
        payload, problem = prompt.answer_payload(list(message.content), truncated=truncated)
        parsed = prompt.parse_answer(payload, refs, self.settings.model)
        answer.labels = parsed.labels
        if not truncated:
            answer.retry_later = {
                v.video_id: (v.content_hash, problem or parsed.rejected.get(v.video_id, "invalid"))
                for v in refs.values()
                if v.video_id not in parsed.labels
            }
        return answer

    # -- waiting and canceling ----------------------------------------------------------

    def wait(
        self,
        *,
        poll_seconds: float | None = None,
        timeout: float | None = None,
        on_poll: Callable[[BatchReport], None] | None = None,
    ) -> BatchReport:
        """Collect until no batch is pending (or `timeout` seconds pass)."""
        report = BatchReport()
        started = self.clock()
        poll = self.settings.batch_poll_seconds if poll_seconds is None else poll_seconds
        while True:
            self.collect(report)
            if on_poll is not None:
                on_poll(report)
            if not report.pending:
                return report
            if timeout is not None and self.clock() - started >= timeout:
                return report
            self.sleep(poll)

    def cancel(self) -> list[str]:
        """Ask Claude to cancel every pending batch; their results are collected as usual."""
        canceled = []
        for info in self.pending():
            if info.status != "ended":
                self._call(partial(self.client.messages.batches.cancel, info.id))
                canceled.append(info.id)
        return canceled
