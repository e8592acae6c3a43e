"""The main screen: channel list, feed table, detail pane, search, status bar.

All database work runs in thread workers that post messages back; handlers here only
update widgets. Marks re-query the feed and keep the cursor on the same video (or, when
that video has left the view — hidden, or watched while showing unwatched only — on
the one that took its place).
"""

from __future__ import annotations

import time
import webbrowser
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from momentum_tui.bindings import BY_ID, FILTERS, VIDEO
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
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.marks import toggle_mark, undo_last
from momentum_tui.widgets.channel_list import SAVED, ChannelList
from momentum_tui.widgets.detail import DetailPane
from momentum_tui.widgets.feed_source import PAGE_SIZE, FeedSource
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.status_bar import Status, StatusBar
from momentum_tui.widgets.sync_progress import SyncProgress

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


class FeedScreen(Screen[None]):
    """Browse, filter, search and mark the feed."""

    BINDINGS = [key.binding() for key in (*VIDEO, *FILTERS, BY_ID["view.sidebar"])]

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
        self._generation = 0
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
        """Channel list | (search, feed, detail); status bar and footer below."""
        with Horizontal(id="body"):
            yield ChannelList(id="channels")
            with Vertical(id="center"):
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
        self.table.focus()
        self.reload()

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

    def reload(self, *, keep_video: bool = True, keep_index: int | None = None) -> None:
        """Query the feed again; the cursor stays on the same video (or the one in its place)."""
        self._generation += 1
        row = self.table.current_row
        keep_rowid = row.rowid if keep_video and row is not None else None
        if keep_index is None:
            keep_index = self.table.cursor
        self._query_feed(
            self._generation, self.filters, keep_rowid, keep_index, max(self.table.size.height, 40)
        )

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
                source = FeedSource(first, generation, complete=False)
                source.add_rows([0], queries.rows_by_rowid(conn, list(first)))
                if not worker.is_cancelled:
                    self.post_message(FeedLoaded(generation, source, keep_index, None))
                return
            ids = queries.feed_ids(conn, filters)
            if worker.is_cancelled:
                return
            source = FeedSource(ids, generation)
            cursor = source.index_of(keep_rowid) if keep_rowid is not None else None
            if cursor is None:
                cursor = min(keep_index, max(0, len(ids) - 1))
            pages = source.missing_pages(max(0, cursor - height), cursor + height)
            rowids = [rowid for page in pages for rowid in source.page_rowids(page)]
            source.add_rows(pages, queries.rows_by_rowid(conn, rowids))
            totals = queries.totals(conn)
            offline = self.store.get_pref("network.offline") == "1"
        if not worker.is_cancelled:
            self.post_message(FeedLoaded(generation, source, cursor, totals, offline))

    def on_feed_loaded(self, message: FeedLoaded) -> None:
        """Show the new feed (ignoring results of queries that were superseded)."""
        if message.generation != self._generation:
            return
        table = self.table
        cursor = message.cursor
        if table.source.generation == message.generation and not table.source.complete:
            cursor = table.cursor  # the person may already have moved within the first page
        if message.totals is None:
            table.set_source(message.source, cursor, "")
            self.status.shown = len(message.source)
            self.status.filters = self._filter_words()
            self.status.sort = SORT_WORDS[self.filters.sort]
            self._refresh_status()
            if len(message.source):
                self._first_feed_shown()
            # Order and count the whole feed once this first page has been drawn.
            self.call_after_refresh(
                self._query_feed,
                message.generation,
                self.filters,
                None,
                0,
                max(self.table.size.height, 40),
                False,
            )
            return
        empty = ""
        if not len(message.source):
            if message.totals.channels == 0:
                empty = (
                    "No subscriptions yet. Import them with `momentum import FILE`, or try "
                    "`momentum demo` to look around."
                )
            elif message.totals.videos == 0:
                empty = "No videos cached yet. Run `momentum sync` to fetch your channels' uploads."
            else:
                empty = "Nothing matches. Esc clears the search and channel; f changes filters."
        table.set_source(message.source, cursor, empty)
        self.status.shown = len(message.source)
        self.status.total = message.totals.videos
        self.status.unwatched = message.totals.unwatched
        self.status.last_sync = message.totals.last_sync
        self.status.offline = message.offline
        self.status.filters = self._filter_words()
        self.status.sort = SORT_WORDS[self.filters.sort]
        self._refresh_status()
        if not len(message.source):
            self.query_one(DetailPane).show(None)
        self._first_feed_shown()
        self._feed_complete = True

    def _first_feed_shown(self) -> None:
        """Once videos are on screen: load the channel list, and tell the app (benchmarks)."""
        if not self.feed_ready:
            self.feed_ready = True
            self.load_channels()
            self.app.post_message(FeedReady())

    def _filter_words(self) -> list[str]:
        words = self.filters.describe()
        if self._selection_label:
            words.insert(0, self._selection_label)
        return words

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
        self.reload(keep_video=False, keep_index=0)

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
        """Next sort order."""
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
        """Show the search box and type into it."""
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
        """Esc: close the search; then clear the channel selection and search."""
        search = self.query_one("#search", Input)
        if search.has_focus or search.value:
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
        if message.undo:
            self.notify(f"Undid “{message.result.mark}” on {short_title}", timeout=3)
            self.reload()
        else:
            words = _MARK_WORDS.get(message.result.mark, message.result.mark)
            self.notify(f"{words}: {short_title}  (u undoes)", timeout=3)
            self.reload()
        self.load_channels()
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
