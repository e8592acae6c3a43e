"""One Claude request, sent with patience: waits on 429/529/5xx, sentences for the rest.

The SDK's own retries are off (`max_retries=0`) so that Momentum decides: it honours
`retry-after` (up to `claude.max_wait_seconds`), shares a pause between concurrent
requests so they don't hammer a rate limit together, never retries a spend-limit or
billing error, and turns every failure into a `MomentumError` subclass.
"""

from __future__ import annotations

import email.utils
import logging
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
log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Situation:
    """What a stopped request leaves behind and how to go on: the end of its sentence."""

    kept: str
    """`nothing was labelled`, `no rule was saved`…"""
    again: str
    """A sentence saying how to carry on, e.g. "Run `momentum classify` again: …"."""


def classify_situation(labelled: int) -> Situation:
    """A standard `momentum classify` run that has labelled `labelled` videos so far."""
    return Situation(
        kept_phrase(labelled),
        "Run `momentum classify` again: it continues where it stopped.",
    )


SINGLE_REQUEST = Situation(
    "nothing was labelled or spent",
    "Run the same command again: nothing is sent twice.",
)
"""A request outside a labelling run (batches, estimates) that says nothing more itself."""


def _tries(tries: int) -> str:
    return "after 1 try" if tries == 1 else f"after {tries} tries"


def _unavailable_words(status: int | None, timed_out: bool, base_url: str, timeout: float,
                       tries: int) -> str:  # fmt: skip
    """What happened, in words: `Claude was still overloaded (HTTP 529) after 3 tries`."""
    still = "still " if tries > 1 else ""
    after = _tries(tries)
    if status is None:
        if timed_out:
            return f"Claude {still}did not answer within claude.timeout ({timeout:g} s) {after}"
        return f"Claude could {still}not be reached at {base_url} {after}"
    if status == 429:
        return f"Claude was {still}rate-limiting Momentum's requests (HTTP 429) {after}"
    if status == 529:
        return f"Claude was {still}overloaded (HTTP 529) {after}"
    if status == 500:
        return f"Claude's servers {still}failed with an internal error (HTTP 500) {after}"
    if status == 408:
        return f"Claude {still}timed the request out (HTTP 408) {after}"
    if status == 409:
        return f"Claude {still}reported a conflict with another request (HTTP 409) {after}"
    return f"Claude's servers were {still}unavailable (HTTP {status}) {after}"


def _unavailable_hint(status: int | None, timed_out: bool) -> str:
    """What to do about it, before the situation's own "again" sentence."""
    if status is None and timed_out:
        return "Try again later, or raise claude.timeout in the config file."
    if status is None:
        return (
            "Check the network connection (and claude.base_url / MOMENTUM_CLAUDE_BASE_URL "
            "if you changed it)."
        )
    if status == 429:
        return "Wait a minute; a lower claude.concurrency sends fewer requests at once."
    return (
        "That is on Anthropic's side (its status page says whether there is an outage): "
        "try again in a few minutes."
    )


_PHRASES = {429: "rate limited", 529: "overloaded", 500: "internal server error"}


