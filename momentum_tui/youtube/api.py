"""A thin client over google-api-python-client: quota-ledgered, retried, errors in sentences.

* One `httplib2.Http` (and one service object) per thread: httplib2 is not thread-safe.
* Every call is recorded in the quota ledger before it is sent (`QuotaLedger.spend`);
  a call that never reached YouTube (no DNS, connection refused) is refunded.
* Rate limits (403/429), server errors (5xx), timeouts, dropped connections and broken
  bodies are retried with jittered exponential backoff, `youtube.retries` times; the
  library's own retry is off (it would log the request URL, which carries the key, and
  spend quota behind the ledger's back). A `Retry-After` longer than a minute is not
  waited out: the call fails with a sentence saying how long YouTube asked for.
* An error body is an error whatever the HTTP status (a proxy may pass one on as 200):
  never read as "no items", so it can never make a channel look deleted.
* `quotaExceeded` stops everything until the Pacific-midnight reset; an invalid or
  blocked key is one sentence pointing at `momentum keys set youtube`.
* `search.list` (100 units) is never used: uploads come from the uploads playlist.

What each error answer means, and in what words, is `api_errors.py`.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httplib2
from google.auth.exceptions import RefreshError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from momentum_tui import secrets
from momentum_tui.config import YouTubeSettings
from momentum_tui.errors import MissingKeyError
from momentum_tui.records import Channel, Video
from momentum_tui.storage import Store
from momentum_tui.youtube import parse
from momentum_tui.youtube.api_errors import (
    MAX_RETRY_AFTER_S,
    TRANSPORT_ERRORS,
    UNREACHABLE,
    classify,
    describe_network_error,
    error_in_body,
    waits_too_long,
)
from momentum_tui.youtube.errors import (
    KEY_HINT,
    BadResponseError,
    RateLimitedError,
    SignInError,
    SyncCancelledError,
    YouTubeError,
    YouTubeNetworkError,
)
from momentum_tui.youtube.parse import BATCH
from momentum_tui.youtube.quota import QuotaLedger

_KEY_IN_URL = re.compile(r"([?&]key=)[^&\s\"']+")

VIDEO_PARTS = "snippet,contentDetails,statistics,liveStreamingDetails,status"
CHANNEL_PARTS = "snippet,contentDetails,statistics"
PLAYLIST_PARTS = "snippet,contentDetails"


class _RedactKey(logging.Filter):
    """The client library logs request URLs at DEBUG; the API key is in them. Cut it out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "key=" in message:
            record.msg, record.args = _KEY_IN_URL.sub(r"\1<redacted>", message), ()
        return True


for _name in ("googleapiclient.discovery", "googleapiclient.http", "googleapiclient.model"):
    logging.getLogger(_name).addFilter(_RedactKey())


def api_key_or_raise() -> str:
    """The stored YouTube API key, or a clear `MissingKeyError`."""
    key = secrets.get_secret("youtube")
    if not key:
        raise MissingKeyError("No YouTube API key is set, so nothing was synced.", KEY_HINT)
    return key


