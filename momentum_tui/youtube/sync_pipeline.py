"""The fetch pipeline of one sync: listings and feeds in, committed channels out.

A bounded thread pool makes the calls (uploads playlists, channel feeds, `videos.list`
batches); this coordinator, on one thread, hands out work, takes each answer, and
commits a channel — its videos, its losses, its state, in one transaction — as soon as
every new video it listed is in hand. It reports what happened to the run's `RunBook`
and knows nothing else about the run.

Quota, cancellation, an invalid key and a dead network stop the pipeline (what is in
flight is still received and committed); every other failure stays with its channel.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from momentum_tui import sanitize
from momentum_tui.errors import MomentumError, QuotaExhaustedError
from momentum_tui.records import Video
from momentum_tui.storage import Store
from momentum_tui.storage.videos import existing_video_ids
from momentum_tui.youtube import queries
from momentum_tui.youtube.errors import (
    FeedUnavailableError,
    RequestRejectedError,
    SyncCancelledError,
    YouTubeError,
    YouTubeNetworkError,
)
from momentum_tui.youtube.parse import BATCH, PlaylistEntry
from momentum_tui.youtube.sync_batches import VideoBatches
from momentum_tui.youtube.sync_run import RunBook

if TYPE_CHECKING:
    from momentum_tui.youtube.api import YouTubeClient
    from momentum_tui.youtube.rss import ChannelFeed, FeedReader

log = logging.getLogger(__name__)

FEED_SIZE = 15
"""Channel feeds list this many newest uploads."""
KNOWN_CHANNEL_DEPTH = 250
"""How far back a channel synced before is read at most (it stops at the first cached video)."""
OFFLINE_AFTER = 3
"""Channels failing on the network, with none succeeding, before the run calls itself offline."""


@dataclass
class Job:
    """One channel in flight."""

    row: queries.ChannelRow
    pending: set[str] = field(default_factory=set)
    videos: dict[str, Video] = field(default_factory=dict)
    private: list[str] = field(default_factory=list)
    short_hints: set[str] = field(default_factory=set)
    feed_views: list[tuple[str, int]] = field(default_factory=list)
    newest: str | None = None
    title: str = ""
    """The channel's title as its feed gives it (kept when the cache has none)."""
    empty: bool = False
    failed: bool = False


@dataclass
class ListOutcome:
    """What reading a channel's uploads playlist found."""

    entries: list[PlaylistEntry]
    empty: bool


class OfflineError(Exception):
    """Several channels failed on the network and none succeeded: the network looks down."""


@dataclass
class Sources:
    """Where the pipeline reads from: the API (None without a key) and the channel feeds."""

    client: YouTubeClient | None
    feeds: FeedReader | None
    backfill: int
    """Uploads to keep for a channel never synced."""