@dataclass
class Fatal:
    """Why a run must stop; turned into a sentence once the run knows what it kept."""

    kind: str
    """`key`, `spend`, `model`, `missing` (no such batch), `unavailable` or `request`."""
    status: int | None = None
    detail: str = ""
    tries: int = 1
    timed_out: bool = False
    wait: float | None = None
    """The wait Claude asked for, when it was longer than `claude.max_wait_seconds`."""
    request_id: str | None = None
    maybe_billed: bool = False
    """An answer was lost on the way (timeout, dropped connection): Claude may have billed it."""

    def error(self, situation: Situation, settings: ClaudeSettings) -> MomentumError:
        """The `MomentumError` for this stop, saying what was kept and what to do."""
        error = self._error(situation, settings)
        if self.request_id:
            # Shown under --debug only: what Anthropic's support asks for.
            error.debug_details = (f"Anthropic request id: {self.request_id}",)
        return error

    def _error(self, situation: Situation, settings: ClaudeSettings) -> MomentumError:
        kept, again = situation.kept, situation.again
        status = f" (HTTP {self.status})" if self.status else ""
        if self.kind == "key" and self.status == 403:
            return ClaudeKeyError(
                f"Claude refused the request: the Anthropic API key has no permission for it "
                f"(HTTP 403); {kept}.",
                "Check the key's workspace and permissions in the Anthropic Console, or set "
                "another key with `momentum keys set anthropic`.",
            )
        if self.kind == "key":
            return ClaudeKeyError(
                f"Claude rejected the Anthropic API key{status}; {kept}.",
                "Set a valid key with `momentum keys set anthropic`, then try again.",
            )
        if self.kind == "spend":
            return ClaudeSpendLimitError(
                f"The Anthropic account is out of credit or over its spend limit{status}; {kept}.",
                "Add credit or raise the limit in the Anthropic Console (Billing / Limits). "
                + again,
            )
        if self.kind == "model":
            return ClaudeRequestError(
                f"Claude does not know the model {settings.model!r}{status}; {kept}.",
                "Set claude.model to a current model (and its price in claude.prices) in the "
                "config file.",
            )
        if self.kind == "missing":
            return ClaudeRequestError(
                f"Claude has no {self.detail}{status}; {kept}.",
                "Its results are gone (Claude keeps them for 29 days). " + again,
            )
        if self.kind == "unavailable":
            words = _unavailable_words(
                self.status, self.timed_out, settings.base_url, settings.timeout, self.tries
            )
            if self.wait is not None:
                return ClaudeUnavailableError(
                    f"Claude asked Momentum to wait {self.wait:.0f} s ({self.detail}), longer "
                    f"than claude.max_wait_seconds ({settings.max_wait_seconds:g} s); {kept}.",
                    "Try again after that wait, or raise claude.max_wait_seconds. " + again,
                )
            return ClaudeUnavailableError(
                f"{words}; {kept}.", _unavailable_hint(self.status, self.timed_out) + " " + again
            )
        return ClaudeRequestError(
            f"Claude rejected a request as invalid{status}: "
            f"{self.detail.rstrip('.') or 'no reason given'}; {kept}.",
            "This is probably a Momentum bug: run it again with --debug (which shows "
            "Anthropic's request id) and report it.",
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
        last = Fatal("unavailable")
        lost = False
        for attempt in range(self.settings.max_retries + 1):
            if attempt == 0:
                self._pause()  # another request may have been told to wait: wait with it
            try:
                return call()
            except anthropic.APIStatusError as error:
                status = error.status_code
                log.debug("Claude answered HTTP %s (request id %s)", status, error.request_id)
                if not retry_lost_answers and (status == 408 or (status >= 500 and status != 529)):
                    raise
                lost = False
                wait = self._classify(error)
                last = Fatal("unavailable", status, _PHRASES.get(status, f"HTTP {status}"),
                             request_id=error.request_id)  # fmt: skip
                if wait is None:
                    wait = min(self.settings.max_wait_seconds, 2.0 * 2**attempt)
            except anthropic.APIConnectionError as error:
                log.debug("no answer from Claude: %r", error)
                if not retry_lost_answers:
                    raise
                lost = True  # it may have reached Claude and been billed
                timed_out = isinstance(error, anthropic.APITimeoutError)
                last = Fatal("unavailable", timed_out=timed_out,
                             detail="timed out" if timed_out else "no answer")  # fmt: skip
                wait = min(self.settings.max_wait_seconds, 2.0 * 2**attempt)
            last.tries = attempt + 1
            last.maybe_billed = lost
            if attempt == self.settings.max_retries:
                break
            if wait > self.settings.max_wait_seconds:
                last.wait = wait
                raise FatalError(last)
            if lost and on_lost is not None:
                on_lost()  # the caller's record now stands for the next attempt
            self._wait(wait, f"{last.detail} (HTTP {last.status})" if last.status else last.detail)
        raise FatalError(last)

    def call(
        self,
        call: Callable[[], T],
        *,
        retry_lost_answers: bool = True,
        situation: Situation = SINGLE_REQUEST,
        on_lost: Callable[[], None] | None = None,
        on_unbilled: Callable[[], None] | None = None,
    ) -> T:
        """`send` for a single request outside a run: a fatal error becomes its sentence.

        `on_lost` is as for `send`; `on_unbilled` is called when the request failed in a
        way Claude cannot have billed (it refused it, or was never reached), so a caller
        that reserved its cost in the ledger can release it.
        """
        try:
            return self.send(call, retry_lost_answers=retry_lost_answers, on_lost=on_lost)
        except FatalError as error:
            if not error.fatal.maybe_billed and on_unbilled is not None:
                on_unbilled()
            raise error.fatal.error(situation, self.settings) from None
        except TooLargeError:
            if on_unbilled is not None:
                on_unbilled()
            raise ClaudeRequestError(
                f"Claude refused the request as too large (HTTP 413); {situation.kept}.",
                "This is probably a Momentum bug: run it again with --debug and report it.",
            ) from None

    def _classify(self, error: anthropic.APIStatusError) -> float | None:
        """For a retryable error, the wait it asks for (None: back off); otherwise raise."""
        status = error.status_code
        request_id = error.request_id
        if is_spend_limit(error):
            raise FatalError(Fatal("spend", status, server_words(error.api_message),
                                   request_id=request_id))  # fmt: skip
        if status in (401, 403):
            raise FatalError(Fatal("key", status, request_id=request_id))
        if status == 404:
            path = error.request.url.path
            if "/batches/" in path:
                batch_id = path.split("/batches/", 1)[1].split("/", 1)[0]
                raise FatalError(Fatal("missing", status, f"batch {batch_id}",
                                       request_id=request_id))  # fmt: skip
            raise FatalError(Fatal("model", status, server_words(error.api_message),
                                   request_id=request_id))  # fmt: skip
        if status == 413:
            raise TooLargeError()
        retry_header = error.response.headers.get("x-should-retry")
        retryable = status in (408, 409, 429) or status >= 500
        if retry_header == "false" or not retryable:
            raise FatalError(Fatal("request", status, server_words(error.api_message),
                                   request_id=request_id))  # fmt: skip
        return retry_after_seconds(error.response.headers)
