"""The Message Batches endpoints of the Claude emulator: create, list, retrieve, results.

A mixin of `ClaudeEmulator` (it uses the emulator's ids, faults, errors and answers): a
batch ends after `batch_polls` retrieves (at once when canceled), its results come back
in another order than sent, and the list pages newest first as the API's does.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.emulators.claude_checks import batch_problem

LIST_BATCHES = "GET /v1/messages/batches"
"""`fail(kind, when_contains=LIST_BATCHES)` aims an HTTP fault at the batch list."""
HANG_UP: tuple[int, dict[str, str], bytes] = (0, {}, b"")
"""What `handle` returns to close the connection without an answer."""

HTTP_FAULTS = {"429", "429_spend_limit", "400_billing", "402_billing", "529", "500", "401",
               "403", "413", "400"}  # fmt: skip
ANSWER_FAULTS = {"refusal", "max_tokens", "malformed_json", "schema_mismatch", "bad_enum",
                  "missing_item", "gullible", "extra_field"}  # fmt: skip
"""Faults that are HTTP errors, and faults that spoil an answer (see `ClaudeEmulator.fail`)."""


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Batch:
    id: str
    requests: list[dict[str, Any]]
    created_at: datetime
    polls: int = 0
    status: str = "in_progress"
    cancel: bool = False
    ended_at: datetime | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


class BatchEndpoints:
    """The batch half of `ClaudeEmulator` (which provides the helpers named below)."""

    batches: dict[str, Batch]
    batch_polls: int
    max_batch_requests: int
    _lock: threading.RLock

    # Provided by ClaudeEmulator:
    _next_id: Any
    _take_fault: Any
    _http_fault: Any
    _json: Any
    _error: Any
    _refuse: Any
    _texts: Any
    answer: Any
    base_url: Any

    def make_batches(self, count: int, *, requests: int = 1) -> list[str]:
        """Batches made on the account by someone else (server state; no request recorded)."""
        params = {"model": "claude-haiku-4-5", "max_tokens": 5,
                  "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
        made = []
        for _ in range(count):
            batch = Batch(self._next_id("msgbatch"),
                           [{"custom_id": f"r{n}", "params": params} for n in range(requests)],
                           now())  # fmt: skip
            with self._lock:
                self.batches[batch.id] = batch
            made.append(batch.id)
        return made

    def _batch_create(self, body: Any) -> tuple[int, dict[str, str], bytes]:
        problem = batch_problem(body, max_requests=self.max_batch_requests)
        if problem is not None:
            return self._refuse(problem)
        requests = body["requests"]
        if self._take_fault("", {"lost_request"}) is not None:
            return HANG_UP
        fault = self._take_fault("", HTTP_FAULTS)
        if fault is not None:
            return self._http_fault(fault)
        batch = Batch(self._next_id("msgbatch"), requests, now())
        with self._lock:
            self.batches[batch.id] = batch
        if self._take_fault("", {"lost_answer"}) is not None:
            return HANG_UP  # made, and billed, but the answer never arrives
        return self._json(200, self._batch_json(batch))

    def _batch_list(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One page of batches, newest first (`limit`, `after_id`, `before_id` as the API)."""
        fault = self._take_fault(LIST_BATCHES, HTTP_FAULTS)
        if fault is not None:
            return self._http_fault(fault)
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1000:
            return self._error(400, "invalid_request_error", "limit: Input should be an "
                               "integer from 1 to 1000")  # fmt: skip
        with self._lock:
            newest_first = sorted(self.batches.values(), key=lambda b: (b.created_at, b.id))
            newest_first.reverse()
        ids = [batch.id for batch in newest_first]
        for name in ("after_id", "before_id"):
            if name in query and query[name] not in ids:
                return self._error(404, "not_found_error", f"{name}: no batch {query[name]!r}")
        if "after_id" in query:  # the page right after (older than) that batch
            start = ids.index(query["after_id"]) + 1
            page = newest_first[start : start + limit]
            more = start + limit < len(ids)
        elif "before_id" in query:  # the page right before (newer than) that batch
            end = ids.index(query["before_id"])
            page = newest_first[max(0, end - limit) : end]
            more = end - limit > 0
        else:
            page, more = newest_first[:limit], len(ids) > limit
        data = [self._batch_json(batch) for batch in page]
        return self._json(200, {
            "data": data, "has_more": more,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        })  # fmt: skip

    def _batch_retrieve(self, batch: Batch) -> dict[str, Any]:
        with self._lock:
            batch.polls += 1
            if batch.status != "ended" and (batch.cancel or batch.polls >= self.batch_polls):
                self._finish(batch)
        return self._batch_json(batch)

    def _finish(self, batch: Batch) -> None:
        results = []
        for request in batch.requests:
            if batch.cancel:
                result: dict[str, Any] = {"type": "canceled"}
            else:
                _, _, text = self._texts(request["params"])
                fault = self._take_fault(text, ANSWER_FAULTS | {"batch_errored", "expired"})
                if fault is not None and fault.kind == "batch_errored":
                    result = {"type": "errored", "error": {"type": "error", "error": {
                        "type": "overloaded_error", "message": "Overloaded"}}}  # fmt: skip
                elif fault is not None and fault.kind == "expired":
                    result = {"type": "expired"}
                else:
                    message = self.answer(request["params"], fault)
                    message["usage"]["service_tier"] = "batch"
                    result = {"type": "succeeded", "message": message}
            results.append({"custom_id": request["custom_id"], "result": result})
        batch.results = list(reversed(results))  # results come in any order
        batch.status = "ended"
        batch.ended_at = now()

    def _batch_json(self, batch: Batch) -> dict[str, Any]:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if batch.status == "ended":
            for line in batch.results:
                counts[line["result"]["type"]] += 1
        else:
            counts["processing"] = len(batch.requests)
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": batch.status,
            "request_counts": counts,
            "created_at": iso(batch.created_at),
            "expires_at": iso(batch.created_at + timedelta(hours=24)),
            "ended_at": iso(batch.ended_at) if batch.ended_at else None,
            "cancel_initiated_at": iso(batch.created_at) if batch.cancel else None,
            "archived_at": None,
            "results_url": (
                f"{self.base_url}/v1/messages/batches/{batch.id}/results"
                if batch.status == "ended"
                else None
            ),
        }

    def _batch_results(self, batch: Batch) -> tuple[int, dict[str, str], bytes]:
        if batch.status != "ended":
            return self._error(400, "invalid_request_error", "Batch has not ended yet.")
        lines = "\n".join(json.dumps(line, ensure_ascii=False) for line in batch.results) + "\n"
        return 200, {"content-type": "application/binary"}, lines.encode()
