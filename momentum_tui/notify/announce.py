"""After a sync: announce new uploads of notifying channels and notify rules, once each.

A video is announced when its channel notifies and it arrived in the cache after that
was switched on — or an enabled `notify` rule matches it ("notify when Veritasium
uploads about physics", `rules.spec`) and it arrived after the rule was made — and it
is recent (published in the last `MAX_AGE_S`, so a newly followed channel or a deep
backfill doesn't announce its back catalogue), nobody watched or hid it (by hand or by
a `hide` rule), and it was never announced — on this machine or, through preference
sync, on another. Rules' label conditions (topic, mood, format) read the labels the
video has when the sync ends (the offline labeller's, until Claude's). Announced videos
are recorded only once delivered, so a failed delivery is tried again after the next
sync.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from momentum_tui.config import NotifySettings
from momentum_tui.notify import queries
from momentum_tui.notify.deliver import DeliveryError, deliver
from momentum_tui.storage.db import Store

MAX_AGE_S = 2 * 86_400


@dataclass
class Announcement:
    """What an announcement after a sync did."""

    videos: list[str] = field(default_factory=list)
    via: str | None = None
    problem: str | None = None
    """A sentence when there was something to announce but it couldn't be delivered."""


def announce_new_uploads(
    store: Store, settings: NotifySettings, *, now: int | None = None
) -> Announcement:
    """Announce what is new from notifying channels or matched by notify rules, and
    hasn't been announced (all of it in one delivery)."""
    now = int(time.time()) if now is None else now
    with store.read() as conn:
        found = queries.unannounced(conn, published_since=now - MAX_AGE_S)
    if not found:
        return Announcement()
    try:
        via = deliver(settings, found)
    except DeliveryError as error:
        return Announcement(problem=str(error))
    ids = [video.id for video in found]
    queries.record_announced(store, ids, now)
    return Announcement(ids, via)
