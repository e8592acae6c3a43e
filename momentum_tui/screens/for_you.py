"""The feed screen's For-you tab: ranking in workers, why, smart feeds, the digest, the visit.

`FeedScreen` inherits these from `ForYouActions`. The recommender (NumPy and the
features) is imported and loaded only in thread workers, after the first paint: at
launch the tab shows the top of the last session's order at once (remembered in the
`preferences` table), then swaps in a fresh ranking that keeps the cursor's video.
Every mark is noted with the recommender and the tab re-ranks in a worker (about 50 ms
of ranking at 100,000 videos, 0.2–0.3 s from the key to the new list on screen), keeping
the cursor on the same video or on the one in its place.
"""

from __future__ import annotations

import threading
from array import array
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from momentum_tui.config import Settings
from momentum_tui.messages import Explained, FeedLoaded, JumpReady, VisitRecorded
from momentum_tui.models import Filters, Sort, format_duration
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.widgets.feed_source import FOR_YOU, SUBSCRIPTIONS, FeedSource
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.status_bar import Status

if TYPE_CHECKING:
    from momentum_tui.recommend.session import Listing, LiveRecommender, SmartAsk
    from momentum_tui.storage.feed import Totals

RANKED_WORDS = "ranked for you"
COLD_HINT = "No likes yet: l on what you enjoy teaches it"


