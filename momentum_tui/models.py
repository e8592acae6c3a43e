"""Domain values shared by every layer: the label vocabulary, marks, feed filters and rows.

Plain enums and dataclasses, light enough for the launch path (the first screen imports
this). What arrives from YouTube and Claude is validated and sanitised by the pydantic
records in `momentum_tui.records` (`Channel`, `Video`, `VideoLabels`); the feed table at
100,000 rows uses the light `FeedRow` dataclass instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import overload

from momentum_tui import sanitize

SHORTS_MAX_SECONDS = 180
"""YouTube Shorts can be up to three minutes long (since October 2024)."""


class LiveState(StrEnum):
    """Whether a video is a normal upload, live now, scheduled, or a finished stream."""

    NONE = "none"
    LIVE = "live"
    UPCOMING = "upcoming"
    WAS_LIVE = "was_live"


class VideoStatus(StrEnum):
    """Whether a cached video can still be watched."""

    OK = "ok"
    DELETED = "deleted"
    PRIVATE = "private"


class Sort(StrEnum):
    """Orders the feed can be shown in."""

    NEWEST = "newest"
    VIEWS = "views"
    LONGEST = "longest"
    SHORTEST = "shortest"
    CHANNEL = "channel"


class Mark(StrEnum):
    """What a person can say about a video (the `momentum mark` verbs)."""

    WATCHED = "watched"
    UNWATCHED = "unwatched"
    HIDDEN = "hidden"
    UNHIDDEN = "unhidden"
    LIKED = "liked"
    DISLIKED = "disliked"
    UNRATED = "unrated"
    SAVED = "saved"
    UNSAVED = "unsaved"


class Topic(StrEnum):
    """The fixed topic taxonomy every label uses (documented in the README)."""

    SCIENCE = "science"
    PROGRAMMING = "programming"
    TECH = "tech"
    MUSIC = "music"
    GAMING = "gaming"
    NEWS = "news"
    COMEDY = "comedy"
    COOKING = "cooking"
    FITNESS = "fitness"
    FINANCE = "finance"
    FILM_TV = "film-tv"
    EDUCATION = "education"
    SPORTS = "sports"
    TRAVEL = "travel"
    DIY = "diy"
    HISTORY = "history"
    ART_DESIGN = "art-design"
    KIDS = "kids"
    ASMR = "asmr"
    MOTORS = "motors"
    BEAUTY_FASHION = "beauty-fashion"
    ANIMALS = "animals"
    POP_CULTURE = "pop-culture"
    LIFESTYLE = "lifestyle"
    OTHER = "other"


class Mood(StrEnum):
    """How a video feels to watch."""

    CALM = "calm"
    UPBEAT = "upbeat"
    FUNNY = "funny"
    SERIOUS = "serious"
    TENSE = "tense"
    INSPIRING = "inspiring"
    COZY = "cozy"
    INFORMATIVE = "informative"
    EMOTIONAL = "emotional"
    ENERGETIC = "energetic"


class Format(StrEnum):
    """What kind of video it is."""

    TUTORIAL = "tutorial"
    EXPLAINER = "explainer"
    NEWS = "news"
    REVIEW = "review"
    VLOG = "vlog"
    INTERVIEW = "interview-podcast"
    MUSIC_VIDEO = "music-video"
    GAMEPLAY = "gameplay"
    COMEDY = "comedy-sketch"
    DOCUMENTARY = "documentary"
    LIVE_STREAM = "live-stream"
    SHORT_CLIP = "short-clip"
    OTHER = "other"


def content_hash(title: str, description: str, tags: list[str] | tuple[str, ...] = ()) -> str:
    """A short stable hash of what a label is made from; a change means classify again."""
    digest = hashlib.sha256()
    for part in (title, description, "\x1f".join(tags)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


def looks_like_short(duration_s: int | None, title: str = "", description: str = "") -> bool:
    """True for a Short: at most three minutes, and either under a minute or tagged #shorts."""
    if duration_s is None or duration_s <= 0 or duration_s > SHORTS_MAX_SECONDS:
        return False
    if duration_s <= 60:
        return True
    text = f"{title} {description}".casefold()
    return "#short" in text


def video_url(video_id: str) -> str:
    """The watch URL of a video (Shorts open fine at this URL too)."""
    return f"https://www.youtube.com/watch?v={video_id}"


LABEL_TAGS_MAX = 5
"""How many tags a label keeps."""


def normalise_label_tag(value: object) -> str:
    """A label tag: clean, lower-case, no leading `#`, single spaces, at most 40 characters."""
    text = sanitize.clean_line(value, max_len=80).casefold().lstrip("#＃").strip()
    return " ".join(text.split())[:40].strip()


