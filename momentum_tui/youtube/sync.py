"""The sync engine: every new upload of every followed channel, for the fewest quota units.

Per run:

1. **Channel details** (`channels.list`, 50 ids a call) only for channels that lack them
   or whose details are older than `youtube.channel_refresh_days`.
2. **What is new.** API mode reads each channel's uploads playlist (`playlistItems.list`,
   1 unit a page) newest first and stops at the first video already cached; a new channel
   reads `youtube.backfill` uploads. Free mode (`--rss`) reads each channel's Atom feed
   instead (no quota), a new channel included, and only falls back to the playlist when
   the feed fails, when the feed is full of unseen videos (more than 15 new), or for a
   first backfill deeper than the feed (`--backfill N`, N > 15). Without an API key the
   feeds are all there is (`keyless`): their entries are stored as they are, and no
   quota is used or recorded.
3. **Details of new videos** (`videos.list`, 50 ids a call) batched *across* channels, so
   an incremental sync costs 1 unit per channel + ⌈new videos / 50⌉. Cached videos first
   synced without a key get theirs too, once a key is set. Spare room in the last batch
   refreshes the view counts of recent videos for free; up to `youtube.stats_refresh_max`
   more are refreshed in paid batches of 50 (`sync_batches.py`).

This module decides what a run covers and how it ends; `sync_pipeline.py` fetches and
commits (a bounded thread pool makes the calls, one coordinator thread writes, each
channel in one transaction, so a kill at any moment leaves every channel fully synced or
not at all); `sync_run.py` keeps the run's books; `sync_events.py` is what it reports.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from momentum_tui import secrets
from momentum_tui.config import YouTubeSettings
from momentum_tui.errors import MomentumError, NotFoundError, QuotaExhaustedError
from momentum_tui.storage import Store
from momentum_tui.storage.files import disk_full, is_disk_full
from momentum_tui.youtube import queries
from momentum_tui.youtube.errors import SyncCancelledError, YouTubeError, YouTubeNetworkError
from momentum_tui.youtube.parse import BATCH
from momentum_tui.youtube.quota import QuotaLedger
from momentum_tui.youtube.sync_batches import VideoBatches
from momentum_tui.youtube.sync_events import (
    DETAILS_NOTICE_UNITS,
    ChannelFailed,
    ChannelSynced,
    DetailsBackfill,
    Progress,
    QuotaWarning,
    SyncEvent,
    SyncFinished,
    SyncOptions,
    SyncStarted,
    SyncSummary,
)
from momentum_tui.youtube.sync_pipeline import FEED_SIZE, Job, OfflineError, Pipeline, Sources
from momentum_tui.youtube.sync_run import RunBook

if TYPE_CHECKING:  # the client libraries load when a sync starts, not when the app does
    from momentum_tui.youtube.api import YouTubeClient
    from momentum_tui.youtube.rss import FeedReader

__all__ = [
    "DETAILS_NOTICE_UNITS",
    "ChannelFailed",
    "ChannelSynced",
    "DetailsBackfill",
    "Progress",
    "QuotaWarning",
    "SyncEngine",
    "SyncEvent",
    "SyncFinished",
    "SyncOptions",
    "SyncStarted",
    "SyncSummary",
]

log = logging.getLogger(__name__)

GONE = "YouTube has no channel with this id any more (deleted or terminated)."


class SyncEngine:
    """Runs syncs against one cache. `run()` blocks; call it from a worker thread in the app."""

    def __init__(
        self,
        store: Store,
        settings: YouTubeSettings,
        *,
        client: YouTubeClient | None = None,
        api_key: str | None = None,
        clock: Callable[[], float] = time.time,
        cancel: threading.Event | None = None,
        on_event: Callable[[SyncEvent], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.cancel = client.cancel if client is not None else cancel or threading.Event()
        self.on_event = on_event
        self.ledger = client.ledger if client else QuotaLedger.for_settings(store, settings, clock)
        self._client = client
        self._api_key = api_key

    def run(self, options: SyncOptions | None = None) -> SyncSummary:
        """Sync, report progress through `on_event`, and return the summary (never half-done)."""
        options = options or SyncOptions()
        keyless = self._client is None and not (self._api_key or secrets.get_secret("youtube"))
        rss = keyless or (self.settings.rss if options.rss is None else options.rss)
        rows, skipped = self._due(options)
        book = RunBook.begin(
            self.store,
            self.ledger,
            mode="keyless" if keyless else "rss" if rss else "api",
            titles={r.id: r.title or r.id for r in rows},
            skipped=skipped,
            clock=self.clock,
            on_event=self.on_event,
        )
        client: YouTubeClient | None = None
        feeds: FeedReader | None = None
        try:
            client, feeds = self._sources(keyless, rss)
            if rows or client is not None:  # with a key, feed-only videos get details too
                self._fetch(book, client, feeds, rows, options)
        except (MomentumError, OfflineError) as error:
            book.stop(*_stopped(error))
        except sqlite3.OperationalError as error:
            if not is_disk_full(error):
                raise
            book.stop(
                "failed",
                disk_full(
                    "the sync",
                    "the channels it had saved are kept and the one it was writing is not",
                ),
            )
        finally:
            if feeds is not None:
                feeds.close()
        return book.finish(client.requests if client else 0, feeds.requests if feeds else 0)

    def _due(self, options: SyncOptions) -> tuple[list[queries.ChannelRow], int]:
        """The channels this run syncs (least recently synced first), and how many wait."""
        with self.store.read() as conn:
            rows = queries.channels_to_sync(conn, options.channel_ids)
        if options.channel_ids:
            missing = sorted(set(options.channel_ids) - {r.id for r in rows})
            if missing:
                raise NotFoundError(
                    f"{len(missing)} of the channels asked for are not followed: "
                    f"{', '.join(missing[:5])}.",
                    "Add them first with `momentum channels add`, or see `momentum channels list`.",
                )
        if options.force or options.channel_ids or not self.settings.cooldown_minutes:
            return rows, 0
        since = int(self.clock()) - self.settings.cooldown_minutes * 60
        due = [r for r in rows if r.last_success_at is None or r.last_success_at <= since]
        return due, len(rows) - len(due)

    def _sources(self, keyless: bool, rss: bool) -> tuple[YouTubeClient | None, FeedReader | None]:
        """The API client (none without a key) and the feed reader (free mode only)."""
        from momentum_tui.youtube.api import YouTubeClient
        from momentum_tui.youtube.rss import FeedReader

        client = None
        if not keyless:
            client = self._client or YouTubeClient(
                self.settings, self.ledger, api_key=self._api_key, cancel=self.cancel
            )
            self._client = client
        return client, FeedReader(self.settings, self.cancel) if rss else None

    def _fetch(
        self,
        book: RunBook,
        client: YouTubeClient | None,
        feeds: FeedReader | None,
        due: list[queries.ChannelRow],
        options: SyncOptions,
    ) -> None:
        backfill = self.settings.backfill if options.backfill is None else options.backfill
        # Free mode starts a new channel from its feed (15 uploads, no quota); only an
        # explicit `--backfill` deeper than that reads the uploads playlist for the rest.
        if feeds is not None and not (options.backfill is not None and backfill > FEED_SIZE):
            backfill = min(backfill, FEED_SIZE)
        batches = self._batches(book, client)
        if not due and not batches.lacking:
            return
        with ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="sync") as pool:
            try:
                gone: set[str] = set()
                if client is not None:
                    gone = self._details(pool, book, client, self._need_details(due))
                Pipeline(
                    self.store,
                    book,
                    pool,
                    Sources(client, feeds, backfill),
                    [Job(r) for r in due if r.id not in gone],
                    batches,
                    concurrency=self.settings.concurrency,
                    cancel=self.cancel,
                    clock=self.clock,
                ).run()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def _batches(self, book: RunBook, client: YouTubeClient | None) -> VideoBatches:
        """What `videos.list` is asked for besides new videos (nothing without a key)."""
        settings = self.settings
        if client is None:
            return VideoBatches()
        with self.store.read() as conn:
            lacking = queries.videos_lacking_details(conn)
            stale: list[tuple[str, bool]] = []
            if settings.stats_refresh_days:
                stale = queries.stale_recent_videos(
                    conn,
                    int(self.clock()),
                    settings.stats_refresh_days,
                    settings.stats_max_age_hours * 3600,
                    settings.stats_refresh_max + BATCH,
                )
        if lacking:  # announced before it starts: it may cost a good part of the day
            units = math.ceil(len(lacking) / BATCH)
            book.emit(DetailsBackfill(book.progress(), len(lacking), units))
        paid = settings.stats_refresh_max if settings.stats_refresh_days else 0
        return VideoBatches(lacking, stale, paid)

    def _need_details(self, due: list[queries.ChannelRow]) -> list[queries.ChannelRow]:
        """Channels never looked up, or looked up longer ago than `channel_refresh_days`."""
        days = self.settings.channel_refresh_days
        before = int(self.clock()) - days * 86400
        return [
            r
            for r in due
            if not r.uploads_playlist or r.details_at is None or (days and r.details_at < before)
        ]

    def _details(
        self,
        pool: ThreadPoolExecutor,
        book: RunBook,
        client: YouTubeClient,
        rows: list[queries.ChannelRow],
    ) -> set[str]:
        """Fetch channel details, 50 a call; returns ids YouTube does not know (deleted)."""
        chunks = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]
        futures = {pool.submit(client.channels, [r.id for r in chunk]): chunk for chunk in chunks}
        gone: set[str] = set()
        for future, chunk in futures.items():
            try:
                found = future.result()
            except YouTubeError as error:
                if not error.retryable:
                    raise
                log.info("channel details failed (%s); syncing with what is cached", error.title)
                continue
            now = int(self.clock())
            found_ids = {c.id for c in found}
            missing = [row.id for row in chunk if row.id not in found_ids]
            with self.store.write() as db:
                queries.save_channel_details(db, found, now)
                for channel_id in missing:
                    queries.fail_channel(db, book.run_id, channel_id, GONE, now)
            for channel in found:
                book.rename(channel.id, channel.title)
            for channel_id in missing:
                book.failed(channel_id, GONE)
            gone.update(missing)
        book.check_quota_warning()
        return gone


def _stopped(error: MomentumError | OfflineError) -> tuple[str, MomentumError]:
    """The status a run that stopped early ends with, and the error that says why."""
    if isinstance(error, OfflineError):
        return "offline", YouTubeNetworkError(
            "YouTube could not be reached, so the sync stopped early.",
            "Check your connection and sync again; nothing cached was lost.",
        )
    if isinstance(error, QuotaExhaustedError):
        return "quota", error
    if isinstance(error, SyncCancelledError):
        return "cancelled", error
    return "failed", error  # an invalid key, sign-in…: fatal for the whole run
