"""A loopback Claude API for the real anthropic SDK: messages, count_tokens, batches, faults.

The SDK talks to it over real HTTP (`base_url=emulator.base_url`), so everything between
Momentum and the wire — headers, JSON shapes, status codes, retry headers, the JSONL
results stream — is exercised for real.

What it does, like the real API:

* accepts `x-api-key` or `Authorization: Bearer` (401 for unknown keys), requires
  `anthropic-version: 2026-10-21`, rejects unknown models (404) and `temperature` (400);
* is no laxer than the API: `max_tokens` is required on messages (and refused on
  count_tokens), unknown top-level fields are refused ("Extra inputs are not
  permitted"), the first message is the user's and every message has content; a
  Messages body over 32 MB and a batch over 256 MB are `413 request_too_large`, a batch
  holds 1–100,000 requests whose `custom_id`s are unique ASCII `[a-zA-Z0-9_-]{1,64}`;
* every response, errors included, carries a `request-id` header (errors also carry it
  as `request_id` in the body); a 429 carries `retry-after` unless told not to;
* `/v1/messages` with structured output (`output_config.format`) or a forced tool;
* usage at about 4 UTF-8 bytes a token; the prefix up to a `cache_control` block
  (tools, output schema, system) is written to the cache on first use and read after,
  when it is at least `min_cache_tokens` long; `max_tokens` truncates the answer;
* `/v1/messages/count_tokens`; `/v1/messages/batches` create, list (newest first,
  paged by `limit` 1–1,000 (default 20), `after_id` and `before_id`), retrieve, cancel
  and JSONL results (ended after `batch_polls` retrieves, results in a different order);
* labels derived deterministically from the `<videos>` JSON lines of the prompt (it
  "reads" the data: category, title, tags, length, sponsor line), and rules derived
  from a `<sentence>` for rule parsing;
* faults on demand (`fail(kind, …)`): 429 (with retry-after unless `no_retry_after`),
  529, 500, 401, 403, 404, 413, 400 billing, 402 billing, 429 spend limit, refusal,
  max_tokens, malformed JSON, schema mismatch, enum values outside the schema, a missing
  item, a gullible model that obeys injected instructions, errored batch results, and a
  message or a batch create whose connection drops after it was made and billed
  (`lost_answer`), or a batch create dropped before (`lost_request`).

`received` lists every request (method, path, headers, JSON body, query) for assertions.
The checks live in `claude_checks`, the model's answers in `claude_model`, the batch
endpoints in `claude_batches`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.emulators.claude_batches import (
    ANSWER_FAULTS,
    HANG_UP,
    HTTP_FAULTS,
    LIST_BATCHES,
    Batch,
    BatchEndpoints,
)
from tests.emulators.claude_checks import (
    MAX_BATCH_BYTES,
    MAX_BATCH_REQUESTS,
    MAX_REQUEST_BYTES,
    Problem,
    message_problem,
)
from tests.emulators.claude_model import label_for, rule_from_sentence, spoil, tokens, videos_in

__all__ = ["API_VERSION", "HANG_UP", "LIST_BATCHES", "TEST_KEY", "ClaudeEmulator", "Fault"]

API_VERSION = "2026-10-21"
TEST_KEY = "sk-ant-api03-test-key-for-the-emulator"


@dataclass
class Fault:
    """One injected misbehaviour, for the next `times` requests matching `when_contains`."""

    kind: str
    times: int = 1
    when_contains: str | None = None
    retry_after: float | None = None
    """Seconds in `retry-after` (a 429 says 1 when not given)."""
    retry_after_ms: float | None = None
    no_retry_after: bool = False
    """A 429 without `retry-after` (a proxy or an old gateway may drop it)."""
    items: str = "first"


@dataclass
class Received:
    """One request the emulator received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    query: dict[str, str] = field(default_factory=dict)


