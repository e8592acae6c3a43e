"""The status bar: what is shown, totals, last sync, and whether we are offline or in the demo."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from momentum_tui.models import format_age_short


@dataclass
class Status:
    """What the status bar says."""

    shown: int = 0
    total: int = 0
    unwatched: int = 0
    filters: list[str] = field(default_factory=list)
    sort: str = "newest"
    last_sync: int | None = None
    demo: bool = False
    offline: bool = False
    extra: list[Text] = field(default_factory=list)
    ai_spend: str = ""
    ai_progress: str = ""
    picks_from: int | None = None
    """On the For-you tab: how many unwatched videos the picks were ranked from."""
    mode: str = ""
    """What the For-you tab shows when it is not the plain ranking ("smart feed: …")."""
    busy: str = ""
    """Work under way that changes what is shown ("ranking…")."""


class StatusBar(Static):
    """One line at the bottom of the main screen."""

    DEFAULT_CSS = """
    StatusBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def show(self, status: Status, now: float) -> None:
        """Render `status`."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if status.demo:
            text.append(" DEMO ", style="bold reverse")
            text.append(" ")
        if status.offline:
            text.append(" offline ", style="bold reverse yellow")
            text.append(" ")
        text.append(f"{status.shown:,}", style="bold")
        if status.picks_from is not None:
            text.append(f" pick{'' if status.shown == 1 else 's'} of {status.picks_from:,}")
        else:
            text.append(f" of {status.total:,} videos")
        if status.mode:
            text.append(" · ")
            text.append(status.mode, style="bold")
        if status.filters:
            text.append(" · " + ", ".join(status.filters))
        text.append(f" · {status.sort}")
        if status.busy:
            text.append(f" · {status.busy}", style="bold")
        if status.picks_from is None:
            text.append(f" · {status.unwatched:,} unwatched", style="dim")
        synced = f"{format_age_short(status.last_sync, now)} ago" if status.last_sync else "never"
        text.append(f" · synced {synced}", style="dim")
        if status.ai_progress:
            text.append(" · ", style="dim")
            text.append(status.ai_progress, style="bold")
        if status.ai_spend:
            text.append(f" · {status.ai_spend}", style="dim")
        for part in status.extra:
            text.append(" · ", style="dim")
            text.append_text(part)
        self.update(text)
