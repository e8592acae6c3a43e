"""What the YouTube emulator puts on the wire: Data API v3 JSON, error bodies, Atom feeds.

Shapes follow the real API (see the captured responses in `tests/fixtures/ytapi_*.json`
and the feed in `tests/fixtures/yt_atom_feed_*.xml`): `kind`, `etag`, `pageInfo`,
`nextPageToken`, only the requested `part`s, counts as strings, `items` left out when a
`channels.list` lookup finds nothing.
"""

from __future__ import annotations

import base64
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tests.emulators.youtube_data import (
    EmuChannel,
    EmuVideo,
    atom_time,
    etag,
    iso_duration,
    rfc3339,
)

QUOTA_MESSAGE = (
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/'
    'getting-started#quota">quota</a>.'
)


def error_body(code: int, reason: str, message: str, domain: str = "global",
               status: str | None = None, **extra: str) -> dict[str, Any]:  # fmt: skip
    """A Google API error body: `{"error": {"code", "message", "errors": [...], "status"}}`."""
    detail: dict[str, str] = {"message": message, "domain": domain, "reason": reason, **extra}
    body: dict[str, Any] = {"code": code, "message": message, "errors": [detail]}
    if status:
        body["status"] = status
    return {"error": body}


ERRORS: dict[str, tuple[int, dict[str, Any]]] = {
    "quota": (403, error_body(403, "quotaExceeded", QUOTA_MESSAGE, "youtube.quota")),
    "rate_limit": (403, error_body(403, "rateLimitExceeded", "Rate Limit Exceeded",
                                   "usageLimits")),
    "user_rate_limit": (403, error_body(403, "userRateLimitExceeded",
                                        "User Rate Limit Exceeded", "usageLimits")),
    "rate_limit_429": (429, error_body(429, "rateLimitExceeded", "Resource has been exhausted "
                                       "(e.g. check quota).", "usageLimits",
                                       "RESOURCE_EXHAUSTED")),
    # The older keyInvalid body, byte-compatible with tests/fixtures/ytapi_error_*.json.
    "key_invalid": (400, {"error": {"errors": [{"domain": "usageLimits", "reason": "keyInvalid",
                                                "message": "Bad Request"}],
                                    "code": 400, "message": "Bad Request"}}),
    "key_invalid_new": (400, error_body(400, "badRequest",
                                        "API key not valid. Please pass a valid API key.",
                                        status="INVALID_ARGUMENT")),
    "forbidden": (403, error_body(403, "forbidden", "The request is missing a valid API key.",
                                  status="PERMISSION_DENIED")),
    "key_blocked": (403, error_body(403, "forbidden", "Requests from this client application "
                                    "<empty> are blocked.", status="PERMISSION_DENIED")),
    "backend_500": (500, error_body(500, "backendError", "Backend Error", status="INTERNAL")),
    "backend_503": (503, error_body(503, "backendError", "The service is currently unavailable.",
                                    status="UNAVAILABLE")),
    "playlist_not_found": (404, error_body(
        404, "playlistNotFound", "The playlist identified with the request's <code>playlistId"
        "</code> parameter cannot be found.", "youtube.playlistItem", location="playlistId",
        locationType="parameter")),
    "incompatible_parameters": (400, error_body(
        400, "incompatibleParameters", "The request specifies incompatible filter parameters.",
        "youtube.parameter", status="INVALID_ARGUMENT")),
    "login_required": (401, error_body(401, "required", "Login Required.", location="Authorization",
                                       locationType="header", status="UNAUTHENTICATED")),
}  # fmt: skip


def invalid_page_token() -> tuple[int, dict[str, Any]]:
    """YouTube's 400 for a page token it did not issue."""
    return 400, error_body(
        400, "invalidPageToken", "The request specifies an invalid page token.",
        "youtube.parameter", status="INVALID_ARGUMENT", location="pageToken",
        locationType="parameter",
    )  # fmt: skip


def invalid_parameter(name: str, message: str) -> tuple[int, dict[str, Any]]:
    """A 400 for a bad query parameter."""
    return 400, error_body(
        400, "invalidParameter", message, "youtube.parameter",
        status="INVALID_ARGUMENT", location=name, locationType="parameter",
    )  # fmt: skip


