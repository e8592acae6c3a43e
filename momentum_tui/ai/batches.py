"""Bulk labelling on the Message Batches API: half price, results within 24 hours.

`submit` sends every video that needs a label (within the budget, priced at the batch
discount) as one batch of `batch_size`-video requests. Which video each request carries
is written down *before* the batch is sent, under a local "submitting" id, and the
batch's real id replaces it once Claude answers — so a crash or a lost answer in
between never loses a paid batch: the next run finds it in Claude's list of batches
(by its time and size) and adopts it, or, if Claude never got it, frees its videos. `collect`
checks every uncollected batch; for an ended one it reads the JSONL results and writes
the ledger rows, labels, cache entries and failures of the whole batch in one
transaction together with its `collected_at`, so collecting twice never counts twice.
Errored, expired and canceled requests cost nothing and their videos simply become
candidates again. Videos waiting in a batch are not sent again meanwhile.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import anthropic
from anthropic.types.messages.batch_create_params import Request

from momentum_tui.ai import ledger, prompt, queries
from momentum_tui.ai.errors import ClaudeUnavailableError
from momentum_tui.ai.transport import FatalError, Situation, Transport
from momentum_tui.ai.videos import VideoText
from momentum_tui.ai.work import Answer, commit_answer, reuse_cached
from momentum_tui.config import ClaudeSettings
from momentum_tui.errors import BudgetExceededError
from momentum_tui.models import iso_utc
from momentum_tui.storage import Store

MAX_REQUESTS_PER_BATCH = 10_000
"""Well under the API's limit of 100,000 requests a batch."""
MAX_BATCH_BYTES = 200 * 1024 * 1024
"""Well under the API's limit of 256 MB a batch (the rest waits for the next batch)."""

SUBMITTING = "submitting"
"""Status (and id prefix) of a batch written down but not yet confirmed by Claude."""
SUBMIT_GRACE_S = 600
"""A submission Claude has no batch for after this long never arrived: free its videos."""
CLOCK_SKEW_S = 300
"""How far this machine's clock may run ahead of Claude's when matching a lost batch."""
LIST_PAGE = 100
"""Batches per page when looking through Claude's list (it allows 1–1,000)."""

_SENDING = Situation(
    "nothing was sent, and the offline labels are kept",
    "Run `momentum classify --batch` again.",
)
_CHECKING = Situation(
    "the batches collected before that are kept, and the others wait on Claude's side",
    "Run `momentum classify --batch` again later to collect them.",
)
_CANCELING = Situation(
    "the batches asked to cancel before that stay canceled",
    "Run `momentum classify --batch --cancel` again.",
)


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

    def as_json(self) -> dict[str, Any]:
        """Stable JSON (times in ISO-8601 UTC, like every `--json` time)."""
        return {
            **dataclasses.asdict(self),
            "created_at": iso_utc(self.created_at),
            "ended_at": iso_utc(self.ended_at),
            "collected_at": iso_utc(self.collected_at),
        }


