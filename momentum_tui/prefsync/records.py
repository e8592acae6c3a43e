"""Sync records: one preference each, with a value (or a removal), a clock stamp and a device.

Names say what a record is about, in plain text on the device (the server only ever sees
a keyed hash of them, `prefsync/crypto.py`):

============================  ===============================================
`channel:UC…`                 followed (value `{"title": …}`); removed = unfollowed
`group:UC…:<group>`           the channel is in the group (value `{}`)
`kw:<keyword>`                a keyword preference (value `{"weight": 1.5}`)
`rule:<uid>`                  a feed rule (`{"text", "spec", "source", "created_at"}`)
`rule:<uid>:on`               whether that rule is switched on (`{"on": true}`)
`video:<id>:watched|hidden|saved`   `{"at": unix seconds}`
`video:<id>:rating`           liked or disliked (`{"rating": 1 | -1, "at": …}`)
`setting:<section>.<field>`   a synced setting (`{"value": …}`; `settings_sync.SYNCED`)
`video:<id>:queue`            in the watch-later queue (`{"position": "a0", "added_at": …}`)
`video:<id>:position`         where playback stopped (`{"seconds", "duration", "at"}`)
`video:<id>:notified`         announced as a new upload (`{"at": …}`), so never twice
`notify:UC…`                  the channel announces new uploads (`{"since": …}`)
============================  ===============================================

A record of a kind this version does not know — written by a newer Momentum — is kept
and passed on, never dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Value = dict[str, Any]
"""A record's value: a small JSON object."""


class Kind(StrEnum):
    """What a record is about."""

    CHANNEL = "channel"
    GROUP = "group"
    KEYWORD = "kw"
    RULE = "rule"
    RULE_ON = "rule-on"
    VIDEO = "video"
    SETTING = "setting"
    QUEUE = "queue"
    POSITION = "position"
    NOTIFIED = "notified"
    NOTIFY = "notify"
    OTHER = "other"


VIDEO_FIELDS = ("watched", "rating", "hidden", "saved")
"""The per-video states this version applies (more kinds may arrive from newer versions)."""

WATCH_FIELDS = {"queue": Kind.QUEUE, "position": Kind.POSITION, "notified": Kind.NOTIFIED}
"""Per-video records about watching rather than marking (`prefsync/watch_queries.py`)."""

KEY_CHECK_NAME = "_keycheck"
"""The record that tells whether a device holds the account's sync key."""


@dataclass(frozen=True, order=True)
class Stamp:
    """When and where a record was written; later stamps win, ties go to the larger device."""

    hlc: int
    device: str


@dataclass(frozen=True)
class Record:
    """One preference as it syncs: its name, its value (None when removed) and its stamp."""

    name: str
    value: Value | None
    stamp: Stamp

    @property
    def removed(self) -> bool:
        """True for a tombstone: the preference was removed (unfollowed, unwatched…)."""
        return self.value is None

    def value_json(self) -> str | None:
        """The value as canonical JSON (sorted keys), or None for a removal."""
        return canonical_json(self.value)


def canonical_json(value: Value | None) -> str | None:
    """One spelling per value, so equal values compare equal as text."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Name:
    """A record name taken apart: its kind, what it is about, and the field (if any)."""

    kind: Kind
    subject: str
    field: str = ""


def parse_name(name: str) -> Name:
    """Take a record name apart; unknown shapes are `Kind.OTHER` (kept, never applied)."""
    prefix, _, rest = name.partition(":")
    if prefix == "channel" and rest:
        return Name(Kind.CHANNEL, rest)
    if prefix == "group":
        channel_id, _, group = rest.partition(":")
        if channel_id and group:
            return Name(Kind.GROUP, channel_id, group)
    if prefix == "kw" and rest:
        return Name(Kind.KEYWORD, rest)
    if prefix == "rule" and rest:
        uid, _, field = rest.partition(":")
        if not field:
            return Name(Kind.RULE, uid)
        if field == "on":
            return Name(Kind.RULE_ON, uid, field)
    if prefix == "setting" and "." in rest:
        return Name(Kind.SETTING, rest)
    if prefix == "video":
        video_id, _, field = rest.rpartition(":")
        if video_id and field in VIDEO_FIELDS:
            return Name(Kind.VIDEO, video_id, field)
        if video_id and field in WATCH_FIELDS:
            return Name(WATCH_FIELDS[field], video_id, field)
    if prefix == "notify" and rest:
        return Name(Kind.NOTIFY, rest)
    return Name(Kind.OTHER, name)


def channel_name(channel_id: str) -> str:
    """`channel:UC…`."""
    return f"channel:{channel_id}"


def group_name(channel_id: str, group: str) -> str:
    """`group:UC…:<group>`."""
    return f"group:{channel_id}:{group}"


def keyword_name(keyword: str) -> str:
    """`kw:<keyword>` (the keyword as normalised by `recommend.prefs`)."""
    return f"kw:{keyword}"


def rule_name(uid: str) -> str:
    """`rule:<uid>`."""
    return f"rule:{uid}"


def rule_on_name(uid: str) -> str:
    """`rule:<uid>:on`."""
    return f"rule:{uid}:on"


def video_name(video_id: str, field: str) -> str:
    """`video:<id>:<field>` (watched, rating, hidden, saved, queue, position, notified)."""
    return f"video:{video_id}:{field}"


def notify_name(channel_id: str) -> str:
    """`notify:UC…`."""
    return f"notify:{channel_id}"


APPLY_ORDER = {
    Kind.CHANNEL: 0,
    Kind.RULE: 1,
    Kind.GROUP: 2,
    Kind.RULE_ON: 3,
    Kind.KEYWORD: 4,
    Kind.VIDEO: 5,
    Kind.SETTING: 6,
    Kind.QUEUE: 7,
    Kind.POSITION: 7,
    Kind.NOTIFIED: 7,
    Kind.NOTIFY: 7,
    Kind.OTHER: 8,
}
"""Records are applied channels before their groups, rules before their on/off state."""