def thumbnails(video_id: str) -> dict[str, Any]:
    """The thumbnail set of a video."""
    sizes = (("default", "default", 120, 90), ("medium", "mqdefault", 320, 180),
             ("high", "hqdefault", 480, 360), ("standard", "sddefault", 640, 480),
             ("maxres", "maxresdefault", 1280, 720))  # fmt: skip
    return {
        name: {"url": f"https://i.ytimg.com/vi/{video_id}/{file}.jpg", "width": w, "height": h}
        for name, file, w, h in sizes
    }


def channel_thumbnails(channel_id: str) -> dict[str, Any]:
    """The avatar set of a channel."""
    base = f"https://yt3.ggpht.com/ytc/{channel_id[2:14]}"
    return {
        "default": {"url": f"{base}=s88-c-k-c0x00ffffff-no-rj", "width": 88, "height": 88},
        "medium": {"url": f"{base}=s240-c-k-c0x00ffffff-no-rj", "width": 240, "height": 240},
        "high": {"url": f"{base}=s800-c-k-c0x00ffffff-no-rj", "width": 800, "height": 800},
    }


def channel_resource(channel: EmuChannel, parts: set[str], video_count: int) -> dict[str, Any]:
    """A `youtube#channel` with the requested parts."""
    item: dict[str, Any] = {
        "kind": "youtube#channel",
        "etag": etag(channel.id, channel.title, video_count),
        "id": channel.id,
    }
    if "snippet" in parts:
        item["snippet"] = {
            "title": channel.title,
            "description": channel.description,
            "customUrl": channel.handle.casefold(),
            "publishedAt": rfc3339(channel.published_at),
            "thumbnails": channel_thumbnails(channel.id),
            "localized": {"title": channel.title, "description": channel.description},
        }
    if "contentDetails" in parts:
        item["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": channel.uploads_playlist}
        }
    if "statistics" in parts:
        item["statistics"] = {
            "viewCount": str(channel.subscribers * 37),
            "subscriberCount": str(channel.subscribers),
            "hiddenSubscriberCount": False,
            "videoCount": str(video_count),
        }
    return item


def playlist_item(channel: EmuChannel, video: EmuVideo, position: int,
                  parts: set[str]) -> dict[str, Any]:  # fmt: skip
    """A `youtube#playlistItem` of an uploads playlist (private videos are masked)."""
    playlist = channel.uploads_playlist
    item_id = base64.b64encode(f"{playlist}.{video.id}".encode()).decode("ascii").rstrip("=")
    item: dict[str, Any] = {
        "kind": "youtube#playlistItem",
        "etag": etag(item_id, video.title, video.privacy),
        "id": item_id,
    }
    private = video.privacy == "private"
    if "snippet" in parts:
        snippet: dict[str, Any] = {
            "publishedAt": rfc3339(video.published_at),
            "channelId": channel.id,
            "title": "Private video" if private else video.title,
            "description": "This video is private." if private else video.description,
            "thumbnails": {} if private else thumbnails(video.id),
            "channelTitle": channel.title,
            "playlistId": playlist,
            "position": position,
            "resourceId": {"kind": "youtube#video", "videoId": video.id},
        }
        if not private:
            snippet["videoOwnerChannelTitle"] = channel.title
            snippet["videoOwnerChannelId"] = channel.id
        item["snippet"] = snippet
    if "contentDetails" in parts:
        details: dict[str, Any] = {"videoId": video.id}
        if not private:
            details["videoPublishedAt"] = rfc3339(video.published_at)
        item["contentDetails"] = details
    if "status" in parts:
        item["status"] = {"privacyStatus": video.privacy}
    return item


