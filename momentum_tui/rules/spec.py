"""What a feed rule is, and whether it matches one video: the meaning every other part follows.

A rule is a `RuleSpec`: conditions that must all hold (within one list, any value
will do) and an action — hide, boost or bury (the feed), or notify (announce matching
new uploads after each sync, `notify.announce`; the feed is left alone). One exception
follows how people talk: "Shorts and clips" means either, so `shorts=True` and
`formats` are alternatives — a video is of the right kind if it is a Short *or* has one
of the formats. Unlabelled videos never match label conditions, and videos of unknown
length never match length conditions. Title words match anywhere in the original
title, ignoring case the way SQLite's own functions can (so no Python runs per row): a
word in plain ASCII matches in any case; any other word matches written in lower case,
UPPER CASE or Capitalised.

Who calls what here:

* `matches(spec, row)` — `momentum rules test` and the rules screen's test, one row at
  a time; the SQL in `rules.sql` and the ranker's masks in `rules.masks` are tested to
  agree with it on every row;
* `evaluate(rules, row)` — the one-row statement of what `rules.masks.apply_rules`
  computes for every loaded video at once (hidden, boosts minus buries; notify rules
  take no part); the tests hold the two together;
* `title_has` — `matches`, and `rules.masks` for the ranker's title-word masks;
* `RuleSpec.describe` / `Rule.as_json` — the CLI's text and `--json`, the rules screen.

Specs are made by hand (`momentum rules add --hide …`, the rules screen's form) or
from a sentence by Claude (`rules.claude`), and stored by `rules.store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from momentum_tui import sanitize
from momentum_tui.errors import MomentumError
from momentum_tui.models import Format, Mood, Topic, format_duration, iso_utc

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class RuleParseError(MomentumError):
    """A sentence or a set of options could not be turned into a rule; nothing was saved."""


class RuleAction(StrEnum):
    """What a matching rule does to a video."""

    HIDE = "hide"
    BOOST = "boost"
    BURY = "bury"
    NOTIFY = "notify"
    """Announce matching new uploads after each sync; the feed and ranking are unchanged."""

    @property
    def shapes_feed(self) -> bool:
        """Whether the rule changes the feed (hide, boost, bury) rather than announcing."""
        return self is not RuleAction.NOTIFY


def _words(values: object) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise ValueError("expected a list of words")
    words: list[str] = []
    for value in values:
        word = " ".join(sanitize.clean_line(value, max_len=60).split())
        if word and word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    return tuple(words[:20])


class RuleSpec(BaseModel):
    """What a rule matches and does. Every given condition must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: RuleAction
    channels: tuple[str, ...] = Field(default=(), description="Channel ids (UC…), any of them.")
    channel_names: tuple[str, ...] = Field(
        default=(), description="The channels' names when the rule was made (for display)."
    )
    min_seconds: int | None = Field(default=None, ge=0)
    max_seconds: int | None = Field(default=None, ge=0)
    shorts: bool | None = Field(default=None, description="True: only Shorts; False: no Shorts.")
    title_words: tuple[str, ...] = Field(default=(), description="Any of these in the title.")
    topics: tuple[Topic, ...] = ()
    formats: tuple[Format, ...] = ()
    moods: tuple[Mood, ...] = ()
    weight: float = Field(default=1.0, gt=0, le=5, description="Strength of a boost or bury.")

    @field_validator("channels", mode="before")
    @classmethod
    def _channel_ids(cls, value: object) -> tuple[str, ...]:
        ids = _words(value)
        for channel_id in ids:
            if not channel_id.startswith("UC") or len(channel_id) != 24:
                raise ValueError(f"{channel_id!r} is not a channel id (UC + 22 characters)")
        return ids

    @field_validator("channel_names", "title_words", mode="before")
    @classmethod
    def _clean_words(cls, value: object) -> tuple[str, ...]:
        return _words(value)

    @model_validator(mode="after")
    def _says_something(self) -> RuleSpec:
        if not self.conditions():
            raise ValueError("a rule needs at least one condition (it would match everything)")
        if (
            self.min_seconds is not None
            and self.max_seconds is not None
            and self.min_seconds > self.max_seconds
        ):
            raise ValueError("min_seconds is larger than max_seconds")
        return self

    def conditions(self) -> list[str]:
        """The conditions in words, e.g. `["from Veritasium", "Shorts", "topic music"]`."""
        parts: list[str] = []
        if self.channels:
            names = self.channel_names or self.channels
            parts.append("from " + " or ".join(names))
        kinds = (["Shorts"] if self.shorts is True else []) + [f.value for f in self.formats]
        if kinds:
            parts.append(" or ".join(kinds))
        if self.shorts is False:
            parts.append("not Shorts")
        if self.min_seconds is not None and self.max_seconds is not None:
            parts.append(
                f"{format_duration(self.min_seconds)}–{format_duration(self.max_seconds)} long"
            )
        elif self.min_seconds is not None:
            parts.append(f"longer than {format_duration(self.min_seconds)}")
        elif self.max_seconds is not None:
            parts.append(f"shorter than {format_duration(self.max_seconds)}")
        if self.title_words:
            parts.append("title has " + " or ".join(f"“{w}”" for w in self.title_words))
        for name, values in (("topic", self.topics), ("mood", self.moods)):
            if values:
                parts.append(f"{name} " + " or ".join(v.value for v in values))
        return parts

    def describe(self) -> str:
        """The rule in words: `Hide videos: from Veritasium, Shorts`."""
        verb = {"hide": "Hide videos", "boost": "Boost videos", "bury": "Bury videos",
                "notify": "Notify of new uploads"}[self.action.value]  # fmt: skip
        weighted = self.action in (RuleAction.BOOST, RuleAction.BURY) and self.weight != 1
        strength = f" (×{self.weight:g})" if weighted else ""
        return f"{verb}{strength}: " + ", ".join(self.conditions())