@dataclass(frozen=True, kw_only=True)
class Filters:
    """What the feed shows: shared by the app, `momentum feed` and `momentum search`.

    Frozen: a change is a new value (`replace`), so a tab can tell what it was loaded with.
    """

    sort: Sort = Sort.NEWEST
    unwatched_only: bool = False
    hide_shorts: bool = False
    hide_live: bool = False
    include_hidden: bool = False
    saved_only: bool = False
    min_seconds: int | None = None
    max_seconds: int | None = None
    channel_id: str | None = None
    channel_tag: str | None = None
    search: str = ""
    topics: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    max_clickbait: float | None = None

    def __post_init__(self) -> None:
        # The sort as an enum and the label lists as tuples, whatever the caller passed.
        object.__setattr__(self, "sort", Sort(self.sort))
        for name in ("topics", "moods", "formats"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("min_seconds", "max_seconds"):
            if (getattr(self, name) or 0) < 0:
                raise ValueError(f"{name} must be 0 or more")
        if self.max_clickbait is not None and not 0.0 <= self.max_clickbait <= 1.0:
            raise ValueError("max_clickbait must be between 0 and 1")

    def replace(self, **changes: object) -> Filters:
        """These filters with `changes`."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def describe(self) -> list[str]:
        """Short phrases for what is filtered, for the status bar and CLI."""
        parts: list[str] = []
        if self.search:
            parts.append(f"matching “{self.search}”")
        if self.unwatched_only:
            parts.append("unwatched")
        if self.saved_only:
            parts.append("saved")
        if self.hide_shorts:
            parts.append("no Shorts")
        if self.hide_live:
            parts.append("no live")
        if self.min_seconds is not None or self.max_seconds is not None:
            low = format_duration(self.min_seconds) if self.min_seconds else "0:00"
            high = format_duration(self.max_seconds) if self.max_seconds else "∞"
            parts.append(f"{low}–{high}")
        if self.channel_tag:
            parts.append(f"#{self.channel_tag}")
        if self.topics:
            parts.append("topic " + "/".join(self.topics))
        if self.moods:
            parts.append("mood " + "/".join(self.moods))
        if self.formats:
            parts.append("format " + "/".join(self.formats))
        if self.max_clickbait is not None:
            parts.append(f"clickbait ≤ {self.max_clickbait:.1f}")
        return parts


@dataclass(slots=True)
class FeedRow:
    """One row of the feed table: just what the table and the CLI list need."""

    rowid: int
    id: str
    title: str
    channel_id: str
    channel_title: str
    published_at: int
    duration_s: int | None
    is_short: bool
    live_state: str
    view_count: int | None
    watched: bool
    rating: int
    hidden: bool
    saved: bool
    plain_title: str | None = None
    topic: str | None = None
    mood: str | None = None
    format: str | None = None
    clickbait: float | None = None
    reasons: tuple[str, ...] = ()
    """Why For you recommends it, strongest first (empty outside For you)."""

    @property
    def url(self) -> str:
        """The watch URL."""
        return video_url(self.id)


UNKNOWN_LENGTH = "—"
"""What a length cell shows when the length is not known (synced without a key)."""


def format_duration(seconds: int | None) -> str:
    """`4:05`, `1:02:03`; empty when unknown."""
    if seconds is None or seconds < 0:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_count(value: int | None) -> str:
    """`950`, `12K`, `3.4M`, `1.2B`; empty when unknown."""
    if value is None:
        return ""
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if value >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return str(value)


@overload
def iso_utc(timestamp: float) -> str: ...
@overload
def iso_utc(timestamp: None) -> None: ...
def iso_utc(timestamp: float | None) -> str | None:
    """Unix seconds to ISO-8601 UTC (`2026-11-20T14:03:00Z`), the JSON outputs' time format."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_age(timestamp: int, now: float) -> str:
    """`just now`, `5 min ago`, `3 hours ago`, `3 days ago`, `2 months ago`, `in 2 days`."""
    delta = int(now - timestamp)
    future = delta < 0
    delta = abs(delta)
    units = (
        (365 * 86400, "year"),
        (30 * 86400, "month"),
        (7 * 86400, "week"),
        (86400, "day"),
        (3600, "hour"),
        (60, "min"),
    )
    for size, name in units:
        if delta >= size:
            count = delta // size
            plural = "s" if count != 1 and name != "min" else ""
            text = f"{count} {name}{plural}"
            return f"in {text}" if future else f"{text} ago"
    return "soon" if future else "just now"


def format_age_short(timestamp: int, now: float) -> str:
    """Compact age for table columns: `5m`, `3h`, `2d`, `6w`, `4mo`, `2y`, `+2d` for the future."""
    delta = int(now - timestamp)
    sign = "+" if delta < 0 else ""
    delta = abs(delta)
    for size, name in (
        (365 * 86400, "y"),
        (30 * 86400, "mo"),
        (7 * 86400, "w"),
        (86400, "d"),
        (3600, "h"),
        (60, "m"),
    ):
        if delta >= size:
            return f"{sign}{delta // size}{name}"
    return "now"


def parse_duration(text: str) -> int:
    """`90s`, `10m`, `1h30m`, `1:30:00`, `25:00` → seconds; a bare number means minutes."""
    value = text.strip().lower()
    if not value:
        raise ValueError("The length is empty.")
    if ":" in value:
        parts = value.split(":")
        if len(parts) > 3 or not all(part.isdigit() for part in parts):
            raise ValueError(f"{text!r} is not a length like 25:00 or 1:30:00.")
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
        return seconds
    total, number, units = 0, "", {"h": 3600, "m": 60, "s": 1}
    for ch in value:
        if ch.isdigit():
            number += ch
        elif ch in units and number:
            total, number = total + int(number) * units[ch], ""
        else:
            raise ValueError(f"{text!r} is not a length like 10m, 1h30m or 90s.")
    return total + int(number) * 60 if number else total
