"""Reading YouTube's error answers: which stop a sync, which are retried, in what words.

Quota (`quotaExceeded`) stops everything until the Pacific-midnight reset; an invalid or
blocked key and a refused sign-in are one sentence pointing at the fix; rate limits and
server errors are retried (never sooner than `Retry-After`, and not at all when it asks
for more than a minute: the channel waits for the next sync and the sentence says so);
the other 4xx reasons a person can meet are said in words with a hint. An error body is
an error whatever the HTTP status (a proxy may pass one on as 200). Transport failures
get a short phrase, never the URL (the client library puts the key in it).
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable
from typing import Any

import httplib2
from google.auth.exceptions import TransportError
from googleapiclient.errors import HttpError

from momentum_tui.errors import QuotaExhaustedError
from momentum_tui.youtube.errors import (
    KEY_HINT,
    InvalidKeyError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    SignInError,
    YouTubeError,
)

_KEY_REASONS = {"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED"}
_BLOCKED_REASONS = {
    "forbidden",
    "accessNotConfigured",
    "ipRefererBlocked",
    "SERVICE_DISABLED",
    "API_KEY_SERVICE_BLOCKED",
    "API_KEY_HTTP_REFERRER_BLOCKED",
    "API_KEY_IP_ADDRESS_BLOCKED",
}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
MAX_RETRY_AFTER_S = 60.0
"""The longest `Retry-After` a sync waits out; beyond it the call fails and says so."""
_REASON_WORDS: dict[str, tuple[str, str]] = {
    "playlistNotFound": (
        "YouTube says the channel's uploads playlist does not exist",
        "The channel may have no uploads, or be gone; `momentum channels list` shows it, "
        "and the next sync asks again.",
    ),
    "channelNotFound": (
        "YouTube says the channel does not exist",
        "Check the channel id, or remove the channel with `momentum channels remove`.",
    ),
    "videoNotFound": ("YouTube says the video does not exist", "The next sync asks again."),
    "invalidPageToken": (
        "YouTube did not accept the page it was asked for (the listing changed meanwhile)",
        "The next sync starts the listing again.",
    ),
    "incompatibleParameters": (
        "YouTube refused the request's combination of filters",
        "This is a bug in Momentum; please report it.",
    ),
}
"""Sentences for the 4xx reasons a person can meet, so no `(404: reason)` reaches them."""


def error_reasons(content: bytes) -> tuple[set[str], str]:
    """The `reason`s (and the message) of a Google API error body; empty when unreadable."""
    try:
        body = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return set(), ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set(), ""
    reasons: set[str] = set()
    for key in ("errors", "details"):
        for detail in error.get(key) or []:
            if isinstance(detail, dict) and isinstance(detail.get("reason"), str):
                reasons.add(detail["reason"])
    raw_message = error.get("message")
    message = raw_message if isinstance(raw_message, str) else ""
    if "API key not valid" in message:
        reasons.add("keyInvalid")
    return reasons, message


def retry_after_seconds(value: str) -> float | None:
    """A `Retry-After` header (seconds, or an HTTP date) in seconds; None when absent or odd."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime
    from time import time

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time())


def describe_seconds(seconds: float) -> str:
    """`45 s`, `3 min`, `2 h 5 min`."""
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def error_in_body(body: dict[str, Any]) -> HttpError:
    """A Google error body that arrived as HTTP 200: the HTTP error it stands for."""
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and 400 <= code <= 599 else 500
    return HttpError(httplib2.Response({"status": status}), json.dumps(body).encode("utf-8"))


def waits_too_long(error: YouTubeError) -> bool:
    """A rate limit whose `Retry-After` is longer than a sync waits."""
    wait = error.retry_after if isinstance(error, RateLimitedError) else None
    return wait is not None and wait > MAX_RETRY_AFTER_S


def describe_network_error(error: BaseException) -> str:
    """A short phrase for a transport failure (never the URL)."""
    if isinstance(error, TimeoutError | socket.timeout):
        return "did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "refused the connection"
    if isinstance(error, ConnectionResetError):
        return "dropped the connection"
    if isinstance(error, httplib2.ServerNotFoundError):
        return "could not be found (no network, or DNS is down)"
    if isinstance(error, http.client.IncompleteRead):
        return "cut its answer short"
    return f"could not be reached ({type(error).__name__})"


UNREACHABLE = (httplib2.ServerNotFoundError, ConnectionRefusedError)
TRANSPORT_ERRORS = (OSError, httplib2.HttpLib2Error, http.client.HTTPException, TransportError)


def classify(
    method: str,
    error: HttpError,
    *,
    retries: int,
    signed_in: bool,
    not_found_ok: bool,
    exhausted: Callable[[], QuotaExhaustedError],
) -> YouTubeError | None:
    """The error an HTTP error answer stands for: raised when it stops the whole sync
    (quota, key, sign-in), returned when the call may be retried or stays with its channel,
    None for a 404 that `not_found_ok` allows."""
    status = int(error.resp.status)
    reasons, message = error_reasons(error.content)
    if status == 403 and reasons & _QUOTA_REASONS:
        raise exhausted() from None
    if status == 400 and reasons & _KEY_REASONS:
        raise InvalidKeyError("YouTube says the API key is not valid.", KEY_HINT) from None
    if status == 401:
        raise SignInError(
            "YouTube did not accept the sign-in (the token was refused).",
            "Run `momentum signin` again.",
        ) from None
    if status in (429, 403) and (status == 429 or reasons & _RATE_REASONS):
        limited = RateLimitedError(
            f"YouTube kept rate-limiting {method} after {retries} retries.",
            "Wait a few minutes and sync again; finished channels are kept.",
        )
        limited.retry_after = retry_after_seconds(error.resp.get("retry-after", ""))
        if limited.retry_after is not None and limited.retry_after > MAX_RETRY_AFTER_S:
            limited.title = (
                f"YouTube asked Momentum to wait {describe_seconds(limited.retry_after)} "
                f"before calling {method} again, so this channel was left for later."
            )
            limited.hint = "Sync again after that; finished channels are kept."
        return limited
    if status == 403 and reasons & _BLOCKED_REASONS and not signed_in:
        raise InvalidKeyError(
            "YouTube refused the API key (it is blocked, restricted, or the YouTube Data "
            "API v3 is not enabled for its project).",
            "Enable the YouTube Data API v3 for the key's Google Cloud project and lift its "
            "application restrictions, or run `momentum keys set youtube` with another key.",
        ) from None
    if status >= 500:
        return ServerError(
            f"YouTube had a server error ({status}) on {method} after every retry.",
            "This is on YouTube's side; the next sync retries.",
        )
    if status == 404 and not_found_ok:
        return None
    for reason in sorted(reasons):
        if reason in _REASON_WORDS:
            words, hint = _REASON_WORDS[reason]
            return RequestRejectedError(f"{words} ({method}, {reason}).", hint)
    reason = ", ".join(sorted(reasons)) or message or "no reason given"
    return RequestRejectedError(
        f"YouTube refused {method} ({status}: {reason}).",
        "The next sync tries again; `momentum channels list --json` keeps the reason.",
    )