class RuleRow(Protocol):
    """The fields of a feed row a rule looks at (`models.FeedRow` has them)."""

    channel_id: str
    title: str
    duration_s: int | None
    is_short: bool
    topic: str | None
    mood: str | None
    format: str | None


def matches(spec: RuleSpec, row: RuleRow) -> bool:
    """Whether every condition of `spec` holds for `row`."""
    if spec.channels and row.channel_id not in spec.channels:
        return False
    if spec.shorts is True or spec.formats:
        right_kind = (spec.shorts is True and bool(row.is_short)) or (
            row.format is not None and row.format in spec.formats  # StrEnum == its value
        )
        if not right_kind:
            return False
    if spec.shorts is False and row.is_short:
        return False
    length = row.duration_s
    if spec.min_seconds is not None and (length is None or length < spec.min_seconds):
        return False
    if spec.max_seconds is not None and (length is None or length > spec.max_seconds):
        return False
    if spec.title_words and not title_has(row.title, spec.title_words):
        return False
    for values, value in ((spec.topics, row.topic), (spec.moods, row.mood)):
        if values and value not in values:
            return False
    return True


@dataclass(frozen=True)
class Rule:
    """A stored rule."""

    id: int
    spec: RuleSpec
    text: str = ""
    enabled: bool = True
    source: str = "manual"
    created_at: int = 0

    def as_json(self) -> dict[str, Any]:
        """Stable JSON for `momentum rules list --json` (and `add`/`edit --json`)."""
        return {
            "id": self.id,
            "text": self.text,
            "description": self.spec.describe(),
            "enabled": self.enabled,
            "source": self.source,
            "created_at": iso_utc(self.created_at),
            "spec": self.spec.model_dump(mode="json", exclude_defaults=True),
        }


@dataclass(frozen=True)
class RuleOutcome:
    """What the rules say about one video."""

    hidden: bool = False
    weight: float = 0.0
    matched: tuple[int, ...] = ()


NO_RULES = RuleOutcome()


def evaluate(rules: Iterable[Rule], row: RuleRow) -> RuleOutcome:
    """Apply enabled rules to one row: hidden if any hide rule matches; boosts minus buries.

    Notify rules are left out: they announce uploads and do nothing to the feed.
    """
    hidden = False
    weight = 0.0
    matched: list[int] = []
    for rule in rules:
        if not rule.enabled or not rule.spec.action.shapes_feed or not matches(rule.spec, row):
            continue
        matched.append(rule.id)
        if rule.spec.action == RuleAction.HIDE:
            hidden = True
        elif rule.spec.action == RuleAction.BOOST:
            weight += rule.spec.weight
        else:  # bury
            weight -= rule.spec.weight
    return RuleOutcome(hidden, weight, tuple(matched)) if matched else NO_RULES


def forms(word: str) -> list[str]:
    """The ways a non-ASCII title word is searched for: lower, UPPER and Capitalised."""
    found: list[str] = []
    for form in (word.lower(), word.upper(), word.capitalize()):
        if form not in found:
            found.append(form)
    return found


def title_has(title: str, words: Sequence[str]) -> bool:
    """Whether `title` holds any of `words`, by the same rule as `rules.sql` tests in SQLite."""
    lowered = title.translate(_ASCII_LOWER)
    for word in words:
        if word.isascii():
            if word.lower() in lowered:
                return True
        elif any(form in title for form in forms(word)):
            return True
    return False
