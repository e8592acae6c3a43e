"""The main screen: the channel list, the feed tabs, the detail pane, the status bar.

The screen composes the tabs (`momentum_tui/tabs/`, one widget each, owning its table,
source, cursor and loading) and keeps what they share: the filters, the search box, the
channel list and the detail pane. The shown tab loads when something it shows changed;
the others are marked stale and load when they are shown. A mark flows one way: the key
→ `storage/marks` (a worker) → `Marked` → every tab (For you hands it to its recommender)
→ the shown tab re-ranks or re-queries → its table, the cursor on the same video.

App-wide facts (sync progress, the sync state, quota, Claude spending) are the app's
reactive state, which the widgets showing them watch; this screen watches the app's
`cache_version` and loads again when the cache changed. Why, the digest and smart feeds
belong to the For-you tab (they use its recommender); the screen's keys hand them over.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.widgets import ContentSwitcher, Input, Static

from momentum_tui import words
from momentum_tui.bindings import AI, FILTERS, QUEUE, VIDEO, VIEWS
from momentum_tui.config import Settings
from momentum_tui.messages import (
    CacheChanged,
    FeedReady,
    FeedSettled,
    JumpReady,
    Marked,
    VisitRecorded,
)
from momentum_tui.models import FeedRow, Filters, Mark, Sort
from momentum_tui.screens.feed_watch import WatchKeys
from momentum_tui.screens.first_page import FirstPageScreen
from momentum_tui.storage import Store
from momentum_tui.storage.feed import Totals
from momentum_tui.storage.marks import MarkResult
from momentum_tui.tabs import FOR_YOU, SUBSCRIPTIONS
from momentum_tui.tabs.for_you import ForYouTab
from momentum_tui.tabs.queue import QueueTab
from momentum_tui.tabs.subscriptions import SubscriptionsTab
from momentum_tui.tabs.tab import FeedContext, FeedTab, LoadRequest
from momentum_tui.widgets.channel_list import ChannelList
from momentum_tui.widgets.detail import DetailPane
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.kept_static import KeptStatic
from momentum_tui.widgets.key_footer import KeyFooter
from momentum_tui.widgets.status_bar import FeedStatus, StatusBar
from momentum_tui.widgets.sync_progress import SyncProgress
from momentum_tui.widgets.tab_line import TabLine

if TYPE_CHECKING:
    from momentum_tui.recommend.session import SmartAsk
    from momentum_tui.watch.thumbnails import ThumbnailCache

TABS: tuple[type[FeedTab], ...] = (ForYouTab, SubscriptionsTab, QueueTab)
"""The tabs, in order (a tab is a `FeedTab` subclass and a `view.*` key in bindings.py)."""


class FeedScreen(FirstPageScreen, WatchKeys):
    """Browse, filter, search and mark the feed (see the module docstring)."""

    BINDINGS = [key.binding() for key in (*VIDEO, *QUEUE, *FILTERS, *AI, *VIEWS)]

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
        self.context = FeedContext(store, settings, demo, now, self.filters)
        self.tabs: dict[str, FeedTab] = {tab.ID: tab(self.context) for tab in TABS}
        self.view = settings.ui.start_view
        self.totals: Totals | None = None
        """The latest cache-wide counts any tab read (the status bar's totals)."""
        self._channels_stale = False
        self._rest_loaded = False
        self._settled = False
        self.status = FeedStatus(sort=words.SORT_WORDS[self.filters.sort], demo=demo)
        self.feed_ready = False
        self.visit_since: int | None = None
        """The previous visit (the digest starts there); None: the first."""
        self._jump_rowid: int | None = None

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Channel list | (tab line, search, the tabs, detail); status bar and footer below."""
        # Laid out for the terminal's width before anything is styled: the same classes
        # set at the first resize would restyle every widget on the screen once more.
        self._apply_layout(self.app.size.width)
        self.tab.load(LoadRequest(self.filters))  # starts as the tab composes (tabs/tab.py)
        with Horizontal(id="body"):
            yield ChannelList(self.store, id="channels")
            with Vertical(id="center"):
                with Horizontal(id="view-bar"):
                    # 1, 2, 3 switch (or a click on a title); the table keeps the focus.
                    titles = {tab.ID: tab.TITLE for tab in self.tabs.values()}
                    yield TabLine(titles, active=self.view, id="tabs")
                    yield KeptStatic(words.KEY_HINTS, id="view-note")
                yield Input(
                    placeholder="Search titles, descriptions, channels, tags  ·  Enter: done  "
                    "·  Esc: clear",
                    id="search",
                )
                with Container(id="split"):
                    with ContentSwitcher(initial=self.tab.id, id="feed"):
                        yield from self.tabs.values()
                    yield DetailPane(
                        self.store,
                        id="detail",
                        now=self._fixed_now,
                        thumbnails=self._thumbnail_cache if self.settings.ui.thumbnails else None,
                        offline=self.demo,
                    )
        yield SyncProgress(id="sync-progress")
        yield StatusBar(id="status", now=self._fixed_now)
        yield KeyFooter()

    def _thumbnail_cache(self) -> ThumbnailCache:
        """The on-disk thumbnail cache (made in the detail pane's worker, on first use)."""
        from momentum_tui import locations
        from momentum_tui.watch.thumbnails import ThumbnailCache

        cache = self.settings.cache
        return ThumbnailCache(locations.thumbnail_dir(), max_mb=cache.thumbnail_mb,
                              root=cache.thumbnail_root)  # fmt: skip

    @property
    def tab(self) -> FeedTab:
        """The tab on screen."""
        return self.tabs[self.view]

    @property
    def table(self) -> FeedTable:
        """The table of the tab on screen."""
        return self.tab.table

    @property
    def for_you(self) -> ForYouTab:
        """The For-you tab (its recommender serves why and the digest too)."""
        tab = self.tabs[FOR_YOU]
        assert isinstance(tab, ForYouTab)
        return tab

    @property
    def feed_complete(self) -> bool:
        """The tab on screen shows its latest load in full."""
        return self.tab.complete

    @property
    def now(self) -> float:
        """Current time (fixed in tests)."""
        return self.context.now()

    def on_mount(self) -> None:
        """The table has the focus (its tab started loading in `compose`)."""
        self.table.focus()
        if hasattr(self.app, "cache_version"):
            self.watch(self.app, "cache_version", self._cache_changed, init=False)

    def on_resize(self, event: Resize) -> None:
        """Fit the tab line and the status bar to the new width once it is laid out."""
        self.call_after_refresh(self._show_status)

    # -- loading ------------------------------------------------------------------------

    def refresh_feed(self, *, keep_video: bool = True, keep_index: int | None = None) -> None:
        """Every tab is stale; the one on screen loads again (cursor on the same video)."""
        for tab in self.tabs.values():
            tab.stale = True
        self.tab.reload(self.filters, keep_video=keep_video, keep_index=keep_index)

    def _cache_changed(self) -> None:
        """The app says the cache changed (a sync, labels, a rule, a channel, elsewhere)."""
        for tab in self.tabs.values():
            tab.cache_changed()
        self.refresh_feed()
        self.load_channels()

    def show_view(self, view: str, *, fresh: bool = False, keep_rowid: int | None = None) -> None:
        """Show another tab (it comes back where its cursor was, loaded again if stale).

        `fresh` loads the tab again with the cursor on `keep_rowid` (or at the top).
        """
        tab = self.tabs[view]
        tab.show_table()  # a switch sooner than the first frame: it has its table now
        if view != self.view:
            table_had_focus = self.focused is self.table
            self.view = view
            self.one("#tabs", TabLine).active = view
            self.one("#feed", ContentSwitcher).current = tab.id
            self.show_search_box()
            if table_had_focus:
                tab.table.focus()
            row = tab.table.current_row
            self.one("#detail", DetailPane).follow(row.id if row else None, at_once=True)
        if fresh:
            tab.load(LoadRequest(self.filters, keep_rowid, 0, tab.totals))
        elif tab.stale:
            tab.reload(self.filters)
        self._show_status()

    def action_show_tab(self, view: str) -> None:
        """Show the tab `view` (1, 2… or a click on its title). Priority keys: run as the app
        gets them, not after a trip down to the table and up (≈ 1.5 ms). In the search box
        they type (Textual leaves out bindings of keys a focused input takes)."""
        if view in self.tabs:
            self.show_view(view)

    @on(TabLine.Clicked, "#tabs")
    def _tab_clicked(self, event: TabLine.Clicked) -> None:
        self.action_show_tab(event.tab_id)

    @on(FeedTab.Loaded)
    def _tab_loaded(self, message: FeedTab.Loaded) -> None:
        """A tab has a new feed in its table: the status bar, the channel list, the rest."""
        tab = message.tab
        if message.totals is not None:
            self.totals = message.totals
        if tab is not self.tab:
            self._check_settled()
            return  # a tab loaded in the background: ready for when it is shown
        self._show_status()
        if message.totals is None:
            if len(tab.table.source):
                self._first_feed_shown()
            return
        if not len(tab.table.source):
            self.query_one(DetailPane).follow(None)
        self.check_jump(tab)
        if self._channels_stale:
            self._channels_stale = False
            self.load_channels()
        self._first_feed_shown()
        self._first_feed_complete()
        self._check_settled()

    def _first_feed_shown(self) -> None:
        """Once videos are on screen: tell the app (benchmarks) and note the visit."""
        if not self.feed_ready:
            self.feed_ready = True
            # After the frame that shows them: what waits for the feed (the sync state,
            # spending, preference sync) imports and reads in threads, which would
            # otherwise compete with drawing it.
            self.call_after_refresh(self.app.post_message, FeedReady())
            self.record_visit()

    def _first_feed_complete(self) -> None:
        """Once the first tab is complete: the channel list, then the other tabs.

        Not sooner: at launch the fresh ranking (or the whole ordered feed) comes first,
        and these would compete with it for the interpreter.
        """
        if not self._rest_loaded:
            self._rest_loaded = True
            self._channels_stale = False
            self.load_channels()
            self.call_after_refresh(self._load_in_background)

    @on(ChannelList.Read)
    def _check_settled(self) -> None:
        """Once launch's loads are all in (every tab, the channel list), tell the app."""
        if self._settled or not self._rest_loaded or not self.query_one(ChannelList).loaded:
            return
        if all(tab.complete for tab in self.tabs.values()):
            self._settled = True
            self.app.post_message(FeedSettled())

    def _load_in_background(self) -> None:
        """Load the tabs not shown, so that switching to them is instant."""
        for tab in self.tabs.values():
            if tab is not self.tab and tab.generation == 0:
                tab.load(LoadRequest(self.filters, preview=False))

    def _show_status(self) -> None:
        """The status bar and the tab line for the tab on screen."""
        status = self.status
        if self.totals is not None:
            status.total, status.unwatched = self.totals.videos, self.totals.unwatched
        self.tab.describe(status, self.selection_label)
        self.one("#status", StatusBar).show(status)
        note = self.one("#view-note", Static)
        note.update(self.tab.note(note.content_region.width or 1_000), layout=False)

    @on(FeedTable.Highlighted)
    def _highlighted(self, message: FeedTable.Highlighted) -> None:
        if message.table is self.table:
            self.one("#detail", DetailPane).follow(message.row.id if message.row else None)

    @on(FeedTable.Activated)
    def _activated(self, message: FeedTable.Activated) -> None:
        self.action_open_video()

    def load_channels(self) -> None:
        """Read the channel list again (its unwatched counts moved)."""
        self.query_one(ChannelList).load()

    # -- marks ------------------------------------------------------------------------

    def current_or_warn(self) -> FeedRow | None:
        """The highlighted video, or a warning that there is none."""
        row = self.table.current_row
        if row is None:
            self.notify(words.NO_VIDEO, severity="warning", timeout=2)
        return row

    def action_toggle_watched(self) -> None:
        """Mark watched / unwatched."""
        self.tab.mark(Mark.WATCHED)

    def action_toggle_hidden(self) -> None:
        """Hide / show again."""
        self.tab.mark(Mark.HIDDEN)

    def action_toggle_like(self) -> None:
        """Like / clear."""
        self.tab.mark(Mark.LIKED)

    def action_toggle_dislike(self) -> None:
        """Dislike / clear."""
        self.tab.mark(Mark.DISLIKED)

    def action_toggle_saved(self) -> None:
        """Save for later / unsave."""
        self.tab.mark(Mark.SAVED)

    def action_undo(self) -> None:
        """Undo the last mark."""
        self.tab.undo()

    def on_marked(self, message: Marked) -> None:
        """A tab wrote a mark and showed itself again: tell the other tabs, say what happened."""
        result = message.result
        if result is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        for tab in self.tabs.values():
            if tab is not message.tab:
                tab.marked(result)  # For you takes it into its recommender
        title = words.short_title(message.title)
        if message.undo:
            self.notify(f"Undid “{result.mark}” on {title}", timeout=3)
        else:
            self.notify(f"{words.MARK_WORDS.get(result.mark, result.mark)}: {title}  (u undoes)",
                        timeout=3)  # fmt: skip
        self._count_mark(result)
        self.query_one(DetailPane).marked(result)

    def _count_mark(self, result: MarkResult) -> None:
        """Move the channel list's unwatched counts by what the mark changed (a like moves
        none); only when the list can't tell is it read again, once the new feed is on
        screen: at 100,000 videos that is a second of work that would slow the re-ranking."""
        delta = result.unwatched_change
        if delta == 0:
            return
        channel, channels = result.channel_id, self.query_one(ChannelList)
        if delta is None or channel is None or not channels.adjust_unwatched(channel, delta):
            self._channels_stale = True

    # -- the highlighted video elsewhere ------------------------------------------------

    def action_open_video(self) -> None:
        """Open the highlighted video in the browser."""
        row = self.current_or_warn()
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
        row = self.current_or_warn()
        if row is not None:
            self.app.copy_to_clipboard(row.url)
            self.notify(f"Copied {row.url}", timeout=2)

    # -- For you's extras: smart feeds, why, the digest --------------------------------

    def action_smart_feed(self) -> None:
        """Pick a mood, minutes and topics; For you shows a list that fits."""

        def chosen(ask: SmartAsk) -> None:
            self.for_you.show_smart(ask)
            self.show_view(FOR_YOU, fresh=True)

        self.for_you.pick_smart_feed(chosen)

    def leave_smart_feed(self) -> bool:
        """Back from a smart feed to the whole For-you list (False: none is shown)."""
        if self.view != FOR_YOU or self.for_you.smart is None:
            return False
        self.for_you.show_smart(None)
        self.notify("Back to For you", timeout=2)
        self.show_view(FOR_YOU, fresh=True)
        return True

    def action_why(self) -> None:
        """Explain the highlighted video's For-you score."""
        row = self.current_or_warn()
        if row is not None:
            self.for_you.explain(row)

    @work(thread=True, exclusive=True, group="visit", exit_on_error=False)
    def record_visit(self) -> None:
        """Note this visit (not in the demo, whose videos never change) and keep the last one."""
        from momentum_tui.recommend.memory import last_visit, record_visit

        previous = last_visit(self.store) if self.demo else record_visit(self.store, int(self.now))
        self.post_message(VisitRecorded(previous))

    def on_visit_recorded(self, message: VisitRecorded) -> None:
        """The digest starts from the previous visit."""
        self.visit_since = message.previous

    def action_digest(self) -> None:
        """What arrived since the last visit, by topic; Enter jumps to a group's best pick."""
        self.for_you.open_digest(self.visit_since)

    def on_jump_ready(self, message: JumpReady) -> None:
        """Put the cursor on the digest's pick: in For you if it is there, else on Subscriptions."""
        if message.rowid is None:
            self.notify("That video is no longer in the cache.", severity="warning", timeout=4)
            return
        index = self.for_you.table.source.index_of(message.rowid)
        if self.view == FOR_YOU and index is not None:
            self.for_you.table.cursor = index
            return
        # Not in For you's list: show it among every upload, without channel or search.
        self.filters = self.filters.replace(
            search="", channel_id=None, channel_tag=None, saved_only=False
        )
        self.selection_label = ""
        self._jump_rowid = message.rowid
        for tab in self.tabs.values():
            tab.stale = True
        self.show_view(SUBSCRIPTIONS, fresh=True, keep_rowid=message.rowid)

    def check_jump(self, tab: FeedTab) -> None:
        """After a jump's load: say so when the filters hide the pick."""
        rowid, self._jump_rowid = self._jump_rowid, None
        if rowid is not None and tab.table.source.index_of(rowid) is None:
            self.notify(
                "That video is hidden by your filters; f changes them.",
                severity="warning",
                timeout=5,
            )

    # -- labels and rules ---------------------------------------------------------------

    def action_toggle_plain_titles(self) -> None:
        """Show the labels' plain titles, or the original ones (in every tab)."""
        plain = not self.table.plain_titles
        for tab in self.tabs.values():
            tab.table.plain_titles = plain
        self.notify(
            "Showing plain titles (where labels exist)" if plain else "Showing original titles",
            timeout=2,
        )

    def action_rules(self) -> None:
        """Open the rules screen; the feed loads again if a rule changed."""
        from momentum_tui.screens.rules import RulesScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.post_message(CacheChanged(spending=True))

        self.app.push_screen(RulesScreen(self.store, self.settings, demo=self.demo), closed)
