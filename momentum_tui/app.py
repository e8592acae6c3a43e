"""The Textual app: the main screen, the keymap, the command palette and error handling.

App-wide work and state live in the controllers the app is built from: `app_sync.py`
(syncing, the sync state and quota, "the cache changed", outside changes),
`app_labels.py` (classifying, Claude spending), `app_prefsync.py` (preference sync
with your other machines), `app_watch.py` (playing in the background) and
`app_backup.py` (the daily backup); `app_memory.py` keeps what launch built out of the
garbage collector's walks. Screens and
widgets watch their reactive state; screens post `CacheChanged` when they changed the
cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from momentum_tui.app_backup import BackupApp
from momentum_tui.app_labels import LabelsApp
from momentum_tui.app_memory import MemoryApp
from momentum_tui.app_prefsync import PrefsyncApp
from momentum_tui.app_sync import SyncApp, SyncUpdate
from momentum_tui.app_watch import WatchApp
from momentum_tui.bindings import ALL_KEYS, APP, GROUP_TITLES, SYNC, Key, usable_keymap
from momentum_tui.cells import count_spacing_marks
from momentum_tui.config import Settings
from momentum_tui.keymap_clashes import without_priority_clashes
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.storage import Store
from momentum_tui.widgets.thumbnail_graphics import prepare_graphics

log = logging.getLogger(__name__)


class MomentumApp(SyncApp, LabelsApp, PrefsyncApp, WatchApp, BackupApp, MemoryApp):
    """Momentum's terminal app (syncing from `SyncApp`, labelling from `LabelsApp`,
    preference sync from `PrefsyncApp`, playing from `WatchApp`, the daily backup from
    `BackupApp`, garbage collection from `MemoryApp`)."""

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
        overrides, problems = usable_keymap(settings.keymap)
        self.keymap_overrides, clashes = without_priority_clashes(overrides)
        self.keymap_problems = problems + clashes
        # Before the app owns the terminal: for kitty graphics or Sixel, textual-image asks it
        # its cell size now (nobody else pays for that).
        wanted = settings.ui.thumbnail_protocol if settings.ui.thumbnails else "halfblocks"
        self.thumbnail_graphics = prepare_graphics(wanted)

    def get_default_screen(self) -> Screen[Any]:
        """The feed is the first screen (not pushed over an empty one, styled for nothing);
        the theme and keymap are applied before it is composed."""
        if self.settings.ui.theme in self.available_themes:
            self.theme = self.settings.ui.theme
        self.set_keymap(self.keymap_overrides)
        return FeedScreen(
            self.store, self.settings, demo=self.demo, now=self._fixed_now, opener=self._opener
        )

    def on_mount(self) -> None:
        """Watch for changes made elsewhere; say what was wrong in the config."""
        self.watch_for_outside_changes()
        for problem in self.keymap_problems:
            self.notify(f"{problem} That entry is ignored.", severity="warning", timeout=12)
        if self.settings.ui.theme not in self.available_themes:
            self.notify(
                f"Unknown theme {self.settings.ui.theme!r} in your config; using the default.",
                severity="warning",
            )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification as plain text, never markup.

        Momentum's sentences carry titles, channel names and rule text, which are data
        (`[BE ORIGINAL] ITZY…` must stay as typed), so no notification is read as markup.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_sync_update(self, message: SyncUpdate) -> None:
        """After a YouTube sync, preferences waiting for its new videos are applied and the
        new uploads of channels you chose are announced."""
        from momentum_tui.youtube.sync_events import SyncFinished

        super().on_sync_update(message)
        if isinstance(message.event, SyncFinished) and not self.demo:
            self.prefsync_now(quiet=True)
            self.announce_new_uploads()

    def action_help(self) -> None:
        """Show every key."""
        from momentum_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap_overrides))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette lists every Momentum action ("video: Like", "filter: Hide Shorts"…)."""
        yield from super().get_system_commands(screen)
        bound = {b.id for b in (*self.BINDINGS, *screen.BINDINGS) if isinstance(b, Binding)}
        for key in ALL_KEYS:
            if key.group == "nav" or key.id not in bound:
                continue
            target, action = _target(self, screen, key)
            if not hasattr(target, f"action_{action.split('(', 1)[0]}"):
                continue
            yield SystemCommand(
                f"{key.group}: {key.description}",
                f"{key.help}  ({GROUP_TITLES.get(key.group, key.group)})",
                _runner(target, action),
            )


def _target(app: MomentumApp, screen: Screen[Any], key: Key) -> tuple[Any, str]:
    """Where a key's action runs: the app (its own keys, or `app.…`), else the screen."""
    if key.action.startswith("app."):
        return app, key.action.removeprefix("app.")
    return (app if key in (*APP, *SYNC) else screen), key.action


def _runner(target: Any, action: str) -> Callable[[], Any]:
    async def run() -> None:
        await target.run_action(action)

    return run
