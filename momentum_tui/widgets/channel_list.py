"""The channel list: all videos, saved, channel groups, and each channel with unwatched counts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from momentum_tui.storage.feed import ChannelSummary

ALL = "all"
SAVED = "saved"


def option_label(name: str, count: int, style: str = "") -> Table:
    """A channel list entry: the name (never markup, cut to fit) and a right-aligned count."""
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Text(name, style=style), Text(f" {count:,}" if count else "", style="dim"))
    return grid


class ChannelList(OptionList):
    """Pick everything, saved videos, a channel group, or one channel."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "Top", show=False),
        Binding("G", "last", "Bottom", show=False),
    ]

    names: dict[str, str] = {}
    """Option id → channel name, for saying what is selected."""

    def fill(
        self, channels: list[ChannelSummary], tags: list[tuple[str, int]], unwatched: int
    ) -> None:
        """Replace the entries, keeping the highlighted one when it still exists."""
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.names = {f"ch:{c.id}": c.title or c.id for c in channels}
        options: list[Option | None] = [
            Option(option_label("All videos", unwatched, "bold"), id=ALL),
            Option(option_label("★ Saved for later", 0), id=SAVED),
        ]
        if tags:
            options.append(None)
            options += [
                Option(option_label(f"# {tag}", count, "cyan"), id=f"tag:{tag}")
                for tag, count in tags
            ]
        options.append(None)
        options += [
            Option(option_label(c.title or c.id, c.unwatched), id=f"ch:{c.id}") for c in channels
        ]
        self.clear_options()
        self.add_options(options)
        if highlighted:
            try:
                self.highlighted = self.get_option_index(highlighted)
            except Exception:  # the option went away
                self.highlighted = 0
