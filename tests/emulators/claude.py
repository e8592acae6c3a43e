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
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

API_VERSION = "2026-10-21"
MAX_REQUEST_BYTES = 32 * 1024 * 1024
"""The largest Messages (and count_tokens) request body the API takes."""
MAX_BATCH_BYTES = 256 * 1024 * 1024
"""The largest Message Batches create body the API takes."""
MAX_BATCH_REQUESTS = 100_000
"""The most requests one batch may hold."""
MESSAGE_FIELDS = frozenset({
    "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream",
    "temperature", "tool_choice", "tools", "top_k", "top_p", "thinking", "output_config",
    "service_tier", "container", "mcp_servers", "context_management", "inference_geo",
})  # fmt: skip
"""Top-level fields of a Messages request (`temperature` is refused on its own)."""
COUNT_FIELDS = frozenset({
    "model", "messages", "system", "tool_choice", "tools", "thinking", "output_config",
    "mcp_servers", "context_management",
})  # fmt: skip
"""Top-level fields of a count_tokens request (no `max_tokens`)."""
_CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
LIST_BATCHES = "GET /v1/messages/batches"
"""`fail(kind, when_contains=LIST_BATCHES)` aims an HTTP fault at the batch list."""
KNOWN_MODELS = {"claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-4-5"}
TEST_KEY = "sk-ant-api03-test-key-for-the-emulator"

_CATEGORY_TOPIC = {
    "Music": "music", "Sports": "sports", "Gaming": "gaming", "News & Politics": "news",
    "Comedy": "comedy", "Film & Animation": "film-tv", "Autos & Vehicles": "motors",
    "Pets & Animals": "animals", "Travel & Events": "travel", "Education": "education",
    "Science & Technology": "tech", "Howto & Style": "diy", "People & Blogs": "lifestyle",
    "Entertainment": "pop-culture", "Nonprofits & Activism": "news", "Movies": "film-tv",
    "Shows": "film-tv", "Trailers": "film-tv", "Short Movies": "film-tv",
}  # fmt: skip
_TITLE_TOPIC = (
    ("recipe", "cooking"), ("cooking", "cooking"), ("workout", "fitness"), ("asmr", "asmr"),
    ("python", "programming"), ("bitcoin", "finance"), ("history", "history"),
    ("makeup", "beauty-fashion"), ("minecraft", "gaming"), ("nasa", "science"),
)  # fmt: skip
_TOPIC_MOOD = {
    "comedy": "funny", "news": "serious", "music": "upbeat", "sports": "energetic",
    "gaming": "energetic", "asmr": "calm", "cooking": "cozy", "animals": "cozy",
}  # fmt: skip
_TOPIC_FORMAT = {"music": "music-video", "gaming": "gameplay", "news": "news",
                 "comedy": "comedy-sketch", "lifestyle": "vlog"}  # fmt: skip


HANG_UP: tuple[int, dict[str, str], bytes] = (0, {}, b"")
"""What `handle` returns to close the connection without an answer."""


def tokens(text: str) -> int:
    """About 4 UTF-8 bytes a token (so Cyrillic and CJK cost more per character)."""
    return math.ceil(len(text.encode("utf-8")) / 4) if text else 0


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


@dataclass
class _Batch:
    id: str
    requests: list[dict[str, Any]]
    created_at: datetime
    polls: int = 0
    status: str = "in_progress"
    cancel: bool = False
    ended_at: datetime | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


