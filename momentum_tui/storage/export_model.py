"""The export document (`momentum export-data`): every record type, validated on the way in.

Version 2 (version 1 had no watch-later queue, playback positions, announced videos or
per-channel announcements). The JSON Schema in docs/export-format.schema.json is
generated from these models (`python -m momentum_tui.storage.export_model >
docs/export-format.schema.json`) and a test keeps the two equal. Times are ISO-8601 UTC
strings to the second (`2026-11-18T07:35:25Z`). Text from the file is cleaned like any
text from outside (`sanitize.py`), so a hand-edited or hostile file can't put escape
sequences in the cache; text Momentum exported is already clean, so a round trip
changes nothing.

Adding a section later: add a record model and a `list[...]` field with a default of
`[]` here, its reader and writer in `storage/export.py` and `owndata/importing.py` (the
CSV form follows the models), and raise `VERSION`. Files of every earlier version still
import (a missing section is an empty one); the version goes up with every new section
or field because an older Momentum refuses unknown fields, and a higher version lets it
say the file comes from a newer Momentum instead of naming a field it doesn't know.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from momentum_tui.models import LiveState, Mark, VideoStatus
from momentum_tui.records import Name, Title

FORMAT: Literal["momentum-export"] = "momentum-export"
VERSION = 2


def _parse_time(value: object) -> object:
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        try:
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise ValueError("not a time like 2026-11-18T07:35:25Z") from None
        return int(parsed.timestamp())
    return value


def _format_time(value: int) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Time = Annotated[
    int,
    BeforeValidator(_parse_time),
    PlainSerializer(_format_time, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-11-18T07:35:25Z"}),
]
"""Unix seconds in the cache, ISO-8601 UTC in the file."""
ChannelId = Annotated[str, Field(pattern=r"^UC[0-9A-Za-z_-]{22}$")]
VideoId = Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{11}$")]
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{0,64}$")]
Short = Annotated[str, Field(max_length=200, pattern=re.compile(r"^[^\x00-\x1f\x7f]*$"))]


def _order_key(value: str) -> str:
    from fractional_indexing import FIError, validate_order_key

    try:
        validate_order_key(value)
    except FIError:
        raise ValueError("not a queue position (a fractional index such as a0)") from None
    return value


OrderKey = Annotated[
    str, Field(min_length=2, max_length=100, pattern=r"^[0-9A-Za-z]+$"), AfterValidator(_order_key)
]
"""A place in the watch-later queue: positions sort as text (`fractional-indexing`)."""


class Record(BaseModel):
    """A row of one section: unknown fields are errors (a typo is named, never ignored)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class ChannelRecord(Record):
    """A channel you follow, or followed and removed (`followed: false`)."""

    id: ChannelId
    title: Name = ""
    handle: Name = ""
    followed: bool = True
    source: Short = Field("", description="How it was added: added, opml, takeout-csv, …")
    added_at: Time
    notify: Time | None = Field(
        None, description="When announcements of its new uploads were switched on (null: off)."
    )


class GroupRecord(Record):
    """One channel in one group (a channel tag)."""

    channel_id: ChannelId
    group: Annotated[str, Field(min_length=1, max_length=40)]


class VideoRecord(Record):
    """A video you marked or that has labels: enough to find it again (a sync adds the rest)."""

    id: VideoId
    channel_id: ChannelId
    channel_title: Name = ""
    title: Title = ""
    published_at: Time
    duration_s: int | None = Field(None, ge=0)
    is_short: bool = False
    live_state: LiveState = LiveState.NONE
    status: VideoStatus = VideoStatus.OK
    content_hash: Hash = Field("", description="What its labels were made from.")
    first_seen_at: Time


class VideoStateRecord(Record):
    """What you think of a video now (null: not set)."""

    video_id: VideoId
    watched_at: Time | None = None
    rating: Literal[-1, 0, 1] = 0
    rated_at: Time | None = None
    hidden_at: Time | None = None
    saved_at: Time | None = None
    updated_at: Time


class PreviousState(Record):
    """The state a mark replaced (what undo puts back)."""

    watched_at: Time | None = None
    rating: Literal[-1, 0, 1] = 0
    rated_at: Time | None = None
    hidden_at: Time | None = None
    saved_at: Time | None = None


class MarkRecord(Record):
    """One mark in your history, oldest first: what, when, what it replaced, if undone."""

    video_id: VideoId
    mark: Mark
    at: Time
    previous: PreviousState = Field(default_factory=PreviousState)
    undone_at: Time | None = None


class QueueRecord(Record):
    """A video in the watch-later queue; the section is in queue order (by `position`)."""

    video_id: VideoId
    position: OrderKey
    added_at: Time


