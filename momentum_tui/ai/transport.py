"""One Claude request, sent with patience: waits on 429/529/5xx, sentences for the rest.

The SDK's own retries are off (`max_retries=0`) so that Momentum decides: it honours
`retry-after` (up to `claude.max_wait_seconds`), shares a pause between concurrent
requests so they don't hammer a rate limit together, never retries a spend-limit or
billing error, and turns every failure into a `MomentumError` subclass.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anthropic

from momentum_tui import secrets
from momentum_tui.ai.errors import (
    ClaudeKeyError,
    ClaudeRequestError,
    ClaudeSpendLimitError,
    ClaudeUnavailableError,
    kept_phrase,
    server_words,
)
from momentum_tui.config import ClaudeSettings
from momentum_tui.errors import MissingKeyError, MomentumError

T = TypeVar("T")

_SPEND_CODES = {
    "enforced_spend_limit_reached",
    "contract_spend_limit_reached",
    "linked_organization_spend_limit_reached",
    "linked_organization_billing_unavailable",
}
_BILLING_WORDS = ("credit balance", "billing", "spend limit", "spending limit")


def api_key() -> str:
    """The Anthropic key (environment, keyring or file); raises a sentence when none is set."""
    key = secrets.get_secret("anthropic")
    if not key:
        raise MissingKeyError(
            "No Anthropic API key is set, so Claude can't label videos; the offline labels "
            "are kept.",
            "Run `momentum keys set anthropic` (or set ANTHROPIC_API_KEY), then try again.",
        )
    return key


def make_client(settings: ClaudeSettings, key: str | None = None) -> anthropic.Anthropic:
    """An SDK client for `claude.base_url`, with Momentum (not the SDK) handling retries."""
    return anthropic.Anthropic(
        api_key=key or api_key(),
        base_url=settings.base_url,
        max_retries=0,
        timeout=settings.timeout,
    )


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds a response asks us to wait (`retry-after-ms`, `retry-after` seconds or date)."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, float(email.utils.mktime_tz(parsed) - time.time()))
    return None


def is_spend_limit(error: anthropic.APIStatusError) -> bool:
    """True for errors that say the account can't pay: no credit, spend limit, billing."""
    if error.status_code == 402 or error.type == "billing_error":
        return True
    if error.error_code in _SPEND_CODES:
        return True
    words = (error.api_message or "").casefold()
    return error.status_code in (400, 403, 429) and any(word in words for word in _BILLING_WORDS)


@dataclass
class Fatal:
    """Why a run must stop; turned into a sentence once the run knows what it kept."""

    kind: str
    status: int | None = None
    detail: str = ""
    maybe_billed: bool = False
    """An answer was lost on the way (timeout, dropped connection): Claude may have billed it."""

    def error(self, labelled: int, model: str) -> MomentumError:
        """The `MomentumError` for this stop, saying what was kept."""
        kept = kept_phrase(labelled)
        status = f" (HTTP {self.status})" if self.status else ""
        if self.kind == "key":
            return ClaudeKeyError(
                f"Claude rejected the Anthropic API key{status}; {kept}.",
                "Set a valid key with `momentum keys set anthropic`, then run it again.",
            )
        if self.kind == "spend":
            return ClaudeSpendLimitError(
                f"The Anthropic account is out of credit or over its spend limit{status}; {kept}.",
                "Add credit or raise the limit in the Anthropic Console (Billing / Limits), "
                "then run `momentum classify` again; it continues where it stopped.",
            )
        if self.kind == "model":
            return ClaudeRequestError(
                f"Claude does not know the model {model!r}{status}; {kept}.",
                "Set claude.model to a current model (and its price in claude.prices) in the "
                "config file.",
            )
        if self.kind == "unavailable":
            return ClaudeUnavailableError(
                f"Claude is not answering ({self.detail}); {kept}.",
                "Try again in a few minutes; `momentum classify` continues where it stopped.",
            )
        return ClaudeRequestError(
            f"Claude rejected a request as invalid{status}: {self.detail or 'no reason given'}; "
            f"{kept}.",
            "This is probably a Momentum bug: run again with --debug and report it.",
        )


