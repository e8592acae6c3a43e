"""Messages that workers post to the UI: small, documented, never holding a connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from momentum_tui.models import FeedRow
from momentum_tui.storage.feed import Totals, VideoDetail
from momentum_tui.storage.marks import MarkResult
from momentum_tui.tabs import SUBSCRIPTIONS
from momentum_tui.tabs.source import FeedSource

if TYPE_CHECKING:  # the recommender (NumPy) loads after the first paint
    from momentum_tui.recommend.session import Explanation, Listing
    from momentum_tui.tabs.tab import FeedTab


@dataclass
class FeedLoaded(Message):
    """A feed query finished: the new order, the first rows, and the figures for the status bar."""

    generation: int
    source: FeedSource
    cursor: int
    totals: Totals | None  # None: a first page shown ahead of the full, counted feed
    view: str = SUBSCRIPTIONS
    """The id of the tab that asked for it."""
    listing: Listing | None = None
    """For the For-you tab: how many candidates, smart-feed notes."""
    by_relevance: bool = False
    """A search's results, best match first (not in the sort order)."""


@dataclass
class RowsLoaded(Message):
    """Rows for some pages of a feed source arrived."""

    source: FeedSource
    pages: list[int]
    rows: list[FeedRow]


@dataclass
class DetailLoaded(Message):
    """The full record of the highlighted video arrived."""

    video_id: str
    detail: VideoDetail | None


@dataclass
class Marked(Message):
    """A tab wrote a mark (or undid one) and showed itself again; it bubbles up to the screen."""

    result: MarkResult | None
    """None: there was nothing to undo."""
    undo: bool = False
    title: str = ""
    tab: FeedTab | None = None
    """The tab whose key it was (the screen tells the other tabs)."""


@dataclass
class FeedReady(Message):
    """The first feed is on screen (the launch benchmark measures up to here)."""


@dataclass
class FeedSettled(Message):
    """The main screen's launch work is in: every tab and the channel list loaded."""


@dataclass
class Explained(Message):
    """The breakdown of one video's For-you score is ready (None: the ranker can't see it)."""

    row: FeedRow
    explanation: Explanation | None


@dataclass
class JumpReady(Message):
    """The rowid of a video to put the cursor on (from the digest)."""

    video_id: str
    rowid: int | None


@dataclass
class VisitRecorded(Message):
    """The app's visit was recorded; the digest starts from the previous one (None: first)."""

    previous: int | None


@dataclass
class CacheChanged(Message):
    """A screen changed the cache (a rule, a channel, labels): it bubbles up to the app,
    which bumps `cache_version` for every screen watching it."""

    sync_status: bool = False
    """Read the sync state again too (after a sync)."""
    spending: bool = False
    """Read Claude spending again too (labels, a rule read by Claude)."""
