"""Turn Data API v3 JSON into Momentum's models, trusting nothing about its shape.

An envelope that is not an object with a list of `items` is a broken response
(`BadResponseError`, retried). A single item that lacks what Momentum needs is skipped and
counted, never a crash: one odd video must not stop a sync of 500 channels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import isodate
from pydantic import ValidationError

from momentum_tui.models import LiveState, VideoStatus, looks_like_short
from momentum_tui.records import Channel, Video
from momentum_tui.youtube.errors import BadResponseError

BATCH = 50
"""Most ids one `channels.list` / `videos.list` call takes, and most items per page."""


def items_of(body: object, kind: str) -> list[dict[str, Any]]:
    """The object items of a list response; raise `BadResponseError` for a broken envelope."""
    if not isinstance(body, dict):
        raise BadResponseError(
            f"YouTube sent something that is not JSON in answer to {kind}.",
            "This is usually a passing network problem; the next sync retries.",
        )
    items = body.get("items", [])  # channels.list leaves `items` out when nothing matched
    if not isinstance(items, list):
        raise BadResponseError(
            f"YouTube's answer to {kind} had an unexpected shape.",
            "This is usually a passing problem; the next sync retries.",
        )
    return [item for item in items if isinstance(item, dict)]


def next_page(body: dict[str, Any]) -> str | None:
    """The `nextPageToken`, when it is a non-empty string."""
    token = body.get("nextPageToken")
    return token if isinstance(token, str) and token else None


def timestamp(value: object) -> int | None:
    """RFC 3339 (`2020-08-11T19:20:14Z`, `…14.000Z`) to Unix seconds; None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def duration_seconds(value: object) -> int | None:
    """ISO-8601 duration (`PT1H2M3S`, `P0D`) to seconds with `isodate`; None when unknown."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError, TypeError):
        return None
    seconds = int(parsed.total_seconds())
    return seconds if seconds >= 0 else None


def _count(value: object) -> int | None:
    """API counts are decimal strings; hidden ones are absent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def thumbnail(thumbnails: object, prefer: tuple[str, ...] = ("medium", "high", "default")) -> str:
    """The URL of the preferred thumbnail size that exists."""
    sizes = _dict(thumbnails)
    for name in prefer:
        url = _dict(sizes.get(name)).get("url")
        if isinstance(url, str) and url.startswith("https://"):
            return url
    return ""


def channel_from_item(item: dict[str, Any]) -> Channel | None:
    """A `youtube#channel` as a `Channel` (uploads playlist, title, handle, avatar)."""
    snippet = _dict(item.get("snippet"))
    playlists = _dict(_dict(item.get("contentDetails")).get("relatedPlaylists"))
    handle = _str(snippet.get("customUrl"))
    try:
        return Channel(
            id=_str(item.get("id")),
            title=_str(snippet.get("title")),
            handle=handle if handle.startswith("@") else "",
            thumbnail_url=thumbnail(snippet.get("thumbnails"), ("default", "medium", "high")),
            uploads_playlist=_str(playlists.get("uploads")),
        )
    except ValidationError:
        return None


@dataclass(frozen=True)
class PlaylistEntry:
    """One item of an uploads playlist."""

    video_id: str
    published_at: int | None
    private: bool


@dataclass
class PlaylistPage:
    """One page of an uploads playlist, newest first."""

    entries: list[PlaylistEntry] = field(default_factory=list)
    next_token: str | None = None
    skipped: int = 0


def playlist_page(body: object) -> PlaylistPage:
    """Read a `playlistItems.list` answer."""
    page = PlaylistPage()
    for item in items_of(body, "playlistItems.list"):
        snippet = _dict(item.get("snippet"))
        details = _dict(item.get("contentDetails"))
        video_id = _str(details.get("videoId")) or _str(
            _dict(snippet.get("resourceId")).get("videoId")
        )
        if len(video_id) != 11:
            page.skipped += 1
            continue
        published = timestamp(details.get("videoPublishedAt"))
        # Private (and deleted) uploads are listed with a placeholder title and no publish time.
        private = published is None and _str(snippet.get("title")) in (
            "Private video",
            "Deleted video",
        )
        page.entries.append(PlaylistEntry(video_id, published, private))
    assert isinstance(body, dict)  # items_of raised otherwise
    page.next_token = next_page(body)
    return page


def live_state(item: dict[str, Any]) -> LiveState:
    """live / upcoming from `liveBroadcastContent`; a finished stream has `actualEndTime`."""
    broadcast = _str(_dict(item.get("snippet")).get("liveBroadcastContent"))
    if broadcast == "live":
        return LiveState.LIVE
    if broadcast == "upcoming":
        return LiveState.UPCOMING
    if "actualEndTime" in _dict(item.get("liveStreamingDetails")):
        return LiveState.WAS_LIVE
    return LiveState.NONE


def video_from_item(item: dict[str, Any], now: int, *, short_hint: bool = False) -> Video | None:
    """A `youtube#video` as a `Video`; None when it lacks an id, a channel or a publish time.

    Shorts: at most 180 s *and* (at most 60 s, or `#shorts` in the title or description,
    or `short_hint` — the channel feed linked it as `/shorts/ID`). Streams are never Shorts.
    """
    snippet = _dict(item.get("snippet"))
    details = _dict(item.get("contentDetails"))
    live = _dict(item.get("liveStreamingDetails"))
    stats = _dict(item.get("statistics"))
    published = timestamp(snippet.get("publishedAt"))
    channel_id = _str(snippet.get("channelId"))
    if published is None or not channel_id:
        return None
    state = live_state(item)
    duration = duration_seconds(details.get("duration"))
    if state in (LiveState.LIVE, LiveState.UPCOMING):
        duration = None  # `P0D` while live, absent while scheduled: not a length yet
    title = _str(snippet.get("title"))
    description = _str(snippet.get("description"))
    short = state == LiveState.NONE and (
        looks_like_short(duration, title, description)
        or (short_hint and duration is not None and 0 < duration <= 180)
    )
    category = _str(snippet.get("categoryId"))
    tags = snippet.get("tags")
    privacy = _str(_dict(item.get("status")).get("privacyStatus"))
    try:
        return Video(
            id=_str(item.get("id")),
            channel_id=channel_id,
            channel_title=_str(snippet.get("channelTitle")),
            title=title,
            description=description,
            published_at=published,
            duration_s=duration,
            is_short=short,
            live_state=state,
            scheduled_at=timestamp(live.get("scheduledStartTime")),
            category_id=int(category) if category.isdigit() else None,
            tags=tags if isinstance(tags, list) else [],
            view_count=_count(stats.get("viewCount")),
            like_count=_count(stats.get("likeCount")),
            comment_count=_count(stats.get("commentCount")),
            stats_at=now if stats else None,
            thumbnail_url=thumbnail(snippet.get("thumbnails")),
            status=VideoStatus.PRIVATE if privacy == "private" else VideoStatus.OK,
        )
    except ValidationError:
        return None


def subscription_channel(item: dict[str, Any]) -> Channel | None:
    """The channel a `youtube#subscription` points at."""
    snippet = _dict(item.get("snippet"))
    channel_id = _str(_dict(snippet.get("resourceId")).get("channelId"))
    try:
        return Channel(
            id=channel_id,
            title=_str(snippet.get("title")),
            thumbnail_url=thumbnail(snippet.get("thumbnails"), ("default", "medium", "high")),
        )
    except ValidationError:
        return None
