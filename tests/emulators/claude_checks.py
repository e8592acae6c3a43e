"""What the Claude API refuses, checked the way it checks: the emulator is no laxer.

Each check returns None for a good body, or (status, error type, message) as the API
would answer it.
"""

from __future__ import annotations

import re
from typing import Any

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
KNOWN_MODELS = {"claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-4-5"}

Problem = tuple[int, str, str]
"""(HTTP status, error type, message) of a refusal."""
_INVALID = "invalid_request_error"


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


def message_problem(body: Any, *, counting: bool = False) -> Problem | None:
    """The API's checks of a Messages (or, `counting`, a count_tokens) body."""
    if not isinstance(body, dict):
        return 400, _INVALID, "body: Input should be an object"
    if "temperature" in body:
        return 400, _INVALID, "temperature: not supported by this API version"
    allowed = COUNT_FIELDS if counting else MESSAGE_FIELDS
    for name in body:
        if name not in allowed:
            return 400, _INVALID, f"{name}: Extra inputs are not permitted"
    if "model" not in body:
        return 400, _INVALID, "model: Field required"
    if body["model"] not in KNOWN_MODELS:
        return 404, "not_found_error", f"model: {body['model']}"
    if not counting and "max_tokens" not in body:
        return 400, _INVALID, "max_tokens: Field required"
    limit = body.get("max_tokens", 1)
    if not counting and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        return 400, _INVALID, "max_tokens: Input should be greater than 0"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return 400, _INVALID, "messages: Field required"
    for number, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return 400, _INVALID, f"messages.{number}.role: Input should be 'user' or 'assistant'"
        if number == 0 and message["role"] != "user":
            return 400, _INVALID, 'messages: first message must use the "user" role'
        if not _has_content(message.get("content")):
            return 400, _INVALID, f"messages.{number}: all messages must have non-empty content"
    return None


def batch_problem(body: Any, *, max_requests: int = MAX_BATCH_REQUESTS) -> Problem | None:
    """The API's checks of a batch create body (its requests' params included)."""
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        return 400, _INVALID, "requests: Field required"
    if len(requests) > max_requests:
        return 400, _INVALID, f"requests: List should have at most {max_requests} items"
    seen: set[str] = set()
    for number, request in enumerate(requests):
        custom_id = request.get("custom_id") if isinstance(request, dict) else None
        if not isinstance(custom_id, str) or not _CUSTOM_ID.fullmatch(custom_id):
            return (400, _INVALID, f"requests.{number}.custom_id: String should match pattern "
                    "'^[a-zA-Z0-9_-]{1,64}$'")  # fmt: skip
        if custom_id in seen:
            return (400, _INVALID, f"requests.{number}.custom_id: {custom_id!r} is not unique "
                    "in this batch")  # fmt: skip
        seen.add(custom_id)
        problem = message_problem(request.get("params"))
        if problem is not None:
            return problem
    return None
