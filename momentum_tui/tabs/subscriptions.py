"""The Subscriptions tab: every upload of the channels you follow, in the chosen order.

Searches show here, best match first. A fresh view shows its first page at once; the
whole feed is ordered and counted once that page is on screen (100,000 rowids take
about 70 ms to order).
"""

from __future__ import annotations

from textual import work
from textual.worker import get_current_worker

from momentum_tui import words
from momentum_tui.messages import FeedLoaded
from momentum_tui.storage import feed as queries
from momentum_tui.storage.marks import MarkResult
from momentum_tui.tabs import SUBSCRIPTIONS
from momentum_tui.tabs.source import PAGE_SIZE, FeedSource
from momentum_tui.tabs.tab import FeedTab, LoadRequest
from momentum_tui.widgets.status_bar import FeedStatus


class SubscriptionsTab(FeedTab):
    """Every upload, newest first (or most viewed, longest, shortest, by channel; searches)."""

    ID = SUBSCRIPTIONS
    TITLE = "Subscriptions"

    by_relevance = False
    """The feed shown is a search's results, best match first."""

    def start_load(self, generation: int, request: LoadRequest) -> None:
        """Query the feed in a worker."""
        self._query(generation, request, self.page_height)

    @work(thread=True, exclusive=True, group="feed", exit_on_error=False)
    def _query(self, generation: int, request: LoadRequest, height: int) -> None:
        worker = get_current_worker()
        filters = request.filters
        with self.context.store.read() as conn:
            relevance = bool(filters.search) and queries.ordered_by_relevance(conn, filters)
            if request.preview and request.keep_rowid is None and request.keep_index < PAGE_SIZE:
                first = queries.feed_ids(conn, filters, limit=PAGE_SIZE)
                source = FeedSource(first, generation, complete=False)
                source.add_rows([0], queries.rows_by_rowid(conn, list(first)))
                if not worker.is_cancelled:
                    self.post_message(
                        FeedLoaded(
                            generation, source, request.keep_index, None, by_relevance=relevance
                        )
                    )
                return
            ids = queries.feed_ids(conn, filters)
            if worker.is_cancelled:
                return
            source = FeedSource(ids, generation)
            cursor, pages, rowids = source.around(request.keep_rowid, request.keep_index, height)
            source.add_rows(pages, queries.rows_by_rowid(conn, rowids))
            totals = queries.totals(conn)
        if not worker.is_cancelled:
            self.post_message(
                FeedLoaded(generation, source, cursor, totals, by_relevance=relevance)
            )

    def mark_moves_rows(self, result: MarkResult) -> bool:
        """Only a mark the filters test adds or removes a row (a like never does: the order
        doesn't depend on marks), so a like or a save is shown without querying again."""
        filters = self.request.filters
        return (
            (result.changed("hidden_at") and not filters.include_hidden)
            or (result.changed("watched_at") and filters.unwatched_only)
            or (result.changed("saved_at") and filters.saved_only)
        )

    def took(self, message: FeedLoaded) -> None:
        """Remember whether the feed is a search ranked by relevance (the status bar says so)."""
        self.by_relevance = message.by_relevance

    def describe(self, status: FeedStatus, selection: str) -> None:
        """Counts, filters and the order (`by relevance` for a search)."""
        super().describe(status, selection)
        order = words.SORT_WORDS[self.request.filters.sort]
        status.sort = words.BY_RELEVANCE if self.by_relevance else order
