"""The status bar: what the tab shows, then the app's state — sync, quota, Claude spending.

The screen hands it a `FeedStatus` for the tab on screen; the app-wide parts it watches on
the app itself (`sync_state`, `classify_progress`, `ai_spend`), so nothing has to pass
them along. When the line is wider than the terminal, the least important parts are left
out whole, or said shorter, least important first (never cut in the middle): at 80
columns the counts, the mode and the filters stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text

from momentum_tui import words
from momentum_tui.models import format_age_short
from momentum_tui.widgets.kept_static import KeptStatic

if TYPE_CHECKING:
    from momentum_tui.app_sync import SyncState

GAP = " · "

# How long a part stays when the line is too wide: the lowest goes first.
_ESSENTIAL, _MODE, _FILTERS, _SORT, _SYNC, _COUNTS, _SPEND = 9, 8, 7, 5, 4, 3, 2


@dataclass
class FeedStatus:
    """What the status bar says about the tab on screen."""

    shown: int = 0
    total: int = 0
    unwatched: int = 0
    filters: list[str] = field(default_factory=list)
    sort: str = "newest first"
    demo: bool = False
    picks_from: int | None = None
    """On the For-you tab: how many unwatched videos the picks were ranked from."""
    mode: str = ""
    """What the For-you tab shows when it is not the plain ranking ("smart feed: …")."""
    mode_short: str = ""
    """The mode said shorter, for narrow terminals ("" : no shorter way)."""
    busy: str = ""
    """Work under way that changes what is shown ("ranking…")."""


def quota_part(state: SyncState, *, short: bool = False) -> Text:
    """`2 failed · quota 12 %` (yellow past the warning, red when spent).

    Without a YouTube key: `no key · lengths unknown` (`no key` when `short`) instead of
    the quota, which a keyless sync never uses.
    """
    text = Text()
    if state.failed_channels:
        text.append(f"{state.failed_channels} failed", style="bold red")
    quota = state.quota
    if state.keyless:  # information, not an error: syncing works, it just can't know lengths
        if text:
            text.append(GAP, style="dim")
        text.append("no key" if short else "no key · lengths unknown", style="dim")
    elif quota is not None:
        if text:
            text.append(GAP, style="dim")
        style = "bold red" if quota.remaining == 0 else "yellow" if quota.warn else "dim"
        text.append(f"quota {quota.fraction:.0%}".replace("%", " %"), style=style)
    return text


class StatusBar(KeptStatic):
    """One line at the bottom of the main screen."""

    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, *, now: float | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feed = FeedStatus()
        self._fixed_now = now

    def on_mount(self) -> None:
        """Watch the app's state (an app without it, in a test, shows the feed part only)."""
        for name in ("sync_state", "classify_progress", "ai_spend", "prefsync_status", "playing"):
            if hasattr(self.app, name):
                self.watch(self.app, name, self._redraw, init=False)
        self._redraw()

    def show(self, feed: FeedStatus) -> None:
        """Show `feed` (the tab on screen) with the app's state."""
        self.feed = feed
        self._redraw()

    def on_resize(self) -> None:
        """Fit the line to the new width."""
        self._redraw()

    def parts(self, now: float) -> list[Part]:
        """Every part of the line, in order, with how long it stays when room is short."""
        feed, app = self.feed, self.app
        sync: SyncState | None = getattr(app, "sync_state", None)
        parts: list[Part] = []
        badges = Text()
        if feed.demo:
            badges.append(" DEMO ", style="bold reverse")
        if sync is not None and sync.offline:
            badges.append(" " if badges else "")
            badges.append(" offline ", style="bold reverse yellow")
        counts = Text(f"{feed.shown:,}", style="bold")
        if feed.picks_from is not None:
            counts.append(f" pick{'' if feed.shown == 1 else 's'} of {feed.picks_from:,}")
        else:
            counts.append(f" of {feed.total:,} videos")
        if badges:
            counts = Text.assemble(badges, " ", counts)
        parts.append(Part(_ESSENTIAL, counts))
        if feed.mode:
            short = Text(feed.mode_short, style="bold") if feed.mode_short else None
            parts.append(Part(_MODE, Text(feed.mode, style="bold"), short))
        if feed.filters:
            parts.append(Part(_FILTERS, Text(", ".join(feed.filters))))
        parts.append(Part(_SORT, Text(feed.sort)))
        if feed.busy:
            parts.append(Part(_MODE, Text(feed.busy, style="bold")))
        if feed.picks_from is None:
            parts.append(Part(_COUNTS, Text(f"{feed.unwatched:,} unwatched", style="dim")))
        if sync is not None:
            age = format_age_short(sync.last_sync, now) if sync.last_sync else "never"
            synced = age if age in ("never", "now") else f"{age} ago"  # not "now ago"
            parts.append(Part(_SYNC, Text(f"synced {synced}", style="dim")))
        playing: str = getattr(app, "playing", "")
        if playing:
            parts.append(
                Part(_FILTERS, Text(f"▶ {words.short_title(playing)}", style="bold green"))
            )
        progress: str = getattr(app, "classify_progress", "")
        if progress:
            parts.append(Part(_FILTERS, Text(progress, style="bold")))
        spend: str = getattr(app, "ai_spend", "")
        if spend:
            parts.append(Part(_SPEND, Text(spend, style="dim")))
        prefsync = getattr(app, "prefsync_status", None)
        if prefsync is not None and (said := prefsync.text()) is not None:
            parts.append(Part(_SYNC if prefsync.state in ("offline", "problem") else _SPEND, said))
        if sync is not None and (quota := quota_part(sync)):
            # Failures, and why lengths show `—`, stay as long as the last sync does.
            rank = _SYNC if sync.failed_channels or sync.keyless else _SPEND
            short = quota_part(sync, short=True) if sync.keyless else None
            parts.append(Part(rank, quota, short))
        return parts

    def _redraw(self, *_: Any) -> None:
        import time

        now = self._fixed_now if self._fixed_now is not None else time.time()
        parts = self.parts(now)
        room = self.content_region.width or 10_000  # not laid out yet: everything
        # The least important part (the latest among equals) is said shorter, or left out,
        # until the line fits.
        while len(parts) > 1 and _width(parts) > room:
            lowest = min(part.rank for part in parts)
            index = max(i for i, part in enumerate(parts) if part.rank == lowest)
            part = parts[index]
            if part.short is not None:
                parts[index] = Part(part.rank, part.short)
            else:
                del parts[index]
        line = Text(no_wrap=True, overflow="ellipsis")
        for index, part in enumerate(parts):
            if index:
                line.append(GAP, style="dim")
            line.append_text(part.text)
        self.update(line, layout=False)  # one line of a fixed size: a repaint is enough


@dataclass(frozen=True)
class Part:
    """One part of the line: how long it stays (`rank`), and maybe a shorter way to say it."""

    rank: int
    text: Text
    short: Text | None = None


def _width(parts: list[Part]) -> int:
    """Cells the parts take on one line, with the gaps between them."""
    return sum(part.text.cell_len for part in parts) + len(GAP) * (len(parts) - 1)
