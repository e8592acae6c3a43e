"""The sync progress line: channels done/total as a bar, new videos, failures; R cancels.

It watches the app's `sync_progress` and `sync_cancelling` (see `app_sync.py`), so it shows
itself while a sync runs on whichever screen it is part of. Its parts (the counts, the
bar, the hint) are mounted the first time a sync shows them, not with the screen: most
launches never sync, and the bar's widgets, modules and styles were five widgets and
five style sources more to build before the first frame (docs/performance.md, "Start-up").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Horizontal
from textual.widget import Widget

if TYPE_CHECKING:
    from momentum_tui.youtube.sync_events import Progress


def describe(progress: Progress) -> Text:
    """`Syncing 120/500 channels · 37 new · 2 failed`."""
    text = Text(f"Syncing {progress.done:,}/{progress.total:,} channels")
    text.append(f" · {progress.videos_new:,} new")
    if progress.failed:
        text.append(f" · {progress.failed:,} failed", style="bold red")
    return text


class SyncProgress(Horizontal):
    """Shown at the bottom of the feed while a sync runs."""

    DEFAULT_CSS = """
    SyncProgress { height: 1; display: none; padding: 0 1; background: $boost; }
    SyncProgress.-active { display: block; }
    SyncProgress > Label { width: auto; margin-right: 2; }
    SyncProgress > ProgressBar { width: 1fr; }
    SyncProgress > #sync-hint { color: $text-muted; margin-left: 2; margin-right: 0; }
    """

    @staticmethod
    def parts() -> list[Widget]:
        """The counts, the bar, and how to cancel (built when a sync first shows them)."""
        from textual.widgets import Label, ProgressBar

        return [
            Label(id="sync-counts"),
            ProgressBar(total=None, show_eta=False, id="sync-bar"),
            Label("R cancels", id="sync-hint"),
        ]

    def on_mount(self) -> None:
        """Follow the app's sync (an app without one, in a test, never shows the line)."""
        if hasattr(self.app, "sync_progress"):
            self.watch(self.app, "sync_progress", self.show_progress)
            self.watch(self.app, "sync_cancelling", self._cancelling)

    async def show_progress(self, progress: Progress | None) -> None:
        """Show (or update) the bar; hide it when no sync runs."""
        if progress is None:
            self.remove_class("-active")
            return
        from textual.widgets import Label, ProgressBar

        if not self.children:
            await self.mount_all(self.parts())
            progress = getattr(self.app, "sync_progress", progress)  # newer while mounting?
            if progress is None:
                return
            self._cancelling(getattr(self.app, "sync_cancelling", False))
        self.add_class("-active")
        self.query_one("#sync-counts", Label).update(describe(progress))
        bar = self.query_one(ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.done)

    def _cancelling(self, cancelling: bool) -> None:
        if not self.children:
            return  # no parts before the first sync (they start with the right words)
        from textual.widgets import Label

        self.query_one("#sync-hint", Label).update("cancelling…" if cancelling else "R cancels")
