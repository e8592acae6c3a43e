"""The app's view of the cache: syncing, the sync status and quota, and "the cache changed".

`MomentumApp` builds on `SyncApp`, which holds these app-wide facts as reactive state:

* `sync_progress` — the running sync's counts (None when no sync runs), and
  `sync_cancelling` once R was pressed again;
* `sync_state` — the last sync, failed channels, offline, today's quota (for the status bar);
* `cache_version` — bumped whenever the cache changed under the screens: a sync ended, new
  labels, a rule, a channel change, or a write by another process (a cron sync,
  `momentum mark` in another terminal).

Widgets and screens watch them (`self.watch(self.app, "sync_progress", …)`); nothing here
knows which screens exist or reaches into their widgets. A screen that changed the cache
posts `CacheChanged`, which bubbles up to the app. The sync engine runs in a thread
worker and reports through `SyncUpdate` messages (a flood of progress collapses); the
worker never touches widgets.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.messages import CacheChanged, FeedReady
from momentum_tui.storage import Store
from momentum_tui.words import DEMO_NEVER_SYNCED
from momentum_tui.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:  # the sync engine and the quota ledger load when first used
    from momentum_tui.youtube.quota import QuotaStatus
    from momentum_tui.youtube.sync_events import Progress, SyncEvent


@dataclass(frozen=True)
class SyncState:
    """What the status bar says about syncing."""

    last_sync: int | None
    """When a followed channel was last synced (None: never)."""
    failed_channels: int
    offline: bool
    """The last sync could not reach YouTube."""
    quota: QuotaStatus | None
    """Today's quota use (None in the demo, which never syncs)."""
    keyless: bool = False
    """No YouTube API key: syncs read channel feeds, and lengths are unknown."""


@dataclass
class SyncUpdate(Message):
    """An event from the sync running in a thread worker (posted from that thread)."""

    event: SyncEvent

    def can_replace(self, message: Message) -> bool:
        """A newer progress count supersedes an older one still queued (a flood collapses)."""
        from momentum_tui.youtube.sync_events import (
            ChannelFailed,
            DetailsBackfill,
            QuotaWarning,
            SyncFinished,
        )

        keep = (ChannelFailed, DetailsBackfill, QuotaWarning, SyncFinished)  # each is said
        return (
            isinstance(message, SyncUpdate)
            and not isinstance(message.event, keep)
            and not isinstance(self.event, keep)
        )


@dataclass
class SyncStateLoaded(Message):
    """The sync state was read (for the status bar)."""

    state: SyncState


