"""The main screen's filters: what every tab is shown through, and the keys that change it.

`FeedScreen` (screens/feed.py) builds on `FilteredScreen`: the quick toggles (U, S, V),
the sort (O), the filter panel (f), the search box (/), the channel list (c, b) and Esc,
which undoes them one step at a time. A change goes to `refresh_feed`: every tab is
stale, the one on screen loads again.
"""

from __future__ import annotations

from textual import on
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import Input

from momentum_tui import words
from momentum_tui.models import Filters
from momentum_tui.screens.steady_screen import SteadyScreen
from momentum_tui.screens.styled_once import StyledOnceScreen
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.tabs import FOR_YOU, SUBSCRIPTIONS
from momentum_tui.widgets.channel_list import ChannelList
from momentum_tui.widgets.feed_table import FeedTable

WIDE = 140
"""From this width the detail pane sits beside the feed instead of below it."""
SIDEBAR_MIN = 110
"""From this width the channel list is shown unless the person hid it."""
SEARCH_SETTLE_S = 0.12
"""Search once typing pauses this long (not on every keystroke of a word)."""


class FilteredScreen(StyledOnceScreen, SteadyScreen):
    """The filters, the search box, the channel list and their keys (see the module docstring)."""

    store: Store
    filters: Filters
    """What every tab is shown through (For you ignores the search, the order and unwatched)."""
    view: str
    selection_label = ""
    """The picked channel's name, first in the status bar's filter words."""
    _search_timer: Timer | None = None
    _sidebar_choice: bool | None = None
    """b's choice (None: by the terminal's width)."""

    # -- what the main screen provides --------------------------------------------------

    @property
    def table(self) -> FeedTable:
        """The table of the tab on screen."""
        raise NotImplementedError

    def refresh_feed(self, *, keep_video: bool = True, keep_index: int | None = None) -> None:
        """Every tab is stale; the one on screen loads again."""
        raise NotImplementedError

    def show_view(self, view: str, *, fresh: bool = False, keep_rowid: int | None = None) -> None:
        """Show another tab."""
        raise NotImplementedError

    def leave_smart_feed(self) -> bool:
        """Back from a smart feed to the whole For-you list (False: none is shown)."""
        raise NotImplementedError

    # -- layout -------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        """Lay out for the terminal's width."""
        self._apply_layout(event.size.width)

    def _apply_layout(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")
        show_sidebar = (
            self._sidebar_choice if self._sidebar_choice is not None else (width >= SIDEBAR_MIN)
        )
        self.set_class(not show_sidebar, "-no-sidebar")

    # -- the filters --------------------------------------------------------------------

    def set_filters(self, filters: Filters, selection_label: str | None = None) -> None:
        """Show the feed through new filters (every tab; the one on screen at once)."""
        if selection_label is not None:
            self.selection_label = selection_label
        self.filters = filters
        self.refresh_feed(keep_video=False, keep_index=0)

    def _toggle(self, field: str, on: str, off: str) -> None:
        value = not getattr(self.filters, field)
        self.set_filters(self.filters.replace(**{field: value}))
        self.notify(on if value else off, timeout=2)

    def action_toggle_unwatched(self) -> None:
        """Show only unwatched videos, or everything."""
        self._toggle("unwatched_only", "Showing unwatched videos only", "Showing watched too")

    def action_toggle_shorts(self) -> None:
        """Hide or show Shorts."""
        self._toggle("hide_shorts", "Shorts hidden", "Shorts shown")

    def action_toggle_live(self) -> None:
        """Hide or show live and upcoming streams."""
        self._toggle("hide_live", "Live and upcoming hidden", "Live and upcoming shown")

    def action_cycle_sort(self) -> None:
        """Next sort order (of the Subscriptions tab)."""
        if self.view == FOR_YOU:
            self.notify(
                "For you keeps its ranked order; O sorts the Subscriptions tab (press 2).",
                timeout=4,
            )
            return
        cycle = list(words.SORT_WORDS)
        sort = cycle[(cycle.index(self.filters.sort) + 1) % len(cycle)]
        self.set_filters(self.filters.replace(sort=sort))
        self.notify(f"Sorted {words.SORT_WORDS[sort]}", timeout=2)

    def action_filters(self) -> None:
        """Open the filter panel."""
        from momentum_tui.screens.filters import FilterScreen

        def apply(result: Filters | None) -> None:
            if result is not None:
                self.set_filters(result)

        with self.store.read() as conn:
            tags = [tag for tag, _ in queries.channel_tag_counts(conn)]
        self.app.push_screen(FilterScreen(self.filters, tags), apply)

    def show_search_box(self) -> None:
        """Searches belong to the Subscriptions tab: its box comes and goes with it."""
        visible = self.view == SUBSCRIPTIONS and bool(self.filters.search)
        self.query_one("#search", Input).set_class(visible, "-visible")

    def action_search(self) -> None:
        """Show the search box and type into it (searches show on the Subscriptions tab)."""
        self.show_view(SUBSCRIPTIONS)
        search = self.query_one("#search", Input)
        search.add_class("-visible")
        search.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(SEARCH_SETTLE_S, lambda: self._apply_search(value))

    def _apply_search(self, value: str) -> None:
        if value.strip() != self.filters.search:
            self.set_filters(self.filters.replace(search=value.strip()))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._apply_search(event.value)
        if not event.value.strip():
            event.input.remove_class("-visible")
        self.table.focus()

    def action_clear_filters(self) -> None:
        """Esc: close the search, leave a smart feed; then clear the channel and search."""
        search = self.query_one("#search", Input)
        if self.leave_smart_feed():
            return
        if search.has_focus or (self.view == SUBSCRIPTIONS and search.value):
            search.value = ""
            search.remove_class("-visible")
            self.table.focus()
            self.set_filters(self.filters.replace(search=""))
            return
        if self.focused is self.query_one(ChannelList):
            self.table.focus()
            return
        if self.filters.channel_id or self.filters.channel_tag or self.filters.saved_only:
            update = {"channel_id": None, "channel_tag": None, "saved_only": False}
            self.set_filters(self.filters.replace(**update), selection_label="")

    def action_focus_channels(self) -> None:
        """Show the channel list and move into it."""
        self._sidebar_choice = True
        self._apply_layout(self.size.width)
        self.query_one(ChannelList).focus()

    def action_toggle_sidebar(self) -> None:
        """Show or hide the channel list."""
        hidden = self.has_class("-no-sidebar")
        self._sidebar_choice = hidden
        self._apply_layout(self.size.width)
        if not hidden and self.focused is self.query_one(ChannelList):
            self.table.focus()

    @on(ChannelList.Selected)
    def _channel_selected(self, event: ChannelList.Selected) -> None:
        update, label = event.entry.filters()
        self.set_filters(self.filters.replace(**update), selection_label=label)
        self.table.focus()
