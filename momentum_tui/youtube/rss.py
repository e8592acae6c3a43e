"""Free mode: each channel's public Atom feed says what it uploaded lately, at no quota cost.

A feed lists a channel's 15 newest uploads (`feed_root?channel_id=UC…`). Comparing them
with the cache tells which channels have anything new, so API calls are spent only on
those. Without an API key the feed is all there is: its entries become videos as they
are (`video_from_entry`: title, description, publish time, views, likes, thumbnail and
the `/shorts/` link; no length or live state). Feeds do go down, answer 404 or 500 for a
while, or come back as a consent page; any failure here is reported per channel, and
with a key the sync falls back to the API for it. Feeds are parsed with defusedxml (no
entity expansion, no external entities).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from momentum_tui.config import YouTubeSettings
from momentum_tui.records import Video
from momentum_tui.youtube.errors import (
    BadResponseError,
    FeedNotFoundError,
    FeedUnavailableError,
    FeedUnreachableError,
)
from momentum_tui.youtube.parse import timestamp

_ATOM = "{http://www.w3.org/2005/Atom}"
_YT = "{http://www.youtube.com/xml/schemas/2015}"
_MEDIA = "{http://search.yahoo.com/mrss/}"


@dataclass(frozen=True)
class FeedEntry:
    """One upload in a channel feed."""

    video_id: str
    published_at: int | None
    title: str
    shorts_link: bool
    """The feed links it as `/shorts/ID`: YouTube itself files it as a Short."""
    views: int | None
    description: str = ""
    thumbnail_url: str = ""
    likes: int | None = None
    """`media:starRating count`: how many rated it (likes, since dislikes became private)."""


@dataclass
class ChannelFeed:
    """A channel's feed: its title and newest uploads, newest first."""

    channel_id: str
    title: str
    entries: list[FeedEntry] = field(default_factory=list)


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse_feed(data: bytes) -> ChannelFeed:
    """Read an Atom channel feed; raise `BadResponseError` when it is not one."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise BadResponseError(f"A channel feed was not valid XML ({error}).", "") from None
    if root.tag != f"{_ATOM}feed":
        raise BadResponseError("A channel feed was not an Atom feed.", "")
    channel_id = _text(root.find(f"{_YT}channelId"))
    if channel_id and not channel_id.startswith("UC"):
        channel_id = "UC" + channel_id  # newer feeds drop the prefix at the top level
    feed = ChannelFeed(channel_id=channel_id, title=_text(root.find(f"{_ATOM}title")))
    for entry in root.findall(f"{_ATOM}entry"):
        video_id = _text(entry.find(f"{_YT}videoId"))
        if len(video_id) != 11:
            continue
        link = entry.find(f"{_ATOM}link")
        href = link.get("href", "") if link is not None else ""
        group = entry.find(f"{_MEDIA}group")
        community = group.find(f"{_MEDIA}community") if group is not None else None
        stats = community.find(f"{_MEDIA}statistics") if community is not None else None
        rating = community.find(f"{_MEDIA}starRating") if community is not None else None
        thumb = group.find(f"{_MEDIA}thumbnail") if group is not None else None
        views = stats.get("views", "") if stats is not None else ""
        likes = rating.get("count", "") if rating is not None else ""
        feed.entries.append(
            FeedEntry(
                video_id=video_id,
                published_at=timestamp(_text(entry.find(f"{_ATOM}published"))),
                title=_text(entry.find(f"{_ATOM}title")),
                shorts_link="/shorts/" in href,
                views=int(views) if views.isdigit() else None,
                description=_text(
                    group.find(f"{_MEDIA}description") if group is not None else None
                ),
                thumbnail_url=_https(thumb.get("url", "") if thumb is not None else ""),
                likes=int(likes) if likes.isdigit() else None,
            )
        )
    return feed


def _https(url: str) -> str:
    return url if url.startswith("https://") else ""


def video_from_entry(entry: FeedEntry, feed: ChannelFeed, now: int) -> Video | None:
    """A feed entry as a cached video: what the feed says, length and live state unknown.

    None when the entry has no readable publish time or is otherwise unusable. A Short is
    what the feed links as `/shorts/ID` (YouTube's own filing); its length comes later,
    when a sync with a key fills in the details.
    """
    if entry.published_at is None:
        return None
    try:
        return Video(
            id=entry.video_id,
            channel_id=feed.channel_id,
            channel_title=feed.title,
            title=entry.title,
            description=entry.description,
            published_at=entry.published_at,
            is_short=entry.shorts_link,
            view_count=entry.views,
            like_count=entry.likes,
            stats_at=now if entry.views is not None else None,
            thumbnail_url=entry.thumbnail_url,
        )
    except ValueError:  # pydantic's ValidationError: an id or channel that isn't one
        return None


class FeedReader:
    """Fetches channel feeds (one shared, thread-safe httpx client with a bounded pool)."""

    def __init__(self, settings: YouTubeSettings, cancel: threading.Event | None = None) -> None:
        self.settings = settings
        self.cancel = cancel or threading.Event()
        self.requests = 0
        self._lock = threading.Lock()
        limits = httpx.Limits(max_connections=max(settings.concurrency, 1) * 2)
        self._http = httpx.Client(
            timeout=settings.timeout,
            limits=limits,
            follow_redirects=False,  # a redirect is a consent or sign-in page, not a feed
            headers={"User-Agent": "momentum-tui (+https://github.com/momentum-tui)"},
        )

    def fetch(self, channel_id: str) -> ChannelFeed:
        """The feed of `channel_id`; raise `FeedUnavailableError` when it is unreadable."""
        with self._lock:
            self.requests += 1
        try:
            response = self._http.get(self.settings.feed_root, params={"channel_id": channel_id})
        except httpx.TimeoutException:
            raise FeedUnreachableError(
                "The channel feed did not answer in time.",
                "Check your connection; the next sync tries again.",
            ) from None
        except httpx.TransportError as error:
            raise FeedUnreachableError(
                f"The channel feed could not be reached ({type(error).__name__}).",
                "Check your connection; the next sync tries again.",
            ) from None
        except httpx.HTTPError as error:
            raise FeedUnavailableError(
                f"The channel feed could not be read ({type(error).__name__}).", ""
            ) from None
        if response.status_code == 404:
            raise FeedNotFoundError("YouTube has no feed for this channel (404).", "")
        if response.status_code != 200:
            raise FeedUnavailableError(f"The channel feed answered {response.status_code}.", "")
        try:
            feed = parse_feed(response.content)
        except BadResponseError as error:
            raise FeedUnavailableError(error.title, "") from None
        if feed.channel_id and feed.channel_id != channel_id:
            raise FeedUnavailableError("The channel feed was for another channel.", "")
        feed.channel_id = channel_id
        return feed

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()