class SyncApp(ReportsWorkerErrors, App[None]):
    """Sync key, progress, cancel, sync state, quota, the channels screen, outside changes."""

    store: Store
    settings: Settings
    demo: bool
    _fixed_now: float | None

    sync_progress: reactive[Progress | None] = reactive(None)
    """The running sync's counts; None when no sync runs."""
    sync_cancelling: reactive[bool] = reactive(False)
    """R was pressed again: the running sync is stopping."""
    sync_state: reactive[SyncState | None] = reactive(None)
    """The last sync, failed channels, offline, quota (None until first read)."""
    cache_version: reactive[int] = reactive(0)
    """Bumped whenever the cache changed under the screens: watch it to load again."""

    _sync_cancel: threading.Event | None = None
    _outside_changes = False

    @property
    def syncing(self) -> bool:
        """A sync is running."""
        return self._sync_cancel is not None

    # -- syncing ------------------------------------------------------------------------

    def action_sync(self) -> None:
        """Start a sync, or cancel the running one."""
        if self.demo:
            self.notify(DEMO_NEVER_SYNCED, severity="warning", timeout=8)
            return
        if self._sync_cancel is not None:
            self._sync_cancel.set()
            self.sync_cancelling = True
            self.notify("Cancelling the sync; finished channels are kept.", timeout=4)
            return
        self._sync_cancel = threading.Event()
        self._run_sync(self._sync_cancel)

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _run_sync(self, cancel: threading.Event) -> None:
        from momentum_tui.youtube.sync import SyncEngine

        def report(event: SyncEvent) -> None:
            self.post_message(SyncUpdate(event))  # thread-safe; the UI reacts

        engine = SyncEngine(self.store, self.settings.youtube, cancel=cancel, on_event=report)
        engine.run()  # every outcome, errors included, arrives as a SyncFinished event

    def on_sync_update(self, message: SyncUpdate) -> None:
        """Move the progress on; at the end, say how it went and show the new videos."""
        from momentum_tui.youtube.sync_events import (
            DETAILS_NOTICE_UNITS,
            DetailsBackfill,
            QuotaWarning,
            SyncFinished,
        )

        event = message.event
        if isinstance(event, DetailsBackfill) and event.units > DETAILS_NOTICE_UNITS:
            self.notify(
                f"Filling in lengths and statistics of {event.videos:,} videos synced without a "
                f"key: {event.units:,} quota units.",
                timeout=8,
            )
        if isinstance(event, QuotaWarning):
            self.notify(
                f"{event.used:,} of {event.budget:,} YouTube quota units are spent today; the "
                "sync stops before the budget is passed.",
                severity="warning",
                timeout=8,
            )
        if not isinstance(event, SyncFinished):
            self.sync_progress = event.progress
            return
        self._sync_cancel = None
        self.sync_progress = None
        self.sync_cancelling = False
        summary = event.summary
        severity: SeverityLevel = "error"
        if summary.status == "ok":
            severity = "information"
        elif summary.status in ("partial", "cancelled"):
            severity = "warning"
        text = summary.message
        if summary.error is not None and summary.error.hint and summary.status == "failed":
            text = f"{text} {summary.error.hint}"
        self.notify(text, severity=severity, timeout=10)
        self.cache_changed(sync_status=True)

    # -- the cache changed --------------------------------------------------------------

    def cache_changed(self, *, sync_status: bool = False) -> None:
        """Tell every screen watching `cache_version` that the cache changed (cursor kept)."""
        self.cache_version += 1
        if sync_status:
            self.refresh_sync_state()

    def on_cache_changed(self, message: CacheChanged) -> None:
        """A screen changed the cache (a rule, a channel, labels)."""
        self.cache_changed(sync_status=message.sync_status)

    def watch_for_outside_changes(self) -> None:
        """Check for writes by other processes every `ui.watch_seconds` (0: never)."""
        if self.settings.ui.watch_seconds > 0:
            self.store.changed_elsewhere()  # the baseline: what is on screen now
            self.set_interval(self.settings.ui.watch_seconds, self._check_for_outside_changes)

    def _check_for_outside_changes(self) -> None:
        """Show what a cron sync or a command in another terminal changed, cursor kept.

        Once the changes stop: a sync elsewhere commits a channel at a time, and reloading
        (and re-ranking) after each would keep the app busy for the whole sync.
        """
        try:
            changed = self.store.changed_elsewhere()
        except sqlite3.Error:
            return  # a damaged or vanished cache is reported by the next real read
        except MomentumError as error:  # replaced by a file that can't be used (restore)
            self.notify(f"{error.title} {error.hint}".strip(), severity="error", timeout=15)
            return
        if changed:
            self._outside_changes = True
            return
        if changed is None or not self._outside_changes:
            return
        self._outside_changes = False
        if self.syncing:
            return  # our own sync reloads everything when it ends
        self.cache_changed(sync_status=True)
        self.notify("Updated with changes made outside the app.", timeout=3)

    # -- the sync state -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sync-status", exit_on_error=False)
    def refresh_sync_state(self) -> None:
        """Read the last sync, failed channels, offline, the quota and whether a key is set.

        The demo never syncs: it has no quota meter and no `no key` note.
        """
        from momentum_tui import secrets
        from momentum_tui.storage.feed import last_sync
        from momentum_tui.youtube.queries import sync_status
        from momentum_tui.youtube.quota import QuotaLedger

        quota = None
        keyless = False
        if not self.demo:
            quota = QuotaLedger.for_settings(self.store, self.settings.youtube).status()
            keyless = not secrets.get_secret("youtube")
        with self.store.read() as conn:
            line = sync_status(conn, time.time())
            synced = last_sync(conn)
        offline = self.store.get_pref("network.offline") == "1"
        state = SyncState(synced, line.failed_channels, offline, quota, keyless)
        self.post_message(SyncStateLoaded(state))

    def on_sync_state_loaded(self, message: SyncStateLoaded) -> None:
        """Publish the sync state (the status bar watches it)."""
        self.sync_state = message.state

    def on_feed_ready(self, message: FeedReady) -> None:
        """Once the first feed is up, read the sync state (not sooner: launch comes first)."""
        self.refresh_sync_state()

    # -- the channels screen ------------------------------------------------------------

    def action_channels(self) -> None:
        """Open the channels screen; the screens load again when something changed there."""
        from momentum_tui.screens.channels import ChannelsScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.cache_changed()

        if not isinstance(self.screen, ChannelsScreen):
            screen = ChannelsScreen(self.store, self.settings, demo=self.demo, now=self._fixed_now)
            self.push_screen(screen, closed)
