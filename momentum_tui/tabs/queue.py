"""The Queue tab: your watch-later queue, in the order you want to watch it.

`a` (on any tab) adds the highlighted video or takes it out again; here `J`/`K` move
the highlighted item down or up, and `p` plays the queue from it — the next one starts
when a video ends, and watched videos leave the queue by themselves (a trigger, whoever
marked them). The queue ignores the feed's filters and search: it is a list you made.
Queued videos this machine has not synced from YouTube yet (queued on another machine,
through preference sync) are counted in the tab line until they arrive.
"""

from __future__ import annotations

from array import array

from rich.text import Text
from textual import work
from textual.worker import get_current_worker

from momentum_tui import words
from momentum_tui.messages import FeedLoaded
from momentum_tui.storage import feed as queries
from momentum_tui.storage import queue as queue_store
from momentum_tui.storage.marks import MarkResult
from momentum_tui.tabs import QUEUE
from momentum_tui.tabs.source import FeedSource
from momentum_tui.tabs.tab import FeedTab, LoadRequest
from momentum_tui.widgets.status_bar import FeedStatus


class QueueTab(FeedTab):
    """The watch-later queue, in order (see the module docstring)."""

    ID = QUEUE
    TITLE = "Queue"

    not_here = 0
    """Queued videos that aren't in this cache yet."""

    def start_load(self, generation: int, request: LoadRequest) -> None:
        """Read the queue in a worker (it is short: all of it at once)."""
        self._query(generation, request)

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def _query(self, generation: int, request: LoadRequest) -> None:
        worker = get_current_worker()
        with self.context.store.read() as conn:
            rowids, missing = queue_store.queued_rowids(conn)
            source = FeedSource(array("q", rowids), generation)
            cursor, pages, wanted = source.around(request.keep_rowid, request.keep_index, 10**6)
            source.add_rows(pages, queries.rows_by_rowid(conn, wanted))
            totals = request.totals or queries.totals(conn)
        if not worker.is_cancelled:
            self.not_here = missing
            self.post_message(FeedLoaded(generation, source, cursor, totals, view=QUEUE))

    def marked(self, result: MarkResult) -> None:
        """A watched video leaves the queue: load again when shown."""
        self.stale = True

    def nothing_words(self) -> str:
        """An empty queue says how to fill it."""
        return words.QUEUE_EMPTY

    def empty_words(self, source: FeedSource) -> str:
        """Empty means empty here, whatever the rest of the cache holds."""
        if len(source):
            return ""
        return self.LOADING if self.totals is None else words.QUEUE_EMPTY

    def describe(self, status: FeedStatus, selection: str) -> None:
        """How many are queued; the feed's filters don't apply here."""
        super().describe(status, "")
        status.filters = []
        status.sort = "your order"

    def note(self, width: int) -> Text:
        """The queue's keys (and what hasn't arrived yet)."""
        note = Text(words.QUEUE_KEYS, style="dim")
        if self.not_here:
            note = Text(f"{self.not_here} not synced here yet · ", style="yellow") + note
        return note