class FatalError(Exception):
    """Raised by `Transport.send` when the run must stop (carries a `Fatal`)."""

    def __init__(self, fatal: Fatal) -> None:
        super().__init__(fatal.kind)
        self.fatal = fatal


class TooLargeError(Exception):
    """The request was too large for Claude (413 or context window): send it in halves."""


@dataclass
class Transport:
    """Sends requests through one SDK client with Momentum's retry policy."""

    client: anthropic.Anthropic
    settings: ClaudeSettings
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    on_wait: Callable[[float, str], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._pause_until = 0.0

    def _pause(self) -> None:
        with self._lock:
            remaining = self._pause_until - self.clock()
        if remaining > 0:
            self.sleep(remaining)

    def _wait(self, seconds: float, why: str) -> None:
        with self._lock:
            self._pause_until = max(self._pause_until, self.clock() + seconds)
        if self.on_wait is not None:
            self.on_wait(seconds, why)
        self.sleep(seconds)

    def send(
        self,
        call: Callable[[], T],
        *,
        retry_lost_answers: bool = True,
        on_lost: Callable[[], None] | None = None,
    ) -> T:
        """Run `call` (one SDK request), retrying what is worth retrying.

        With `retry_lost_answers=False`, any failure after which the request may still
        have taken effect — a timeout, a dropped connection, a 408 or a 5xx other than 529
        (overloaded) — is raised as the SDK's own error at once, never retried: for
        requests that must not run twice (creating a batch). Otherwise `on_lost` is
        called before a request whose answer was lost (timeout, dropped connection) is
        sent again, so the caller can count the lost one as possibly billed.
        """
        last = ""
        lost = False
        for attempt in range(self.settings.max_retries + 1):
            if attempt == 0:
                self._pause()  # another request may have been told to wait: wait with it
            try:
                return call()
            except anthropic.APIStatusError as error:
                status = error.status_code
                if not retry_lost_answers and (status == 408 or (status >= 500 and status != 529)):
                    raise
                lost = False
                wait, last = self._classify(error)
                if wait is None:
                    wait = min(self.settings.max_wait_seconds, 2.0 * 2**attempt)
            except anthropic.APIConnectionError as error:
                if not retry_lost_answers:
                    raise
                lost = True  # it may have reached Claude and been billed
                kind = "timed out" if isinstance(error, anthropic.APITimeoutError) else "no answer"
                last = f"{kind} from {self.settings.base_url}"
                wait = min(self.settings.max_wait_seconds, 2.0 * 2**attempt)
            if attempt == self.settings.max_retries:
                break
            if wait > self.settings.max_wait_seconds:
                raise FatalError(
                    Fatal(
                        "unavailable",
                        detail=f"{last}; it asked to wait {wait:.0f} s",
                        maybe_billed=lost,
                    )
                )
            if lost and on_lost is not None:
                on_lost()  # the caller's record now stands for the next attempt
            self._wait(wait, last)
        tries = self.settings.max_retries + 1
        raise FatalError(Fatal("unavailable", detail=f"{last}, {tries} tries", maybe_billed=lost))

    def call(self, call: Callable[[], T], *, retry_lost_answers: bool = True) -> T:
        """`send` for a single request outside a run: a fatal error becomes its sentence."""
        try:
            return self.send(call, retry_lost_answers=retry_lost_answers)
        except FatalError as error:
            raise error.fatal.error(0, self.settings.model) from None

    def _classify(self, error: anthropic.APIStatusError) -> tuple[float | None, str]:
        """For a retryable error, the wait it asks for and a phrase; otherwise raise."""
        status = error.status_code
        if is_spend_limit(error):
            raise FatalError(Fatal("spend", status, server_words(error.api_message)))
        if status in (401, 403):
            raise FatalError(Fatal("key", status))
        if status == 404:
            raise FatalError(Fatal("model", status, server_words(error.api_message)))
        if status == 413:
            raise TooLargeError()
        retry_header = error.response.headers.get("x-should-retry")
        retryable = status in (408, 409, 429) or status >= 500
        if retry_header == "false" or not retryable:
            raise FatalError(Fatal("request", status, server_words(error.api_message)))
        phrase = {429: "rate limited", 529: "overloaded"}.get(status, f"HTTP {status}")
        return retry_after_seconds(error.response.headers), f"{phrase} (HTTP {status})"
