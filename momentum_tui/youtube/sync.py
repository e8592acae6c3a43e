"""The sync engine: every new upload of every followed channel, for the fewest quota units.

Per run:

1. **Channel details** (`channels.list`, 50 ids a call) only for channels that lack them
   or whose details are older than `youtube.channel_refresh_days`.
2. **What is new.** API mode reads each channel's uploads playlist (`playlistItems.list`,
   1 unit a page) newest first and stops at the first video already cached; a new channel
   reads `youtube.backfill` uploads. Free mode (`--rss`) reads each channel's Atom feed
   instead (no quota) and only falls back to the playlist when the feed fails, when the
   feed is full of unseen videos (more than 15 new), or for a first backfill deeper than
   the feed.
3. **Details of new videos** (`videos.list`, 50 ids a call) batched *across* channels, so
   an incremental sync costs 1 unit per channel + ⌈new videos / 50⌉. Spare room in the
   last batch refreshes the view counts of recent videos for free; up to
   `youtube.stats_refresh_max` more are refreshed in paid batches of 50.

A bounded thread pool (`youtube.concurrency`, default 8) makes the calls; one coordinator
thread does all the writing. Each channel commits in one transaction once all its new
videos are in hand, so a kill at any moment leaves every channel fully synced or not at
all, and the next run resumes. Quota, invalid keys, cancellation and a dead network stop
the run cleanly; every other failure is per channel and retried by the next sync.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from momentum_tui import sanitize, secrets
from momentum_tui.config import YouTubeSettings
from momentum_tui.errors import MomentumError, NotFoundError, QuotaExhaustedError
from momentum_tui.models import Video, iso_utc
from momentum_tui.storage import Store
from momentum_tui.storage.videos import existing_video_ids
from momentum_tui.youtube import state
from momentum_tui.youtube.errors import (
    FeedUnavailableError,
    RequestRejectedError,
    SyncCancelledError,
    YouTubeError,
    YouTubeNetworkError,
)
from momentum_tui.youtube.parse import BATCH, PlaylistEntry
from momentum_tui.youtube.quota import QuotaLedger, QuotaStatus, describe_wait

if TYPE_CHECKING:  # the client libraries load when a sync starts, not when the app does
    from momentum_tui.youtube.api import YouTubeClient
    from momentum_tui.youtube.rss import ChannelFeed, FeedReader

log = logging.getLogger(__name__)

FEED_SIZE = 15
"""Channel feeds list this many newest uploads."""
KNOWN_CHANNEL_DEPTH = 250
"""How far back a channel synced before is read at most (it stops at the first cached video)."""
GONE = "YouTube has no channel with this id any more (deleted or terminated)."
OFFLINE_AFTER = 3
"""Channels failing on the network, with none succeeding, before the run calls itself offline."""


# --- options, progress events, summary ------------------------------------------------


@dataclass(frozen=True)
class SyncOptions:
    """What to sync and how."""

    rss: bool | None = None
    """Free mode; None follows the `youtube.rss` setting."""
    channel_ids: tuple[str, ...] = ()
    """Only these channels (cooldown ignored); empty means every followed channel."""
    force: bool = False
    """Ignore the per-channel cooldown."""
    backfill: int | None = None
    """Uploads to read for a channel never synced; None follows `youtube.backfill`."""


@dataclass(frozen=True)
class Progress:
    """Where a run is: the numbers a progress bar shows."""

    done: int
    total: int
    videos_new: int
    failed: int


@dataclass(frozen=True)
class SyncEvent:
    """Base of the small events a run reports through its callback."""

    progress: Progress


@dataclass(frozen=True)
class SyncStarted(SyncEvent):
    """A run began (`progress.total` channels to go)."""

    run_id: int
    mode: str
    skipped: int


@dataclass(frozen=True)
class ChannelSynced(SyncEvent):
    """One channel is done and committed."""

    channel_id: str
    title: str
    new: int
    updated: int


@dataclass(frozen=True)
class ChannelFailed(SyncEvent):
    """One channel failed this time; the next sync retries it."""

    channel_id: str
    title: str
    error: str


DETAILS_NOTICE_UNITS = 100
"""Filling in details of videos synced without a key is announced from this cost on."""


@dataclass(frozen=True)
class DetailsBackfill(SyncEvent):
    """Cached videos known only from their feeds get their details now (a key was set)."""

    videos: int
    units: int
    """What it costs: one `videos.list` unit per 50 videos."""


@dataclass(frozen=True)
class QuotaWarning(SyncEvent):
    """Today's quota use crossed the warning threshold."""

    used: int
    budget: int


