"""The app's daily backup: once the first screen is up, a copy of the cache in a worker.

At most one a day (`backup.keep` of them kept, 0 turns them off), never for the demo
profile, and started a little after the feed is on screen so that it never competes
with the first screen for the interpreter or the disk.
"""

from __future__ import annotations

from textual import work
from textual.app import App

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.messages import FeedReady
from momentum_tui.storage import Store
from momentum_tui.worker_errors import ReportsWorkerErrors


class BackupApp(ReportsWorkerErrors, App[None]):
    """Makes the daily backup after the first feed is shown."""

    DAILY_BACKUP_DELAY_S = 15.0
    """Seconds after the first feed before the daily backup starts (tests shorten it)."""

    store: Store
    settings: Settings
    demo: bool

    def on_feed_ready(self, message: FeedReady) -> None:
        """Schedule the daily backup (the feed is up: nothing waits for it now)."""
        if not self.demo and self.settings.backup.keep > 0:
            self.set_timer(self.DAILY_BACKUP_DELAY_S, self.daily_backup)

    @work(thread=True, exclusive=True, group="backup", exit_on_error=False)
    def daily_backup(self) -> None:
        """Back the cache up if no backup was made today; a failure is one warning."""
        from momentum_tui.storage.backup import daily_backup

        try:
            daily_backup(self.store.path, self.settings.backup.keep)
        except MomentumError as error:
            self.call_from_thread(
                self.notify,
                f"Today's automatic backup was not made: {error.title} {error.hint}".strip(),
                severity="warning",
                timeout=10,
            )
