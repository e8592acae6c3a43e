"""Simulated people with hidden tastes, and what they watch, like, dislike and hide over time.

Each person has a secret utility for every video (see `Taste.utility`); they never tell
the ranker. Day by day they watch a few of the last week's uploads, picked with
probability ∝ exp(utility / temperature), and like, dislike, save or hide some of them.
The assumptions are listed in docs/recommend.md ("How the offline test works").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from momentum_tui.recommend.features import FORMATS, MOODS, TOPICS, Features

DAY = 86400


@dataclass
class Catalogue:
    """What the simulation knows about each video (the same columns the ranker sees)."""

    features: Features
    popularity: np.ndarray  # z-score of log views
    channel_sizes: np.ndarray


def catalogue(features: Features) -> Catalogue:
    """Precompute popularity and channel sizes."""
    views = np.log1p(np.nan_to_num(features.views, nan=0.0))
    popularity = (views - views.mean()) / (views.std() or 1.0)
    sizes = np.bincount(features.channel, minlength=len(features.channel_ids))
    return Catalogue(features, popularity, sizes[features.channel])


@dataclass
class Taste:
    """One simulated person's hidden preferences."""

    topic_weight: np.ndarray
    mood_weight: np.ndarray
    format_weight: np.ndarray
    favourite_channels: np.ndarray
    max_minutes: float
    bait_tolerance: float
    popularity_bias: float
    appeal: np.ndarray  # idiosyncratic per-video appeal the ranker can't see

    def utility(self, cat: Catalogue, now: float) -> np.ndarray:
        """How much this person would enjoy each video right now."""
        f = cat.features
        topic = np.where(f.topic >= 0, self.topic_weight[np.maximum(f.topic, 0)], 0.0)
        mood = np.where(f.mood >= 0, self.mood_weight[np.maximum(f.mood, 0)], 0.0)
        fmt = np.where(f.format >= 0, self.format_weight[np.maximum(f.format, 0)], 0.0)
        channel = np.isin(f.channel, self.favourite_channels) * 1.5
        minutes = np.where(f.duration > 0, f.duration / 60.0, self.max_minutes / 2)
        too_long = np.clip(np.log(minutes / self.max_minutes), 0, None) * 1.2
        bait = np.clip(f.clickbait - self.bait_tolerance, 0, None) * 3.0
        age_days = np.maximum(0.0, now - f.published) / DAY
        fresh = 0.4 * np.power(0.5, age_days / 3)
        return (
            topic + mood + fmt + channel - too_long - bait
            + self.popularity_bias * cat.popularity + fresh + self.appeal
        )  # fmt: skip


def make_taste(rng: np.random.Generator, cat: Catalogue) -> Taste:
    """Draw a person: 2–3 loved topics, 1–2 disliked, 1–2 moods, favourite creators…"""
    f = cat.features
    topic_counts = np.bincount(f.topic[f.topic >= 0], minlength=len(TOPICS)).astype(float)
    # People love common and niche topics alike: draw ∝ sqrt(how common).
    p = np.sqrt(topic_counts) / np.sqrt(topic_counts).sum()
    topic_weight = rng.normal(0, 0.3, len(TOPICS))
    loved = rng.choice(len(TOPICS), size=rng.integers(2, 4), replace=False, p=p)
    topic_weight[loved] += rng.uniform(1.5, 2.5, len(loved))
    rest = [t for t in range(len(TOPICS)) if t not in set(loved)]
    disliked = rng.choice(rest, size=rng.integers(1, 3), replace=False)
    topic_weight[disliked] -= rng.uniform(1.0, 2.0, len(disliked))
    mood_weight = rng.normal(0, 0.2, len(MOODS))
    mood_weight[rng.choice(len(MOODS), size=rng.integers(1, 3), replace=False)] += 0.8
    format_weight = rng.normal(0, 0.2, len(FORMATS))
    # Favourite creators: channels with several uploads, in a loved topic when possible.
    big = np.flatnonzero(cat.channel_sizes >= 2)
    in_loved = big[np.isin(f.topic[big], loved)]
    pool = np.unique(f.channel[in_loved if len(in_loved) >= 3 else big])
    favourites = rng.choice(pool, size=min(3, len(pool)), replace=False)
    return Taste(
        topic_weight=topic_weight,
        mood_weight=mood_weight,
        format_weight=format_weight,
        favourite_channels=favourites,
        max_minutes=float(np.exp(rng.normal(np.log(20), 0.6))),
        bait_tolerance=float(rng.uniform(0.2, 0.7)),
        popularity_bias=float(rng.uniform(0.0, 0.5)),
        appeal=rng.normal(0, 0.5, len(f)),
    )


@dataclass
class Marks:
    """A person's marks: per video index, the times of each mark (0 = none)."""

    watched_at: dict[int, int]
    rating: dict[int, tuple[int, int]]
    hidden_at: dict[int, int]
    saved_at: dict[int, int]


TEMPERATURE = 0.7
LIKE_AT, DISLIKE_AT = 2.0, -0.5


def pick(
    rng: np.random.Generator, utility: np.ndarray, allowed: np.ndarray, count: int
) -> np.ndarray:
    """Draw `count` distinct videos among `allowed`, ∝ exp(utility / TEMPERATURE)."""
    idx = np.flatnonzero(allowed)
    if not len(idx) or count <= 0:
        return np.zeros(0, dtype=np.int64)
    logits = utility[idx] / TEMPERATURE
    weights = np.exp(logits - logits.max())
    return rng.choice(idx, size=min(count, len(idx)), replace=False, p=weights / weights.sum())


def live(rng: np.random.Generator, taste: Taste, cat: Catalogue, start: int, end: int) -> Marks:
    """Simulate daily sessions from `start` to `end`: watch, then like, dislike, save, hide."""
    f = cat.features
    marks = Marks({}, {}, {}, {})
    watched = np.zeros(len(f), dtype=np.bool_)
    hidden = np.zeros(len(f), dtype=np.bool_)
    for day_start in range(start, end, DAY):
        now = day_start + 20 * 3600
        utility = taste.utility(cat, now)
        recent = (f.published <= now) & (f.published > now - 7 * DAY) & ~watched & ~hidden
        for i in pick(rng, utility, recent, int(rng.poisson(2.0))):
            i = int(i)
            at = now + int(rng.integers(0, 3 * 3600))
            watched[i] = True
            marks.watched_at[i] = at
            if utility[i] > LIKE_AT and rng.random() < 0.6:
                marks.rating[i] = (1, at)
            elif utility[i] < DISLIKE_AT and rng.random() < 0.5:
                marks.rating[i] = (-1, at)
            elif utility[i] > LIKE_AT - 0.5 and rng.random() < 0.15:
                marks.saved_at[i] = at
        # Now and then a person hides something they'd never watch from the feed.
        if rng.random() < 0.3:
            worst = np.flatnonzero(recent)
            if len(worst):
                i = int(worst[np.argmin(utility[worst])])
                hidden[i] = True
                marks.hidden_at[i] = now
    return marks


def future_picks(
    rng: np.random.Generator, taste: Taste, cat: Catalogue, candidates: np.ndarray, now: int,
    count: int,
) -> dict[int, int]:  # fmt: skip
    """What the person picks next from `candidates`: index → grade (2 liked, 1 watched)."""
    utility = taste.utility(cat, now)
    chosen = pick(rng, utility, candidates, count)
    return {int(i): 2 if utility[i] > LIKE_AT else 1 for i in chosen}