class ForYouActions(Screen[None]):
    """For-you workers and actions for the feed screen (see the module docstring)."""

    store: Store
    settings: Settings
    status: Status
    filters: Filters
    initial_filters: Filters
    view: str
    demo: bool
    totals: Totals | None
    _selection_label: str

    def _filter_words(self, filters: Filters | None = None) -> list[str]:
        """The status bar's words for `filters` (the current ones), the picked channel first."""
        words = (filters or self.filters).describe()
        if self._selection_label:
            words.insert(0, self._selection_label)
        return words

    # -- provided by the feed screen ----------------------------------------------------

    @property
    def now(self) -> float:
        """Current time (the feed screen's clock)."""
        raise NotImplementedError

    def reload(
        self, *, keep_video: bool = True, keep_index: int | None = None, data_changed: bool = True
    ) -> None:
        """Show the current tab again (the feed screen implements it)."""
        raise NotImplementedError

    def show_view(self, view: str, *, fresh: bool = False, keep_rowid: int | None = None) -> None:
        """Switch tabs (the feed screen implements it)."""
        raise NotImplementedError

    # -- state --------------------------------------------------------------------------

    def init_for_you(self) -> None:
        """Set up For-you state (called from the feed screen's constructor)."""
        self.smart: SmartAsk | None = None
        self.listing: Listing | None = None
        self.visit_since: int | None = None
        self._recommender: LiveRecommender | None = None
        self._recommender_lock = threading.Lock()
        self._jump_rowid: int | None = None
        self.data_changed_since_totals = True

    @property
    def recommender(self) -> LiveRecommender:
        """The live ranker (imported on first use: NumPy stays out of the launch path)."""
        with self._recommender_lock:  # first used from whichever worker comes first
            if self._recommender is None:
                from momentum_tui.recommend.session import LiveRecommender

                self._recommender = LiveRecommender(
                    self.store, self.settings.recommend, lambda: self.now
                )
            return self._recommender

    def on_unmount(self) -> None:
        """Give the ranker's read connection back."""
        if self._recommender is not None:
            self._recommender.close()

    @property
    def _table(self) -> FeedTable:
        return self.query_one(FeedTable)

    # -- loading ------------------------------------------------------------------------

    def start_for_you(self, generation: int) -> None:
        """The first load of the tab: the remembered order at once, when there is one."""
        self._open_for_you(generation, self.filters, max(self._table.size.height, 40))

    @work(thread=True, exclusive=True, group="for-you", exit_on_error=False)
    def _open_for_you(self, generation: int, filters: Filters, height: int) -> None:
        from momentum_tui.recommend.memory import load_saved_order

        saved = load_saved_order(self.store) if filters == self.initial_filters else None
        if saved is None:
            self._rank(generation, filters, None, None, 0, height)
            return
        with self.store.read() as conn:
            found = queries.rows_by_rowid(conn, saved.rowids)
        # Marks made since (from the command line) would make a stale pick look odd.
        rows = [row for row in found if not (row.watched or row.hidden or row.rating < 0)]
        for row in rows:
            row.reasons = saved.reasons.get(row.rowid, ())
        source = FeedSource(
            array("q", (row.rowid for row in rows)), generation, complete=False, view=FOR_YOU
        )
        source.add_rows([0], rows)
        if not get_current_worker().is_cancelled:
            self.post_message(FeedLoaded(generation, source, 0, None, view=FOR_YOU))

    def rank_for_you(
        self,
        generation: int,
        filters: Filters,
        smart: SmartAsk | None,
        keep_rowid: int | None,
        keep_index: int,
    ) -> None:
        """Rank (or build the smart feed) in a worker; the result arrives as `FeedLoaded`."""
        height = max(self._table.size.height, 40)
        # After a mark the cache-wide counts barely move and For you doesn't show them:
        # reuse the last ones rather than count 100,000 videos again.
        known = None if self.data_changed_since_totals else self.totals
        self._rank_worker(generation, filters, smart, keep_rowid, keep_index, height, known)

    @work(thread=True, exclusive=True, group="for-you", exit_on_error=False)
    def _rank_worker(
        self,
        generation: int,
        filters: Filters,
        smart: SmartAsk | None,
        keep_rowid: int | None,
        keep_index: int,
        height: int,
        known: Totals | None,
    ) -> None:
        self._rank(generation, filters, smart, keep_rowid, keep_index, height, known)

    def _rank(
        self,
        generation: int,
        filters: Filters,
        smart: SmartAsk | None,
        keep_rowid: int | None,
        keep_index: int,
        height: int,
        known: Totals | None = None,
    ) -> None:
        """Rank, fetch the rows around the cursor with their reasons, post the result."""
        worker = get_current_worker()
        recommender = self.recommender
        listing = recommender.smart(smart, filters) if smart else recommender.rank(filters)
        if worker.is_cancelled:
            return
        source = FeedSource(listing.rowids, generation, view=FOR_YOU)
        cursor, pages, rowids = source.around(keep_rowid, keep_index, height)
        with self.store.read() as conn:
            rows = queries.rows_by_rowid(conn, rowids)
            totals = known or queries.totals(conn)
        offline = self.store.get_pref("network.offline") == "1"
        unexplained = [row for row in rows if row.rowid not in listing.reasons]
        for row in rows:
            row.reasons = listing.reasons.get(row.rowid, ())
        recommender.explain_rows(unexplained)
        source.add_rows(pages, rows)
        if smart is None and filters == self.initial_filters:
            # Written before the result is shown, so a quick exit still remembers it.
            recommender.save_order(listing)
        if not worker.is_cancelled:
            self.post_message(
                FeedLoaded(generation, source, cursor, totals, offline, FOR_YOU, listing)
            )

    def for_you_loaded(self, message: FeedLoaded) -> None:
        """A ranking arrived (shown or not): remember its figures for the status bar."""
        self.listing = message.listing

    # -- what the tab says --------------------------------------------------------------

    def for_you_note(self) -> Text:
        """The right side of the tab line on For you."""
        table = self._table
        if self.smart is not None:
            note = Text("Smart feed: ", style="bold")
            note.append(self.smart.describe())
            note.append("  ·  Esc returns", style="dim")
            return note
        if not table.source.complete or self.listing is None:
            return Text("Ranking your feed…", style="bold")
        if self.listing.cold:
            return Text(COLD_HINT, style="dim")
        from momentum_tui.screens.feed import KEY_HINTS

        return Text(KEY_HINTS, style="dim")

    def for_you_status(self) -> None:
        """Fill the status bar's For-you parts."""
        listing = self.listing
        table = self._table
        self.status.picks_from = listing.candidates if listing is not None else None
        self.status.mode = ""
        if self.smart is not None:
            total = listing.total_seconds if listing is not None else None
            length = f" ({format_duration(total)})" if total else ""
            self.status.mode = f"smart feed: {self.smart.describe()}{length} · Esc returns"
        narrowing = self.filters.model_copy(
            update={"search": "", "unwatched_only": False, "sort": Sort.NEWEST}
        )
        self.status.filters = self._filter_words(narrowing)
        self.status.sort = RANKED_WORDS
        self.status.busy = "" if table.source.complete else "ranking…"

    def for_you_empty_words(self) -> str:
        """What an empty For-you tab says."""
        if self.smart is not None:
            notes = " ".join(self.listing.notes) if self.listing is not None else ""
            return f"Nothing fits this smart feed. {notes} m picks again; Esc returns to For you."
        narrowing = self.filters.model_copy(
            update={"search": "", "unwatched_only": False, "sort": self.initial_filters.sort}
        )
        if narrowing != self.initial_filters.model_copy(update={"unwatched_only": False}):
            return (
                "Nothing in For you matches these filters. f changes them; Esc clears the channel."
            )
        return (
            "Nothing left to recommend: every cached video is watched, hidden or disliked. "
            "R syncs new uploads; 2 shows every upload."
        )

    # -- smart feeds --------------------------------------------------------------------

    def action_smart_feed(self) -> None:
        """Pick a mood, minutes and topics; For you shows a list that fits."""
        from momentum_tui.recommend.session import SmartAsk
        from momentum_tui.screens.smart_feed import SmartFeedScreen

        def chosen(ask: SmartAsk | None) -> None:
            if ask is None:
                return
            self.smart = ask
            self.listing = None
            if self.view != FOR_YOU:
                self.show_view(FOR_YOU, fresh=True)
            else:
                self.reload(keep_video=False, keep_index=0, data_changed=False)

        self.app.push_screen(SmartFeedScreen(self.smart or SmartAsk()), chosen)

    def leave_smart_feed(self) -> None:
        """Back from a smart feed to the whole For-you list."""
        self.smart = None
        self.listing = None
        self.notify("Back to For you", timeout=2)
        self.reload(keep_video=False, keep_index=0, data_changed=False)

    # -- why ----------------------------------------------------------------------------

    def action_why(self) -> None:
        """Explain the highlighted video's For-you score."""
        row = self._table.current_row
        if row is None:
            self.notify("No video is highlighted.", severity="warning", timeout=2)
            return
        self._explain(row)

    @work(thread=True, exclusive=True, group="why", exit_on_error=False)
    def _explain(self, row: Any) -> None:
        self.post_message(Explained(row, self.recommender.explain(row.id)))

    def on_explained(self, message: Explained) -> None:
        """Show the breakdown."""
        from momentum_tui.screens.why import WhyScreen

        if message.explanation is None:
            self.notify("For you doesn't rank this video (its channel is not followed).", timeout=4)
            return
        self.app.push_screen(WhyScreen(message.row, message.explanation))

    # -- the digest and the visit -------------------------------------------------------

    @work(thread=True, exclusive=True, group="visit", exit_on_error=False)
    def record_visit(self) -> None:
        """Note this visit (not in the demo, whose videos never change) and keep the last one."""
        from momentum_tui.recommend.memory import last_visit, record_visit

        store = self.store
        previous = last_visit(store) if self.demo else record_visit(store, int(self.now))
        self.post_message(VisitRecorded(previous))

    def on_visit_recorded(self, message: VisitRecorded) -> None:
        """The digest starts from the previous visit."""
        self.visit_since = message.previous

    def action_digest(self) -> None:
        """What arrived since the last visit, by topic; Enter jumps to a group's best pick."""
        from momentum_tui.screens.digest import DigestScreen

        def chosen(video_id: str | None) -> None:
            if video_id:
                self.jump_to(video_id)

        screen = DigestScreen(self.recommender, visit=self.visit_since, now=self.now)
        self.app.push_screen(screen, chosen)

    def jump_to(self, video_id: str) -> None:
        """Put the cursor on a video: in For you if it is there, else on Subscriptions."""
        self._find(video_id)

    @work(thread=True, group="jump", exit_on_error=False)
    def _find(self, video_id: str) -> None:
        self.post_message(JumpReady(video_id, self.recommender.rowid_of(video_id)))

    def on_jump_ready(self, message: JumpReady) -> None:
        """Move to the video found for a jump."""
        if message.rowid is None:
            self.notify("That video is no longer in the cache.", severity="warning", timeout=4)
            return
        table = self._table
        if self.view == FOR_YOU and (index := table.source.index_of(message.rowid)) is not None:
            table.cursor = index
            return
        # Not in For you's list: show it among every upload, without channel or search.
        self.filters = self.filters.model_copy(
            update={"search": "", "channel_id": None, "channel_tag": None, "saved_only": False}
        )
        self._selection_label = ""
        self._jump_rowid = message.rowid
        self.show_view(SUBSCRIPTIONS, fresh=True, keep_rowid=message.rowid)

    def _check_jump(self, source: FeedSource) -> None:
        rowid, self._jump_rowid = self._jump_rowid, None
        if rowid is not None and source.index_of(rowid) is None:
            self.notify(
                "That video is hidden by your filters; f changes them.",
                severity="warning",
                timeout=5,
            )
