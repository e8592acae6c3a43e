"""The main screen: channel list, two tabs (For you, Subscriptions), feed table, detail pane.

All database work runs in thread workers that post messages back; handlers here only
update widgets. Marks re-query the feed — or re-rank For you — and keep the cursor on
the same video (or, when that video has left the view — hidden, watched — on the one
that took its place).

The two tabs share the one feed table and the filters: each tab keeps its own ordered
source and cursor (`ViewState`), and a tab whose data went stale while the other was
shown is loaded again when it comes back. For you's own workers and actions (ranking,
why, smart feeds, the digest) live in `screens/for_you.py`.
"""

from __future__ import annotations

import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import Footer, Input, Static, Tab, Tabs
from textual.worker import get_current_worker

from momentum_tui.bindings import AI, FILTERS, VIDEO, VIEWS
from momentum_tui.config import Settings
from momentum_tui.messages import (
    ChannelsLoaded,
    DetailLoaded,
    FeedLoaded,
    FeedReady,
    Marked,
    RowsLoaded,
)
from momentum_tui.models import Filters, Mark, Sort
from momentum_tui.screens.ai_actions import AIFeedActions
from momentum_tui.screens.for_you import ForYouActions
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.feed import Totals
from momentum_tui.storage.marks import toggle_mark, undo_last
from momentum_tui.widgets.channel_list import SAVED, ChannelList
from momentum_tui.widgets.detail import DetailPane
from momentum_tui.widgets.feed_source import FOR_YOU, PAGE_SIZE, SUBSCRIPTIONS, FeedSource
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.status_bar import Status, StatusBar
from momentum_tui.widgets.sync_progress import SyncProgress
from momentum_tui.worker_errors import ReportsWorkerErrors

SORT_CYCLE = [Sort.NEWEST, Sort.VIEWS, Sort.LONGEST, Sort.SHORTEST, Sort.CHANNEL]
SORT_WORDS = {
    Sort.NEWEST: "newest first",
    Sort.VIEWS: "most viewed",
    Sort.LONGEST: "longest first",
    Sort.SHORTEST: "shortest first",
    Sort.CHANNEL: "by channel",
}
WIDE = 140
"""From this width the detail pane sits beside the feed instead of below it."""
SIDEBAR_MIN = 110
"""From this width the channel list is shown unless the person hid it."""

_MARK_WORDS = {
    "watched": "Marked watched",
    "unwatched": "Marked unwatched",
    "hidden": "Hidden",
    "unhidden": "Shown again",
    "liked": "Liked",
    "disliked": "Disliked",
    "unrated": "Rating cleared",
    "saved": "Saved for later",
    "unsaved": "Removed from saved",
}


TAB_TITLES = {FOR_YOU: "For you", SUBSCRIPTIONS: "Subscriptions"}
KEY_HINTS = "1/2 tabs · e why · m smart feed · D digest"
"""The right side of the tab line when nothing else needs saying."""


@dataclass
class ViewState:
    """One tab's feed: the last source shown, where the cursor was, whether it is stale."""

    generation: int = 0
    source: FeedSource | None = None
    cursor: int = 0
    stale: bool = True


