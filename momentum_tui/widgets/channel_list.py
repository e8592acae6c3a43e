"""The channel list: all videos, saved, channel groups, and each channel with unwatched counts.

A line-API widget like the feed table, so that two thousand subscriptions cost nothing to
show: entries are plain data (`channel_entries`, kept as columns) and only the visible
lines are drawn. It reads its entries itself, in a thread worker, when the screen says
the counts may have moved (`load`); a mark moves one channel's count by one, which the
list takes in place (`adjust_unwatched`) instead of counting 100,000 videos again.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from momentum_tui.bindings import NAVIGATION, SELECT
from momentum_tui.cells import fit
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.channels import channel_list_counts
from momentum_tui.widgets.channel_entries import ALL, Entries, Entry, build_entries
from momentum_tui.widgets.steady_scrollbars import SteadyScrollbars
from momentum_tui.worker_errors import ReportsWorkerErrors


class ChannelList(ReportsWorkerErrors, SteadyScrollbars, ScrollView, can_focus=True):
    """Pick everything, saved videos, a channel group, or one channel."""

    BINDINGS = [key.binding() for key in (*NAVIGATION, *SELECT)]

    COMPONENT_CLASSES = {"channel-list--cursor", "channel-list--count", "channel-list--rule"}

    DEFAULT_CSS = """
    ChannelList { overflow-x: hidden; }
    ChannelList > .channel-list--cursor { background: $block-cursor-blurred-background; }
    ChannelList:focus > .channel-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold;
    }
    ChannelList > .channel-list--count { color: $text-muted; }
    ChannelList > .channel-list--rule { color: $panel-lighten-2; }
    """

    cursor: reactive[int] = reactive(0)

    class Selected(Message):
        """Enter on an entry: show its videos."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class Read(Message):
        """The entries one load read (in the list's worker)."""

        def __init__(self, entries: Entries, generation: int) -> None:
            super().__init__()
            self.entries = entries
            self.generation = generation

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.entries = Entries([Entry(ALL, "All videos", 0, "bold")])
        self._asked = 0
        """Loads asked for; the list shows the last one's result once it arrives."""
        self._shown = -1
        """The load shown (-1: none yet)."""

    @property
    def loaded(self) -> bool:
        """The list shows the latest load (none is still being read)."""
        return self._shown == self._asked

    def load(self) -> None:
        """Read the entries with their unwatched counts (about half a second at 100,000
        videos and 77,000 channels)."""
        self._asked += 1
        self._read(self._asked)

    @work(thread=True, exclusive=True, group="channels", exit_on_error=False)
    def _read(self, generation: int) -> None:
        with self.store.read() as conn:
            channels = channel_list_counts(conn)
            tags = queries.channel_tag_counts(conn)
            unwatched = queries.totals(conn).unwatched
        self.post_message(self.Read(build_entries(channels, tags, unwatched), generation))

    @on(Read)
    def _take(self, message: Read) -> None:
        """Show what was read (unless a newer load is on its way); the message goes on to
        the screen."""
        if message.generation == self._asked:
            self._shown = message.generation
            self.show(message.entries)

    def adjust_unwatched(self, channel_id: str, delta: int) -> bool:
        """A mark moved `channel_id`'s unwatched count by `delta`: show it, the channel at
        its new place. False when the list can't tell (not loaded yet, or the channel is
        not listed), so the caller reads it again instead."""
        entries = self.entries
        found = entries.position(f"ch:{channel_id}")
        if not self.loaded or found is None:
            return False
        current = entries[self.cursor].id
        entries.add_to(found, delta)
        entries.resort_channel(found)
        entries.add_to(0, delta)  # all videos
        self.cursor = entries.position(current) or 0
        self.refresh()
        return True

    def show(self, entries: Entries) -> None:
        """Show these entries, keeping the highlighted one when it still exists."""
        current = self.entries[self.cursor].id if len(self.entries) else ALL
        self.entries = entries
        self.virtual_size = Size(self.size.width, len(entries))
        self.cursor = (entries.position(current) if current else None) or 0
        self.refresh()

    # -- moving -------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        """Stay on the list."""
        return max(0, min(value, len(self.entries) - 1))

    def watch_cursor(self) -> None:
        """Keep the cursor visible."""
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()

    def _step(self, start: int, direction: int) -> int:
        index = start
        while 0 <= index < len(self.entries) and not self.entries[index].selectable:
            index += direction
        return index if 0 <= index < len(self.entries) else self.cursor

    def _move(self, delta: int) -> None:
        """Move by `delta` entries, skipping separators."""
        self.cursor = self._step(self.cursor + delta, 1 if delta > 0 else -1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        """Next entry."""
        self._move(1)

    def action_cursor_up(self) -> None:
        """Previous entry."""
        self._move(-1)

    def action_cursor_top(self) -> None:
        """First entry."""
        self.cursor = self._step(0, 1)

    def action_cursor_bottom(self) -> None:
        """Last entry."""
        self.cursor = self._step(len(self.entries) - 1, -1)

    def action_half_page_down(self) -> None:
        """Half a page down."""
        self._move(max(1, self._page() // 2))

    def action_half_page_up(self) -> None:
        """Half a page up."""
        self._move(-max(1, self._page() // 2))

    def action_page_down(self) -> None:
        """A page down."""
        self._move(self._page())

    def action_page_up(self) -> None:
        """A page up."""
        self._move(-self._page())

    def action_select(self) -> None:
        """Show the highlighted entry's videos."""
        entry = self.entries[self.cursor]
        if entry.selectable:
            self.post_message(self.Selected(entry))

    def on_click(self, event: events.Click) -> None:
        """Click an entry to show it."""
        index = round(self.scroll_y) + event.y
        if 0 <= index < len(self.entries) and self.entries[index].selectable:
            self.cursor = index
            self.action_select()

    def on_resize(self) -> None:
        """Track the width."""
        self.virtual_size = Size(self.size.width, len(self.entries))

    # -- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Draw one entry: name cut to fit, count right-aligned."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = round(self.scroll_y) + y
        if index >= len(self.entries):
            return Strip.blank(width, base)
        entry = self.entries[index]
        if not entry.selectable:
            rule = Text(" " + "─" * max(0, width - 2), no_wrap=True)
            rule.stylize(self.get_component_rich_style("channel-list--rule"))
            rule.stylize_before(base)
            return Strip(list(rule.render(self.app.console))).adjust_cell_length(width, base)
        count = f" {entry.number:,}" if entry.number else ""
        name = fit(Text(" " + entry.name, style=entry.style), max(1, width - len(count) - 1))
        line = Text.assemble(name, no_wrap=True)
        line.append(" " * max(0, width - name.cell_len - len(count) - 1))
        line.append(count, style=self.get_component_rich_style("channel-list--count"))
        line.append(" ")
        if index == self.cursor:
            line.stylize(self.get_component_rich_style("channel-list--cursor"))
        line.stylize_before(base)
        return Strip(list(line.render(self.app.console))).adjust_cell_length(width, base)
