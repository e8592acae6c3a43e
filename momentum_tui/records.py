"""What arrives from YouTube and Claude, validated and sanitised: channels, videos, labels.

pydantic models, because these take untrusted input: every text field is cleaned by a
validator here, so anything built from them is safe to store and display. Kept apart
from `momentum_tui.models` so that what only reads the cache (the first screen, `feed`)
never imports pydantic.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from momentum_tui import sanitize
from momentum_tui.models import (
    LABEL_TAGS_MAX,
    Format,
    LiveState,
    Mood,
    Topic,
    VideoStatus,
    content_hash,
    normalise_label_tag,
    video_url,
)


def _line(max_len: int) -> AfterValidator:
    return AfterValidator(lambda value: sanitize.clean_line(value, max_len=max_len))


Title = Annotated[str, _line(sanitize.TITLE_MAX)]
Name = Annotated[str, _line(sanitize.NAME_MAX)]
Description = Annotated[
    str, AfterValidator(lambda value: sanitize.clean_text(value, sanitize.DESCRIPTION_MAX))
]


class Channel(BaseModel):
    """A YouTube channel the person follows (or once followed)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str = Field(pattern=r"^UC[0-9A-Za-z_-]{22}$")
    title: Name = ""
    handle: Name = ""
    thumbnail_url: str = ""
    uploads_playlist: str = ""
    followed: bool = True


class Video(BaseModel):
    """One upload, as stored in the cache (timestamps are Unix seconds, UTC)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str = Field(pattern=r"^[0-9A-Za-z_-]{11}$")
    channel_id: str
    channel_title: Name = ""
    title: Title = ""
    description: Description = ""
    published_at: int
    duration_s: int | None = None
    is_short: bool = False
    live_state: LiveState = LiveState.NONE
    scheduled_at: int | None = None
    category_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    view_count: int | None = None
    like_count: int | None = None
    comment_count: int | None = None
    stats_at: int | None = None
    thumbnail_url: str = ""
    status: VideoStatus = VideoStatus.OK

    @field_validator("tags", mode="before")
    @classmethod
    def _clean_tags(cls, value: object) -> list[str]:
        return sanitize.clean_tags(value)

    @property
    def url(self) -> str:
        """The watch URL."""
        return video_url(self.id)

    def content_hash(self) -> str:
        """Hash of the text a label is made from."""
        return content_hash(self.title, self.description, self.tags)


def _label_tags(value: object) -> list[str]:
    # Tags come from strangers and from Claude: normalise, drop empties and repeats, keep 5.
    if not isinstance(value, list | tuple):
        raise ValueError("tags must be a list of strings")
    tags: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValueError("tags must be a list of strings")
        tag = normalise_label_tag(item)
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:LABEL_TAGS_MAX]


class VideoLabels(BaseModel):
    """Labels for one video, from Claude or from the offline classifier."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    topic: Topic
    mood: Mood
    format: Format
    tags: Annotated[list[str], BeforeValidator(_label_tags)] = Field(default_factory=list)
    clickbait: float = Field(ge=0.0, le=1.0)
    plain_title: Annotated[str, _line(100)]
    summary: Annotated[str, _line(140)]
    language: Annotated[str, _line(12)] = ""
    has_sponsor: bool = False
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    source: Literal["claude", "local"] = "claude"
    model: str = ""
    content_hash: str = ""
