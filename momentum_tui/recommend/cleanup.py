"""Channel clean-up suggestions: channels you ignore, channels gone quiet, channels that drifted.

* **unwatched** — followed for at least `recommend.cleanup_days`, still uploading, and
  nothing of theirs watched, liked or saved in that time;
* **dormant** — no upload for `recommend.dormant_days` (or none cached at all);
* **drifted** — you watched them for one kind of video (topics of what you watched), and
  most of what they posted in the last `cleanup_days` is about something else, which
  you don't otherwise seek out.

Each channel gets at most one suggestion (dormant, then drifted, then unwatched). They
are suggestions: nothing is unfollowed here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from momentum_tui.models import iso_utc
from momentum_tui.recommend import queries
from momentum_tui.recommend.features import TOPICS
from momentum_tui.recommend.ranker import Ranker
from momentum_tui.recommend.reasons import _months_or_weeks
from momentum_tui.recommend.signals import DAY

DRIFT_MIN_WATCHED = 3
DRIFT_MIN_RECENT = 3
DRIFT_OVERLAP = 0.34


@dataclass
class Suggestion:
    """One channel worth a second look, and why."""

    channel_id: str
    title: str
    kind: str
    reason: str
    videos: int
    last_upload_at: int | None
    last_watched_at: int | None

    def as_json(self) -> dict[str, Any]:
        """Stable JSON for `momentum cleanup --json`."""
        return {
            "channel_id": self.channel_id,
            "title": self.title,
            "kind": self.kind,
            "reason": self.reason,
            "videos": self.videos,
            "last_upload_at": iso_utc(self.last_upload_at),
            "last_watched_at": iso_utc(self.last_watched_at),
        }


def suggestions(ranker: Ranker) -> list[Suggestion]:
    """Clean-up suggestions for every followed channel (see the module notes)."""
    f, settings, now = ranker.features, ranker.settings, ranker.now
    window = settings.cleanup_days * DAY
    channels = queries.followed_channels(ranker.conn)
    code_of = {channel_id: code for code, channel_id in enumerate(f.channel_ids)}
    n = len(f.channel_ids)
    state = f.state
    engaged_at = np.maximum(np.maximum(state.watched_at, state.saved_at), state.rated_at)
    engaged_at = np.where(state.rating < 0, state.watched_at, engaged_at)
    last_engaged = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_engaged, f.channel, engaged_at)
    last_upload = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_upload, f.channel, f.published)
    videos = np.bincount(f.channel, minlength=n)
    recent_uploads = np.bincount(f.channel[f.published >= now - window], minlength=n)
    watched_labelled = np.bincount(f.channel[(state.watched_at > 0) & (f.topic >= 0)], minlength=n)
    result: list[Suggestion] = []
    for channel_id, title, added_at, cached_last_upload in channels:
        code = code_of.get(channel_id)
        uploaded = int(last_upload[code]) if code is not None else (cached_last_upload or 0)
        engaged = int(last_engaged[code]) if code is not None else 0
        count = int(videos[code]) if code is not None else 0
        name = title or channel_id
        facts = (count, uploaded or None, engaged or None)

        if not uploaded:
            result.append(Suggestion(channel_id, name, "dormant", "No uploads cached", *facts))
            continue
        if now - uploaded >= settings.dormant_days * DAY:
            quiet = _months_or_weeks((now - uploaded) / DAY)
            result.append(Suggestion(channel_id, name, "dormant", f"No upload in {quiet}", *facts))
            continue
        drift = None
        if code is not None and watched_labelled[code] >= DRIFT_MIN_WATCHED:
            drift = _drift(ranker, code, now - window)
        if drift:
            result.append(Suggestion(channel_id, name, "drifted", drift, *facts))
            continue
        followed_long = (added_at or now) <= now - window
        recent = int(recent_uploads[code]) if code is not None else 0
        if followed_long and recent and engaged < now - window:
            days = settings.cleanup_days
            result.append(
                Suggestion(
                    channel_id,
                    name,
                    "unwatched",
                    f"Nothing watched in {days} days ({recent} uploads since)",
                    *facts,
                )
            )
    order = {"dormant": 0, "drifted": 1, "unwatched": 2}
    result.sort(key=lambda s: (order[s.kind], s.title.casefold()))
    return result


def _drift(ranker: Ranker, code: int, recent_from: float) -> str | None:
    f = ranker.features
    own = f.channel == code
    watched = own & (f.state.watched_at > 0) & (f.topic >= 0)
    recent = own & (f.published >= recent_from) & (f.state.watched_at == 0) & (f.topic >= 0)
    if watched.sum() < DRIFT_MIN_WATCHED or recent.sum() < DRIFT_MIN_RECENT:
        return None
    then = Counter(f.topic[watched].tolist())
    lately = Counter(f.topic[recent].tolist())
    then_total, lately_total = sum(then.values()), sum(lately.values())
    overlap = sum(min(then[t] / then_total, lately.get(t, 0) / lately_total) for t in then)
    main_now = lately.most_common(1)[0][0]
    if overlap >= DRIFT_OVERLAP or ranker.tastes.topic.affinity[main_now] > 0.1:
        return None
    main_then, watched_count = then.most_common(1)[0]
    return (
        f"You watched it for {TOPICS[main_then]} ({watched_count} videos); "
        f"lately it posts mostly {TOPICS[main_now]}"
    )
