"""Read the packaged trending corpus and turn it into channels and videos.

The corpus is real (YouTube Trending dataset, CC0, August 2020). Durations and live
state are synthesized (see `synth`). For the demo, every date is shifted by one
constant so that the newest upload lands a couple of hours before "now" and the feed
feels current; the relative order and spacing of uploads is untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from momentum_tui.demo import synth
from momentum_tui.models import LiveState
from momentum_tui.records import Channel, Video

CORPUS_FILE = "trending.jsonl.gz"


@cache
def load_records() -> tuple[dict[str, Any], ...]:
    """Every record of the packaged corpus (3,136 videos from 2,407 channels)."""
    data = resources.files("momentum_tui.demo").joinpath(CORPUS_FILE).read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line)


def parse_time(value: str) -> int:
    """ISO-8601 `2020-08-11T19:20:14Z` to Unix seconds."""
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def newest_published() -> int:
    """Unix time of the newest upload in the corpus."""
    return max(parse_time(r["published"]) for r in load_records())


@dataclass(frozen=True)
class CorpusVideo:
    """A corpus record as a cache-ready channel and video."""

    channel: Channel
    video: Video
    trending_at: int


def record_to_video(record: dict[str, Any], shift: int = 0, id_suffix: str = "") -> CorpusVideo:
    """Build a `Video` (with synthesized duration and live state) from a corpus record.

    `id_suffix` makes fresh, valid ids for replicated corpora (benchmarks, emulators).
    """
    video_id = record["id"] if not id_suffix else _fresh_id(record["id"], id_suffix)
    channel_id = (
        record["channel_id"] if not id_suffix else _fresh_channel(record["channel_id"], id_suffix)
    )
    category = record["category_id"]
    state = synth.live_state(record["id"], category)
    published = parse_time(record["published"]) + shift
    scheduled = published + 86400 if state == LiveState.UPCOMING else None
    channel = Channel(id=channel_id, title=record["channel_title"])
    video = Video(
        id=video_id,
        channel_id=channel_id,
        channel_title=record["channel_title"],
        title=record["title"],
        description=record["description"],
        published_at=published,
        duration_s=synth.duration_seconds(record["id"], category),
        is_short=synth.is_short(record["id"], category),
        live_state=state,
        scheduled_at=scheduled,
        category_id=category,
        tags=record["tags"],
        view_count=record["views"],
        like_count=record["likes"],
        comment_count=record["comments"],
        stats_at=parse_time(record["trending"]) + shift,
        thumbnail_url=f"https://i.ytimg.com/vi/{record['id']}/mqdefault.jpg",
    )
    return CorpusVideo(channel, video, parse_time(record["trending"]) + shift)


_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Byte b → _ID_ALPHABET[b % 64], for bytes.translate (a benchmark makes 100,000 ids).
_ID_TABLE = bytes(ord(_ID_ALPHABET[b % 64]) for b in range(256))


def _mix(value: str, suffix: str, length: int) -> str:
    digest = hashlib.sha256(f"{value}/{suffix}".encode()).digest()
    return digest[:length].translate(_ID_TABLE).decode("ascii")


def _fresh_id(video_id: str, suffix: str) -> str:
    return _mix(video_id, suffix, 11)


def _fresh_channel(channel_id: str, suffix: str) -> str:
    return "UC" + _mix(channel_id, suffix, 22)


def iter_corpus(shift: int = 0, copies: int = 1) -> Iterator[CorpusVideo]:
    """The corpus, optionally replicated `copies` times under fresh ids (copy 0 keeps real ids).

    Each record is validated once; copies reuse its already-clean text under new ids.
    """
    base = [record_to_video(record, shift=shift) for record in load_records()]
    yield from base
    for copy in range(1, copies):
        suffix = f"copy{copy}"
        channels: dict[str, Channel] = {}  # one fresh channel per channel and copy
        for item in base:
            channel = channels.get(item.channel.id)
            if channel is None:
                fresh = _fresh_channel(item.channel.id, suffix)
                channel = channels[item.channel.id] = item.channel.model_copy(update={"id": fresh})
            yield CorpusVideo(
                channel,
                item.video.model_copy(
                    update={"id": _fresh_id(item.video.id, suffix), "channel_id": channel.id}
                ),
                item.trending_at,
            )
