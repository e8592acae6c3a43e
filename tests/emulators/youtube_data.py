"""The YouTube emulator's world: channels and their uploads, built from the real corpus.

Titles, descriptions, tags, categories, view counts and publish times come from the
packaged trending dataset (real, CC0), grouped by channel. Durations and live state are
synthesized deterministically with `momentum_tui.demo.synth`, exactly as the demo does.
Channels can be given more uploads than the dataset has (benchmarks): the extra ones
borrow other records' text under fresh, valid, deterministic ids.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from momentum_tui.demo import synth
from momentum_tui.demo.corpus import load_records, parse_time
from momentum_tui.models import LiveState

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def mixed_id(seed: str, length: int) -> str:
    """A deterministic id of `length` characters from YouTube's id alphabet."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    while len(digest) < length:
        digest += hashlib.sha256(digest).digest()
    return "".join(ID_ALPHABET[b % 64] for b in digest[:length])


def rfc3339(timestamp: int) -> str:
    """Unix seconds as the API writes them: `2020-08-11T19:20:14Z`."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_time(timestamp: int) -> str:
    """Unix seconds as the channel feeds write them: `2021-12-19T14:00:11+00:00`."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def iso_duration(seconds: int) -> str:
    """Seconds as the API's ISO-8601 duration: `PT1H2M3S`, `PT4M`, `PT45S`, `P0D`."""
    if seconds <= 0:
        return "P0D"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs:
        out += f"{secs}S"
    return out


