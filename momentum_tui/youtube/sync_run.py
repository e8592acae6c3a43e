"""The bookkeeping of one sync run: its row in `sync_runs`, its summary, its events.

`RunBook` is what the fetch pipeline reports to — a channel synced, a channel failed,
videos refreshed — and what turns those reports into progress events, the quota
warning and, at the end, the summary, the offline labels and the finished run row. It
knows nothing about how videos are fetched.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from momentum_tui.storage import Store
from momentum_tui.storage.files import is_disk_full
from momentum_tui.youtube import queries
from momentum_tui.youtube.quota import QuotaLedger
from momentum_tui.youtube.sync_events import (
    ChannelFailed,
    ChannelSynced,
    Progress,
    QuotaWarning,
    SyncEvent,
    SyncFinished,
    SyncStarted,
    SyncSummary,
    summary_message,
)

if TYPE_CHECKING:
    from momentum_tui.errors import MomentumError

log = logging.getLogger(__name__)


class RunBook:
    """Counts, names and reports one run; `finish()` closes it (call it exactly once)."""

    def __init__(
        self,
        store: Store,
        ledger: QuotaLedger,
        summary: SyncSummary,
        titles: dict[str, str],
        *,
        clock: Callable[[], float] = time.time,
        on_event: Callable[[SyncEvent], None] | None = None,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.summary = summary
        self.clock = clock
        self._on_event = on_event
        self._titles = titles
        self._started = time.monotonic()
        # Today's use before this run: the warning needs no query per result.
        self._used_at_start = ledger.status().used - sum(ledger.spent.values())
        self._warned = False

    @classmethod
    def begin(
        cls,
        store: Store,
        ledger: QuotaLedger,
        *,
        mode: str,
        titles: dict[str, str],
        skipped: int,
        clock: Callable[[], float] = time.time,
        on_event: Callable[[SyncEvent], None] | None = None,
    ) -> RunBook:
        """Record a run of the channels in `titles` (id → title) and say it started."""
        now = int(clock())
        with store.write() as db:
            run_id = queries.begin_run(db, mode, len(titles), skipped, now)
        summary = SyncSummary(run_id, mode, "ok", now, 0.0, len(titles), channels_skipped=skipped)
        book = cls(store, ledger, summary, dict(titles), clock=clock, on_event=on_event)
        book.emit(SyncStarted(book.progress(), run_id, mode, skipped))
        return book

    @property
    def run_id(self) -> int:
        """The run's row in `sync_runs`."""
        return self.summary.run_id

    # --- what the pipeline reports ---------------------------------------------------

    def title(self, channel_id: str) -> str:
        """The channel's name for messages (its id until a title is known)."""
        return self._titles.get(channel_id, channel_id)

    def rename(self, channel_id: str, title: str) -> None:
        """A fresher title (from `channels.list` or the channel's feed) for messages."""
        if title:
            self._titles[channel_id] = title

    def synced(self, channel_id: str, new: int, updated: int, *, empty: bool) -> None:
        """One channel is committed."""
        s = self.summary
        s.channels_ok += 1
        s.channels_empty += int(empty)
        s.videos_new += new
        s.videos_updated += updated
        self.emit(ChannelSynced(self.progress(), channel_id, self.title(channel_id), new, updated))

    def failed(self, channel_id: str, message: str) -> None:
        """One channel failed this time (already recorded in the cache)."""
        self.summary.channels_failed += 1
        title = self.title(channel_id)
        self.summary.failures.append({"channel_id": channel_id, "title": title, "error": message})
        self.emit(ChannelFailed(self.progress(), channel_id, title, message))

    def feed_failed(self) -> None:
        """A channel feed could not be read (the channel may still sync through the API)."""
        self.summary.feeds_failed += 1

    def refreshed(self, updated: int, detailed: int = 0) -> None:
        """Cached videos changed by a refresh; `detailed` of them got their first details."""
        self.summary.videos_updated += updated
        self.summary.videos_detailed += detailed

    def check_quota_warning(self) -> None:
        """Say once when today's use crosses the warning threshold."""
        if self._warned:
            return
        used = self._used_at_start + sum(self.ledger.spent.values())
        if used >= self.ledger.warn_at * self.ledger.budget:
            self._warned = True
            self.emit(QuotaWarning(self.progress(), used, self.ledger.budget))

    # --- events -----------------------------------------------------------------------

    def progress(self) -> Progress:
        """Where the run is now."""
        s = self.summary
        return Progress(
            s.channels_ok + s.channels_failed, s.channels_total, s.videos_new, s.channels_failed
        )

    def emit(self, event: SyncEvent) -> None:
        """Report an event (a broken progress display must not break the sync)."""
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            log.exception("sync progress callback failed")

    # --- the end ----------------------------------------------------------------------

    def stop(self, status: str, error: MomentumError) -> None:
        """The run stops early (quota, cancelled, offline, an invalid key…)."""
        self.summary.status, self.summary.error = status, error

    def finish(self, api_requests: int, feed_requests: int) -> SyncSummary:
        """Label what is new, write the outcome, say it ended; returns the summary."""
        summary = self.summary
        summary.units_by_method = dict(self.ledger.spent)
        summary.requests = api_requests
        summary.feeds_read = feed_requests
        if summary.status == "ok" and summary.channels_failed:
            summary.status = "partial"
        summary.quota = self.ledger.status()
        if summary.videos_new or summary.videos_updated:
            summary.videos_labelled = self._label_offline()
        # The labelling is part of the run: `seconds` is everything `momentum sync` waited for.
        summary.seconds = time.monotonic() - self._started
        summary.message = summary_message(summary, self.clock())
        try:
            self._record_finish(summary)
        except sqlite3.OperationalError as error:
            if not is_disk_full(error):
                raise
            # The run stays marked running (shown as interrupted); the sentence says why.
            log.warning("the disk is full: the end of sync run %s was not recorded", summary.run_id)
        self.emit(SyncFinished(self.progress(), summary))
        return summary

    def _record_finish(self, summary: SyncSummary) -> None:
        """The run's row gets its outcome; the offline badge follows the network."""
        now = int(self.clock())
        with self.store.write() as db:
            # The status bar's "offline" badge (read by the feed screen) follows the network.
            if summary.status == "offline":
                queries.set_offline(db, True, now)
            elif summary.channels_ok:
                queries.set_offline(db, False, now)
            queries.finish_run(
                db,
                summary.run_id,
                summary.status,
                summary.units_by_method,
                summary.requests,
                summary.error.title if summary.error else "",
                now,
            )

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
