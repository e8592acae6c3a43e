"""The digest: what was published since the last visit, grouped by topic, best pick of each.

"Since" is the last visit the app recorded (`LAST_VISIT_PREF`) or a time the person
gives. A video belongs to the digest when it was published since then and is not
hidden; the best pick of a group is its highest-ranked unwatched video (or, when all are
watched, its highest-scored one). Groups are ordered by their best pick's score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from momentum_tui.models import format_duration, iso_utc, video_url
from momentum_tui.recommend import queries
from momentum_tui.recommend.features import TOPICS
from momentum_tui.recommend.ranker import Ranker, Ranking
from momentum_tui.recommend.reasons import Explainer

UNLABELLED = "unlabelled"


@dataclass
class Best:
    """A group's best pick."""

    video_id: str
    title: str
    channel: str
    duration_s: int | None
    reasons: list[str]


@dataclass
class Group:
    """One topic's share of the digest."""

    topic: str
    count: int
    unwatched: int
    minutes: int
    channels: int
    best: Best
    score: float


@dataclass
class Digest:
    """Everything published since `since`, by topic."""

    since: int
    now: int
    total: int
    channels: int
    groups: list[Group]

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape of `momentum digest --format json` (see docs/recommend.md)."""
        return {
            "since": iso_utc(self.since),
            "now": iso_utc(self.now),
            "total": self.total,
            "channels": self.channels,
            "groups": [
                {
                    "topic": g.topic,
                    "count": g.count,
                    "unwatched": g.unwatched,
                    "minutes": g.minutes,
                    "channels": g.channels,
                    "best": {
                        "id": g.best.video_id,
                        "url": video_url(g.best.video_id),
                        "title": g.best.title,
                        "channel": g.best.channel,
                        "duration_s": g.best.duration_s,
                        "reasons": g.best.reasons,
                    },
                }
                for g in self.groups
            ],
        }

    def markdown(self) -> str:
        """The digest as Markdown for notes (titles are data: Markdown characters escaped)."""
        lines = [
            f"# Since {iso_utc(self.since)}",
            "",
            f"{self.total} new videos from {self.channels} channels.",
        ]
        for g in self.groups:
            lines += [
                "",
                f"## {g.topic} — {g.count} videos, {g.unwatched} unwatched, ~{g.minutes} min",
                "",
                f"Best: [{_md(g.best.title)}]({video_url(g.best.video_id)})"
                f" — {_md(g.best.channel)}"
                + (f" ({format_duration(g.best.duration_s)})" if g.best.duration_s else ""),
                f"  {'; '.join(_md(r) for r in g.best.reasons)}",
            ]
        if not self.groups:
            lines += ["", "Nothing new since then."]
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    # Untrusted titles: escape what Markdown would read as links, emphasis or HTML.
    for ch in "\\`*_{}[]()<>#|!":
        text = text.replace(ch, "\\" + ch)
    return text


def build_digest(ranker: Ranker, ranking: Ranking, since: int) -> Digest:
    """Group what was published since `since` by topic, with each group's best pick."""
    f = ranker.features
    now = int(ranker.now)
    new = (f.published >= since) & (f.published <= now) & (f.state.hidden_at == 0)
    new &= ~ranker.rule_hidden
    indexes = np.flatnonzero(new)
    groups: list[Group] = []
    explainer = Explainer(ranker, ranking)
    best_ids: list[tuple[str, int]] = []
    for code in sorted({int(c) for c in f.topic[indexes]}):
        members = indexes[f.topic[indexes] == code]
        unwatched = members[f.state.watched_at[members] == 0]
        pool = unwatched if len(unwatched) else members
        best = int(pool[np.argmax(ranking.score[pool])])
        seconds = np.clip(f.duration[members], 0, None).sum()
        topic = TOPICS[code] if code >= 0 else UNLABELLED
        groups.append(
            Group(
                topic=topic,
                count=len(members),
                unwatched=len(unwatched),
                minutes=round(int(seconds) / 60),
                channels=len(set(f.channel[members].tolist())),
                best=Best(f.ids[best], "", "", None, explainer.reasons(best)),
                score=float(ranking.score[best]),
            )
        )
        best_ids.append((f.ids[best], len(groups) - 1))
    if best_ids:
        found = queries.video_summaries(ranker.conn, [video_id for video_id, _ in best_ids])
        for video_id, position in best_ids:
            title, channel, duration = found.get(video_id, ("", "", None))
            best_pick = groups[position].best
            best_pick.title, best_pick.channel, best_pick.duration_s = title, channel, duration
    groups.sort(key=lambda g: (-g.score, g.topic))
    return Digest(
        since=since,
        now=now,
        total=len(indexes),
        channels=len(set(f.channel[indexes].tolist())),
        groups=groups,
    )