class YouTubeClient:
    """The calls Momentum makes, each ledgered and retried (safe to share between threads)."""

    def __init__(
        self,
        settings: YouTubeSettings,
        ledger: QuotaLedger,
        *,
        api_key: str | None = None,
        credentials: Any = None,
        cancel: threading.Event | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.credentials = credentials
        self.api_key = None if credentials is not None else (api_key or api_key_or_raise())
        self.cancel = cancel or threading.Event()
        self.requests = 0
        """HTTP requests sent (retries included)."""
        self._rng = rng or random.Random()
        self._local = threading.local()
        self._count_lock = threading.Lock()

    @classmethod
    def for_store(
        cls, store: Store, settings: YouTubeSettings, *, credentials: Any = None
    ) -> YouTubeClient:
        """A client that ledgers its calls in `store` at the configured budget."""
        return cls(settings, QuotaLedger.for_settings(store, settings), credentials=credentials)

    # --- plumbing -------------------------------------------------------------------

    def _service(self) -> Any:
        service = getattr(self._local, "service", None)
        if service is None:
            transport: Any = httplib2.Http(timeout=self.settings.timeout)
            if self.credentials is not None:
                import google_auth_httplib2

                transport = google_auth_httplib2.AuthorizedHttp(self.credentials, http=transport)
            service = build(
                "youtube",
                "v3",
                developerKey=self.api_key,
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": self.settings.api_root},
                http=transport,
            )
            self._local.service = service
        return service

    def _drop_connection(self) -> None:
        # After a timeout or reset the connection's state is unknown; start clean.
        self._local.service = None

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        base = self.settings.backoff * 2 ** (attempt - 1)
        delay = min(base, self.settings.backoff * 32)
        delay = self._rng.uniform(delay / 2, delay)  # jitter: retries from 8 threads spread out
        if retry_after is not None:
            delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
        if self.cancel.wait(delay):
            raise SyncCancelledError("The sync was cancelled.", "Finished channels are kept.")

    def call(
        self,
        method: str,
        make: Callable[[Any], Any],
        *,
        not_found_ok: bool = False,
    ) -> dict[str, Any] | None:
        """Run one API call through the ledger, retrying what is worth retrying.

        Returns the JSON body, or None for a 404 when `not_found_ok` (an empty channel's
        uploads playlist answers `playlistNotFound`).
        """
        last: YouTubeError | None = None
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self._pause(
                    attempt, last.retry_after if isinstance(last, RateLimitedError) else None
                )
            if self.cancel.is_set():
                raise SyncCancelledError("The sync was cancelled.", "Finished channels are kept.")
            row = self.ledger.spend(method)
            with self._count_lock:
                self.requests += 1
            try:
                body = make(self._service()).execute(num_retries=0)
                if isinstance(body, dict) and "error" in body:
                    raise error_in_body(body)
            except HttpError as error:
                self.ledger.settle(row, error.resp.status)
                outcome = classify(
                    method,
                    error,
                    retries=self.settings.retries,
                    signed_in=self.credentials is not None,
                    not_found_ok=not_found_ok,
                    exhausted=self.ledger.mark_exhausted,
                )
                if outcome is None:
                    return None
                if not outcome.retryable or waits_too_long(outcome):
                    raise outcome from None  # `from None`: the HttpError's text holds the key
                last = outcome
                continue
            except RefreshError:
                raise SignInError(
                    "Google no longer accepts the sign-in (it was revoked or has expired).",
                    "Run `momentum signin` again.",
                ) from None
            except TRANSPORT_ERRORS as error:
                if isinstance(error, UNREACHABLE):
                    self.ledger.refund(row, method)  # it never left: YouTube charged nothing
                else:
                    self.ledger.settle(row, 0)
                self._drop_connection()
                last = YouTubeNetworkError(
                    f"YouTube {describe_network_error(error)} ({method}).",
                    "Check your connection; channels that failed are retried by the next sync.",
                )
                if attempt >= 1 and isinstance(error, UNREACHABLE):
                    break  # no DNS or nothing listening: more waiting rarely helps
                continue
            if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
                self.ledger.settle(row, 200)
                last = BadResponseError(
                    f"YouTube's answer to {method} was not the JSON expected.",
                    "This is usually a passing problem; the next sync retries.",
                )
                continue
            return body
        assert last is not None
        raise last

    # --- the calls Momentum makes -----------------------------------------------------

    def channels(self, ids: Sequence[str]) -> list[Channel]:
        """Channel details for `ids` (one call per 50); unknown ids are simply missing."""
        found: list[Channel] = []
        for start in range(0, len(ids), BATCH):
            chunk = ",".join(ids[start : start + BATCH])

            def request(service: Any, chunk: str = chunk) -> Any:
                return service.channels().list(id=chunk, part=CHANNEL_PARTS, maxResults=BATCH)

            body = self.call("channels.list", request)
            found += [
                c
                for c in map(parse.channel_from_item, parse.items_of(body, "channels"))
                if c is not None
            ]
        return found

    def channel_by_handle(self, handle: str) -> Channel | None:
        """The channel with this @handle (one call), or None."""
        return self._one_channel(forHandle=handle)

    def channel_by_username(self, username: str) -> Channel | None:
        """The channel with this legacy /user/ name (one call), or None."""
        return self._one_channel(forUsername=username)

    def _one_channel(self, **lookup: str) -> Channel | None:
        body = self.call("channels.list", lambda s: s.channels().list(part=CHANNEL_PARTS, **lookup))
        channels = [c for c in map(parse.channel_from_item, parse.items_of(body, "channels")) if c]
        return channels[0] if channels else None

    def playlist_page(
        self, playlist_id: str, page_token: str | None = None, max_results: int = BATCH
    ) -> parse.PlaylistPage | None:
        """One page of a playlist, newest first; None when it does not exist (empty channel)."""
        kwargs: dict[str, Any] = {
            "playlistId": playlist_id,
            "part": PLAYLIST_PARTS,
            "maxResults": max(1, min(BATCH, max_results)),
        }
        if page_token:
            kwargs["pageToken"] = page_token
        body = self.call(
            "playlistItems.list",
            lambda s: s.playlistItems().list(**kwargs),
            not_found_ok=True,
        )
        return None if body is None else parse.playlist_page(body)

    def videos(
        self, ids: Sequence[str], now: int, short_hints: set[str] | frozenset[str] = frozenset()
    ) -> tuple[list[Video], list[str]]:
        """Details of up to 50 videos in one call; returns (videos, ids YouTube did not return).

        Deleted and private videos are simply absent from the answer.
        """
        if len(ids) > BATCH:
            raise ValueError("videos() takes at most 50 ids per call")
        joined = ",".join(ids)
        body = self.call(
            "videos.list",
            lambda s: s.videos().list(id=joined, part=VIDEO_PARTS, maxResults=BATCH),
        )
        items = parse.items_of(body, "videos.list")
        videos: list[Video] = []
        for item in items:
            video = parse.video_from_item(item, now, short_hint=item.get("id") in short_hints)
            if video is not None:
                videos.append(video)
        returned = {item.get("id") for item in items}
        return videos, [i for i in ids if i not in returned]

    def my_subscriptions(self) -> Iterator[Channel]:
        """The signed-in account's subscriptions (`subscriptions.list mine=true`), 50 a page."""
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"mine": True, "part": "snippet", "maxResults": BATCH}
            if token:
                kwargs["pageToken"] = token

            def request(service: Any, kwargs: dict[str, Any] = kwargs) -> Any:
                return service.subscriptions().list(**kwargs)

            body = self.call("subscriptions.list", request)
            assert body is not None
            for item in parse.items_of(body, "subscriptions.list"):
                channel = parse.subscription_channel(item)
                if channel is not None:
                    yield channel
            token = parse.next_page(body)
            if not token:
                return