@dataclass(frozen=True)
class SyncFinished(SyncEvent):
    """The run ended (in any way); the summary says how."""

    summary: SyncSummary


@dataclass
class SyncSummary:
    """The outcome of one run (`momentum sync --json` prints `to_json()`)."""

    run_id: int
    mode: str
    status: str
    """ok | partial | cancelled | quota | offline | failed"""
    started_at: int
    seconds: float
    channels_total: int
    channels_ok: int = 0
    channels_failed: int = 0
    channels_skipped: int = 0
    channels_empty: int = 0
    videos_new: int = 0
    videos_updated: int = 0
    videos_labelled: int = 0
    videos_detailed: int = 0
    """Cached videos (known only from their feeds) whose length and statistics were filled in."""
    units_by_method: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    feeds_read: int = 0
    feeds_failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    quota: QuotaStatus | None = None
    error: MomentumError | None = None
    """The error that stopped the run early (quota, key, network), if any."""

    @property
    def units(self) -> int:
        """Quota units this run spent."""
        return sum(self.units_by_method.values())

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape documented in docs/sync.md."""
        quota = self.quota
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "status": self.status,
            "started_at": iso_utc(self.started_at),
            "seconds": round(self.seconds, 3),
            "channels": {
                "total": self.channels_total,
                "ok": self.channels_ok,
                "failed": self.channels_failed,
                "skipped": self.channels_skipped,
                "empty": self.channels_empty,
            },
            "videos": {
                "new": self.videos_new,
                "updated": self.videos_updated,
                "labelled": self.videos_labelled,
                "detailed": self.videos_detailed,
            },
            "quota": {
                "units": self.units,
                "by_method": dict(sorted(self.units_by_method.items())),
                "used_today": quota.used if quota else None,
                "budget": quota.budget if quota else None,
                "resets_at": iso_utc(quota.reset_at) if quota else None,
            },
            "requests": {
                "api": self.requests,
                "feeds": self.feeds_read,
                "feeds_failed": self.feeds_failed,
            },
            "failures": self.failures,
            "message": self.message,
        }


# --- the engine -----------------------------------------------------------------------


@dataclass
class _Job:
    """One channel in flight."""

    row: state.ChannelRow
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
class _ListOutcome:
    entries: list[PlaylistEntry]
    empty: bool


class _OfflineError(Exception):
    """Raised inside the coordinator when the network looks down."""


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
        self.cancel = cancel or threading.Event()
        self.on_event = on_event
        self.ledger = client.ledger if client else QuotaLedger.for_settings(store, settings, clock)
        self._client = client
        if client is not None:
            self.cancel = client.cancel
        self._api_key = api_key
        self._warned = False

    # --- public ---------------------------------------------------------------------

    def run(self, options: SyncOptions | None = None) -> SyncSummary:
        """Sync, report progress through `on_event`, and return the summary (never half-done)."""
        options = options or SyncOptions()
        started = time.monotonic()
        now = int(self.clock())
        keyless = self._client is None and not (self._api_key or secrets.get_secret("youtube"))
        rss = keyless or (self.settings.rss if options.rss is None else options.rss)
        mode = "keyless" if keyless else "rss" if rss else "api"
        with self.store.read() as conn:
            rows = state.channels_to_sync(conn, options.channel_ids)
        if options.channel_ids:
            missing = sorted(set(options.channel_ids) - {r.id for r in rows})
            if missing:
                raise NotFoundError(
                    f"{len(missing)} of the channels asked for are not followed: "
                    f"{', '.join(missing[:5])}.",
                    "Add them first with `momentum channels add`, or see `momentum channels list`.",
                )
        cooldown = self.settings.cooldown_minutes * 60
        due = [
            r
            for r in rows
            if options.force
            or options.channel_ids
            or not cooldown
            or r.last_success_at is None
            or now - r.last_success_at >= cooldown
        ]
        skipped = len(rows) - len(due)
        with self.store.write() as db:
            db.conn.execute("UPDATE sync_runs SET status = 'interrupted' WHERE status = 'running'")
            run_id = state.begin_run(db, mode, len(due), skipped, now)
        summary = SyncSummary(run_id, mode, "ok", now, 0.0, len(due), channels_skipped=skipped)
        self._summary = summary
        self._used_at_start = self.ledger.status().used - sum(self.ledger.spent.values())
        self._titles = {r.id: r.title or r.id for r in due}
        self._emit(SyncStarted(self._progress(), run_id, mode, skipped))
        client: YouTubeClient | None = None
        feeds: FeedReader | None = None
        try:
            from momentum_tui.youtube.api import YouTubeClient
            from momentum_tui.youtube.rss import FeedReader

            if not keyless:
                client = self._client or YouTubeClient(
                    self.settings, self.ledger, api_key=self._api_key, cancel=self.cancel
                )
                self._client = client
            feeds = FeedReader(self.settings, self.cancel) if rss else None
            if due or client is not None:  # with a key, feed-only videos get details too
                self._run(client, feeds, due, options, run_id)
        except QuotaExhaustedError as error:
            summary.status, summary.error = "quota", error
        except SyncCancelledError as error:
            summary.status, summary.error = "cancelled", error
        except _OfflineError:
            summary.status = "offline"
            summary.error = YouTubeNetworkError(
                "YouTube could not be reached, so the sync stopped early.",
                "Check your connection and sync again; nothing cached was lost.",
            )
        except MomentumError as error:  # invalid key, sign-in… fatal for the whole run
            summary.status, summary.error = "failed", error
        finally:
            if feeds is not None:
                feeds.close()
            self._finish(summary, client, feeds, started)
        return summary

    # --- phases ---------------------------------------------------------------------

    def _run(
        self,
        client: YouTubeClient | None,
        feeds: FeedReader | None,
        due: list[state.ChannelRow],
        options: SyncOptions,
        run_id: int,
    ) -> None:
        now = int(self.clock())
        refresh_before = now - self.settings.channel_refresh_days * 86400
        needs_details = [
            r
            for r in due
            if not r.uploads_playlist
            or r.details_at is None
            or (self.settings.channel_refresh_days and r.details_at < refresh_before)
        ]
        backfill = self.settings.backfill if options.backfill is None else options.backfill
        # Free mode starts a new channel from its feed (15 uploads, no quota); only an
        # explicit `--backfill` deeper than that reads the uploads playlist for the rest.
        deep = feeds is not None and options.backfill is not None and backfill > FEED_SIZE
        if feeds is not None and not deep:
            backfill = min(backfill, FEED_SIZE)
        with ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="sync") as pool:
            try:
                lacking = self._lacking_details() if client else []
                if not due and not lacking:
                    return
                gone = self._details(pool, client, needs_details, run_id) if client else set()
                jobs = [_Job(r) for r in due if r.id not in gone]
                _Pipeline(self, pool, client, feeds, jobs, backfill, run_id, lacking).run()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def _lacking_details(self) -> list[tuple[str, bool]]:
        """Cached videos known only from their feeds (synced without a key): (id, is a Short)."""
        with self.store.read() as conn:
            lacking = state.videos_lacking_details(conn)
        if lacking:
            units = math.ceil(len(lacking) / BATCH)
            self._emit(DetailsBackfill(self._progress(), len(lacking), units))
        return lacking

    def _details(
        self,
        pool: ThreadPoolExecutor,
        client: YouTubeClient,
        rows: list[state.ChannelRow],
        run_id: int,
    ) -> set[str]:
        """Fetch channel details, 50 a call; returns ids YouTube does not know (deleted)."""
        chunks = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]
        futures = {pool.submit(client.channels, [r.id for r in chunk]): chunk for chunk in chunks}
        gone: set[str] = set()
        for future in futures:
            chunk = futures[future]
            try:
                found = future.result()
            except YouTubeError as error:
                if not error.retryable:
                    raise
                log.info("channel details failed (%s); syncing with what is cached", error.title)
                continue
            now = int(self.clock())
            found_ids = {c.id for c in found}
            with self.store.write() as db:
                state.save_channel_details(db, found, now)
                for channel in found:
                    self._titles[channel.id] = channel.title or channel.id
                for row in chunk:
                    if row.id not in found_ids:
                        gone.add(row.id)
                        state.fail_channel(db, run_id, row.id, GONE, now)
            for row in chunk:
                if row.id in gone:
                    self._summary.channels_failed += 1
                    self._record_failure(row.id, GONE)
        self._check_quota_warning()
        return gone

    # --- bookkeeping ----------------------------------------------------------------

    def _progress(self) -> Progress:
        s = self._summary
        return Progress(
            s.channels_ok + s.channels_failed, s.channels_total, s.videos_new, s.channels_failed
        )

    def _emit(self, event: SyncEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # a broken progress display must not break the sync
            log.exception("sync progress callback failed")

    def _record_failure(self, channel_id: str, message: str) -> None:
        title = self._titles.get(channel_id, channel_id)
        self._summary.failures.append({"channel_id": channel_id, "title": title, "error": message})
        self._emit(ChannelFailed(self._progress(), channel_id, title, message))

    def _check_quota_warning(self) -> None:
        if self._warned:
            return
        # Today's use at the start plus this run's spending: no query per result.
        used = self._used_at_start + sum(self.ledger.spent.values())
        if used >= self.ledger.warn_at * self.ledger.budget:
            self._warned = True
            self._emit(QuotaWarning(self._progress(), used, self.ledger.budget))

    def _finish(
        self,
        summary: SyncSummary,
        client: YouTubeClient | None,
        feeds: FeedReader | None,
        started: float,
    ) -> None:
        summary.units_by_method = dict(self.ledger.spent)
        summary.requests = client.requests if client else 0
        summary.feeds_read = feeds.requests if feeds else 0
        if summary.status == "ok" and summary.channels_failed:
            summary.status = "partial"
        summary.quota = self.ledger.status()
        if summary.videos_new or summary.videos_updated:
            summary.videos_labelled = self._label_offline()
        # The labelling is part of the run: `seconds` is everything `momentum sync` waited for.
        summary.seconds = time.monotonic() - started
        summary.message = _message(summary, self.clock())
        with self.store.write() as db:
            # The status bar's "offline" badge (read by the feed screen) follows the network.
            if summary.status == "offline":
                state.set_offline(db, True, int(self.clock()))
            elif summary.channels_ok:
                state.set_offline(db, False, int(self.clock()))
            state.finish_run(
                db,
                summary.run_id,
                summary.status,
                summary.units_by_method,
                summary.requests,
                summary.error.title if summary.error else "",
                int(self.clock()),
            )
        self._emit(SyncFinished(self._progress(), summary))

    def _label_offline(self) -> int:
        """New and changed videos get offline labels at once, so filters and "For you" see them.

        Claude's labels replace these later (`momentum classify`); a failure here never
        fails the sync, whose videos are already committed.
        """
        from momentum_tui.ai.local import label_store

        try:
            return label_store(self.store, now=int(self.clock())).labelled
        except Exception:
            log.exception("offline labelling after a sync failed")
            return 0


class _Pipeline:
    """The coordinator of one run: dispatches calls to the pool, commits channels as they finish."""

    def __init__(
        self,
        engine: SyncEngine,
        pool: ThreadPoolExecutor,
        client: YouTubeClient | None,
        feeds: FeedReader | None,
        jobs: list[_Job],
        backfill: int,
        run_id: int,
        lacking: list[tuple[str, bool]] = (),  # type: ignore[assignment]
    ) -> None:
        self.engine = engine
        self.pool = pool
        self.client = client
        self.feeds = feeds
        self.backfill = backfill
        self.run_id = run_id
        self.summary = engine._summary
        self.limit = engine.settings.concurrency
        self.feed_queue: deque[_Job] = deque(jobs if feeds else [])
        self.list_queue: deque[_Job] = deque([] if feeds else jobs)
        self.new_ids: deque[str] = deque()
        self.owner: dict[str, _Job] = {}
        self.inflight: dict[Future[Any], tuple[str, Any]] = {}
        self.network_failures = 0
        settings = engine.settings
        self.refresh: deque[str] = deque()
        self.refresh_shorts: set[str] = set()
        """Refreshed videos cached as Shorts (a feed's `/shorts/` link is remembered)."""
        self.paid_refresh_left = settings.stats_refresh_max if settings.stats_refresh_days else 0
        self.lacking: deque[str] = deque(video_id for video_id, _ in lacking)
        self.lacking_ids = set(self.lacking)
        """Cached videos known only from their feeds: their details are filled in, 50 a call."""
        self.refresh_shorts = {video_id for video_id, short in lacking if short}
        if client is None:
            self.paid_refresh_left = 0  # no key: nothing is refreshed through the API
        elif settings.stats_refresh_days:
            with engine.store.read() as conn:
                stale = state.stale_recent_videos(
                    conn,
                    int(engine.clock()),
                    settings.stats_refresh_days,
                    settings.stats_max_age_hours * 3600,
                    settings.stats_refresh_max + BATCH,
                )
            lacking_ids = set(self.lacking)
            self.refresh.extend(video_id for video_id, _ in stale if video_id not in lacking_ids)
            self.refresh_shorts |= {video_id for video_id, short in stale if short}

    # --- the loop -------------------------------------------------------------------

    def run(self) -> None:
        error: BaseException | None = None
        while True:
            if error is None and not self.engine.cancel.is_set():
                self._dispatch()
            if not self.inflight:
                break
            done, _ = wait(list(self.inflight), timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                kind, payload = self.inflight.pop(future)
                try:
                    self._settle(kind, payload, future)
                except (MomentumError, _OfflineError) as stop:
                    # Quota, cancel, offline, invalid key, sign-in: the whole run stops, but
                    # what is already in flight is still received and committed.
                    error = error or stop
            if error is None and self.engine.cancel.is_set():
                error = SyncCancelledError("The sync was cancelled.", "Finished channels are kept.")
        if error is not None:
            raise error

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
            if len(self.new_ids) >= BATCH:
                self._submit_videos()
            elif self.list_queue:
                job = self.list_queue.popleft()
                self._submit("list", job, self._list_channel, job)
            elif self.feed_queue and self.feeds is not None:
                job = self.feed_queue.popleft()
                self._submit("feed", job, self.feeds.fetch, job.row.id)
            elif self.new_ids and not self._producing():
                self._submit_videos()  # the last, partial batch: topped up with refreshes
            elif self.lacking and not self._producing():
                self._submit_videos()  # details of videos first seen without a key
            elif self.refresh and self.paid_refresh_left > 0 and not self._producing():
                self._submit_videos()
            else:
                return

    def _submit(self, kind: str, payload: Any, function: Callable[..., Any], *args: Any) -> None:
        self.inflight[self.pool.submit(function, *args)] = (kind, payload)

    def _submit_videos(self) -> None:
        ids: list[str] = []
        while self.new_ids and len(ids) < BATCH:
            video_id = self.new_ids.popleft()
            if not self.owner[video_id].failed:
                ids.append(video_id)
        while self.lacking and len(ids) < BATCH:
            ids.append(self.lacking.popleft())
        paid = not ids
        while self.refresh and len(ids) < BATCH and (not paid or self.paid_refresh_left > 0):
            ids.append(self.refresh.popleft())
            if paid:
                self.paid_refresh_left -= 1
        if not ids:
            return
        hints: set[str] = set()
        for video_id in ids:
            job = self.owner.get(video_id)
            if job is not None and video_id in job.short_hints:
                hints.add(video_id)
        hints |= {i for i in ids if i not in self.owner and i in self.refresh_shorts}
        assert self.client is not None  # no key, no video ids queued
        self._submit("videos", ids, self.client.videos, ids, int(self.engine.clock()), hints)

    # --- work done on pool threads ----------------------------------------------------

    def _list_channel(self, job: _Job) -> _ListOutcome:
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
                return _ListOutcome([], empty=True)
            ids = [e.video_id for e in page.entries]
            with self.engine.store.read() as conn:
                cached = existing_video_ids(conn, ids)
            for entry in page.entries:
                if entry.video_id in cached and not entry.private:
                    return _ListOutcome(entries, empty=False)
                if depth and len(entries) >= depth:
                    return _ListOutcome(entries, empty=False)
                entries.append(entry)
            token = page.next_token
            if not depth:
                # Backfill 0: remember where the channel is, fetch nothing older.
                return _ListOutcome(entries[:1], empty=not entries)
            if not token or len(entries) >= depth:
                return _ListOutcome(entries[:depth], empty=False)

    # --- results, on the coordinator thread -------------------------------------------

    def _handle(self, kind: str, payload: Any, result: Any) -> None:
        if kind == "feed":
            self._handle_feed(payload, result)
        elif kind == "list":
            self._handle_list(payload, result)
        else:
            self._handle_videos(payload, result)
        self.engine._check_quota_warning()

    def _handle_feed(self, job: _Job, feed: ChannelFeed) -> None:
        ids = [e.video_id for e in feed.entries]
        with self.engine.store.read() as conn:
            cached = existing_video_ids(conn, ids)
        # Written with the channel's commit: one transaction per channel, as everywhere.
        job.feed_views = [
            (e.video_id, e.views)
            for e in feed.entries
            if e.video_id in cached and e.views is not None
        ]
        never_synced = job.row.last_success_at is None
        job.title = sanitize.clean_line(feed.title, max_len=sanitize.NAME_MAX)
        if job.title and not job.row.title:
            self.engine._titles[job.row.id] = job.title
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

    def _keep_feed(self, job: _Job, feed: ChannelFeed, cached: set[str]) -> None:
        """No key: the feed's new entries are the videos, as the feed describes them."""
        from momentum_tui.youtube.rss import video_from_entry

        fresh = [e for e in feed.entries if e.video_id not in cached]
        if job.row.last_success_at is None:
            fresh = fresh[: self.backfill]
        now = int(self.engine.clock())
        for entry in fresh:
            video = video_from_entry(entry, feed, now)
            if video is not None:
                job.videos[video.id] = video
        job.newest = feed.entries[0].video_id if feed.entries else None
        job.empty = not feed.entries
        self._commit(job)

    def _handle_list(self, job: _Job, outcome: _ListOutcome) -> None:
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

    def _expect(self, job: _Job, ids: Iterable[str]) -> None:
        for video_id in ids:
            if video_id not in self.owner:
                self.owner[video_id] = job
                job.pending.add(video_id)
                self.new_ids.append(video_id)
        if not job.pending:
            self._commit(job)

    def _handle_videos(self, ids: list[str], result: tuple[list[Video], list[str]]) -> None:
        videos, missing = result
        refreshed: list[Video] = []
        touched: dict[str, _Job] = {}
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
            with self.engine.store.write() as db:
                counts = state.save_refreshed(
                    db, self.run_id, refreshed, gone_refresh, int(self.engine.clock())
                )
            self.summary.videos_updated += counts.updated
            self.summary.videos_detailed += sum(1 for v in refreshed if v.id in self.lacking_ids)
        for job in touched.values():
            if not job.pending:
                self._commit(job)

    def _commit(self, job: _Job) -> None:
        result = state.ChannelResult(
            channel_id=job.row.id,
            videos=list(job.videos.values()),
            newest_video_id=job.newest,
            private=job.private,
            empty=job.empty,
            feed_views=job.feed_views,
            title=job.title,
        )
        with self.engine.store.write() as db:
            counts = state.commit_channel(db, self.run_id, result, int(self.engine.clock()))
        self.summary.channels_ok += 1
        self.summary.channels_empty += int(job.empty)
        self.summary.videos_new += counts.new
        self.summary.videos_updated += counts.updated
        title = self.engine._titles.get(job.row.id, job.row.id)
        self.engine._emit(
            ChannelSynced(self.engine._progress(), job.row.id, title, counts.new, counts.updated)
        )

    def _fail(self, kind: str, payload: Any, error: YouTubeError) -> None:
        if kind == "feed":
            self.summary.feeds_failed += 1
            if isinstance(error, FeedUnavailableError) and self.client is not None:
                self.list_queue.append(payload)  # the feed is down: ask the API instead
                return
        jobs: list[_Job]
        if kind == "videos":
            jobs = list(
                {id(j): j for i in payload if (j := self.owner.get(i)) and not j.failed}.values()
            )
        else:
            jobs = [payload]
        for job in jobs:
            job.failed = True
            with self.engine.store.write() as db:
                state.fail_channel(
                    db, self.run_id, job.row.id, error.title, int(self.engine.clock())
                )
            self.summary.channels_failed += 1
            self.engine._record_failure(job.row.id, error.title)
            if isinstance(error, YouTubeNetworkError):
                self.network_failures += 1
        if self.network_failures >= OFFLINE_AFTER and not self.summary.channels_ok:
            raise _OfflineError()


def _message(summary: SyncSummary, now: float) -> str:
    """One or two sentences for people about how the run went."""
    s = summary
    failed = f", {s.channels_failed} failed" if s.channels_failed else ""
    if s.mode == "keyless":
        done = (
            f"{s.channels_ok} of {s.channels_total} channels synced from their feeds{failed}: "
            f"{s.videos_new} new videos, {s.videos_updated} updated; no key, so no quota "
            "was used and lengths are unknown."
        )
    else:
        done = (
            f"{s.channels_ok} of {s.channels_total} channels synced{failed}: "
            f"{s.videos_new} new videos, {s.videos_updated} updated, {s.units} quota units."
        )
    extra = ""
    if s.videos_detailed:
        extra += f" Lengths and statistics filled in for {s.videos_detailed} videos."
    if s.videos_labelled:
        extra += f" {s.videos_labelled} videos labelled offline."
    if s.channels_total == 0:
        done = (
            "Nothing to sync: no channels are followed yet (`momentum import FILE` or "
            "`momentum channels add URL`)."
            if not s.channels_skipped
            else f"Nothing to sync: all {s.channels_skipped} channels synced in the last "
            "few minutes (use --force to sync anyway)."
        )
    done += extra
    left = s.channels_total - s.channels_ok - s.channels_failed
    if s.status == "quota" and s.quota is not None:
        return (
            f"Stopped before passing today's YouTube quota. {done} Everything fetched is kept; "
            f"{left} channels are left for the next sync. The quota resets at midnight "
            f"Pacific time (in {describe_wait(s.quota.reset_at - now)})."
        )
    if s.status == "cancelled":
        return f"Cancelled. {done} {left} channels were left for the next sync."
    if s.status == "offline":
        return f"YouTube could not be reached. {done} Nothing cached was lost."
    if s.status == "failed" and s.error is not None:
        return f"{s.error.title} {done}"
    return done