def video_resource(video: EmuVideo, channel: EmuChannel, parts: set[str]) -> dict[str, Any]:
    """A `youtube#video` with the requested parts (live details only for streams)."""
    item: dict[str, Any] = {
        "kind": "youtube#video",
        "etag": etag(video.id, video.views, video.live_state, video.title),
        "id": video.id,
    }
    broadcast = video.live_state if video.live_state in ("live", "upcoming") else "none"
    scheduled = video.published_at + 86400 if video.live_state == "upcoming" else video.published_at
    if "snippet" in parts:
        snippet: dict[str, Any] = {
            "publishedAt": rfc3339(video.published_at),
            "channelId": video.channel_id,
            "title": video.title,
            "description": video.description,
            "thumbnails": thumbnails(video.id),
            "channelTitle": channel.title,
            "categoryId": str(video.category_id),
            "liveBroadcastContent": broadcast,
            "localized": {"title": video.title, "description": video.description},
        }
        if video.tags:
            snippet["tags"] = video.tags
        item["snippet"] = snippet
    if "contentDetails" in parts:
        details: dict[str, Any] = {
            "dimension": "2d", "definition": "hd", "caption": "false",
            "licensedContent": True, "contentRating": {}, "projection": "rectangular",
        }  # fmt: skip
        if video.live_state == "live":
            details = {"duration": "P0D", **details}
        elif video.live_state != "upcoming" and video.duration_s is not None:
            details = {"duration": iso_duration(video.duration_s), **details}
        item["contentDetails"] = details
    if "status" in parts:
        item["status"] = {
            "uploadStatus": "uploaded" if video.live_state == "upcoming" else "processed",
            "privacyStatus": video.privacy, "license": "youtube", "embeddable": True,
            "publicStatsViewable": True, "madeForKids": False,
        }  # fmt: skip
    if "statistics" in parts:
        upcoming = video.live_state == "upcoming"
        stats = {"viewCount": "0" if upcoming else str(video.views)}
        # A hidden like count and disabled comments are absent, not zero, as on YouTube.
        if not video.likes_hidden:
            stats["likeCount"] = "0" if upcoming else str(video.likes)
        stats["favoriteCount"] = "0"
        if not video.comments_disabled:
            stats["commentCount"] = "0" if upcoming else str(video.comments)
        item["statistics"] = stats
    if "liveStreamingDetails" in parts and video.live_state != "none":
        live: dict[str, Any] = {"scheduledStartTime": rfc3339(scheduled)}
        if video.live_state in ("live", "was_live"):
            live["actualStartTime"] = rfc3339(video.published_at + 30)
        if video.live_state == "was_live":
            live["actualEndTime"] = rfc3339(video.published_at + 30 + (video.duration_s or 0))
        if video.live_state == "live":
            live["concurrentViewers"] = str(max(1, video.views // 50))
        if video.live_state in ("live", "upcoming"):
            live["activeLiveChatId"] = "Cg0KC" + video.id
        item["liveStreamingDetails"] = live
    return item


def subscription_resource(channel: EmuChannel, subscriber: str, at: int) -> dict[str, Any]:
    """A `youtube#subscription` of the signed-in account."""
    sub_id = base64.urlsafe_b64encode(f"{subscriber}{channel.id}".encode()).decode()[:43]
    return {
        "kind": "youtube#subscription",
        "etag": etag(sub_id),
        "id": sub_id,
        "snippet": {
            "publishedAt": rfc3339(at),
            "title": channel.title,
            "description": channel.description,
            "resourceId": {"kind": "youtube#channel", "channelId": channel.id},
            "channelId": subscriber,
            "thumbnails": {k: {"url": v["url"]} for k, v in channel_thumbnails(channel.id).items()},
        },
    }


def list_response(kind: str, items: list[dict[str, Any]] | None, total: int,
                  per_page: int, next_token: str | None = None,
                  prev_token: str | None = None) -> dict[str, Any]:  # fmt: skip
    """A `youtube#…ListResponse` envelope (`items` omitted when None, as channels.list does)."""
    body: dict[str, Any] = {"kind": kind, "etag": etag(kind, total, next_token, len(items or []))}
    if next_token:
        body["nextPageToken"] = next_token
    if prev_token:
        body["prevPageToken"] = prev_token
    body["pageInfo"] = {"totalResults": total, "resultsPerPage": per_page}
    if items is not None:
        body["items"] = items
    return body


def channel_page(channel: EmuChannel) -> str:
    """A channel's public page, trimmed to what matters, in the shape youtube.com serves.

    The id appears where the real page has it: the canonical link, `og:url`, the
    `identifier` microdata and the embedded `ytInitialData` (`externalId`).
    """
    # The page names youtube.com itself (data, wherever it was served from).
    url = f"https://www.youtube.com/channel/{channel.id}"
    title, about = quoteattr(channel.title), quoteattr(channel.description)
    avatar = channel_thumbnails(channel.id)["high"]["url"]
    data = (
        '{"metadata":{"channelMetadataRenderer":{"title":' + _json_text(channel.title)
        + ',"externalId":"' + channel.id + '","vanityChannelUrl":"http://www.youtube.com/'
        + channel.handle + '","isFamilySafe":true}},"header":{"pageHeaderRenderer":{}}}'
    )  # fmt: skip
    return (
        '<!DOCTYPE html><html style="font-size: 10px;font-family: Roboto, Arial, sans-serif;" '
        'lang="en" darker-dark-theme darker-dark-theme-deprecate system-icons typography '
        'typography-spacing><head><meta http-equiv="origin-trial" content="AmhMBR6zCLzDDxpW">'
        '<script data-id="_gd" nonce="Zr6Kx">window.WIZ_global_data = {"MUE6Ne":"youtube_web"};'
        '</script><meta http-equiv="X-UA-Compatible" content="IE=edge">'
        f"<title>{escape(channel.title)} - YouTube</title>"
        f'<meta name="description" content={about}>'
        f'<link rel="canonical" href="{url}">'
        '<meta property="og:site_name" content="YouTube">'
        f'<meta property="og:url" content="{url}">'
        f'<meta property="og:title" content={title}>'
        f'<meta property="og:image" content="{avatar}">'
        f'<meta property="og:description" content={about}>'
        f'<meta property="al:ios:url" content="vnd.youtube://www.youtube.com/channel/{channel.id}">'
        '<meta property="og:type" content="profile">'
        f'<link rel="alternate" type="application/rss+xml" title="RSS" '
        f'href="https://www.youtube.com/feeds/videos.xml?channel_id={channel.id}">'
        f'<meta itemprop="name" content={title}>'
        f'<meta itemprop="identifier" content="{channel.id}">'
        '<meta itemprop="paid" content="False">'
        '</head><body dir="ltr"><div id="watch7-content" class="watch-main-col">'
        f'<link itemprop="url" href="http://www.youtube.com/{channel.handle}"></div>'
        f'<script nonce="Zr6Kx">var ytInitialData = {data};</script></body></html>'
    )


def _json_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def atom_feed(channel: EmuChannel, videos: list[EmuVideo], feed_base: str) -> str:
    """The channel's Atom feed, in the shape of `tests/fixtures/yt_atom_feed_*.xml`."""
    channel_url = f"https://www.youtube.com/channel/{channel.id}"
    title = escape(channel.title)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
        'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">\n',
        f' <link rel="self" href="{feed_base}?channel_id={channel.id}"/>\n',
        f" <id>yt:channel:{channel.id}</id>\n",
        f" <yt:channelId>{channel.id}</yt:channelId>\n",
        f" <title>{title}</title>\n",
        f' <link rel="alternate" href="{channel_url}"/>\n',
        f" <author>\n  <name>{title}</name>\n  <uri>{channel_url}</uri>\n </author>\n",
        f" <published>{atom_time(channel.published_at)}</published>\n",
    ]
    for video in videos:
        link = (f"https://www.youtube.com/shorts/{video.id}" if video.is_short
                else f"https://www.youtube.com/watch?v={video.id}")  # fmt: skip
        video_title = escape(video.title)
        out.append(
            f" <entry>\n  <id>yt:video:{video.id}</id>\n"
            f"  <yt:videoId>{video.id}</yt:videoId>\n"
            f"  <yt:channelId>{channel.id}</yt:channelId>\n"
            f"  <title>{video_title}</title>\n"
            f'  <link rel="alternate" href="{link}"/>\n'
            f"  <author>\n   <name>{title}</name>\n   <uri>{channel_url}</uri>\n  </author>\n"
            f"  <published>{atom_time(video.published_at)}</published>\n"
            f"  <updated>{atom_time(video.published_at + 3600)}</updated>\n"
            "  <media:group>\n"
            f"   <media:title>{video_title}</media:title>\n"
            f"   <media:content url={quoteattr(f'https://www.youtube.com/v/{video.id}?version=3')}"
            ' type="application/x-shockwave-flash" width="640" height="390"/>\n'
            f'   <media:thumbnail url="https://i2.ytimg.com/vi/{video.id}/hqdefault.jpg"'
            ' width="480" height="360"/>\n'
            f"   <media:description>{escape(video.description)}</media:description>\n"
            "   <media:community>\n"
            f'    <media:starRating count="{video.likes}" average="5.00" min="1" max="5"/>\n'
            f'    <media:statistics views="{video.views}"/>\n'
            "   </media:community>\n  </media:group>\n </entry>\n"
        )
    out.append("</feed>")
    return "".join(out)