class FeedScreen(ReportsWorkerErrors, ForYouActions, AIFeedActions):
    """Browse, filter, search and mark the feed.

    For-you actions come from `ForYouActions`, label and rule actions from `AIFeedActions`.
    """

    BINDINGS = [key.binding() for key in (*VIDEO, *FILTERS, *AI, *VIEWS)]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        demo: bool = False,
        now: float | None = None,
        opener: Callable[[str], Any] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.demo = demo
        self._fixed_now = now
        self._opener = opener or webbrowser.open
        defaults = settings.feed
        self.filters = Filters(
            sort=Sort(defaults.sort),
            unwatched_only=defaults.unwatched_only,
            hide_shorts=defaults.hide_shorts,
            hide_live=defaults.hide_live,
        )
        self.initial_filters = self.filters
        self.view = settings.ui.start_view
        self.views = {FOR_YOU: ViewState(), SUBSCRIPTIONS: ViewState()}
        self.totals: Totals | None = None
        self._channels_stale = False
        self._rest_loaded = False
        self.init_for_you()
        self._search_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._sidebar_choice: bool | None = None
        self._selection_label = ""
        self.status = Status(sort=SORT_WORDS[self.filters.sort], demo=demo)
        self.feed_ready = False
        self._feed_complete = False
        self._status_parts: dict[str, Text] = {}

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Channel list | (tabs, search, feed, detail); status bar and footer below."""
        with Horizontal(id="body"):
            yield ChannelList(id="channels")
            with Vertical(id="center"):
                with Horizontal(id="view-bar"):
                    tabs = Tabs(
                        *(Tab(title, id=view) for view, title in TAB_TITLES.items()),
                        active=self.view,
                        id="tabs",
                    )
                    tabs.can_focus = False  # 1 and 2 switch; the table keeps the focus
                    yield tabs
                    yield Static(KEY_HINTS, id="view-note")
                yield Input(
                    placeholder="Search titles, descriptions, channels, tags  ·  Enter: done  "
                    "·  Esc: clear",
                    id="search",
                )
                with Container(id="split"):
                    yield FeedTable(id="feed", now=self._fixed_now)
                    yield DetailPane(id="detail", now=self._fixed_now)
        yield SyncProgress(id="sync-progress")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def table(self) -> FeedTable:
        """The feed table."""
        return self.query_one(FeedTable)

    @property
    def now(self) -> float:
        """Current time (fixed in tests)."""
        return self._fixed_now if self._fixed_now is not None else time.time()

    def on_mount(self) -> None:
        """Start loading the feed at once; the channel list follows."""
        self.table.plain_titles = self.settings.ui.plain_titles
        self.table.reasons = self.view == FOR_YOU
        self.table.focus()
        if self.view == FOR_YOU:
            self.start_for_you(self.views[FOR_YOU].generation)
        else:
            self.load_view(keep_rowid=None, keep_index=0)
        self.load_ai_spend()

    def on_resize(self, event: Resize) -> None:
        """Lay out for the terminal's width."""
        self._apply_layout(event.size.width)

    def _apply_layout(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")
        show_sidebar = (
            self._sidebar_choice if self._sidebar_choice is not None else (width >= SIDEBAR_MIN)
        )
        self.set_class(not show_sidebar, "-no-sidebar")

    # -- loading ------------------------------------------------------------------------

    def reload(
        self,
        *,
        keep_video: bool = True,
        keep_index: int | None = None,
        data_changed: bool = True,
    ) -> None:
        """Show the current tab again; the cursor stays on the same video (or the one in its place).

        `data_changed` (a sync, new labels, a rule, a channel change) makes For you reload
        its features; marks and filters only re-rank.
        """
        if data_changed:
            if self._recommender is not None:  # none yet: its first load reads the change
                self._recommender.invalidate()
            self.data_changed_since_totals = True
        for state in self.views.values():
            state.stale = True
        row = self.table.current_row
        keep_rowid = row.rowid if keep_video and row is not None else None
        self.load_view(keep_rowid=keep_rowid, keep_index=keep_index)

    def load_view(self, *, keep_rowid: int | None, keep_index: int | None) -> None:
        """Start loading the current tab (results older than this load are ignored)."""
        state = self.views[self.view]
        state.generation += 1
        state.stale = False
        if keep_index is None:
            keep_index = self.table.cursor
        height = max(self.table.size.height, 40)
        if self.view == FOR_YOU:
            self.rank_for_you(state.generation, self.filters, self.smart, keep_rowid, keep_index)
            self._show_note()
        else:
            self._query_feed(state.generation, self.filters, keep_rowid, keep_index, height)

    def show_view(self, view: str, *, fresh: bool = False, keep_rowid: int | None = None) -> None:
        """Switch tabs: the other tab's feed comes back where its cursor was.

        `fresh` loads the tab again with the cursor on `keep_rowid` (or at the top).
        """
        if fresh:
            self.views[view].stale = True
        if view == self.view:
            if fresh:
                self.load_view(keep_rowid=keep_rowid, keep_index=0)
            return
        table = self.table
        leaving = self.views[self.view]
        leaving.source, leaving.cursor = table.source, table.cursor
        self.view = view
        self.query_one(Tabs).active = view
        table.reasons = view == FOR_YOU
        # Searches belong to the Subscriptions tab: its box comes and goes with it.
        self.query_one("#search", Input).set_class(
            view == SUBSCRIPTIONS and bool(self.filters.search), "-visible"
        )
        state = self.views[view]
        if state.source is not None:
            table.set_source(state.source, state.cursor, self._empty_words(None, state.source))
        else:
            loading = "Ranking your feed…" if view == FOR_YOU else "Loading…"
            table.set_source(FeedSource(view=view), 0, loading)
        self._feed_complete = state.source is not None and state.source.complete
        self._update_status_for_view()
        if fresh:
            self.load_view(keep_rowid=keep_rowid, keep_index=0)
        elif state.stale or state.source is None:
            row = table.current_row
            self.load_view(keep_rowid=row.rowid if row else None, keep_index=table.cursor)
        else:
            self._show_note()

    def action_show_for_you(self) -> None:
        """The For-you tab."""
        self.show_view(FOR_YOU)

    def action_show_subscriptions(self) -> None:
        """The Subscriptions tab."""
        self.show_view(SUBSCRIPTIONS)

    @on(Tabs.TabActivated, "#tabs")
    def _tab_clicked(self, event: Tabs.TabActivated) -> None:
        if event.tab.id in TAB_TITLES:
            self.show_view(event.tab.id)

    def _show_note(self) -> None:
        """The right side of the tab line: what For you is doing, or the tab keys."""
        note = self.query_one("#view-note", Static)
        note.update(self.for_you_note() if self.view == FOR_YOU else KEY_HINTS)

    @work(thread=True, exclusive=True, group="feed", exit_on_error=False)
    def _query_feed(
        self,
        generation: int,
        filters: Filters,
        keep_rowid: int | None,
        keep_index: int,
        height: int,
        preview: bool = True,
    ) -> None:
        worker = get_current_worker()
        with self.store.read() as conn:
            if preview and keep_rowid is None and keep_index < PAGE_SIZE:
                # A fresh view: show its first page at once; the whole feed is ordered and
                # counted after that page is on screen (see on_feed_loaded).
                first = queries.feed_ids(conn, filters, limit=PAGE_SIZE)
                source = FeedSource(first, generation, complete=False, view=SUBSCRIPTIONS)
                source.add_rows([0], queries.rows_by_rowid(conn, list(first)))
                if not worker.is_cancelled:
                    self.post_message(FeedLoaded(generation, source, keep_index, None))
                return
            ids = queries.feed_ids(conn, filters)
            if worker.is_cancelled:
                return
            source = FeedSource(ids, generation, view=SUBSCRIPTIONS)
            cursor, pages, rowids = source.around(keep_rowid, keep_index, height)
            source.add_rows(pages, queries.rows_by_rowid(conn, rowids))
            totals = queries.totals(conn)
            offline = self.store.get_pref("network.offline") == "1"
        if not worker.is_cancelled:
            self.post_message(FeedLoaded(generation, source, cursor, totals, offline))

    def on_feed_loaded(self, message: FeedLoaded) -> None:
        """Show the new feed (ignoring results of loads that were superseded)."""
        state = self.views[message.view]
        if message.generation != state.generation:
            return
        if message.totals is not None:
            self._take_totals(message)
        if message.view == FOR_YOU and message.listing is not None:
            self.for_you_loaded(message)
        if message.view != self.view:
            # A tab loaded in the background: keep it for when the person switches.
            if message.totals is not None:
                state.source, state.cursor = message.source, message.cursor
            return
        table = self.table
        cursor = message.cursor
        preview = table.source.generation == message.generation and not table.source.complete
        if preview and table.source.view == message.view and (row := table.current_row):
            # The person may already have moved within the first page: stay on that video.
            found = message.source.index_of(row.rowid)
            cursor = found if found is not None else table.cursor
        table.set_source(message.source, cursor, self._empty_words(message.totals, message.source))
        self._update_status_for_view()
        if message.totals is None:
            if len(message.source):
                self._first_feed_shown()
            # Order and count the whole feed once this first page has been drawn.
            self.call_after_refresh(self._complete_first_load, message.view, message.generation)
            return
        if not len(message.source):
            self.query_one(DetailPane).show(None)
        if self._jump_rowid is not None:
            self._check_jump(message.source)
        if self._channels_stale:
            self._channels_stale = False
            self.load_channels()
        self._first_feed_shown()
        self._first_feed_complete()
        self._feed_complete = True
        self._show_note()

    def _complete_first_load(self, view: str, generation: int) -> None:
        height = max(self.table.size.height, 40)
        if view == FOR_YOU:
            self.rank_for_you(generation, self.filters, self.smart, None, 0)
        else:
            self._query_feed(generation, self.filters, None, 0, height, False)

    def _load_in_background(self, view: str) -> None:
        """Load the tab that is not shown, so that switching to it is instant."""
        state = self.views[view]
        if view == self.view or state.source is not None or not state.stale:
            return
        state.generation += 1
        state.stale = False
        self._complete_first_load(view, state.generation)

    def _take_totals(self, message: FeedLoaded) -> None:
        assert message.totals is not None
        if message.totals is not self.totals:  # counted afresh (not handed back by For you)
            self.data_changed_since_totals = False
        self.totals = message.totals
        self.status.total = message.totals.videos
        self.status.unwatched = message.totals.unwatched
        self.status.last_sync = message.totals.last_sync
        self.status.offline = message.offline

    def _empty_words(self, totals: Totals | None, source: FeedSource) -> str:
        """What an empty tab says: what to do next."""
        if len(source):
            return ""
        totals = totals or self.totals
        if totals is None:
            return "Ranking your feed…" if source.view == FOR_YOU else "Loading…"
        if totals.channels == 0:
            return (
                "No subscriptions yet. Import them with `momentum import FILE`, or try "
                "`momentum demo` to look around."
            )
        if totals.videos == 0:
            return "No videos cached yet. Run `momentum sync` to fetch your channels' uploads."
        if source.view == FOR_YOU:
            return self.for_you_empty_words()
        return "Nothing matches. Esc clears the search and channel; f changes filters."

    def _update_status_for_view(self) -> None:
        """Fill the status bar for the tab on screen."""
        self.status.shown = len(self.table.source)
        if self.view == FOR_YOU:
            self.for_you_status()
        else:
            self.status.picks_from = None
            self.status.mode = ""
            self.status.busy = ""
            self.status.filters = self._filter_words()
            self.status.sort = SORT_WORDS[self.filters.sort]
        self._refresh_status()

    def _first_feed_shown(self) -> None:
        """Once videos are on screen: tell the app (benchmarks) and note the visit."""
        if not self.feed_ready:
            self.feed_ready = True
            self.app.post_message(FeedReady())
            self.record_visit()

    def _first_feed_complete(self) -> None:
        """Once the first tab is complete: the channel list, then the other tab.

        Not sooner: at launch the fresh ranking (or the whole ordered feed) comes first,
        and these would compete with it for the interpreter.
        """
        if not self._rest_loaded:
            self._rest_loaded = True
            self._channels_stale = False
            self.load_channels()
            other = SUBSCRIPTIONS if self.view == FOR_YOU else FOR_YOU
            self.call_after_refresh(self._load_in_background, other)

    def _refresh_status(self) -> None:
        self.query_one(StatusBar).show(self.status, self.now)

    def set_status_part(self, name: str, text: Text | None) -> None:
        """Show (or drop, with None) a named extra part of the status bar (the quota meter)."""
        if text is None:
            self._status_parts.pop(name, None)
        else:
            self._status_parts[name] = text
        self.status.extra = list(self._status_parts.values())
        self._refresh_status()

    @on(FeedTable.NeedRows)
    def _need_rows(self, message: FeedTable.NeedRows) -> None:
        self._fetch_pages(message.source, message.pages)

    @work(thread=True, group="pages", exit_on_error=False)
    def _fetch_pages(self, source: FeedSource, pages: list[int]) -> None:
        rowids = [rowid for page in pages for rowid in source.page_rowids(page)]
        with self.store.read() as conn:
            rows = queries.rows_by_rowid(conn, rowids)
        if source.view == FOR_YOU:
            self.recommender.explain_rows(rows)
        self.post_message(RowsLoaded(source, pages, rows))

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        """Rows for the visible part of the table arrived."""
        message.source.add_rows(message.pages, message.rows)
        if message.source is self.table.source:
            self.table.rows_loaded()

    @on(FeedTable.Highlighted)
    def _highlighted(self, message: FeedTable.Highlighted) -> None:
        # Holding j or page-down moves through many rows: load the detail of the row the
        # cursor settles on, not of every row it passes.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        if message.row is not None:
            video_id = message.row.id
            self._detail_timer = self.set_timer(0.05, lambda: self._load_detail(video_id))

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_detail(self, video_id: str) -> None:
        with self.store.read() as conn:
            detail = queries.video_detail(conn, video_id)
        self.post_message(DetailLoaded(video_id, detail))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        """Show the highlighted video's details (if it is still highlighted)."""
        row = self.table.current_row
        if row is not None and row.id == message.video_id:
            self.query_one(DetailPane).show(message.detail)

    @on(FeedTable.Activated)
    def _activated(self, message: FeedTable.Activated) -> None:
        self.action_open_video()

    @work(thread=True, exclusive=True, group="channels", exit_on_error=False)
    def load_channels(self) -> None:
        """Load the channel list with unwatched counts."""
        with self.store.read() as conn:
            channels = queries.channel_summaries(conn)
            tags = queries.channel_tag_counts(conn)
            unwatched = queries.totals(conn).unwatched
        self.post_message(ChannelsLoaded(channels, tags, unwatched))

    def on_channels_loaded(self, message: ChannelsLoaded) -> None:
        """Fill the channel list."""
        self.query_one(ChannelList).fill(message.channels, message.tags, message.unwatched)

    # -- filters ------------------------------------------------------------------------

    def set_filters(self, filters: Filters, selection_label: str | None = None) -> None:
        """Show the feed through new filters."""
        if selection_label is not None:
            self._selection_label = selection_label
        self.filters = filters
        self.reload(keep_video=False, keep_index=0, data_changed=False)

    def _toggle(self, field: str, words: tuple[str, str]) -> None:
        value = not getattr(self.filters, field)
        self.set_filters(self.filters.model_copy(update={field: value}))
        self.notify(words[0] if value else words[1], timeout=2)

    def action_toggle_unwatched(self) -> None:
        """Show only unwatched videos, or everything."""
        self._toggle("unwatched_only", ("Showing unwatched videos only", "Showing watched too"))

    def action_toggle_shorts(self) -> None:
        """Hide or show Shorts."""
        self._toggle("hide_shorts", ("Shorts hidden", "Shorts shown"))

    def action_toggle_live(self) -> None:
        """Hide or show live and upcoming streams."""
        self._toggle("hide_live", ("Live and upcoming hidden", "Live and upcoming shown"))

    def action_cycle_sort(self) -> None:
        """Next sort order (of the Subscriptions tab)."""
        if self.view == FOR_YOU:
            self.notify(
                "For you keeps its ranked order; O sorts the Subscriptions tab (press 2).",
                timeout=4,
            )
            return
        position = SORT_CYCLE.index(self.filters.sort)
        sort = SORT_CYCLE[(position + 1) % len(SORT_CYCLE)]
        self.set_filters(self.filters.model_copy(update={"sort": sort}))
        self.notify(f"Sorted {SORT_WORDS[sort]}", timeout=2)

    def action_filters(self) -> None:
        """Open the filter panel."""
        from momentum_tui.screens.filters import FilterScreen

        def apply(result: Filters | None) -> None:
            if result is not None:
                self.set_filters(result)

        with self.store.read() as conn:
            tags = [tag for tag, _ in queries.channel_tag_counts(conn)]
        self.app.push_screen(FilterScreen(self.filters, tags), apply)

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
        self._search_timer = self.set_timer(0.12, lambda: self._apply_search(value))

    def _apply_search(self, value: str) -> None:
        if value != self.filters.search:
            self.set_filters(self.filters.model_copy(update={"search": value.strip()}))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._apply_search(event.value)
        if not event.value.strip():
            event.input.remove_class("-visible")
        self.table.focus()

    def action_clear_filters(self) -> None:
        """Esc: close the search, leave a smart feed; then clear the channel and search."""
        search = self.query_one("#search", Input)
        if self.view == FOR_YOU and self.smart is not None:
            self.leave_smart_feed()
            return
        if search.has_focus or (self.view == SUBSCRIPTIONS and search.value):
            search.value = ""
            search.remove_class("-visible")
            self.table.focus()
            self.set_filters(self.filters.model_copy(update={"search": ""}))
            return
        if self.focused is self.query_one(ChannelList):
            self.table.focus()
            return
        if self.filters.channel_id or self.filters.channel_tag or self.filters.saved_only:
            update = {"channel_id": None, "channel_tag": None, "saved_only": False}
            self.set_filters(self.filters.model_copy(update=update), selection_label="")

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
        option_id = event.entry.id
        update: dict[str, Any] = {"channel_id": None, "channel_tag": None, "saved_only": False}
        label = ""
        if option_id == SAVED:
            update["saved_only"] = True
        elif option_id.startswith("tag:"):
            update["channel_tag"] = option_id.removeprefix("tag:")
        elif option_id.startswith("ch:"):
            update["channel_id"] = option_id.removeprefix("ch:")
            label = event.entry.name
        self.set_filters(self.filters.model_copy(update=update), selection_label=label)
        self.table.focus()

    # -- actions on the highlighted video -----------------------------------------------

    def _current_or_warn(self) -> Any:
        row = self.table.current_row
        if row is None:
            self.notify("No video is highlighted.", severity="warning", timeout=2)
        return row

    def _mark(self, mark: Mark) -> None:
        row = self._current_or_warn()
        if row is not None:
            self._write_mark(row.id, row.title, mark)

    @work(thread=True, group="marks", exit_on_error=False)
    def _write_mark(self, video_id: str, title: str, mark: Mark) -> None:
        result = toggle_mark(self.store, video_id, mark)
        self.post_message(Marked(result, title=title))

    def action_toggle_watched(self) -> None:
        """Mark watched / unwatched."""
        self._mark(Mark.WATCHED)

    def action_toggle_hidden(self) -> None:
        """Hide / show again."""
        self._mark(Mark.HIDDEN)

    def action_toggle_like(self) -> None:
        """Like / clear."""
        self._mark(Mark.LIKED)

    def action_toggle_dislike(self) -> None:
        """Dislike / clear."""
        self._mark(Mark.DISLIKED)

    def action_toggle_saved(self) -> None:
        """Save for later / unsave."""
        self._mark(Mark.SAVED)

    def action_undo(self) -> None:
        """Undo the last mark."""
        self._undo()

    @work(thread=True, group="marks", exit_on_error=False)
    def _undo(self) -> None:
        result = undo_last(self.store)
        title = ""
        if result is not None:
            with self.store.read() as conn:
                detail = queries.video_detail(conn, result.video_id)
            title = detail.video["title"] if detail else result.video_id
        self.post_message(Marked(result, undo=True, title=title))

    def on_marked(self, message: Marked) -> None:
        """Re-query after a mark and say what happened (with the way back)."""
        if message.result is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        short_title = message.title if len(message.title) <= 50 else message.title[:49] + "…"
        if self._recommender is not None:  # not made yet: its first load reads this mark
            self._recommender.note_mark(message.result.video_id, message.result.state)
        if message.undo:
            self.notify(f"Undid “{message.result.mark}” on {short_title}", timeout=3)
        else:
            words = _MARK_WORDS.get(message.result.mark, message.result.mark)
            self.notify(f"{words}: {short_title}  (u undoes)", timeout=3)
        self.reload(data_changed=False)
        # The channel counts can wait for the new list: at 100,000 videos they take a
        # second of work that would otherwise slow the re-ranking down.
        self._channels_stale = True
        row = self.table.current_row
        if row is not None:
            self._load_detail(row.id)

    def action_open_video(self) -> None:
        """Open the highlighted video in the browser."""
        row = self._current_or_warn()
        if row is not None:
            self._open(row.url)
            self.notify(f"Opening {row.url}", timeout=2)

    @work(thread=True, group="open", exit_on_error=False)
    def _open(self, url: str) -> None:
        if not self._opener(url):
            self.app.call_from_thread(
                self.notify,
                "No browser could be opened here; press y to copy the URL instead.",
                severity="warning",
            )

    def action_copy_url(self) -> None:
        """Copy the highlighted video's URL (OSC 52: works over SSH in most terminals)."""
        row = self._current_or_warn()
        if row is not None:
            self.app.copy_to_clipboard(row.url)
            self.notify(f"Copied {row.url}", timeout=2)
