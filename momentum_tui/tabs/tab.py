"""What every feed tab shares: its own table, the ordered source behind it, and loading.

A tab is a widget the main screen composes. `load()` starts a thread worker (the tab
says how, in `start_load`); the worker posts `FeedLoaded` to the tab, which puts it in
its own table — unless a newer load was asked for meanwhile (each load has a generation)
— and then posts `FeedTab.Loaded` for the screen, which updates what it shows around the
tabs (status bar, tab line, channel list). Pages the table scrolls to are fetched here too.

A fresh load may come in two steps: a first page at once (its `totals` are None), then,
once that page is drawn, the whole ordered and counted feed (`LoadRequest.preview` off).
The cursor stays on the video it was on, or on the one that took its place.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget

from momentum_tui import words
from momentum_tui.config import Settings
from momentum_tui.messages import FeedLoaded, Marked, RowsLoaded
from momentum_tui.models import FeedRow, Filters, Mark
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.feed import Totals
from momentum_tui.storage.marks import MarkResult, toggle_mark, undo_last
from momentum_tui.tabs.source import FeedSource
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.status_bar import FeedStatus
from momentum_tui.worker_errors import ReportsWorkerErrors

MIN_ROWS = 40
"""Rows fetched either side of the cursor before the table has a height of its own."""


@dataclass(frozen=True)
class FeedContext:
    """What every tab needs: the cache, the settings, the clock, the filters it opened with."""

    store: Store
    settings: Settings
    demo: bool
    fixed_now: float | None
    initial_filters: Filters

    def now(self) -> float:
        """Current time (fixed in tests and snapshots)."""
        return self.fixed_now if self.fixed_now is not None else time.time()


@dataclass(frozen=True)
class LoadRequest:
    """One load of a tab: through which filters, and where the cursor should end up."""

    filters: Filters
    keep_rowid: int | None = None
    """Put the cursor on this video if it is still listed…"""
    keep_index: int = 0
    """…else at this position."""
    totals: Totals | None = None
    """Cache-wide counts still true (after a mark): reused instead of counted again."""
    preview: bool = True
    """A fresh load may show its first page before the whole feed is ordered."""


def filter_words(filters: Filters, selection: str) -> list[str]:
    """The status bar's words for `filters`, the picked channel's name first."""
    found = filters.describe()
    return [selection, *found] if selection else found


class FeedTab(ReportsWorkerErrors, Widget):
    """One tab of the main screen (see the module docstring); subclasses say how to load."""

    ID: ClassVar[str] = ""
    """The tab's id (`Tabs` uses it; `ui.start_view` names it)."""
    TITLE: ClassVar[str] = ""
    LOADING: ClassVar[str] = words.LOADING
    """What the empty table says while the first load runs."""
    REASONS: ClassVar[bool] = False
    """Two lines per video: the row, then why it is recommended."""

    DEFAULT_CSS = """
    FeedTab { height: 1fr; }
    FeedTab > FeedTable { height: 1fr; }
    """

    class Loaded(Message):
        """A load of `tab` is in its table (`totals` None: only its first page so far)."""

        def __init__(self, tab: FeedTab, totals: Totals | None) -> None:
            super().__init__()
            self.tab = tab
            self.totals = totals

        @property
        def control(self) -> FeedTab:
            """The tab that loaded."""
            return self.tab

    class NoQuickPage(Message):
        """The first load has no page to show soon (For you ranks afresh): don't wait."""

    def __init__(self, context: FeedContext) -> None:
        super().__init__(id=f"{self.ID}-tab")
        self.context = context
        self.generation = 0
        """The latest load asked for; results of older ones are dropped."""
        self.shown_generation = -1
        """The load in the table (-1: none yet)."""
        self.stale = True
        """The cache or the filters changed since the last load: load again when shown."""
        self.request = LoadRequest(context.initial_filters)
        """The latest load's request."""
        self.totals: Totals | None = None
        self._table = FeedTable(
            now=context.fixed_now,
            reasons=self.REASONS,
            plain_titles=context.settings.ui.plain_titles,
            empty=self.LOADING,
        )
        self._load_when_composed = False
        self._first_answer = asyncio.Event()
        """Set once the first load is in the table, or is known to take a while."""

    def compose(self) -> ComposeResult:
        """The tab's own table (and the load asked for before the tab was attached).

        Only the tab the screen opens on has its table from the start; the others mount
        theirs after the first frame, or when first shown (`show_table`): two tables'
        widgets and 14 styled component classes each that the first frame doesn't show.
        """
        if self._load_when_composed:
            self._load_when_composed = False
            self.start_load(self.generation, self.request)
        if self.context.settings.ui.start_view == self.ID:
            yield self._table

    def show_table(self) -> None:
        """Mount the table if it isn't yet (before the tab is shown, or after the first
        frame); until then it is a widget of its own that nothing draws."""
        if self._table.parent is None and self.is_attached:
            self.mount(self._table)
            self.call_after_refresh(self.draw_ahead_later)  # once mounted and styled

    @property
    def table(self) -> FeedTable:
        """The tab's table (kept: a query walks the tab's widgets, and the screen asks
        for the shown table on every key)."""
        return self._table

    @property
    def complete(self) -> bool:
        """The latest load is in the table in full (not just its first page)."""
        return self.shown_generation == self.generation and self.table.source.complete

    @property
    def page_height(self) -> int:
        """Rows to fetch either side of the cursor."""
        return max(self.table.size.height, MIN_ROWS)

    # -- loading ------------------------------------------------------------------------

    async def first_page(self, timeout: float) -> bool:
        """Wait at most `timeout` seconds for the first load to be in the table; whether
        it is. Returns at once when the first load said it has no quick page."""
        try:
            await asyncio.wait_for(self._first_answer.wait(), timeout)
        except TimeoutError:
            return False
        return self.shown_generation >= 0

    def no_quick_page(self) -> None:
        """From the first load's worker: its result will take a while (nobody waits)."""
        self.post_message(self.NoQuickPage())

    @on(NoQuickPage)
    def _no_quick_page(self, message: NoQuickPage) -> None:
        """Whoever waits for the first page stops waiting."""
        message.stop()
        self._first_answer.set()

    def load(self, request: LoadRequest) -> None:
        """Start loading (the result replaces the table's feed when it arrives)."""
        self.generation += 1
        self.stale = False
        self.request = request
        if self.is_attached:
            self.start_load(self.generation, request)
        else:  # the screen's first load, asked for as it composes: its thread starts (and
            # can post its result) once the tab is in the DOM, while the rest composes
            self._load_when_composed = True

    def reload(
        self,
        filters: Filters,
        *,
        keep_video: bool = True,
        keep_index: int | None = None,
    ) -> None:
        """Load again, the cursor on the same video (or the one in its place, or `keep_index`).

        The cache-wide counts are reused until the cache changes (`cache_changed`): marks
        and filters barely move them, and counting 100,000 videos again would slow it.
        """
        row = self.table.current_row
        keep_rowid = row.rowid if keep_video and row is not None else None
        index = self.table.cursor if keep_index is None else keep_index
        self.load(LoadRequest(filters, keep_rowid, index, self.totals))

    def start_load(self, generation: int, request: LoadRequest) -> None:
        """Start the worker that posts `FeedLoaded(generation, …)` (each tab says how)."""
        raise NotImplementedError

    # -- marks: key → storage/marks → the tab → (For you's recommender) → the table -----

    def mark(self, mark: Mark) -> None:
        """Toggle `mark` on the highlighted video (written in a worker)."""
        row = self.table.current_row
        if row is None:
            self.notify(words.NO_VIDEO, severity="warning", timeout=2)
            return
        self._write_mark(row.id, row.title, mark)

    @work(thread=True, group="marks", exit_on_error=False)
    def _write_mark(self, video_id: str, title: str, mark: Mark) -> None:
        result = toggle_mark(self.context.store, video_id, mark)
        self.post_message(Marked(result, title=title, tab=self))
        self.prepare_for(result)

    def undo(self) -> None:
        """Undo the last mark (whichever video it was on)."""
        self._undo()

    @work(thread=True, group="marks", exit_on_error=False)
    def _undo(self) -> None:
        store = self.context.store
        result = undo_last(store)
        title = ""
        if result is not None:
            with store.read() as conn:
                detail = queries.video_detail(conn, result.video_id)
            title = detail.video["title"] if detail else result.video_id
        self.post_message(Marked(result, undo=True, title=title, tab=self))
        if result is not None:
            self.prepare_for(result)

    def prepare_for(self, result: MarkResult) -> None:
        """In the mark's worker, once the mark is posted: get ready for the load it will
        cause (For you ranks ahead; nothing here)."""

    def on_marked(self, message: Marked) -> None:
        """Take the mark, and show the tab again without (or with) the video if the mark
        can change what it lists; then the message goes on up to the screen, which tells
        the other tabs."""
        if message.tab is self and message.result is not None:
            self.marked(message.result)
            if self.stale:
                self.reload(self.request.filters)

    def cache_changed(self) -> None:
        """The cache changed under the tab: load (and count) again when shown."""
        self.stale = True
        self.totals = None

    def marked(self, result: MarkResult) -> None:
        """A mark was written: load again when shown if it can change what the tab lists
        (For you also re-ranks in memory); else the video's row just shows its new marks."""
        loading = not self.complete  # what is still being read may hold the old marks
        if self.stale or loading or self.mark_moves_rows(result):
            self.stale = True
        elif changed := self.table.source.restate(result.video_id, result.state):
            self.table.rows_changed(changed)
            self.draw_ahead_later()

    def mark_moves_rows(self, result: MarkResult) -> bool:
        """Whether the mark can add, remove or move rows of this tab (here: always)."""
        return True

    def on_feed_loaded(self, message: FeedLoaded) -> None:
        """Put the new feed in the table (unless a newer load was asked for meanwhile)."""
        message.stop()
        if message.generation != self.generation:
            return
        table = self.table
        cursor = message.cursor
        if message.totals is not None:
            self.totals = message.totals
        first_page = table.source.generation == message.generation and not table.source.complete
        if first_page and self.shown_generation == message.generation and table.current_row:
            # The person may already have moved within the first page: stay on that video.
            found = message.source.index_of(table.current_row.rowid)
            cursor = found if found is not None else table.cursor
        self.took(message)
        table.set_source(message.source, cursor, self.empty_words(message.source))
        self.shown_generation = message.generation
        self._first_answer.set()
        if message.totals is None:
            # Order and count the whole feed once this first page has been drawn.
            rest = replace(self.request, keep_rowid=None, keep_index=0, preview=False)
            self.call_after_refresh(self._load_the_rest, message.generation, rest)
        self.post_message(self.Loaded(self, message.totals))
        self.draw_ahead_later()

    def draw_ahead_later(self) -> None:
        """While the tab is hidden, once the screen is drawn: its table's lines, drawn at
        the size of the table shown beside it (`FeedTable.draw_ahead`), so that the switch
        to this tab finds them drawn (a table not mounted yet is drawn once it is)."""
        if not self.display:
            self.call_after_refresh(self._draw_ahead)

    def _draw_ahead(self) -> None:
        shown = [tab for tab in self.siblings if isinstance(tab, FeedTab) and tab.display]
        if not self.display and shown and self.table.is_mounted:
            table = shown[0].table
            self.table.draw_ahead(table.scrollable_content_region.size, table.has_focus)

    def _load_the_rest(self, generation: int, request: LoadRequest) -> None:
        if generation == self.generation:
            self.start_load(generation, request)

    def took(self, message: FeedLoaded) -> None:
        """A load is about to go into the table (For you keeps its listing)."""

    @on(FeedTable.NeedRows)
    def _need_rows(self, message: FeedTable.NeedRows) -> None:
        message.stop()
        self._fetch_pages(message.source, message.pages)

    @work(thread=True, group="pages", exit_on_error=False)
    def _fetch_pages(self, source: FeedSource, pages: list[int]) -> None:
        rowids = [rowid for page in pages for rowid in source.page_rowids(page)]
        with self.context.store.read() as conn:
            rows = queries.rows_by_rowid(conn, rowids)
        self.prepare_rows(rows)
        self.post_message(RowsLoaded(source, pages, rows))

    def prepare_rows(self, rows: list[FeedRow]) -> None:
        """Fill in what the tab's rows need beyond the cache (For you: their reasons)."""

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        """Rows for the visible part of the table arrived."""
        message.stop()
        message.source.add_rows(message.pages, message.rows)
        if message.source is self.table.source:
            self.table.rows_loaded()

    # -- what the tab says --------------------------------------------------------------

    def empty_words(self, source: FeedSource) -> str:
        """What the table says when the feed is empty: what to do next."""
        if len(source):
            return ""
        totals = self.totals
        if totals is None:
            return self.LOADING
        if totals.channels == 0:
            return words.NO_CHANNELS
        if totals.videos == 0:
            return words.NO_VIDEOS
        return self.nothing_words()

    def nothing_words(self) -> str:
        """What an empty tab says when the cache has videos but none are listed."""
        return "Nothing matches. Esc clears the search and channel; f changes filters."

    def describe(self, status: FeedStatus, selection: str) -> None:
        """Fill the status bar's tab parts (`selection`: the picked channel's name)."""
        status.shown = len(self.table.source)
        status.picks_from = None
        status.mode = status.mode_short = status.busy = ""
        status.filters = filter_words(self.request.filters, selection)

    def note(self, width: int) -> Text:
        """The right side of the tab line when this tab is shown (`width` cells of room)."""
        return Text(words.KEY_HINTS, style="dim")
