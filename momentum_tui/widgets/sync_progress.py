"""The sync progress line: channels done/total as a bar, new videos, failures; R cancels."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ProgressBar

from momentum_tui.youtube.sync import ChannelFailed, Progress, QuotaWarning, SyncEvent, SyncFinished


@dataclass
class SyncUpdate(Message):
    """An event from the sync running in a thread worker (posted from that thread)."""

    event: SyncEvent

    def can_replace(self, message: Message) -> bool:
        """A newer progress count supersedes an older one still queued (a flood collapses)."""
        keep = (ChannelFailed, QuotaWarning, SyncFinished)
        return (
            isinstance(message, SyncUpdate)
            and not isinstance(message.event, keep)
            and not isinstance(self.event, keep)
        )


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

    def compose(self) -> ComposeResult:
        """The counts, the bar, and how to cancel."""
        yield Label(id="sync-counts")
        yield ProgressBar(total=None, show_eta=False, id="sync-bar")
        yield Label("R cancels", id="sync-hint")

    def show_progress(self, progress: Progress) -> None:
        """Show (or update) the bar."""
        self.add_class("-active")
        self.query_one("#sync-counts", Label).update(describe(progress))
        bar = self.query_one(ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.done)

    def cancelling(self) -> None:
        """Say that a cancel was asked for."""
        self.query_one("#sync-hint", Label).update("cancelling…")

    def hide(self) -> None:
        """The sync ended."""
        self.remove_class("-active")
        self.query_one("#sync-hint", Label).update("R cancels")