class Pipeline:
    """The coordinator of one run: dispatches calls to the pool, commits channels as they finish."""

    def __init__(
        self,
        store: Store,
        book: RunBook,
        pool: ThreadPoolExecutor,
        sources: Sources,
        jobs: list[Job],
        batches: VideoBatches,
        *,
        concurrency: int,
        cancel: threading.Event,
        clock: Callable[[], float],
    ) -> None:
        self.store = store
        self.book = book
        self.pool = pool
        self.client, self.feeds, self.backfill = sources.client, sources.feeds, sources.backfill
        self.batches = batches
        self.limit = concurrency
        self.cancel = cancel
        self.clock = clock
        self.feed_queue: deque[Job] = deque(jobs if self.feeds else [])
        self.list_queue: deque[Job] = deque([] if self.feeds else jobs)
        self.owner: dict[str, Job] = {}
        self.inflight: dict[Future[Any], tuple[str, Any]] = {}
        self.network_failures = 0

    # --- the loop -------------------------------------------------------------------

    def run(self) -> None:
        """Work until every channel is committed or failed; raise what stopped the run."""
        error: BaseException | None = None
        while True:
            if error is None and not self.cancel.is_set():
                self._dispatch()
            if not self.inflight:
                if error is None and self.cancel.is_set() and self._work_left():
                    # Cancelled before anything was sent (Ctrl-C during the channel lookup).
                    error = SyncCancelledError(
                        "The sync was cancelled.", "Finished channels are kept."
                    )
                break
            done, _ = wait(list(self.inflight), timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                kind, payload = self.inflight.pop(future)
                try:
                    self._settle(kind, payload, future)
                except (MomentumError, OfflineError) as stop:
                    # Quota, cancel, offline, invalid key, sign-in: the whole run stops, but
                    # what is already in flight is still received and committed.
                    error = error or stop
            if error is None and self.cancel.is_set():
                error = SyncCancelledError("The sync was cancelled.", "Finished channels are kept.")
        if error is not None:
            raise error

    def _work_left(self) -> bool:
        """Whether channels or videos are still waiting to be sent."""
        return bool(self.list_queue or self.feed_queue) or self.batches.waiting(final=True)

    def _settle(self, kind: str, payload: Any, future: Future[Any]) -> None:
        try:
            result = future.result()
        except (QuotaExhaustedError, SyncCancelledError):
            raise
        except YouTubeError as failure:
            if not (failure.retryable or isinstance(failure, RequestRejectedError)):
                raise
            self._fail(kind, payload, failure)
        except MomentumError:
            raise
        except Exception as bug:
            # Whatever else a strange answer provokes stays with its channel.
            log.exception("unexpected error while syncing")
            self._fail(kind, payload, YouTubeError(f"Unexpected error ({type(bug).__name__}).", ""))
        else:
            self._handle(kind, payload, result)

    def _producing(self) -> bool:
        """Whether channel listings or feeds may still add new video ids."""
        return bool(self.list_queue or self.feed_queue) or any(
            kind in ("list", "feed") for kind, _ in self.inflight.values()
        )

    def _dispatch(self) -> None:
        while len(self.inflight) < self.limit:
            if self.batches.full():
                self._submit_videos()
            elif self.list_queue:
                job = self.list_queue.popleft()
                self._submit("list", job, self._list_channel, job)
            elif self.feed_queue and self.feeds is not None:
                job = self.feed_queue.popleft()
                self._submit("feed", job, self.feeds.fetch, job.row.id)
            elif self.batches.waiting(final=not self._producing()):
                self._submit_videos()  # the last, partial batch: topped up as it can be
            else:
                return

    def _submit(self, kind: str, payload: Any, function: Callable[..., Any], *args: Any) -> None:
        self.inflight[self.pool.submit(function, *args)] = (kind, payload)

    def _submit_videos(self) -> None:
        ids = self.batches.take(lambda video_id: not self.owner[video_id].failed)
        if not ids:
            return
        hints = {
            video_id
            for video_id in ids
            if (job := self.owner.get(video_id)) is not None and video_id in job.short_hints
        }
        hints |= {i for i in ids if i not in self.owner and i in self.batches.shorts}
        assert self.client is not None  # no key, no video ids queued
        self._submit("videos", ids, self.client.videos, ids, int(self.clock()), hints)

    # --- work done on pool threads ----------------------------------------------------

    def _list_channel(self, job: Job) -> ListOutcome:
        """Read the uploads playlist newest first, up to the first cached video."""
        assert self.client is not None  # without a key, channels are never listed
        known = job.row.last_success_at is not None
        depth = max(self.backfill, KNOWN_CHANNEL_DEPTH) if known else self.backfill
        entries: list[PlaylistEntry] = []
        token: str | None = None
        while True:
            want = max(1, min(BATCH, depth - len(entries))) if depth else 1
            page = self.client.playlist_page(job.row.playlist, token, BATCH if known else want)
            if page is None:
                return ListOutcome([], empty=True)
            ids = [e.video_id for e in page.entries]
            with self.store.read() as conn:
                cached = existing_video_ids(conn, ids)
            for entry in page.entries:
                if entry.video_id in cached and not entry.private:
                    return ListOutcome(entries, empty=False)
                if depth and len(entries) >= depth:
                    return ListOutcome(entries, empty=False)
                entries.append(entry)
            token = page.next_token
            if not depth:
                # Backfill 0: remember where the channel is, fetch nothing older.
                return ListOutcome(entries[:1], empty=not entries)
            if not token or len(entries) >= depth:
                return ListOutcome(entries[:depth], empty=False)

    # --- results, on the coordinator thread -------------------------------------------

    def _handle(self, kind: str, payload: Any, result: Any) -> None:
        if kind == "feed":
            self._handle_feed(payload, result)
        elif kind == "list":
            self._handle_list(payload, result)
        else:
            self._handle_videos(payload, result)
        self.book.check_quota_warning()

    def _handle_feed(self, job: Job, feed: ChannelFeed) -> None:
        ids = [e.video_id for e in feed.entries]
        with self.store.read() as conn:
            cached = existing_video_ids(conn, ids)
        # Written with the channel's commit: one transaction per channel, as everywhere.
        job.feed_views = [
            (e.video_id, e.views)
            for e in feed.entries
            if e.video_id in cached and e.views is not None
        ]
        never_synced = job.row.last_success_at is None
        job.title = sanitize.clean_line(feed.title, max_len=sanitize.NAME_MAX)
        if not job.row.title:
            self.book.rename(job.row.id, job.title)
        if self.client is None:
            self._keep_feed(job, feed, cached)
            return
        if (
            # Synced before, and the whole feed is new: more may be new than it shows.
            (not never_synced and not cached and len(ids) >= FEED_SIZE)
            # New: an empty feed (is it really empty?), or a backfill deeper than the feed.
            or (never_synced and not ids)
            or (never_synced and len(ids) >= FEED_SIZE and self.backfill > len(ids))
        ):
            self.list_queue.append(job)
            return
        fresh = [e for e in feed.entries if e.video_id not in cached]
        if never_synced and self.backfill < len(fresh):
            fresh = fresh[: self.backfill]
        job.short_hints = {e.video_id for e in fresh if e.shorts_link}
        job.newest = ids[0] if ids else None
        self._expect(job, [e.video_id for e in fresh])

    def _keep_feed(self, job: Job, feed: ChannelFeed, cached: set[str]) -> None:
        """No key: the feed's new entries are the videos, as the feed describes them."""
        from momentum_tui.youtube.rss import video_from_entry

        fresh = [e for e in feed.entries if e.video_id not in cached]
        if job.row.last_success_at is None:
            fresh = fresh[: self.backfill]
        now = int(self.clock())
        for entry in fresh:
            video = video_from_entry(entry, feed, now)
            if video is not None:
                job.videos[video.id] = video
        job.newest = feed.entries[0].video_id if feed.entries else None
        job.empty = not feed.entries
        self._commit(job)

    def _handle_list(self, job: Job, outcome: ListOutcome) -> None:
        if outcome.empty:
            job.empty = True
            self._commit(job)
            return
        job.newest = outcome.entries[0].video_id if outcome.entries else None
        job.private = [e.video_id for e in outcome.entries if e.private]
        if not self.backfill and job.row.last_success_at is None:
            self._commit(job)  # backfill 0: only remember the newest upload
            return
        self._expect(job, [e.video_id for e in outcome.entries if not e.private])

    def _expect(self, job: Job, ids: Iterable[str]) -> None:
        for video_id in ids:
            if video_id not in self.owner:
                self.owner[video_id] = job
                job.pending.add(video_id)
                self.batches.add_new(video_id)
        if not job.pending:
            self._commit(job)

    def _handle_videos(self, ids: list[str], result: tuple[list[Video], list[str]]) -> None:
        videos, missing = result
        refreshed: list[Video] = []
        touched: dict[str, Job] = {}
        for video in videos:
            job = self.owner.get(video.id)
            if job is None:
                refreshed.append(video)
            elif not job.failed:
                job.videos[video.id] = video
                job.pending.discard(video.id)
                touched[job.row.id] = job
        gone_refresh = [i for i in missing if i not in self.owner]
        for video_id in missing:
            job = self.owner.get(video_id)
            if job is not None and not job.failed:
                job.pending.discard(video_id)  # listed a moment ago, deleted since
                touched[job.row.id] = job
        if refreshed or gone_refresh:
            with self.store.write() as db:
                counts = queries.save_refreshed(
                    db, self.book.run_id, refreshed, gone_refresh, int(self.clock())
                )
            detailed = sum(1 for v in refreshed if v.id in self.batches.lacking_ids)
            self.book.refreshed(counts.updated, detailed)
        for job in touched.values():
            if not job.pending:
                self._commit(job)

    def _commit(self, job: Job) -> None:
        result = queries.ChannelResult(
            channel_id=job.row.id,
            videos=list(job.videos.values()),
            newest_video_id=job.newest,
            private=job.private,
            empty=job.empty,
            feed_views=job.feed_views,
            title=job.title,
        )
        with self.store.write() as db:
            counts = queries.commit_channel(db, self.book.run_id, result, int(self.clock()))
        self.book.synced(job.row.id, counts.new, counts.updated, empty=job.empty)

    def _fail(self, kind: str, payload: Any, error: YouTubeError) -> None:
        if kind == "feed":
            self.book.feed_failed()
            if isinstance(error, FeedUnavailableError) and self.client is not None:
                self.list_queue.append(payload)  # the feed is down: ask the API instead
                return
        jobs: list[Job]
        if kind == "videos":
            jobs = list(
                {id(j): j for i in payload if (j := self.owner.get(i)) and not j.failed}.values()
            )
        else:
            jobs = [payload]
        for job in jobs:
            job.failed = True
            with self.store.write() as db:
                queries.fail_channel(
                    db, self.book.run_id, job.row.id, error.title, int(self.clock())
                )
            self.book.failed(job.row.id, error.title)
            if isinstance(error, YouTubeNetworkError):
                self.network_failures += 1
        if self.network_failures >= OFFLINE_AFTER and not self.book.summary.channels_ok:
            raise OfflineError()