@dataclass
class BatchReport:
    """What a submit and/or collect did."""

    submitted: list[BatchInfo] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    pending: list[BatchInfo] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    """Batches Claude no longer has (their videos count in `returned`)."""
    reused: int = 0
    labelled: int = 0
    failed: int = 0
    returned: int = 0
    usage: ledger.Usage = field(default_factory=ledger.Usage)
    usd: float = 0.0
    stopped: str | None = None
    held_back: bool = False
    """Nothing was sent: an earlier batch is still unconfirmed (`stopped` says so)."""

    def as_json(self) -> dict[str, Any]:
        """Stable JSON for scripts."""
        return {
            "submitted": [info.as_json() for info in self.submitted],
            "collected": self.collected,
            "pending": [info.as_json() for info in self.pending],
            "forgotten": self.forgotten,
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
        max_batch_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        self.store = store
        self.max_batch_bytes = max_batch_bytes
        self.settings = settings
        self.client = client
        self.sleep = sleep
        self.clock = clock
        self.prices = ledger.prices_for(settings)
        self.transport = Transport(client, settings, sleep=sleep)

    # -- submit -----------------------------------------------------------------------

    def submit(self, *, limit: int | None = None, budget_usd: float | None = None) -> BatchReport:
        """Send the videos that need labels as one batch (as many requests as the budget allows)."""
        report = BatchReport()
        self.reconcile()
        if any(info.status == SUBMITTING for info in self.pending()):
            # Only one unconfirmed batch at a time, so `reconcile` can never mistake which
            # of two same-sized batches is whose.
            report.stopped = (
                "an earlier batch is not confirmed by Claude yet (its answer was lost); "
                "try again in a few minutes"
            )
            report.held_back = True
            report.pending = self.pending()
            return report
        now = int(self.clock())
        with self.store.read() as conn:
            candidates = queries.claude_candidates(conn, limit)
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
        size_bytes = 2  # the JSON body: {"requests": […]}, near enough
        token = secrets.token_hex(6)  # in every custom_id: results only ever fit their batch
        with self.store.read() as conn:
            for number, start in enumerate(range(0, len(todo), size)):
                if number >= MAX_REQUESTS_PER_BATCH:
                    break
                chunk = todo[start : start + size]
                params, refs = prompt.params_for(chunk, self.settings)
                estimate = ledger.estimate_request_usd(
                    params, self.prices, batch_factor=self.settings.batch_discount
                )
                limit_hit = budget.blocker(conn, estimate, reserved=promised, now=self.clock())
                if limit_hit is not None:
                    report.stopped = budget.describe(limit_hit)
                    break
                custom_id = f"{token}-{number:05d}"
                request = {"custom_id": custom_id, "params": params}
                request_bytes = len(json.dumps(request, ensure_ascii=False).encode()) + 1
                if size_bytes + request_bytes > self.max_batch_bytes and requests:
                    break  # the rest goes in the next batch
                size_bytes += request_bytes
                requests.append(request)
                items.extend(
                    (custom_id, ref, v.video_id, v.content_hash) for ref, v in refs.items()
                )
                promised += estimate
        if not requests:
            raise BudgetExceededError(
                f"A batch would go over {report.stopped}; nothing was sent and the offline "
                "labels are kept.",
                "Wait for the budget to renew (days and months are UTC), or raise "
                "claude.daily_budget_usd / claude.monthly_budget_usd in the config file.",
            )
        sendable = cast(list[Request], requests)
        local_id = f"{SUBMITTING}-{token}"
        self._write_ahead(local_id, len(requests), items, promised, now)
        try:
            batch = self.transport.call(
                partial(self.client.messages.batches.create, requests=sendable),
                retry_lost_answers=False,  # a retry could create (and bill) it twice
                situation=_SENDING,
            )
        except (anthropic.APIConnectionError, anthropic.APIStatusError) as error:
            # No answer, or a server error: Claude may have made the batch. Keep the local
            # record; `reconcile` settles it now or on a later run.
            adopted = self.reconcile().get(local_id)
            if adopted is not None:
                report.submitted.extend(i for i in self.pending() if i.id == adopted)
                report.pending = self.pending()
                return report
            raise ClaudeUnavailableError(
                f"Claude did not confirm the new batch ({_what_went_wrong(error)}); it may "
                "have arrived, so its videos are held back.",
                "Run `momentum classify --batch` again in a few minutes: it looks the batch "
                "up and never sends those videos twice.",
            ) from error
        except Exception:  # not BaseException: after Ctrl-C mid-request the batch may exist
            self._forget(local_id)  # Claude said no: nothing was made
            raise
        info = BatchInfo(
            id=batch.id, status=batch.processing_status, requests=len(requests),
            videos=len(items), estimate_usd=round(promised, 6), created_at=now,
        )  # fmt: skip
        self._adopt(local_id, batch.id, batch.processing_status)
        report.submitted.append(info)
        report.pending = self.pending()
        return report

    # -- collect ----------------------------------------------------------------------

    def _write_ahead(
        self,
        local_id: str,
        requests: int,
        items: list[tuple[str, str, str, str]],
        estimate: float,
        now: int,
    ) -> None:
        """Record the batch and its videos under a local id before anything is sent."""
        batch = (local_id, self.settings.model, SUBMITTING, requests, len(items),
                 round(estimate, 6), now)  # fmt: skip
        with self.store.write() as db:
            queries.write_ahead_batch(db, batch, items)

    def _adopt(self, local_id: str, batch_id: str, status: str) -> None:
        """Give a written-ahead batch its real id (one transaction)."""
        with self.store.write() as db:
            queries.rename_batch(db, local_id, batch_id, status)

    def _forget(self, local_id: str) -> None:
        with self.store.write() as db:
            queries.delete_batch(db, local_id)

    def reconcile(self) -> dict[str, str]:
        """Settle batches written down but never confirmed (a crash or a lost answer).

        Claude's list of batches is searched for one of the same size created at or after
        the local record that Momentum doesn't know; it is adopted. A record with no such
        batch after `SUBMIT_GRACE_S` never reached Claude, and its videos are freed.
        Returns {local id: Claude's batch id} for what it adopted.
        """
        with self.store.read() as conn:
            waiting = queries.batches_with_status(conn, SUBMITTING)
            known = queries.batch_ids(conn)
        adopted: dict[str, str] = {}
        if not waiting:
            return adopted
        remote = sorted(
            self._remote_since(min(row[2] for row in waiting) - CLOCK_SKEW_S),
            key=lambda batch: batch.created_at,
        )
        for local_id, requests, created_at in waiting:
            for batch in remote:
                counts = batch.request_counts
                size = (counts.processing + counts.succeeded + counts.errored
                        + counts.canceled + counts.expired)  # fmt: skip
                if (
                    batch.id not in known
                    and size == requests
                    and batch.created_at.timestamp() >= created_at - CLOCK_SKEW_S
                ):
                    self._adopt(local_id, batch.id, batch.processing_status)
                    known.add(batch.id)
                    adopted[local_id] = batch.id
                    break
            else:
                if self.clock() - created_at > SUBMIT_GRACE_S:
                    self._forget(local_id)
        return adopted

    def _remote_since(self, since: float) -> list[Any]:
        """Claude's batches (newest first, page by page) back to one created before `since`."""
        found: list[Any] = []
        after: str | None = None
        while True:
            options: dict[str, Any] = {"limit": LIST_PAGE}
            if after is not None:
                options["after_id"] = after
            page = self.transport.call(
                partial(self.client.messages.batches.list, **options), situation=_CHECKING
            )
            found.extend(page.data)
            if not page.has_more or not page.data or not page.last_id:
                return found
            if page.data[-1].created_at.timestamp() < since:
                return found  # older than every record looked for: the rest is older still
            after = page.last_id

    def pending(self) -> list[BatchInfo]:
        """Batches submitted and not collected yet."""
        with self.store.read() as conn:
            rows = queries.uncollected_batches(conn)
        return [BatchInfo(*row) for row in rows]

    def collect(self, report: BatchReport | None = None) -> BatchReport:
        """Check every pending batch and collect the ones that ended."""
        report = report or BatchReport()
        self.reconcile()
        for info in self.pending():
            if info.status == SUBMITTING:
                continue  # not confirmed by Claude yet; `reconcile` keeps looking
            batch = self._unless_missing(
                partial(self.client.messages.batches.retrieve, info.id), info, report
            )
            if batch is None:
                continue
            now = int(self.clock())
            if batch.processing_status != "ended":
                with self.store.write() as db:
                    queries.set_batch_status(db, info.id, batch.processing_status, now)
                continue
            # Read to the end inside the call, so a read that breaks off is retried.
            results = self._unless_missing(partial(self._results, info.id), info, report)
            if results is None:
                continue
            self._store_results(info.id, results, report, now)
            report.collected.append(info.id)
        report.pending = self.pending()
        return report

    def _results(self, batch_id: str) -> list[Any]:
        return list(self.client.messages.batches.results(batch_id))

    def _unless_missing(self, call: Callable[[], Any], info: BatchInfo, report: BatchReport) -> Any:
        """`call`'s answer, or None when Claude has no such batch any more.

        A batch Claude no longer knows (its results expire after 29 days, or it was deleted
        in the Console) can never be collected: it is forgotten, so its videos are sent again.
        """
        try:
            return self.transport.send(call)
        except FatalError as error:
            if error.fatal.kind != "missing":
                raise error.fatal.error(_CHECKING, self.settings) from None
        with self.store.write() as db:
            queries.delete_batch(db, info.id)
        report.forgotten.append(info.id)
        report.returned += info.videos
        return None

    def _store_results(
        self, batch_id: str, results: list[Any], report: BatchReport, now: int
    ) -> None:
        with self.store.read() as conn:
            rows = queries.batch_items(conn, batch_id)
            texts = {t.video_id: t for t in queries.texts_by_id(conn, sorted({r[2] for r in rows}))}
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
            queries.mark_batch_collected(db, batch_id, now)
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
        self.reconcile()
        for info in self.pending():
            if info.status not in ("ended", SUBMITTING):
                self.transport.call(
                    partial(self.client.messages.batches.cancel, info.id), situation=_CANCELING
                )
                canceled.append(info.id)
        return canceled


def _what_went_wrong(error: Exception) -> str:
    """A lost answer in words: `the connection dropped`, `HTTP 500 from Claude`…"""
    if isinstance(error, anthropic.APITimeoutError):
        return "the request timed out"
    if isinstance(error, anthropic.APIStatusError):
        return f"it answered HTTP {error.status_code}"
    return "the connection dropped before it answered"
