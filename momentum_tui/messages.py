"""Messages that workers post to the UI: small, documented, never holding a connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from momentum_tui.models import FeedRow
from momentum_tui.storage.feed import ChannelSummary, Totals, VideoDetail
from momentum_tui.storage.marks import MarkResult
from momentum_tui.widgets.feed_source import SUBSCRIPTIONS, FeedSource

if TYPE_CHECKING:  # the recommender (NumPy) loads after the first paint
    from momentum_tui.recommend.session import Explanation, Listing


@dataclass
class FeedLoaded(Message):
    """A feed query finished: the new order, the first rows, and the figures for the status bar."""

    generation: int
    source: FeedSource
    cursor: int
    totals: Totals | None  # None: a first page shown ahead of the full, counted feed
    offline: bool = False
    view: str = SUBSCRIPTIONS
    listing: Listing | None = None
    """For the For-you tab: how many candidates, smart-feed notes."""


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
class ChannelsLoaded(Message):
    """Channel list entries with their unwatched counts."""

    channels: list[ChannelSummary]
    tags: list[tuple[str, int]]
    unwatched: int


@dataclass
class Marked(Message):
    """A mark (or undo) was written to the cache."""

    result: MarkResult | None
    undo: bool = False
    title: str = ""


@dataclass
class FeedReady(Message):
    """The first feed is on screen (the launch benchmark measures up to here)."""


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
