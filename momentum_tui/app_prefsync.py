"""Preference sync in the app: at start, on demand (`prefsync.now`) and after local changes.

App-level reactive state, `prefsync_status`, says how it stands (off, syncing, synced,
n to send, offline, or a problem needing the person); the status bar watches it. The
sync runs in a thread worker and reports with a `PrefsyncDone` message, so nothing the
person does ever waits for the server. A change made here or by another process enters
the outbox in its own transaction; a one-second watch over the outbox syncs once it has
been quiet for `backend.sync_after_seconds`. When the server can't be reached the app
says so once and tries again later, backing off. Records pulled from other machines are
written through this app's own connection, which SQLite's `data_version` does not count
as an outside change — so a pull that changed anything tells the screens itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import App
from textual.message import Message
from textual.reactive import reactive

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.messages import FeedReady
from momentum_tui.storage import Store
from momentum_tui.worker_errors import ReportsWorkerErrors

RETRY_SECONDS = (30.0, 60.0, 120.0, 300.0)
"""Waits between retries while the server is unreachable (the last one repeats)."""


@dataclass(frozen=True)
class PrefsyncStatus:
    """How preference sync stands, for the status bar."""

    state: str
    """off | syncing | synced | pending | offline | problem"""
    unsent: int = 0
    problem: str = ""

    def text(self) -> Text | None:
        """The status bar's part (None when sync is off)."""
        styles = {"offline": "bold yellow", "problem": "bold red", "syncing": "bold"}
        words = {
            "syncing": "syncing…",
            "synced": "synced",
            "pending": f"{self.unsent} to send",
            "offline": "offline",
            "problem": "needs you",
        }
        if self.state not in words:
            return None
        return Text.assemble(("prefs ", "dim"), (words[self.state], styles.get(self.state, "dim")))


@dataclass
class PrefsyncDone(Message):
    """A preference sync ended: its report's figures, or the failure's sentence."""

    applied: int
    unsent: int
    error: MomentumError | None = None


class PrefsyncApp(ReportsWorkerErrors, App[None]):
    """Preference sync: the worker, the debounce, the retries and the reactive status."""

    store: Store
    settings: Settings
    demo: bool

    prefsync_status: reactive[PrefsyncStatus] = reactive(PrefsyncStatus("off"))
    """How preference sync stands (the status bar watches it)."""

    _prefsync_running = False
    _prefsync_again = False
    _outbox_count = 0
    _outbox_changed_at = 0.0
    _retry_at: float | None = None
    _failures = 0
    _told_offline = False

    def on_feed_ready(self, message: FeedReady) -> None:
        """Once the first feed is up, sync (not sooner: its imports would slow the launch)."""
        self.start_prefsync()

    def start_prefsync(self) -> None:
        """At start: sync once if signed in, then watch for local changes."""
        if self.demo:
            return
        self.prefsync_now(quiet=True)
        self.set_interval(1.0, self._watch_outbox)

    def action_prefsync_now(self) -> None:
        """Sync preferences with your other machines now."""
        if self.demo:
            self.notify("The demo profile is bundled data; it is never synced.", timeout=6)
            return
        self.prefsync_now(quiet=False)

    def prefsync_now(self, *, quiet: bool) -> None:
        """Start a sync (or one more after the running one)."""
        if self._prefsync_running:
            self._prefsync_again = True
            return
        self._prefsync_running = True
        self._retry_at = None
        self._run_prefsync(quiet)

    @work(thread=True, exclusive=False, group="prefsync", exit_on_error=False)
    def _run_prefsync(self, quiet: bool) -> None:
        from momentum_tui.prefsync import service
        from momentum_tui.prefsync.account import NotSignedInError

        if not service.summary(self.store).signed_in:
            if not quiet:
                self.post_message(PrefsyncDone(0, 0, _not_signed_in()))
            else:
                self.post_message(PrefsyncDone(0, 0, NotSignedInError("")))
            return
        self.call_from_thread(self._set_status, PrefsyncStatus("syncing"))
        try:
            report = service.sync_now(self.store, self.settings)
        except MomentumError as error:
            self.post_message(PrefsyncDone(0, service.summary(self.store).unsent, error))
            return
        self.post_message(PrefsyncDone(report.applied, service.summary(self.store).unsent))

    def _set_status(self, status: PrefsyncStatus) -> None:
        self.prefsync_status = status

    def on_prefsync_done(self, message: PrefsyncDone) -> None:
        """Say how the sync went; show what other machines changed (cursor kept)."""
        from momentum_tui.prefsync.account import NotSignedInError
        from momentum_tui.prefsync.client import BackendUnreachableError

        self._prefsync_running = False
        error = message.error
        if isinstance(error, NotSignedInError) and not error.title:
            self.prefsync_status = PrefsyncStatus("off")
        elif isinstance(error, BackendUnreachableError):
            self.prefsync_status = PrefsyncStatus("offline", message.unsent)
            self._failures += 1
            wait = RETRY_SECONDS[min(self._failures, len(RETRY_SECONDS)) - 1]
            self._retry_at = time.monotonic() + wait
            if not self._told_offline:
                self._told_offline = True
                self.notify(f"{error.title} {error.hint}", severity="warning", timeout=8)
        elif error is not None:
            self.prefsync_status = PrefsyncStatus("problem", message.unsent, error.title)
            if error.title:
                self.notify(f"{error.title} {error.hint}".strip(), severity="error", timeout=12)
        else:
            self._failures = 0
            self._told_offline = False
            state = "pending" if message.unsent else "synced"
            self.prefsync_status = PrefsyncStatus(state, message.unsent)
            if message.applied:
                self.prefsync_changed_cache()
        if self._prefsync_again:
            self._prefsync_again = False
            self.prefsync_now(quiet=True)

    def prefsync_changed_cache(self) -> None:
        """Records from other machines were applied: the screens show the cache again."""
        changed = getattr(self, "cache_changed", None)  # SyncApp's, in the real app
        if callable(changed):
            changed()

    @work(thread=True, exclusive=True, group="prefsync-watch", exit_on_error=False)
    def _watch_outbox(self) -> None:
        from momentum_tui.prefsync import queries

        with self.store.read() as conn:
            count = queries.outbox_size(conn)
        self.call_from_thread(self._outbox_seen, count)

    def _outbox_seen(self, count: int) -> None:
        now = time.monotonic()
        if count != self._outbox_count:
            self._outbox_count, self._outbox_changed_at = count, now
            if count and self.prefsync_status.state in ("synced", "pending"):
                self.prefsync_status = PrefsyncStatus("pending", count)
        quiet_for = self.settings.backend.sync_after_seconds
        off = self.prefsync_status.state in ("off", "problem")
        if self._retry_at is not None and now >= self._retry_at:
            self.prefsync_now(quiet=True)
        elif count and not off and quiet_for > 0 and now - self._outbox_changed_at >= quiet_for:
            self._outbox_changed_at = now  # don't start another while this one runs
            self.prefsync_now(quiet=True)


def _not_signed_in() -> MomentumError:
    from momentum_tui.prefsync.account import not_signed_in

    return not_signed_in()