class PlaybackRecord(Record):
    """Where playback of a video stopped (the next play resumes there)."""

    video_id: VideoId
    position_s: float = Field(ge=0)
    duration_s: float | None = Field(None, ge=0)
    updated_at: Time


class NotifiedRecord(Record):
    """A new upload that was announced (so it is never announced again)."""

    video_id: VideoId
    at: Time


class KeywordRecord(Record):
    """A keyword preference (`momentum prefs keyword`)."""

    keyword: Annotated[str, Field(min_length=1, max_length=80)]
    weight: float = Field(ge=-5, le=5)
    created_at: Time


class RuleRecord(Record):
    """A feed rule: its spec as `momentum rules` stores it, and whether it is on."""

    text: Annotated[str, Field(max_length=500)] = ""
    spec: dict[str, Any]
    enabled: bool = True
    source: Short = "manual"
    created_at: Time


class LabelRecord(Record):
    """A video's labels, with where they came from (`claude` or `local`) and the model."""

    video_id: VideoId
    topic: str
    mood: str
    format: str
    tags: list[str] = Field(default_factory=list)
    clickbait: float = Field(ge=0, le=1)
    plain_title: str
    summary: str
    language: str = ""
    has_sponsor: bool = False
    confidence: float = Field(1.0, ge=0, le=1)
    source: Literal["claude", "local"]
    model: Short = ""
    content_hash: Hash
    labelled_at: Time


class LabelCacheRecord(Record):
    """Claude's labels by the text they were made from (so none is ever paid for twice)."""

    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{1,64}$")]
    model: Short
    labels: dict[str, Any]
    created_at: Time


class QuotaRecord(Record):
    """One YouTube API call in the quota ledger (status: the HTTP error, if it failed)."""

    at: Time
    day: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    method: Short
    units: int = Field(ge=0)
    status: int | None = None


class AiLedgerRecord(Record):
    """One Claude request in the AI ledger: tokens and dollars."""

    at: Time
    day: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    model: Short
    kind: Short
    videos: int = Field(0, ge=0)
    input_tokens: int = Field(0, ge=0)
    output_tokens: int = Field(0, ge=0)
    cache_write_tokens: int = Field(0, ge=0)
    cache_read_tokens: int = Field(0, ge=0)
    usd: float = Field(0, ge=0)
    request_id: Short = ""


class ExportDocument(BaseModel):
    """Everything a person made in Momentum, in one versioned document."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    format: Literal["momentum-export"] = FORMAT
    version: int = Field(VERSION, ge=1)
    exported_at: Time
    momentum_version: Short = ""
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Your config.toml's own values (never secrets)."
    )
    channels: list[ChannelRecord] = Field(default_factory=list)
    groups: list[GroupRecord] = Field(default_factory=list)
    videos: list[VideoRecord] = Field(default_factory=list)
    video_states: list[VideoStateRecord] = Field(default_factory=list)
    marks: list[MarkRecord] = Field(default_factory=list)
    queue: list[QueueRecord] = Field(default_factory=list)
    playback: list[PlaybackRecord] = Field(default_factory=list)
    notified: list[NotifiedRecord] = Field(default_factory=list)
    keywords: list[KeywordRecord] = Field(default_factory=list)
    rules: list[RuleRecord] = Field(default_factory=list)
    labels: list[LabelRecord] = Field(default_factory=list)
    label_cache: list[LabelCacheRecord] = Field(default_factory=list)
    quota_ledger: list[QuotaRecord] = Field(default_factory=list)
    ai_ledger: list[AiLedgerRecord] = Field(default_factory=list)


SECTIONS: dict[str, type[Record]] = {
    "channels": ChannelRecord,
    "groups": GroupRecord,
    "videos": VideoRecord,
    "video_states": VideoStateRecord,
    "marks": MarkRecord,
    "queue": QueueRecord,
    "playback": PlaybackRecord,
    "notified": NotifiedRecord,
    "keywords": KeywordRecord,
    "rules": RuleRecord,
    "labels": LabelRecord,
    "label_cache": LabelCacheRecord,
    "quota_ledger": QuotaRecord,
    "ai_ledger": AiLedgerRecord,
}
"""Every list section and its record type, in the order they are written and imported."""

LABELS = {
    "queue": "queued videos",
    "playback": "playback positions",
    "notified": "announced videos",
    "notify": "channels announcing new uploads",
}
"""How sentences name a section's records (others by the section's own name)."""


def label(section: str) -> str:
    """`queued videos` for `queue`: what a count of a section's records is called."""
    return LABELS.get(section, section.replace("_", " "))


def json_schema() -> dict[str, Any]:
    """The document's JSON Schema (draft 2020-12), as published in docs/."""
    schema = ExportDocument.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://momentum-tui.dev/schemas/export-v{VERSION}.json"
    return schema


if __name__ == "__main__":
    import json

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
