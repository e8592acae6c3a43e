"""Labelling the cache with Claude: batched, cached, budgeted, and every answer kept.

A run takes the videos that need a Claude label (see `work`), labels from the
content-hash cache whatever Claude has seen before, and sends the rest `batch_size`
at a time. The first request goes alone, so it writes the prompt cache that the
others then read; after that up to `concurrency` requests are in flight. Before each
request the budget is checked with a conservative estimate. Each answer is validated
item by item and written — ledger row, labels, cache, failures — in one transaction.

When an answer is unusable the videos are retried, never paid twice for nothing:

* cut off at max tokens: the complete labels are kept, the rest is sent in halves;
* refused: sent in halves until the one refused video is found, which is given up;
* invalid JSON or labels outside the schema: sent once more in halves, then given up.

A key, spend-limit or request error stops the run after the requests in flight are
written; the error says what was kept.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, cast

import anthropic
from anthropic.types import Message

from momentum_tui.ai import ledger, prompt
from momentum_tui.ai.queries import claude_candidates, mark_failed
from momentum_tui.ai.transport import (
    Fatal,
    FatalError,
    TooLargeError,
    Transport,
    classify_situation,
)
from momentum_tui.ai.videos import VideoText
from momentum_tui.ai.work import Answer, commit_paid, reuse_cached
from momentum_tui.config import ClaudeSettings
from momentum_tui.errors import BudgetExceededError, DiskFullError
from momentum_tui.storage import Store


@dataclass
class ClassifyProgress:
    """Where a run is: for a progress line or a progress bar."""

    total: int
    labelled: int = 0
    failed: int = 0
    requests: int = 0
    usd: float = 0.0
    note: str = ""


@dataclass
class ClassifyResult:
    """What a run did (the `momentum classify --json` shape, see docs/ai.md)."""

    model: str
    candidates: int = 0
    labelled: int = 0
    reused: int = 0
    failed: int = 0
    remaining: int = 0
    requests: int = 0
    usage: ledger.Usage = field(default_factory=ledger.Usage)
    usd: float = 0.0
    stopped: str | None = None
    cancelled: bool = False
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """Stable JSON for scripts."""
        return {
            "model": self.model,
            "candidates": self.candidates,
            "labelled": self.labelled,
            "reused": self.reused,
            "failed": self.failed,
            "remaining": self.remaining,
            "requests": self.requests,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cache_write_tokens": self.usage.cache_write_tokens,
            "cache_read_tokens": self.usage.cache_read_tokens,
            "usd": round(self.usd, 6),
            "stopped": self.stopped,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Work:
    videos: list[VideoText]
    attempt: int = 0


@dataclass
class _Sent:
    work: _Work
    reserved: float
    refs: dict[str, VideoText]
    ledger_row: int


class Classifier:
    """Runs Claude over the videos of one cache (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        settings: ClaudeSettings,
        client: anthropic.Anthropic,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        progress: Callable[[ClassifyProgress], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.client = client
        self.clock = clock
        self.progress = progress
        self.prices = ledger.prices_for(settings)
        self.transport = Transport(client, settings, sleep=sleep, on_wait=self._on_wait)
        self._status = ClassifyProgress(total=0)

    def _on_wait(self, seconds: float, why: str) -> None:
        self._status.note = f"{why}: waiting {seconds:.0f} s"
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self._status)

    def _params(self, videos: list[VideoText]) -> tuple[dict[str, Any], dict[str, VideoText]]:
        return prompt.params_for(videos, self.settings)

    def run(
        self,
        *,
        limit: int | None = None,
        budget_usd: float | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> ClassifyResult:
        """Label up to `limit` videos within the budgets (and `budget_usd` for this run).

        `should_stop` is asked before each request (the app passes its worker's
        cancellation): when it says yes, nothing more is sent and the answers of the
        requests in flight are kept.
        """
        started = time.perf_counter()
        result = ClassifyResult(model=self.settings.model)
        budget = ledger.Budget.from_settings(self.settings, budget_usd)
        with self.store.read() as conn:
            candidates = claude_candidates(conn, limit)
        result.candidates = len(candidates)
        with self.store.write() as db:
            todo = reuse_cached(db, candidates, int(self.clock()))
        result.reused = len(candidates) - len(todo)
        self._status = ClassifyProgress(total=len(candidates), labelled=result.reused)
        self._report()

        size = self.settings.batch_size
        queue: deque[_Work] = deque(_Work(todo[i : i + size]) for i in range(0, len(todo), size))
        fatal = self._drive(queue, result, budget, should_stop)
        result.labelled += result.reused
        result.remaining = sum(len(work.videos) for work in queue)
        result.seconds = time.perf_counter() - started
        if fatal is not None:
            raise fatal.error(classify_situation(result.labelled), self.settings)
        if result.stopped and result.labelled == 0:
            raise BudgetExceededError(
                f"Classifying would go over {result.stopped}; nothing was sent and the offline "
                "labels are kept.",
                "Wait for the budget to renew (days and months are UTC), or raise "
                "claude.daily_budget_usd / claude.monthly_budget_usd in the config file.",
            )
        return result

    def _drive(
        self,
        queue: deque[_Work],
        result: ClassifyResult,
        budget: ledger.Budget,
        should_stop: Callable[[], bool] | None = None,
    ) -> Fatal | None:
        """Send the queue, first request alone, then `concurrency` at a time."""
        in_flight: dict[Future[Message], _Sent] = {}
        fatal: Fatal | None = None
        full: DiskFullError | None = None  # a full disk: send no more, keep what is paid
        warmed = False
        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            try:
                while True:
                    if should_stop is not None and not result.cancelled and should_stop():
                        result.cancelled = True
                    room = self.settings.concurrency if warmed else 1
                    while (queue and fatal is None and full is None and result.stopped is None
                           and not result.cancelled and len(in_flight) < room):  # fmt: skip
                        work = queue[0]
                        params, refs = self._params(work.videos)
                        estimate = ledger.estimate_request_usd(params, self.prices)
                        # Requests in flight are in the ledger already (reserved at their
                        # upper bound), so only this run's own cap needs them added.
                        in_air = sum(sent.reserved for sent in in_flight.values())
                        with self.store.read() as conn:
                            limit = budget.blocker(
                                conn, estimate, run_spent=result.usd + in_air, now=self.clock()
                            )
                        if limit is not None:
                            if not in_flight:
                                result.stopped = budget.describe(limit)
                            break
                        queue.popleft()
                        row = self._reserve(params, estimate, len(work.videos))
                        future = pool.submit(self._send, params, estimate, len(work.videos))
                        in_flight[future] = _Sent(work, estimate, refs, row)
                    if not in_flight:
                        if full is not None:
                            raise full
                        return fatal
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        try:
                            taken = self._take(future, in_flight.pop(future), queue, result)
                        except DiskFullError as error:
                            full, taken = full or error, None
                        fatal = fatal or taken
                        warmed = warmed or future.exception() is None
            except KeyboardInterrupt:
                # Requests already sent are paid for: wait for them and keep their answers.
                for future, sent in list(in_flight.items()):
                    self._take(future, sent, queue, result)
                raise

    def _take(
        self, future: Future[Message], sent: _Sent, queue: deque[_Work], result: ClassifyResult
    ) -> Fatal | None:
        """Handle one finished request: keep its answer, or say why the run must stop."""
        try:
            message = future.result()
        except FatalError as error:
            if not error.fatal.maybe_billed:  # Claude said no: nothing was billed
                self._release(sent.ledger_row)
            queue.appendleft(sent.work)
            return error.fatal
        except TooLargeError:
            self._release(sent.ledger_row)
            self._split_or_give_up(queue, sent.work, result)
            return None
        self._settle(message, sent, queue, result)
        return None

    def _reserve(self, params: dict[str, Any], estimate: float, videos: int) -> int:
        """The request's ledger row, at its upper bound, written before it is sent."""
        with self.store.write() as db:
            return ledger.reserve(
                db, model=self.settings.model, kind="classify", videos=videos,
                usage=ledger.estimate_request_usage(params), usd=estimate, now=self.clock(),
            )  # fmt: skip

    def _release(self, row: int) -> None:
        with self.store.write() as db:
            ledger.release(db, row)

    def _send(self, params: dict[str, Any], estimate: float, videos: int) -> Message:
        def call() -> Message:
            return cast(Message, self.client.messages.create(**params))

        def lost() -> None:
            # The answer to an attempt was lost and it is sent again: Claude may have
            # billed the lost one too, so it keeps an unsettled row of its own.
            self._reserve(params, estimate, videos)

        return self.transport.send(call, on_lost=lost)

    def _settle(
        self, message: Message, sent: _Sent, queue: deque[_Work], result: ClassifyResult
    ) -> None:
        """Keep what an answer brought; queue again (or give up) what it didn't."""
        usage = ledger.usage_of(message.usage)
        usd = ledger.cost_usd(usage, self.prices)
        work = sent.work
        answer = Answer(
            model=self.settings.model, kind="classify", videos=len(work.videos), usage=usage,
            usd=usd, request_id=message._request_id or message.id, ledger_row=sent.ledger_row,
        )  # fmt: skip
        truncated = message.stop_reason in ("max_tokens", "model_context_window_exceeded")
        retry: list[VideoText] = []
        if message.stop_reason == "refusal":
            retry = list(work.videos)
            reason = "refused"
        else:
            payload, problem = prompt.answer_payload(list(message.content), truncated=truncated)
            parsed = prompt.parse_answer(payload, sent.refs, self.settings.model)
            answer.labels = parsed.labels
            retry = [video for video in work.videos if video.video_id not in parsed.labels]
            reason = "cut off at max tokens" if truncated else (problem or "")
            if not reason and retry:
                reason = next(iter(parsed.rejected.values()), "invalid label")
        give_up = self._plan_retry(queue, work, retry, reason, truncated)
        answer.given_up = {v.video_id: (v.content_hash, reason) for v in give_up}
        commit_paid(self.store, answer, int(self.clock()))
        result.requests += 1
        result.usage.add(usage)
        result.usd += usd
        result.labelled += len(answer.labels)
        result.failed += len(give_up)
        status = self._status
        status.labelled += len(answer.labels)
        status.failed += len(give_up)
        status.requests += 1
        status.usd += usd
        status.note = ""
        self._report()

    def _plan_retry(
        self,
        queue: deque[_Work],
        work: _Work,
        retry: list[VideoText],
        reason: str,
        truncated: bool,
    ) -> list[VideoText]:
        """Queue the videos to try again; return those given up on."""
        if not retry:
            return []
        if reason == "refused" or truncated:
            # Size (or one bad video) is the cause: keep halving until one video is left.
            if len(retry) == 1:
                return retry if work.attempt >= 1 or len(work.videos) == 1 else self._once(
                    queue, retry, work.attempt
                )  # fmt: skip
            self._requeue_halves(queue, _Work(retry, work.attempt), work.attempt)
            return []
        if work.attempt >= 1:
            return retry
        self._requeue_halves(queue, _Work(retry, 0), 0)
        return []

    def _split_or_give_up(self, queue: deque[_Work], work: _Work, result: ClassifyResult) -> None:
        """A request too large for Claude (nothing was billed): halve it, or give up on one."""
        if len(work.videos) > 1:
            self._requeue_halves(queue, work, work.attempt)
            return
        video = work.videos[0]
        with self.store.write() as db:
            mark_failed(db, {video.video_id: (video.content_hash, "too large")}, int(self.clock()))
        result.failed += 1

    def _once(self, queue: deque[_Work], videos: list[VideoText], attempt: int) -> list[VideoText]:
        queue.appendleft(_Work(videos, attempt + 1))
        return []

    @staticmethod
    def _requeue_halves(queue: deque[_Work], work: _Work, attempt: int) -> None:
        videos = work.videos
        if len(videos) == 1:
            queue.appendleft(_Work(videos, attempt + 1))
            return
        middle = (len(videos) + 1) // 2
        queue.appendleft(_Work(videos[middle:], attempt + 1))
        queue.appendleft(_Work(videos[:middle], attempt + 1))


def classify(
    store: Store,
    settings: ClaudeSettings,
    *,
    limit: int | None = None,
    budget_usd: float | None = None,
    client: anthropic.Anthropic | None = None,
    progress: Callable[[ClassifyProgress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    should_stop: Callable[[], bool] | None = None,
) -> ClassifyResult:
    """Label the cache's videos with Claude (see `Classifier`); the CLI and app call this."""
    from momentum_tui.ai.transport import make_client

    classifier = Classifier(
        store, settings, client or make_client(settings), progress=progress, sleep=sleep
    )
    return classifier.run(limit=limit, budget_usd=budget_usd, should_stop=should_stop)
