"""Reasons in plain words: why a pick is where it is.

Each term of the score that lifted a pick by at least `REASON_MIN` becomes a sentence
that quotes the evidence ("You liked 4 videos about science", "Rarely uploads — first
video in 3 months"); a pick shows its strongest few. `explain` gives a sentence for
every non-zero term, for `momentum why`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from momentum_tui.recommend import queries
from momentum_tui.recommend.affinity import Table
from momentum_tui.recommend.features import (
    FORMATS,
    LENGTH_WORDS,
    MOODS,
    TOPICS,
    Features,
    IntArray,
)
from momentum_tui.recommend.ranker import Ranker, Ranking, Term
from momentum_tui.recommend.signals import DAY, HOUR

REASON_MIN = 0.12
"""A term must add at least this much to the score to be quoted as a reason."""
TOP_REASONS = 2
"""How many reasons a pick shows."""
MOMENTUM_OWN_BASELINE = 3
"""A channel needs this many cached videos before "its usual pace" is quoted."""

_FORMAT_WORDS = {
    "tutorial": "tutorials",
    "explainer": "explainers",
    "news": "news reports",
    "review": "reviews",
    "vlog": "vlogs",
    "interview-podcast": "interviews and podcasts",
    "music-video": "music videos",
    "gameplay": "gameplay videos",
    "comedy-sketch": "comedy sketches",
    "documentary": "documentaries",
    "live-stream": "live streams",
    "short-clip": "short clips",
}


def _channel_sizes(features: Features) -> IntArray:
    """How many loaded videos each channel code has (counted once per load)."""
    sizes = features.derived.get("channel_sizes")
    if not isinstance(sizes, np.ndarray):
        sizes = np.bincount(features.channel, minlength=len(features.channel_ids))
        features.derived["channel_sizes"] = sizes
    result: IntArray = sizes
    return result


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _months_or_weeks(days: float) -> str:
    if days >= 60:
        return f"{round(days / 30)} months"
    if days >= 14:
        return f"{round(days / 7)} weeks"
    return f"{round(days)} days"


def _age(seconds: float) -> str:
    hours = seconds / HOUR
    if hours < 1:
        return "Just uploaded"
    if hours < 24:
        return f"Uploaded {_plural(round(hours), 'hour')} ago"
    days = seconds / DAY
    if days < 7:
        return f"Uploaded {_plural(round(days), 'day')} ago"
    return f"Uploaded {_plural(round(days / 7), 'week')} ago"


def _evidence(table: Table, code: int, about: str, noun: str = "video") -> str:
    liked, saved, watched = (
        int(table.liked[code]),
        int(table.saved[code]),
        int(table.watched[code]),
    )
    if liked:
        return f"You liked {_plural(liked, noun)} {about}"
    if saved:
        return f"You saved {_plural(saved, noun)} {about}"
    return f"You watched {_plural(max(watched, 1), noun)} {about}"


def _against(table: Table, code: int, what: str) -> str:
    against = int(table.against[code])
    if against:
        return f"You disliked or hid {against} {what}"
    return f"You rarely pick {what}"


@dataclass
class Explainer:
    """Turns a ranking's terms into sentences for one ranker."""

    ranker: Ranker
    ranking: Ranking
    _weekly: set[int] | None = field(default=None, repr=False)

    def channel_title(self, code: int) -> str:
        """The channel's name (or its id when the cache has no title)."""
        channel_id = self.ranker.features.channel_ids[code]
        titles = self.ranker.channel_titles  # names don't change until the next load
        if channel_id not in titles:
            title = queries.channel_title(self.ranker.conn, channel_id)
            titles[channel_id] = title or channel_id
        return titles[channel_id]

    def weekly(self, code: int) -> bool:
        """Whether the person watched this channel in at least 4 of the last 8 weeks."""
        if self._weekly is None:
            # Every channel at once, the first time a reason asks (the marks are fixed
            # for as long as this ranking is shown).
            f, now = self.ranker.features, self.ranker.now
            watched = f.state.watched_at
            recent = watched > now - 56 * DAY
            weeks = (now - watched[recent]) // (7 * DAY)
            pairs = set(zip(f.channel[recent].tolist(), weeks.tolist(), strict=True))
            counted = Counter(channel for channel, _ in pairs)
            self._weekly = {channel for channel, count in counted.items() if count >= 4}
        return code in self._weekly

    def sentence(self, signal: str, index: int) -> str:
        """The plain-words reason for one signal of one video."""
        r, f, t = self.ranker, self.ranker.features, self.ranker.tastes
        contribution = float(self.ranking.terms[signal][index])
        match signal:
            case "topic":
                code = int(f.topic[index])
                if contribution < 0:
                    return _against(t.topic, code, f"{TOPICS[code]} videos")
                return _evidence(t.topic, code, f"about {TOPICS[code]}")
            case "tag":
                tags = f.tags_of(r.conn, np.array([index]))[index]
                known = {tag: a for tag in tags if (a := t.tags.affinity(tag)) is not None}
                if not known:
                    return "Tags you like"
                tag = max(known, key=lambda name: abs(known[name]))
                if contribution < 0:
                    return f"Tagged “{tag}”, which you pass on"
                liked = t.tags.liked(tag)
                if liked:
                    return f"You liked {_plural(liked, 'video')} tagged “{tag}”"
                return f"You watched {_plural(t.tags.seen(tag), 'video')} tagged “{tag}”"
            case "channel":
                code = int(f.channel[index])
                name = self.channel_title(code)
                if contribution < 0:
                    return _against(t.channel, code, f"videos from {name}")
                if self.weekly(code):
                    fresh = r.now - f.published[index] < 7 * DAY
                    prefix = "New from" if fresh else "From"
                    return f"{prefix} {name}, a channel you watch every week"
                return _evidence(t.channel, code, f"from {name}")
            case "mood":
                word = MOODS[int(f.mood[index])]
                if contribution < 0:
                    return f"Feels {word}, which you tend to skip"
                return f"Feels {word}, like much of what you watch"
            case "format":
                name = FORMATS[int(f.format[index])]
                words = _FORMAT_WORDS.get(name, f"{name} videos")
                if contribution < 0:
                    return f"You tend to skip {words}"
                return f"You often watch {words}"
            case "length":
                words = LENGTH_WORDS[int(f.length[index])]
                if contribution < 0:
                    return f"You tend to skip {words}"
                return f"You usually watch {words}"
            case "keyword":
                matched = [k.keyword for k in r.keywords if r.keyword_masks[k.keyword][index]]
                quoted = ", ".join(f"“{k}”" for k in matched)
                return f"Matches your keyword {quoted}"
            case "freshness":
                return _age(max(0.0, r.now - float(f.published[index])))
            case "momentum":
                ratio = float(r.static.momentum_ratio[index])
                code = int(f.channel[index])
                name = self.channel_title(code)
                own = int(_channel_sizes(f)[code]) >= MOMENTUM_OWN_BASELINE
                if contribution < 0:
                    return f"Slower than {name}'s usual" if own else "Fewer views than usual"
                pace = "over 10×" if ratio > 10 else f"{ratio:.1f}×"
                if own:
                    return f"Catching on: views {pace} {name}'s usual pace"
                return f"Catching on: views {pace} the usual pace for its age"
            case "quality":
                rate = float(r.static.like_rate[index]) * 100
                if contribution < 0:
                    return f"Few likes for its views ({rate:.1f}%)"
                return f"Well liked: {rate:.1f}% of viewers liked it"
            case "clickbait":
                return f"Title looks like clickbait ({f.clickbait[index]:.2f})"
            case "rare":
                gap = float(r.static.gap_days[index])
                return f"Rarely uploads — first video in {_months_or_weeks(gap)}"
            case "rules":
                active = [rule for rule in r.rules if rule.id in r.rule_masks]
                hits = [rule for rule in active if r.rule_masks[rule.id][index]]
                described = "; ".join(rule.spec.describe() for rule in hits)
                return f"Your rules: {described}"
            case "explore":
                return f"Something different: {TOPICS[int(f.topic[index])]}, new to you"
        return signal

    def reasons(self, index: int, count: int = TOP_REASONS) -> list[str]:
        """The strongest reasons a pick is recommended (at least one)."""
        return self.reasons_of([index], count)[0]

    def reasons_of(self, indexes: list[int], count: int = TOP_REASONS) -> list[list[str]]:
        """`reasons` of many picks, their terms read in one go (a page of the feed)."""
        if not indexes:
            return []
        names = list(self.ranking.terms)
        at = np.array(indexes, dtype=np.int64)
        # One row per pick, one column per signal, as Python floats.
        table = np.stack([self.ranking.terms[name][at] for name in names], axis=1).tolist()
        tagged = [i for i, values in zip(indexes, table, strict=True)
                  if values[names.index("tag")] >= REASON_MIN]  # fmt: skip
        if tagged:  # their tags in one query rather than one each
            self.ranker.features.tags_of(self.ranker.conn, np.array(tagged, dtype=np.int64))
        return [self._reasons(index, dict(zip(names, values, strict=True)), count)
                for index, values in zip(indexes, table, strict=True)]  # fmt: skip

    def _reasons(self, index: int, values: dict[str, float], count: int) -> list[str]:
        lifted = sorted(
            ((value, signal) for signal, value in values.items() if value >= REASON_MIN),
            reverse=True,
        )
        if not lifted:
            # Nothing stands out: quote the largest lift there is, however small.
            best = max(values, key=values.__getitem__)
            if values[best] > 0:
                lifted = [(0.0, best)]
        sentences = [self.sentence(signal, index) for _, signal in lifted[:count]]
        return sentences or ["From your subscriptions"]

    def explain(self, index: int) -> list[tuple[Term, str]]:
        """Every term of the score with a sentence for the ones that are not zero."""
        terms = self.ranker.breakdown(self.ranking, index)
        return [
            (term, self.sentence(term.signal, index) if abs(term.contribution) > 1e-9 else "")
            for term in terms
        ]