class ClaudeEmulator:
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
        self.batches: dict[str, _Batch] = {}
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

    def make_batches(self, count: int, *, requests: int = 1) -> list[str]:
        """Batches made on the account by someone else (server state; no request recorded)."""
        params = {"model": "claude-haiku-4-5", "max_tokens": 5,
                  "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
        made = []
        for _ in range(count):
            batch = _Batch(self._next_id("msgbatch"),
                           [{"custom_id": f"r{n}", "params": params} for n in range(requests)],
                           _now())  # fmt: skip
            with self._lock:
                self.batches[batch.id] = batch
            made.append(batch.id)
        return made

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

    def _validate(
        self, body: Any, *, counting: bool = False
    ) -> tuple[int, dict[str, str], bytes] | None:
        """The API's checks of a Messages (or, `counting`, a count_tokens) body."""
        invalid = "invalid_request_error"
        if not isinstance(body, dict):
            return self._error(400, invalid, "body: Input should be an object")
        if "temperature" in body:
            return self._error(400, invalid, "temperature: not supported by this API version")
        allowed = COUNT_FIELDS if counting else MESSAGE_FIELDS
        for name in body:
            if name not in allowed:
                return self._error(400, invalid, f"{name}: Extra inputs are not permitted")
        if "model" not in body:
            return self._error(400, invalid, "model: Field required")
        model = body.get("model")
        if model not in KNOWN_MODELS:
            return self._error(404, "not_found_error", f"model: {model}")
        if not counting and "max_tokens" not in body:
            return self._error(400, invalid, "max_tokens: Field required")
        if not counting and (
            not isinstance(body["max_tokens"], int)
            or isinstance(body["max_tokens"], bool)
            or body["max_tokens"] < 1
        ):
            return self._error(400, invalid, "max_tokens: Input should be greater than 0")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return self._error(400, invalid, "messages: Field required")
        for number, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
                return self._error(400, invalid, f"messages.{number}.role: Input should be "
                                   "'user' or 'assistant'")  # fmt: skip
            if number == 0 and message["role"] != "user":
                return self._error(400, invalid, "messages: first message must use the "
                                   '"user" role')  # fmt: skip
            if not _has_content(message.get("content")):
                return self._error(400, invalid, f"messages.{number}: all messages must have "
                                   "non-empty content")  # fmt: skip
        return None

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
        invalid = self._validate(body, counting=True)
        if invalid is not None:
            return invalid
        system_text, _, user_text = self._texts(body)
        schema = json.dumps((body.get("output_config") or {}).get("format") or {}, sort_keys=True)
        tools = json.dumps(body.get("tools") or [], sort_keys=True)
        total = tokens(tools) + tokens(schema) + tokens(system_text) + tokens(user_text) + 8
        return self._json(200, {"input_tokens": total})

    def _messages(self, body: Any) -> tuple[int, dict[str, str], bytes]:
        invalid = self._validate(body)
        if invalid is not None:
            return invalid
        _, _, user_text = self._texts(body)
        fault = self._take_fault(user_text, _HTTP_FAULTS | _ANSWER_FAULTS | {"lost_answer"})
        if fault is not None and fault.kind in _HTTP_FAULTS:
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
            payload = _rule_from_sentence(user_text)
        elif "\n<videos>\n" in user_text:
            payload = {"labels": [label_for(v, gullible=kind == "gullible",
                                            verbose=self.verbose_summaries)
                                  for v in _videos(user_text)]}  # fmt: skip
        else:
            payload = {"text": "ok"}
        payload = _spoil(payload, fault)
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

    def _batch_create(self, body: Any) -> tuple[int, dict[str, str], bytes]:
        invalid_request = "invalid_request_error"
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return self._error(400, invalid_request, "requests: Field required")
        if len(requests) > self.max_batch_requests:
            return self._error(400, invalid_request, "requests: List should have at most "
                               f"{self.max_batch_requests} items")  # fmt: skip
        seen: set[str] = set()
        for number, request in enumerate(requests):
            custom_id = request.get("custom_id") if isinstance(request, dict) else None
            if not isinstance(custom_id, str) or not _CUSTOM_ID.fullmatch(custom_id):
                return self._error(400, invalid_request, f"requests.{number}.custom_id: String "
                                   "should match pattern '^[a-zA-Z0-9_-]{1,64}$'")  # fmt: skip
            if custom_id in seen:
                return self._error(400, invalid_request, f"requests.{number}.custom_id: "
                                   f"{custom_id!r} is not unique in this batch")  # fmt: skip
            seen.add(custom_id)
            invalid = self._validate(request.get("params"))
            if invalid is not None:
                return invalid
        if self._take_fault("", {"lost_request"}) is not None:
            return HANG_UP
        fault = self._take_fault("", _HTTP_FAULTS)
        if fault is not None:
            return self._http_fault(fault)
        batch = _Batch(self._next_id("msgbatch"), requests, _now())
        with self._lock:
            self.batches[batch.id] = batch
        if self._take_fault("", {"lost_answer"}) is not None:
            return HANG_UP  # made, and billed, but the answer never arrives
        return self._json(200, self._batch_json(batch))

    def _batch_list(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One page of batches, newest first (`limit`, `after_id`, `before_id` as the API)."""
        fault = self._take_fault(LIST_BATCHES, _HTTP_FAULTS)
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

    def _batch_retrieve(self, batch: _Batch) -> dict[str, Any]:
        with self._lock:
            batch.polls += 1
            if batch.status != "ended" and (batch.cancel or batch.polls >= self.batch_polls):
                self._finish(batch)
        return self._batch_json(batch)

    def _finish(self, batch: _Batch) -> None:
        results = []
        for request in batch.requests:
            if batch.cancel:
                result: dict[str, Any] = {"type": "canceled"}
            else:
                _, _, text = self._texts(request["params"])
                fault = self._take_fault(text, _ANSWER_FAULTS | {"batch_errored", "expired"})
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
        batch.ended_at = _now()

    def _batch_json(self, batch: _Batch) -> dict[str, Any]:
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
            "created_at": _iso(batch.created_at),
            "expires_at": _iso(batch.created_at + timedelta(hours=24)),
            "ended_at": _iso(batch.ended_at) if batch.ended_at else None,
            "cancel_initiated_at": _iso(batch.created_at) if batch.cancel else None,
            "archived_at": None,
            "results_url": (
                f"{self.base_url}/v1/messages/batches/{batch.id}/results"
                if batch.status == "ended"
                else None
            ),
        }

    def _batch_results(self, batch: _Batch) -> tuple[int, dict[str, str], bytes]:
        if batch.status != "ended":
            return self._error(400, "invalid_request_error", "Batch has not ended yet.")
        lines = "\n".join(json.dumps(line, ensure_ascii=False) for line in batch.results) + "\n"
        return 200, {"content-type": "application/binary"}, lines.encode()


_HTTP_FAULTS = {"429", "429_spend_limit", "400_billing", "402_billing", "529", "500", "401",
                "403", "413", "400"}  # fmt: skip
_ANSWER_FAULTS = {"refusal", "max_tokens", "malformed_json", "schema_mismatch", "bad_enum",
                  "missing_item", "gullible", "extra_field"}  # fmt: skip


def _has_content(content: Any) -> bool:
    """A message's content is a non-empty string or a non-empty list of non-empty blocks."""
    if isinstance(content, str):
        return bool(content.strip())
    if not isinstance(content, list) or not content:
        return False
    return all(
        isinstance(block, dict) and (block.get("type") != "text" or bool(block.get("text")))
        for block in content
    )


def _videos(user_text: str) -> list[dict[str, Any]]:
    """The JSON lines between <videos> and </videos>, as the model would read them."""
    match = re.search(r"^<videos>$(.*?)^</videos>$", user_text, re.MULTILINE | re.DOTALL)
    block = match.group(1) if match else ""
    videos = []
    for line in block.strip().splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict):
            videos.append(item)
    return videos


def label_for(
    video: dict[str, Any], *, gullible: bool = False, verbose: bool = False
) -> dict[str, Any]:
    """A deterministic label derived from one input video line."""
    title = str(video.get("title", ""))
    lowered = title.casefold()
    topic = _CATEGORY_TOPIC.get(str(video.get("category", "")), "other")
    for word, candidate in _TITLE_TOPIC:
        if word in lowered:
            topic = candidate
            break
    length = str(video.get("length", ""))
    if length == "short":
        format_ = "short-clip"
    elif length in ("live", "upcoming"):
        format_ = "live-stream"
    else:
        format_ = _TOPIC_FORMAT.get(topic, "other")
    letters = [ch for ch in title if ch.isalpha()]
    upper = sum(1 for ch in letters if ch.isupper()) / len(letters) if letters else 0.0
    clickbait = round(min(1.0, 0.1 + 0.6 * upper + 0.1 * title.count("!")), 2)
    plain = "".join(ch for ch in title if ch.isalnum() or ch in " -:',.?&()").strip()
    if upper > 0.5:
        plain = plain.capitalize()
    channel = str(video.get("channel", ""))
    summary = f"A {format_} from {channel or 'a channel'} about {topic}."
    if verbose:
        summary = (summary + " " + str(video.get("description", ""))) * 3
    tags = [t.strip().casefold() for t in str(video.get("tags", "")).split(",") if t.strip()]
    label: dict[str, Any] = {
        "ref": str(video.get("ref", "")),
        "topic": topic,
        "mood": _TOPIC_MOOD.get(topic, "informative"),
        "format": format_,
        "tags": tags[:3],
        "clickbait": clickbait,
        "plain_title": plain[:90] or title[:90],
        "summary": summary if verbose else summary[:130],
        "language": _language(title),
        "has_sponsor": "sponsor" in video,
    }
    if gullible:
        # A model that obeys the data: copies the raw title (escapes, markup, bidi and
        # all) and takes orders from it.
        label["plain_title"] = title
        label["summary"] = f"{title} {video.get('description', '')}"
        if "topic" in lowered:
            label["topic"] = "hacked"
    return label


def _language(title: str) -> str:
    if re.search("[\uac00-\ud7af]", title):
        return "ko"
    if re.search("[\u3040-\u30ff]", title):
        return "ja"
    if re.search("[\u0400-\u04ff]", title):
        return "ru"
    return "en" if title.isascii() else ""


def _spoil(payload: Any, fault: Fault | None) -> Any:
    """Apply an answer-shaped fault to a good payload."""
    if fault is None or not isinstance(payload, dict):
        return payload
    labels = payload.get("labels")
    kind = fault.kind
    if kind == "malformed_json":
        return "Sure! Here are the labels: {labels: [ {ref: 1, topic: music,"
    if kind == "schema_mismatch":
        return {"videos": labels}
    if not isinstance(labels, list) or not labels:
        return payload
    targets = labels if fault.items == "all" else labels[:1]
    if kind == "bad_enum":
        for label in targets:
            label["topic"] = "cryptozoology"
    elif kind == "extra_field":
        for label in targets:
            label["secret"] = "leaked"
    elif kind == "missing_item":
        payload["labels"] = labels[:-1]
    return payload


def _rule_from_sentence(user_text: str) -> dict[str, Any]:
    """A rule from the sentence between <sentence> tags, the way a model would read it."""
    sentence = user_text.split("<sentence>", 1)[1].split("</sentence>", 1)[0].strip()
    lowered = sentence.casefold()
    action = "hide"
    if any(word in lowered for word in ("boost", "more of", "prefer", "show me more")):
        action = "boost"
    elif any(word in lowered for word in ("bury", "less of", "fewer", "push down")):
        action = "bury"
    channels = re.findall(r"from ([A-Z][\w&' .-]*?)(?:$|[.,;]| and )", sentence)
    formats = []
    if "clip" in lowered or "trailer" in lowered:
        formats.append("short-clip")
    if "live" in lowered or "stream" in lowered:
        formats.append("live-stream")
    if "podcast" in lowered or "interview" in lowered:
        formats.append("interview-podcast")
    topics = [t for t in ("music", "gaming", "news", "sports", "cooking", "comedy", "science",
                          "programming", "finance", "travel") if t in lowered]  # fmt: skip
    moods = [m for m in ("funny", "calm", "tense", "serious") if m in lowered]
    shorts = True if "shorts" in lowered else None
    minimum = maximum = None
    match = re.search(r"(?:longer|more) than (\d+) ?(?:min|minutes)", lowered)
    if match:
        minimum = int(match.group(1)) * 60
    match = re.search(r"(?:shorter|less) than (\d+) ?(?:min|minutes)", lowered)
    if match:
        maximum = int(match.group(1)) * 60
    words = re.findall(r'"([^"]+)"|about ([\w-]+)', sentence)
    title_words = [a or b for a, b in words if (a or b) and (a or b).casefold() not in topics]
    return {
        "action": action,
        "channels": [c.strip() for c in channels],
        "min_seconds": minimum,
        "max_seconds": maximum,
        "shorts": shorts,
        "title_words": title_words,
        "topics": topics,
        "formats": formats,
        "moods": moods,
        "explanation": f"{action.capitalize()} videos matching: {sentence[:80]}",
    }


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