def etag(*parts: object) -> str:
    """A stable etag for a resource (the API's are opaque base64-ish strings)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:27]


def page_token(offset: int) -> str:
    """A page token shaped like the API's (a base64 protobuf of the offset: 10 → `CAoQAA`)."""
    varint = bytearray()
    value = offset
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            varint.append(byte | 0x80)
        else:
            varint.append(byte)
            break
    raw = b"\x08" + bytes(varint) + b"\x10\x00"
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def page_offset(token: str) -> int | None:
    """The offset inside a token made by `page_token`, or None when it is not one."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except ValueError:
        return None
    if len(raw) < 4 or raw[0] != 0x08 or raw[-2:] != b"\x10\x00":
        return None
    value, shift = 0, 0
    for byte in raw[1:-2]:
        value |= (byte & 0x7F) << shift
        shift += 7
    return value


@dataclass
class EmuVideo:
    """One upload in the emulator."""

    id: str
    channel_id: str
    title: str
    description: str
    tags: list[str]
    category_id: int
    published_at: int
    duration_s: int | None
    live_state: str
    is_short: bool
    views: int
    likes: int
    comments: int
    privacy: str = "public"
    deleted: bool = False
    likes_hidden: bool = False
    """The uploader hid the like count: `statistics.likeCount` is absent."""
    comments_disabled: bool = False
    """Comments are off: `statistics.commentCount` is absent."""

    @property
    def visible(self) -> bool:
        """Returned by `videos.list` to an API key (not deleted, not private)."""
        return not self.deleted and self.privacy != "private"


@dataclass
class EmuChannel:
    """One channel in the emulator; `uploads` is newest first."""

    id: str
    title: str
    handle: str
    description: str
    published_at: int
    uploads: list[str] = field(default_factory=list)
    has_uploads_playlist: bool = True
    subscribers: int = 0
    username: str = ""
    """The legacy YouTube user name (`/user/NAME`, `forUsername`), when the channel has one."""

    @property
    def uploads_playlist(self) -> str:
        """The uploads playlist id: the channel id with `UC` turned into `UU`."""
        return "UU" + self.id[2:]


def handle_for(title: str, taken: set[str]) -> str:
    """A plausible unique @handle from a channel title."""
    base = re.sub(r"[^0-9a-z]", "", title.casefold())[:20] or "channel"
    handle, n = f"@{base}", 1
    while handle.casefold() in taken:
        n += 1
        handle = f"@{base}{n}"
    taken.add(handle.casefold())
    return handle


class World:
    """Channels and videos served by the emulator, with the edits tests make between syncs."""

    def __init__(self) -> None:
        self.channels: dict[str, EmuChannel] = {}
        self.videos: dict[str, EmuVideo] = {}
        self._records = load_records()
        self._borrowed = 0
        self._handles: set[str] = set()

    # --- building -------------------------------------------------------------------

    @classmethod
    def from_corpus(
        cls,
        *,
        channels: int | None = None,
        min_uploads: int = 0,
        now: int | None = None,
    ) -> World:
        """The corpus grouped by channel, newest upload `now - 2 h` (first `channels` channels)."""
        world = cls()
        records = world._records
        newest = max(parse_time(r["published"]) for r in records)
        now = int(datetime.now(UTC).timestamp()) if now is None else now
        shift = (now - 2 * 3600) - newest
        order: list[str] = []
        grouped: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            channel_id = record["channel_id"]
            if channel_id not in grouped:
                if channels is not None and len(order) >= channels:
                    continue
                order.append(channel_id)
                grouped[channel_id] = []
            grouped[channel_id].append(record)
        for channel_id in order:
            group = grouped[channel_id]
            first = group[0]
            channel = EmuChannel(
                id=channel_id,
                title=first["channel_title"],
                handle=handle_for(first["channel_title"], world._handles),
                description=f"The official channel of {first['channel_title']}.",
                published_at=min(parse_time(r["published"]) for r in group) + shift - 400 * 86400,
                subscribers=max(r["views"] for r in group) // 40,
            )
            world.channels[channel_id] = channel
            if len(world.channels) % 3 == 1:  # older channels still have a legacy user name
                channel.username = re.sub(r"[^0-9A-Za-z]", "", channel.title)[:20] + "Official"
            for record in group:
                video = world._video_from(record, record["id"], channel_id,
                                          parse_time(record["published"]) + shift)  # fmt: skip
                world.videos[video.id] = video
            channel.uploads = sorted(
                (r["id"] for r in group), key=lambda v: world.videos[v].published_at, reverse=True
            )
            missing = min_uploads - len(channel.uploads)
            if missing > 0:
                oldest = world.videos[channel.uploads[-1]].published_at
                for n in range(missing):
                    video = world._borrow(channel_id, f"back{n}", oldest - (n + 1) * 86400)
                    channel.uploads.append(video.id)
        return world

    def _video_from(self, record: dict[str, Any], video_id: str, channel_id: str,
                    published_at: int) -> EmuVideo:  # fmt: skip
        # Synthesized traits are keyed by the new id, so each borrowed copy differs.
        category = int(record["category_id"])
        state = synth.live_state(video_id, category)
        traits = hashlib.sha256(f"stats/{video_id}".encode()).digest()[0]
        return EmuVideo(
            id=video_id,
            channel_id=channel_id,
            title=record["title"],
            description=record["description"],
            tags=list(record["tags"]),
            category_id=category,
            published_at=published_at,
            duration_s=synth.duration_seconds(video_id, category),
            live_state=state.value,
            is_short=synth.is_short(video_id, category),
            views=int(record["views"]),
            likes=int(record["likes"]),
            comments=int(record["comments"]),
            # About one video in 17 hides its likes and one in 13 has comments off, as on YouTube.
            likes_hidden=traits % 17 == 0,
            comments_disabled=traits % 13 == 0,
        )

    def _borrow(self, channel_id: str, salt: str, published_at: int) -> EmuVideo:
        record = self._records[(self._borrowed * 7919) % len(self._records)]
        self._borrowed += 1
        video_id = mixed_id(f"{channel_id}/{salt}/{self._borrowed}", 11)
        video = self._video_from(record, video_id, channel_id, published_at)
        self.videos[video.id] = video
        return video

    # --- edits between syncs --------------------------------------------------------

    def add_uploads(self, channel_id: str, count: int = 1, *, at: int | None = None,
                    live_state: LiveState | None = None) -> list[str]:  # fmt: skip
        """Publish `count` new videos on a channel (newest first afterwards); returns their ids."""
        channel = self.channels[channel_id]
        channel.has_uploads_playlist = True
        start = at if at is not None else int(datetime.now(UTC).timestamp()) - 60
        ids: list[str] = []
        for n in range(count):
            video = self._borrow(channel_id, f"new{len(channel.uploads)}", start + n)
            if live_state is not None:
                video.live_state = live_state.value
                if live_state in (LiveState.LIVE, LiveState.UPCOMING):
                    video.duration_s = None
                video.is_short = False
            ids.append(video.id)
        channel.uploads[:0] = list(reversed(ids))
        return ids

    def add_channel(self, title: str, uploads: int = 3, *, seed: str = "") -> EmuChannel:
        """A brand-new channel with `uploads` videos."""
        channel_id = "UC" + mixed_id(f"channel/{title}/{seed}", 22)
        now = int(datetime.now(UTC).timestamp())
        channel = EmuChannel(
            id=channel_id,
            title=title,
            handle=handle_for(title, self._handles),
            description=f"{title} makes videos.",
            published_at=now - 800 * 86400,
        )
        self.channels[channel_id] = channel
        for n in range(uploads):
            channel.uploads.append(
                self._borrow(channel_id, f"seed{n}", now - (n + 1) * 3 * 86400).id
            )
        return channel

    def delete_video(self, video_id: str) -> None:
        """The uploader deleted the video: gone from `videos.list` and the uploads playlist."""
        self.videos[video_id].deleted = True

    def privatise_video(self, video_id: str) -> None:
        """The uploader made the video private: listed as "Private video", absent from videos."""
        self.videos[video_id].privacy = "private"

    def make_empty(self, channel_id: str) -> None:
        """The channel has no uploads at all (its uploads playlist answers 404)."""
        channel = self.channels[channel_id]
        channel.uploads = []
        channel.has_uploads_playlist = False

    def set_views(self, video_id: str, views: int) -> None:
        """Change a video's view count (trending signals)."""
        self.videos[video_id].views = views

    def end_stream(self, video_id: str, duration_s: int = 5400) -> None:
        """A live or upcoming video becomes a finished stream with a length."""
        video = self.videos[video_id]
        video.live_state = LiveState.WAS_LIVE.value
        video.duration_s = duration_s

    # --- reading --------------------------------------------------------------------

    def listed_uploads(self, channel: EmuChannel) -> list[EmuVideo]:
        """What the uploads playlist lists (deleted videos vanish; private ones stay)."""
        return [self.videos[v] for v in channel.uploads if not self.videos[v].deleted]

    def channel_by_handle(self, handle: str) -> EmuChannel | None:
        """Look a channel up by its @handle (with or without the @, any case)."""
        wanted = "@" + handle.lstrip("@").casefold()
        for channel in self.channels.values():
            if channel.handle.casefold() == wanted:
                return channel
        return None

    def channel_by_username(self, username: str) -> EmuChannel | None:
        """Look a channel up by its legacy user name (any case), as `forUsername` does."""
        wanted = username.casefold()
        for channel in self.channels.values():
            if channel.username and channel.username.casefold() == wanted:
                return channel
        return None

    def ids(self, channels: Iterable[EmuChannel] | None = None) -> list[str]:
        """Channel ids, in world order."""
        return [c.id for c in (channels if channels is not None else self.channels.values())]