class ClaudeEmulator(BatchEndpoints):
    """The emulator's state and its HTTP server (start with `start()`, or the fixture)."""

    def __init__(
        self,
        *,
        min_cache_tokens: int = 1024,
        batch_polls: int = 2,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        max_batch_requests: int = MAX_BATCH_REQUESTS,
    ) -> None:
        self.api_keys = {TEST_KEY}
        self.max_batch_bytes = max_batch_bytes
        self.max_batch_requests = max_batch_requests
        self.min_cache_tokens = min_cache_tokens
        self.batch_polls = batch_polls
        self.received: list[Received] = []
        self.faults: list[Fault] = []
        self.batches: dict[str, Batch] = {}
        self.verbose_summaries = False
        self.lost_answers: list[dict[str, Any]] = []
        """Messages made (and billed) whose answer was dropped by a `lost_answer` fault."""
        self._cache: set[str] = set()
        self._lock = threading.RLock()
        self._counter = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ----------------------------------------------------------------------

    def start(self) -> ClaudeEmulator:
        """Serve on a free port of 127.0.0.1 in a background thread."""
        emulator = self

        class Handler(_Handler):
            state = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        """Where the SDK should send requests."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, kind: str, **options: Any) -> Fault:
        """Queue a fault (see the module docstring for kinds)."""
        fault = Fault(kind, **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    def messages_received(self) -> list[Received]:
        """The `/v1/messages` requests so far."""
        return [r for r in self.received if r.path == "/v1/messages"]

    def forget_cache(self) -> None:
        """Drop the prompt cache (as if its five minutes had passed)."""
        with self._lock:
            self._cache.clear()

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}_emu{self._counter:020d}"

    def _take_fault(self, text: str, kinds: set[str] | None = None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if kinds is not None and fault.kind not in kinds:
                    continue
                if fault.when_contains is not None and fault.when_contains not in text:
                    continue
                if fault.times > 0:
                    fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    # -- the API ----------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP exchange (`target` is the path with its query): (status, headers, body)."""
        path, _, query_string = target.partition("?")
        query = {key: values[-1] for key, values in parse_qs(query_string).items()}
        limit = self.max_batch_bytes if path == "/v1/messages/batches" else MAX_REQUEST_BYTES
        if len(raw) > limit:  # refused at the edge, before it is even read as JSON
            return self._error(413, "request_too_large", "Request exceeds the maximum size.")
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return self._error(400, "invalid_request_error", "Request body is not valid JSON.")
        with self._lock:
            self.received.append(Received(method, path, headers, body, query))
        auth = self._check_auth(headers)
        if auth is not None:
            return auth
        if headers.get("anthropic-version") != API_VERSION:
            return self._error(
                400, "invalid_request_error",
                f"anthropic-version: {headers.get('anthropic-version')!r} is not supported.",
            )  # fmt: skip
        if method == "POST" and path == "/v1/messages":
            return self._messages(body)
        if method == "POST" and path == "/v1/messages/count_tokens":
            return self._count_tokens(body)
        if method == "POST" and path == "/v1/messages/batches":
            return self._batch_create(body)
        if method == "GET" and path == "/v1/messages/batches":
            return self._batch_list(query)
        match = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/cancel|/results)?", path)
        if match:
            batch = self.batches.get(match.group(1))
            if batch is None:
                return self._error(404, "not_found_error", "Message batch not found.")
            if method == "GET" and match.group(2) is None:
                return self._json(200, self._batch_retrieve(batch))
            if method == "POST" and match.group(2) == "/cancel":
                batch.cancel = True
                if batch.status == "in_progress":
                    batch.status = "canceling"
                return self._json(200, self._batch_json(batch))
            if method == "GET" and match.group(2) == "/results":
                return self._batch_results(batch)
        return self._error(404, "not_found_error", f"No route {method} {path}.")

    def _check_auth(self, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        key = headers.get("x-api-key")
        bearer = headers.get("authorization", "")
        if key is None and bearer.lower().startswith("bearer "):
            key = bearer[7:].strip()
        if not key:
            return self._error(401, "authentication_error", "x-api-key header is required")
        if key not in self.api_keys:
            return self._error(401, "authentication_error", "invalid x-api-key")
        return None

    def _error(
        self,
        status: int,
        kind: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        error: dict[str, Any] = {"type": kind, "message": message}
        if details:
            error["details"] = details
        request_id = self._next_id("req")
        body = {"type": "error", "error": error, "request_id": request_id}
        return (
            status,
            {"content-type": "application/json", "request-id": request_id, **(headers or {})},
            json.dumps(body).encode(),
        )

    def _json(
        self, status: int, data: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        out = {"content-type": "application/json", "request-id": self._next_id("req")}
        return status, {**out, **(headers or {})}, json.dumps(data, ensure_ascii=False).encode()

    def _refuse(self, problem: Problem) -> tuple[int, dict[str, str], bytes]:
        status, kind, message = problem
        return self._error(status, kind, message)

    @staticmethod
    def _texts(body: dict[str, Any]) -> tuple[str, bool, str]:
        """(system text, whether a cache breakpoint is set, user text)."""
        system = body.get("system") or ""
        cached = False
        if isinstance(system, list):
            cached = any(isinstance(b, dict) and b.get("cache_control") for b in system)
            system_text = "\n".join(str(b.get("text", "")) for b in system if isinstance(b, dict))
        else:
            system_text = str(system)
        for tool in body.get("tools") or []:
            cached = cached or bool(isinstance(tool, dict) and tool.get("cache_control"))
        user = []
        for message in body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                user.append(content)
            elif isinstance(content, list):
                user.extend(str(b.get("text", "")) for b in content if isinstance(b, dict))
        return system_text, cached, "\n".join(user)

    def _usage(self, body: dict[str, Any]) -> tuple[int, int, int]:
        """(uncached input, cache write, cache read) tokens for a request body."""
        system_text, cached, user_text = self._texts(body)
        schema = json.dumps((body.get("output_config") or {}).get("format") or {}, sort_keys=True)
        tools = json.dumps(body.get("tools") or [], sort_keys=True)
        prefix = tokens(tools) + tokens(schema) + tokens(system_text)
        rest = tokens(user_text) + 8
        if not cached or prefix < self.min_cache_tokens:
            return prefix + rest, 0, 0
        key = hashlib.sha256(f"{body['model']}|{tools}|{schema}|{system_text}".encode()).hexdigest()
        with self._lock:
            hit = key in self._cache
            self._cache.add(key)
        return (rest, 0, prefix) if hit else (rest, prefix, 0)

    def _count_tokens(self, body: Any) -> tuple[int, dict[str, str], bytes]:
        problem = message_problem(body, counting=True)
        if problem is not None:
            return self._refuse(problem)
        system_text, _, user_text = self._texts(body)
        schema = json.dumps((body.get("output_config") or {}).get("format") or {}, sort_keys=True)
        tools = json.dumps(body.get("tools") or [], sort_keys=True)
        total = tokens(tools) + tokens(schema) + tokens(system_text) + tokens(user_text) + 8
        return self._json(200, {"input_tokens": total})

    def _messages(self, body: Any) -> tuple[int, dict[str, str], bytes]:
        problem = message_problem(body)
        if problem is not None:
            return self._refuse(problem)
        _, _, user_text = self._texts(body)
        fault = self._take_fault(user_text, HTTP_FAULTS | ANSWER_FAULTS | {"lost_answer"})
        if fault is not None and fault.kind in HTTP_FAULTS:
            return self._http_fault(fault)
        if fault is not None and fault.kind == "lost_answer":
            self.lost_answers.append(self.answer(body))  # done, and billed, but never arrives
            return HANG_UP
        return self._json(200, self.answer(body, fault))

    def _http_fault(self, fault: Fault) -> tuple[int, dict[str, str], bytes]:
        headers: dict[str, str] = {}
        retry_after = fault.retry_after
        if retry_after is None and fault.kind.startswith("429") and not fault.no_retry_after:
            retry_after = 1.0  # the API's 429s say how long to wait
        if retry_after is not None and not fault.no_retry_after:
            headers["retry-after"] = f"{retry_after:g}"
        if fault.retry_after_ms is not None:
            headers["retry-after-ms"] = f"{fault.retry_after_ms:g}"
        kind = fault.kind
        if kind == "429":
            return self._error(429, "rate_limit_error", "Number of request tokens has exceeded "
                               "your per-minute rate limit.", headers=headers)  # fmt: skip
        if kind == "429_spend_limit":
            return self._error(
                429, "rate_limit_error",
                "Your organization has reached its monthly usage limit for its API tier.",
                details={"error_code": "enforced_spend_limit_reached"},
                headers={**headers, "x-should-retry": "false"},
            )  # fmt: skip
        if kind == "400_billing":
            return self._error(400, "invalid_request_error", "Your credit balance is too low to "
                               "access the Anthropic API. Please go to Plans & Billing to "
                               "upgrade or purchase credits.")  # fmt: skip
        if kind == "402_billing":
            return self._error(402, "billing_error", "Payment required: add a payment method.")
        if kind == "529":
            return self._error(529, "overloaded_error", "Overloaded", headers=headers)
        if kind == "500":
            return self._error(500, "api_error", "Internal server error", headers=headers)
        if kind == "401":
            return self._error(401, "authentication_error", "invalid x-api-key")
        if kind == "403":
            return self._error(403, "permission_error", "Your API key does not have permission.")
        if kind == "413":
            return self._error(413, "request_too_large", "Request exceeds the maximum size.")
        return self._error(400, "invalid_request_error", "Injected bad request.")

    def answer(self, body: dict[str, Any], fault: Fault | None = None) -> dict[str, Any]:
        """A `Message` for a valid request (also used for batch results)."""
        _, _, user_text = self._texts(body)
        input_tokens, cache_write, cache_read = self._usage(body)
        kind = fault.kind if fault else ""
        payload: Any
        if "<sentence>" in user_text:
            payload = rule_from_sentence(user_text)
        elif "\n<videos>\n" in user_text:
            payload = {"labels": [label_for(v, gullible=kind == "gullible",
                                            verbose=self.verbose_summaries)
                                  for v in videos_in(user_text)]}  # fmt: skip
        else:
            payload = {"text": "ok"}
        payload = spoil(payload, kind, fault.items if fault else "first")
        tool_mode = (
            bool(body.get("tools")) and (body.get("tool_choice") or {}).get("type") == "tool"
        )
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        out_tokens = tokens(text) + 4
        stop = "tool_use" if tool_mode else "end_turn"
        max_tokens = int(body.get("max_tokens", 4096))
        if kind == "max_tokens":
            max_tokens = max(1, out_tokens // 2)
        truncated = out_tokens > max_tokens
        if truncated:
            text = text.encode("utf-8")[: max_tokens * 4].decode("utf-8", errors="ignore")
            out_tokens, stop = max_tokens, "max_tokens"
        content: list[dict[str, Any]]
        stop_details = None
        if kind == "refusal":
            content, stop, out_tokens = [], "refusal", 3
            stop_details = {"type": "refusal", "category": None, "explanation": None}
        elif tool_mode:
            tool_input = {} if truncated or not isinstance(payload, dict) else payload
            name = body["tool_choice"]["name"]
            content = [{"type": "tool_use", "id": self._next_id("toolu"), "name": name,
                        "input": tool_input}]  # fmt: skip
        else:
            content = [{"type": "text", "text": text}]
        return {
            "id": self._next_id("msg"),
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "stop_details": stop_details,
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": out_tokens,
                "cache_creation_input_tokens": cache_write,
                "cache_read_input_tokens": cache_read,
                "service_tier": "standard",
            },
        }

    # -- batches ----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    state: ClaudeEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, out_headers, body = self.state.handle(method, self.path, headers, raw)
        if status == 0:  # HANG_UP: drop the connection, as a crash or a network cut would
            self.close_connection = True
            return
        self.send_response(status)
        for key, value in out_headers.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")
