"""The Textual app: the main screen, the keymap, the command palette and error handling."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from momentum_tui.app_prefsync import PrefsyncApp, PrefsyncStatus
from momentum_tui.app_sync import SyncApp
from momentum_tui.bindings import ALL_KEYS, APP, GROUP_TITLES, SYNC, usable_keymap
from momentum_tui.cells import count_spacing_marks
from momentum_tui.config import Settings
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.storage import Store
from momentum_tui.widgets.sync_progress import SyncUpdate
from momentum_tui.worker_errors import ReportsWorkerErrors
from momentum_tui.youtube.sync import SyncFinished

log = logging.getLogger(__name__)


APP_GROUPS = ("app", "sync")
"""Binding groups handled by the app itself (on every screen)."""


class MomentumApp(ReportsWorkerErrors, SyncApp, PrefsyncApp):
    """Momentum's terminal app (syncing comes from `SyncApp`, preference sync from
    `PrefsyncApp`)."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere work
    TITLE = "Momentum"
    BINDINGS = [key.binding() for key in (*APP, *SYNC)]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        demo: bool = False,
        now: float | None = None,
        opener: Callable[[str], Any] | None = None,
    ) -> None:
        count_spacing_marks()  # Hindi, Tamil… titles measured as the terminal draws them
        super().__init__()
        self.store = store
        self.settings = settings
        self.demo = demo
        self._fixed_now = now
        self._opener = opener
        self.keymap_overrides, self.keymap_problems = usable_keymap(settings.keymap)
        self._outside_changes = False

    def on_mount(self) -> None:
        """Apply the theme and keymap, then open the feed."""
        if self.settings.ui.theme in self.available_themes:
            self.theme = self.settings.ui.theme
        self.set_keymap(self.keymap_overrides)
        self.push_screen(
            FeedScreen(
                self.store, self.settings, demo=self.demo, now=self._fixed_now, opener=self._opener
            )
        )
        self.start_prefsync()
        if self.settings.ui.watch_seconds > 0:
            self.store.changed_elsewhere()  # the baseline: what is on screen now
            self.set_interval(self.settings.ui.watch_seconds, self._check_for_outside_changes)
        for problem in self.keymap_problems:
            self.notify(f"{problem} That entry is ignored.", severity="warning", timeout=12)
        if self.settings.ui.theme not in self.available_themes:
            self.notify(
                f"Unknown theme {self.settings.ui.theme!r} in your config; using the default.",
                severity="warning",
            )

    def _check_for_outside_changes(self) -> None:
        """Show what a cron sync or a command in another terminal changed, cursor kept.

        Once the changes stop: a sync elsewhere commits a channel at a time, and reloading
        (and re-ranking) after each would keep the app busy for the whole sync.
        """
        try:
            changed = self.store.changed_elsewhere()
        except sqlite3.Error:
            return  # a damaged or vanished cache is reported by the next real read
        if changed:
            self._outside_changes = True
            return
        if changed is None or not self._outside_changes:
            return
        self._outside_changes = False
        if self.syncing:
            return  # our own sync reloads everything when it ends
        self.show_cache_changes(sync_status=True)
        self.notify("Updated with changes made outside the app.", timeout=3)

    def on_sync_update(self, message: SyncUpdate) -> None:
        """After a YouTube sync, preferences waiting for its new videos are applied."""
        super().on_sync_update(message)
        if isinstance(message.event, SyncFinished) and not self.demo:
            self.prefsync_now(quiet=True)

    def watch_prefsync_status(self, status: PrefsyncStatus) -> None:
        """Show how preference sync stands in the feed's status bar."""
        screen = self._feed_screen()
        if screen is not None:
            screen.set_status_part("prefsync", status.text())

    def action_help(self) -> None:
        """Show every key."""
        from momentum_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap_overrides))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette lists every Momentum action ("video: Like", "filter: Hide Shorts"…)."""
        yield from super().get_system_commands(screen)
        for key in ALL_KEYS:
            if key.group == "nav":
                continue
            target = self if key.group in APP_GROUPS else screen
            if not hasattr(target, f"action_{key.action}"):
                continue
            yield SystemCommand(
                f"{key.group}: {key.description}",
                f"{key.help}  ({GROUP_TITLES.get(key.group, key.group)})",
                _runner(target, key.action),
            )


def _runner(target: Any, action: str) -> Callable[[], Any]:
    async def run() -> None:
        await target.run_action(action)

    return run
