"""Naming a channel without a key: its public page says which `UC…` id an @handle stands for.

`channels add @handle` (or a `/user/NAME` URL) with no API key reads the channel's page
under `youtube.page_root` and takes the id from the page's canonical link
(`<link rel="canonical" href="…/channel/UC…">`), its `og:url`, or the `identifier`
meta tag, and the title from `og:title` — no quota. Only the `<head>` is read. A
redirect away from YouTube (the cookie-consent page some countries get) or a page with
no channel id is one sentence that says what to use instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote

import httpx

from momentum_tui import sanitize
from momentum_tui.config import YouTubeSettings
from momentum_tui.youtube.errors import (
    ChannelNotFoundError,
    FeedUnreachableError,
    YouTubeError,
)

_CHANNEL_IN_URL = re.compile(r"/channel/(UC[0-9A-Za-z_-]{22})(?![0-9A-Za-z_-])")
_CHANNEL_ID = re.compile(r"^UC[0-9A-Za-z_-]{22}$")
_EXTERNAL_ID = re.compile(r'"(?:externalId|channelId)"\s*:\s*"(UC[0-9A-Za-z_-]{22})"')
_ID_HINT = (
    "Open the channel in a browser and copy its /channel/UC… URL instead "
    "(About → Share channel → Copy channel ID)."
)
MAX_REDIRECTS = 5
MAX_PAGE_BYTES = 4 * 1024 * 1024
"""Channel pages are about 1 MB; anything far larger is not one."""


@dataclass(frozen=True)
class ChannelPage:
    """What a channel's public page says about it."""

    channel_id: str
    title: str


class _HeadReader(HTMLParser):
    """Collects the canonical link and the meta tags that name a channel."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and values.get("rel") == "canonical":
            self.found.setdefault("canonical", values.get("href", ""))
        elif tag == "meta":
            key = values.get("property") or values.get("itemprop") or ""
            if key in ("og:url", "og:title", "identifier", "channelId"):
                self.found.setdefault(key, values.get("content", ""))


def parse_channel_page(html: str) -> ChannelPage | None:
    """The channel a YouTube channel page is for, or None when it names none."""
    head, _, rest = html.partition("</head>")
    reader = _HeadReader()
    reader.feed(head)
    found = reader.found
    channel_id = ""
    for key in ("canonical", "og:url"):
        match = _CHANNEL_IN_URL.search(found.get(key, ""))
        if match:
            channel_id = match.group(1)
            break
    if not channel_id:
        for key in ("identifier", "channelId"):
            if _CHANNEL_ID.match(found.get(key, "")):
                channel_id = found[key]
                break
    if not channel_id:
        match = _EXTERNAL_ID.search(rest)  # the page's embedded data, as a last resort
        if match is None:
            return None
        channel_id = match.group(1)
    title = sanitize.clean_line(found.get("og:title", ""), max_len=sanitize.NAME_MAX)
    return ChannelPage(channel_id, title)


def page_path(kind: str, value: str) -> str:
    """The path of a channel page: `/@handle` or `/user/NAME`."""
    if kind == "handle":
        return "/@" + quote(value.lstrip("@"), safe="")
    return "/user/" + quote(value, safe="")


def read_channel_page(settings: YouTubeSettings, kind: str, value: str) -> ChannelPage:
    """Resolve an @handle (`kind` "handle") or legacy user name ("username") from its page."""
    root = settings.page_root.rstrip("/")
    named = value if kind == "handle" else f"/user/{value}"
    try:
        with httpx.Client(
            timeout=settings.timeout,
            # Redirects are followed by hand: one that leaves YouTube (the consent page)
            # is not followed at all.
            follow_redirects=False,
            # The consent choice YouTube remembers ("reject all"), so the page itself comes.
            cookies={"SOCS": "CAI"},
            headers={"User-Agent": "Mozilla/5.0 (compatible; momentum-tui)"},
        ) as http:
            response = http.get(root + page_path(kind, value))
            for _ in range(MAX_REDIRECTS):
                if not response.is_redirect:
                    break
                target = response.url.join(response.headers.get("location", ""))
                if target.host != response.url.host:
                    raise YouTubeError(
                        f"YouTube answered with its cookie-consent page instead of {named}'s "
                        "channel page.",
                        _ID_HINT,
                    )
                response = http.get(target)
    except httpx.TransportError as error:
        raise FeedUnreachableError(
            f"YouTube could not be reached to look up {named} ({type(error).__name__}).",
            "Check your connection and try again.",
        ) from None
    except httpx.HTTPError as error:
        raise YouTubeError(
            f"YouTube's page for {named} could not be read ({type(error).__name__}).", _ID_HINT
        ) from None
    if response.status_code == 404:
        raise ChannelNotFoundError(
            f"YouTube has no channel {named}.", "Check the spelling, or copy the URL again."
        )
    if response.status_code != 200:
        raise YouTubeError(
            f"YouTube answered {response.status_code} for {named}'s channel page.", _ID_HINT
        )
    page = parse_channel_page(response.content[:MAX_PAGE_BYTES].decode("utf-8", "replace"))
    if page is None:
        raise YouTubeError(f"YouTube's page for {named} does not name a channel id.", _ID_HINT)
    return page
