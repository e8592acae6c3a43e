"""The app's sync: R runs the engine in a thread worker with a progress bar, R again cancels;
C opens the channels screen; the status bar shows failed channels and the quota meter.

`MomentumApp` builds on `SyncApp`, so this stays out of the way of the feed code. The
engine reports through small events posted as `SyncUpdate` messages (a flood of progress
collapses, see `SyncUpdate.can_replace`); the worker never touches widgets.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel

from momentum_tui.config import Settings
from momentum_tui.messages import FeedReady
from momentum_tui.storage import Store
from momentum_tui.widgets.sync_progress import SyncProgress, SyncUpdate
from momentum_tui.youtube.queries import SyncStatusLine, sync_status
from momentum_tui.youtube.quota import QuotaLedger, QuotaStatus
from momentum_tui.youtube.sync import (
    DETAILS_NOTICE_UNITS,
    DetailsBackfill,
    QuotaWarning,
    SyncEngine,
    SyncEvent,
    SyncFinished,
)

if TYPE_CHECKING:
    from momentum_tui.screens.feed import FeedScreen

DEMO_SENTENCE = (
    "The demo profile is bundled data and is never synced. Run `momentum` (without demo) "
    "after `momentum import` to sync your own channels."
)


@dataclass
class SyncStatusLoaded(Message):
    """Today's quota use and the latest sync state, for the status bar."""

    quota: QuotaStatus
    line: SyncStatusLine
    keyless: bool = False
    """No YouTube API key: syncs read channel feeds, and lengths are unknown."""


def status_part(quota: QuotaStatus, line: SyncStatusLine, keyless: bool = False) -> Text:
    """`2 failed · quota 12 %` (yellow past the warning, red when spent); `no key · …`."""
    text = Text()
    if line.failed_channels:
        text.append(f"{line.failed_channels} failed", style="bold red")
        text.append(" · ", style="dim")
    if keyless:  # information, not an error: syncing works, it just can't know lengths
        text.append("no key · lengths unknown", style="dim")
        return text
    style = "bold red" if quota.remaining == 0 else "yellow" if quota.warn else "dim"
    text.append(f"quota {quota.fraction:.0%}".replace("%", " %"), style=style)
    return text


class SyncApp(App[None]):
    """Sync key, progress, cancel, quota meter and the channels screen."""

    store: Store
    settings: Settings
    demo: bool
    _fixed_now: float | None

    _sync_cancel: threading.Event | None = None

    def _feed_screen(self) -> FeedScreen | None:
        from momentum_tui.screens.feed import FeedScreen

        for screen in self.screen_stack:
            if isinstance(screen, FeedScreen):
                return screen
        return None

    @property
    def syncing(self) -> bool:
        """A sync is running."""
        return self._sync_cancel is not None

    def action_sync(self) -> None:
        """Start a sync, or cancel the running one."""
        if self.demo:
            self.notify(DEMO_SENTENCE, severity="warning", timeout=8)
            return
        if self._sync_cancel is not None:
            self._sync_cancel.set()
            screen = self._feed_screen()
            if screen is not None:
                screen.query_one(SyncProgress).cancelling()
            self.notify("Cancelling the sync; finished channels are kept.", timeout=4)
            return
        self._sync_cancel = threading.Event()
        self._run_sync(self._sync_cancel)

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _run_sync(self, cancel: threading.Event) -> None:
        def report(event: SyncEvent) -> None:
            self.post_message(SyncUpdate(event))  # thread-safe; the UI reacts

        engine = SyncEngine(self.store, self.settings.youtube, cancel=cancel, on_event=report)
        engine.run()  # every outcome, errors included, arrives as a SyncFinished event

    def on_sync_update(self, message: SyncUpdate) -> None:
        """Move the progress bar; at the end, say how it went and show the new videos."""
        screen = self._feed_screen()
        event = message.event
        if screen is not None:
            progress = screen.query_one(SyncProgress)
            if isinstance(event, SyncFinished):
                progress.hide()
            else:
                progress.show_progress(event.progress)
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
            return
        self._sync_cancel = None
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
        self.show_cache_changes(sync_status=True)

    def show_cache_changes(self, *, sync_status: bool = False) -> None:
        """Show the feed and the channel list again after the cache changed (cursor kept)."""
        screen = self._feed_screen()
        if screen is not None:
            screen.reload()
            screen.load_channels()
        if sync_status and not self.demo:
            self.refresh_sync_status()

    @work(thread=True, exclusive=True, group="sync-status", exit_on_error=False)
    def refresh_sync_status(self) -> None:
        """Read the quota meter and failed-channel count for the status bar."""
        from momentum_tui import secrets

        quota = QuotaLedger.for_settings(self.store, self.settings.youtube).status()
        with self.store.read() as conn:
            line = sync_status(conn, time.time())
        keyless = not secrets.get_secret("youtube")
        self.post_message(SyncStatusLoaded(quota, line, keyless))

    def on_sync_status_loaded(self, message: SyncStatusLoaded) -> None:
        """Put the quota meter in the status bar."""
        screen = self._feed_screen()
        if screen is not None:
            screen.set_status_part(
                "sync", status_part(message.quota, message.line, message.keyless)
            )

    def on_feed_ready(self, message: FeedReady) -> None:
        """Once the feed is up, fill in the quota meter (not for the demo: it never syncs)."""
        if not self.demo:
            self.refresh_sync_status()

    def action_channels(self) -> None:
        """Open the channels screen; the feed reloads when something changed there."""
        from momentum_tui.screens.channels import ChannelsScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.show_cache_changes()

        if not isinstance(self.screen, ChannelsScreen):
            self.push_screen(ChannelsScreen(self.store, self.settings, now=self._fixed_now), closed)
