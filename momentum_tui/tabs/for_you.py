"""The For-you tab: your subscriptions ranked for you, each pick with its reasons.

The tab owns the live recommender (NumPy and the features), imported and loaded only in
thread workers after the first paint: at launch the tab shows the top of the last
session's order at once (remembered in the `preferences` table), then swaps in a fresh
ranking that keeps the cursor's video. A mark made here is ranked with right away in
the worker that wrote it (`prepare_for`); any mark also reaches the tab as `marked()`:
the recommender takes it in memory and the tab re-ranks in a worker (about 50 ms of
ranking at 100,000 videos, or none when the mark's worker ranked with it already),
keeping the cursor on the same video or on the one in its place.
Why (`e`) and the digest (`D`) borrow the same recommender, so their scores match.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.worker import get_current_worker

from momentum_tui import words
from momentum_tui.messages import Explained, FeedLoaded, JumpReady
from momentum_tui.models import FeedRow, Filters, Sort, format_duration
from momentum_tui.storage import feed as queries
from momentum_tui.storage.marks import MarkResult
from momentum_tui.tabs import FOR_YOU
from momentum_tui.tabs.source import FeedSource
from momentum_tui.tabs.tab import FeedContext, FeedTab, LoadRequest, filter_words
from momentum_tui.widgets.status_bar import FeedStatus

if TYPE_CHECKING:
    from momentum_tui.recommend.session import Listing, LiveRecommender, SmartAsk


class ForYouTab(FeedTab):
    """The ranked tab: picks with reasons, smart feeds (see the module docstring)."""

    ID = FOR_YOU
    TITLE = "For you"
    LOADING = words.RANKING
    REASONS = True

    def __init__(self, context: FeedContext) -> None:
        super().__init__(context)
        self.smart: SmartAsk | None = None
        """The smart feed shown instead of the whole ranking (None: the ranking)."""
        self.listing: Listing | None = None
        """The shown ranking's figures: candidates, smart-feed notes."""
        self._recommender: LiveRecommender | None = None
        self._recommender_lock = threading.Lock()
        self._unmounted = False

    @property
    def recommender(self) -> LiveRecommender:
        """The live ranker (imported on first use: NumPy stays out of the launch path)."""
        with self._recommender_lock:  # first used from whichever worker comes first
            if self._recommender is None:
                from momentum_tui.recommend.session import LiveRecommender

                self._recommender = LiveRecommender(
                    self.context.store, self.context.settings.recommend, self.context.now
                )
            return self._recommender

    def on_unmount(self) -> None:
        """Give the ranker's read connection back (a ranking still running gives it back
        when it ends: see `_rank`)."""
        with self._recommender_lock:
            self._unmounted = True
            recommender = self._recommender
        if recommender is not None:
            recommender.close()

    def _give_back_if_gone(self) -> None:
        """The app quit while a worker used the ranker: give its connection back now."""
        with self._recommender_lock:
            recommender = self._recommender if self._unmounted else None
        if recommender is not None:
            recommender.close()

    # -- what changes the ranking -------------------------------------------------------

    def cache_changed(self) -> None:
        """New videos, labels, rules or channels: the features are read again."""
        super().cache_changed()
        if self._recommender is not None:  # none yet: its first load reads the change
            self._recommender.invalidate()

    def marked(self, result: MarkResult) -> None:
        """Take the mark in memory; the next ranking (when shown) reflects it."""
        super().marked(result)
        if self._recommender is not None:  # none yet: its first load reads this mark
            self._recommender.note_mark(result.video_id, result.state)

    def prepare_for(self, result: MarkResult) -> None:
        """Rank with the mark at once, in the mark's worker, while the UI says what was
        marked: the load the mark causes then finds this ranking ready (`rank` gives the
        same listing for the same filters) instead of starting only once the UI got to it.
        """
        recommender = self._recommender
        if recommender is None or self.smart is not None:
            return
        recommender.note_mark(result.video_id, result.state)
        try:
            recommender.rank(self.request.filters)
        finally:
            self._give_back_if_gone()

    def show_smart(self, ask: SmartAsk | None) -> None:
        """Show a smart feed instead of the whole ranking, or (None) the ranking again.

        Takes effect at the next load, which the screen asks for.
        """
        self.smart, self.listing, self.stale = ask, None, True

    def pick_smart_feed(self, chosen: Callable[[SmartAsk], None]) -> None:
        """Open the smart-feed picker (on the last choice); `chosen` gets what was picked."""
        from momentum_tui.recommend.session import SmartAsk
        from momentum_tui.screens.smart_feed import SmartFeedScreen

        def picked(ask: SmartAsk | None) -> None:
            if ask is not None:
                chosen(ask)

        self.app.push_screen(SmartFeedScreen(self.smart or SmartAsk()), picked)

    # -- why and the digest (any tab's video, this tab's recommender) -------------------

    def explain(self, row: FeedRow) -> None:
        """Open the breakdown of `row`'s For-you score (computed in a worker)."""
        self._explain(row)

    @work(thread=True, exclusive=True, group="why", exit_on_error=False)
    def _explain(self, row: FeedRow) -> None:
        self.post_message(Explained(row, self.recommender.explain(row.id)))

    def on_explained(self, message: Explained) -> None:
        """Show the breakdown."""
        from momentum_tui.screens.why import WhyScreen

        message.stop()
        if message.explanation is None:
            self.notify("For you doesn't rank this video (its channel is not followed).", timeout=4)
            return
        self.app.push_screen(WhyScreen(message.row, message.explanation))

    def open_digest(self, visit: int | None) -> None:
        """What arrived since `visit`, by topic; choosing a pick posts `JumpReady` (it bubbles
        up to the screen, which puts the cursor on it)."""
        from momentum_tui.screens.digest import DigestScreen

        def chosen(video_id: str | None) -> None:
            if video_id:
                self._find(video_id)

        screen = DigestScreen(self.recommender, visit=visit, now=self.context.now())
        self.app.push_screen(screen, chosen)

    @work(thread=True, group="jump", exit_on_error=False)
    def _find(self, video_id: str) -> None:
        self.post_message(JumpReady(video_id, self.recommender.rowid_of(video_id)))

    # -- loading ------------------------------------------------------------------------

    def start_load(self, generation: int, request: LoadRequest) -> None:
        """The first time, the remembered order at once; otherwise a fresh ranking."""
        if request.preview and self.shown_generation < 0 and self.smart is None:
            self._open(generation, request, self.page_height)
        else:
            self._rank_worker(generation, request, self.smart, self.page_height)

    @work(thread=True, exclusive=True, group="for-you", exit_on_error=False)
    def _open(self, generation: int, request: LoadRequest, height: int) -> None:
        from momentum_tui.recommend.memory import load_saved_order

        store = self.context.store
        opened_with = request.filters == self.context.initial_filters
        saved = load_saved_order(store) if opened_with else None
        if saved is None:
            self.no_quick_page()
            self._rank(generation, request, None, height)
            return
        with store.read() as conn:
            found = queries.rows_by_rowid(conn, saved.rowids)
        # Marks made since (from the command line) would make a stale pick look odd.
        rows = [row for row in found if not (row.watched or row.hidden or row.rating < 0)]
        for row in rows:
            row.reasons = saved.reasons.get(row.rowid, ())
        ids = array("q", (row.rowid for row in rows))
        source = FeedSource(ids, generation, complete=False)
        source.add_rows([0], rows)
        if not get_current_worker().is_cancelled:
            self.post_message(FeedLoaded(generation, source, 0, None, view=FOR_YOU))

    @work(thread=True, exclusive=True, group="for-you", exit_on_error=False)
    def _rank_worker(
        self, generation: int, request: LoadRequest, smart: SmartAsk | None, height: int
    ) -> None:
        self._rank(generation, request, smart, height)

    def _rank(
        self, generation: int, request: LoadRequest, smart: SmartAsk | None, height: int
    ) -> None:
        """Rank, fetch the rows around the cursor with their reasons, post the result."""
        try:
            self._rank_now(generation, request, smart, height)
        finally:
            self._give_back_if_gone()

    def _rank_now(
        self, generation: int, request: LoadRequest, smart: SmartAsk | None, height: int
    ) -> None:
        worker = get_current_worker()
        recommender = self.recommender
        filters = request.filters
        listing = recommender.smart(smart, filters) if smart else recommender.rank(filters)
        if worker.is_cancelled:
            return
        source = FeedSource(listing.rowids, generation)
        cursor, pages, rowids = source.around(request.keep_rowid, request.keep_index, height)
        with self.context.store.read() as conn:
            rows = queries.rows_by_rowid(conn, rowids)
            # After a mark the cache-wide counts barely move and For you doesn't show
            # them: the screen hands the last ones back rather than count 100,000 again.
            totals = request.totals or queries.totals(conn)
        unexplained = [row for row in rows if row.rowid not in listing.reasons]
        for row in rows:
            row.reasons = listing.reasons.get(row.rowid, ())
        recommender.explain_rows(unexplained)
        source.add_rows(pages, rows)
        if smart is None and filters == self.context.initial_filters:
            # Written before the result is shown, so a quick exit still remembers it.
            recommender.save_order(listing)
        if not worker.is_cancelled:
            self.post_message(FeedLoaded(generation, source, cursor, totals, FOR_YOU, listing))

    def took(self, message: FeedLoaded) -> None:
        """Keep the ranking's figures for the status bar (not those of a first page)."""
        if message.listing is not None:
            self.listing = message.listing

    def prepare_rows(self, rows: list[FeedRow]) -> None:
        """Rows scrolled to carry their reasons."""
        self.recommender.explain_rows(rows)

    # -- what the tab says --------------------------------------------------------------

    def note(self, width: int) -> Text:
        """What For you is doing, the smart feed shown (said shorter when narrow), or the keys."""
        if self.smart is not None:
            what = self.smart.describe()
            for head, tail in (("Smart feed: ", "  ·  Esc returns"), ("Smart feed: ", ""),
                               ("", "  ·  Esc returns"), ("", "")):  # fmt: skip
                note = Text(head, style="bold")
                note.append(what)
                note.append(tail, style="dim")
                if note.cell_len <= width:
                    break
            return note
        if not self.table.source.complete or self.listing is None:
            return Text(words.RANKING, style="bold")
        if self.listing.cold:
            return Text(words.COLD_HINT, style="dim")
        return super().note(width)

    def describe(self, status: FeedStatus, selection: str) -> None:
        """Picks of how many, the smart feed, the filters that narrow it, ranking…."""
        super().describe(status, selection)
        listing = self.listing
        status.picks_from = listing.candidates if listing is not None else None
        status.mode_short = ""
        if self.smart is not None:
            total = listing.total_seconds if listing is not None else None
            length = f" ({format_duration(total)})" if total else ""
            status.mode = f"smart feed: {self.smart.describe()}{length} · Esc returns"
            status.mode_short = f"smart feed{length}"  # the tab line says what was asked
        status.filters = filter_words(_narrowing(self.request.filters), selection)
        status.sort = words.RANKED
        status.busy = "" if self.table.source.complete else "ranking…"

    def nothing_words(self) -> str:
        """An empty smart feed, filters that leave nothing, or nothing left to recommend."""
        if self.smart is not None:
            notes = " ".join(self.listing.notes) if self.listing is not None else ""
            return f"Nothing fits this smart feed. {notes} m picks again; Esc returns to For you."
        initial = self.context.initial_filters
        narrowing = self.request.filters.replace(search="", unwatched_only=False, sort=initial.sort)
        if narrowing != initial.replace(unwatched_only=False):
            return (
                "Nothing in For you matches these filters. f changes them; Esc clears the channel."
            )
        more = words.DEMO_RESET if self.context.demo else "R syncs new uploads"
        return (
            "Nothing left to recommend: every cached video is watched, hidden or disliked. "
            f"{more}; 2 shows every upload."
        )


def _narrowing(filters: Filters) -> Filters:
    """The filters as they narrow For you (search, unwatched only and sort don't)."""
    return filters.replace(search="", unwatched_only=False, sort=Sort.NEWEST)
