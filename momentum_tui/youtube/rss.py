"""Free mode: each channel's public Atom feed says what it uploaded lately, at no quota cost.

A feed lists a channel's 15 newest uploads (`feed_root?channel_id=UC…`). Comparing them
with the cache tells which channels have anything new, so API calls are spent only on
those. Feeds do go down, answer 404 or 500 for a while, or come back as a consent page;
any failure here is reported per channel and the sync falls back to the API for it.
Feeds are parsed with defusedxml (no entity expansion, no external entities).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from momentum_tui.config import YouTubeSettings
from momentum_tui.youtube.errors import BadResponseError, FeedUnavailableError
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
        stats = entry.find(f"{_MEDIA}group/{_MEDIA}community/{_MEDIA}statistics")
        views = stats.get("views", "") if stats is not None else ""
        feed.entries.append(
            FeedEntry(
                video_id=video_id,
                published_at=timestamp(_text(entry.find(f"{_ATOM}published"))),
                title=_text(entry.find(f"{_ATOM}title")),
                shorts_link="/shorts/" in href,
                views=int(views) if views.isdigit() else None,
            )
        )
    return feed


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
            raise FeedUnavailableError("The channel feed did not answer in time.", "") from None
        except httpx.HTTPError as error:
            raise FeedUnavailableError(
                f"The channel feed could not be reached ({type(error).__name__}).", ""
            ) from None
        if response.status_code != 200:
            raise FeedUnavailableError(f"The channel feed answered {response.status_code}.", "")
        try:
            feed = parse_feed(response.content)
        except BadResponseError as error:
            raise FeedUnavailableError(error.title, "") from None
        if feed.channel_id and feed.channel_id != channel_id:
            raise FeedUnavailableError("The channel feed was for another channel.", "")
        return feed

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()
