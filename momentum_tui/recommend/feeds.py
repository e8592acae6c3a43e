"""Picks with reasons, and smart feeds: a mood, a time budget and topics → a list that fits.

A smart feed takes the ranked, diversified candidates that match the mood and topics and
walks down them, keeping each video that still fits the remaining minutes, until less
than a minute is left. So the list stays in ranked order and never runs over budget.
Videos of unknown length (live now, or synced without a key) can't be budgeted and are
left out — never counted at a guess — and the result says how many were; so are Shorts
when the budget is ten minutes or more (a 25-minute ask wants videos, not 40 clips).
When the exact mood has too few videos, its neighbours join (calm ↔ cozy…), and the
result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from momentum_tui.models import Mood
from momentum_tui.recommend.ranker import Ask, Ranker, Ranking
from momentum_tui.recommend.reasons import Explainer

MOOD_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    Mood.CALM: (Mood.COZY, Mood.INFORMATIVE),
    Mood.COZY: (Mood.CALM,),
    Mood.UPBEAT: (Mood.ENERGETIC, Mood.FUNNY),
    Mood.FUNNY: (Mood.UPBEAT,),
    Mood.SERIOUS: (Mood.INFORMATIVE,),
    Mood.INFORMATIVE: (Mood.SERIOUS, Mood.CALM),
    Mood.TENSE: (Mood.SERIOUS, Mood.ENERGETIC),
    Mood.INSPIRING: (Mood.EMOTIONAL, Mood.UPBEAT),
    Mood.EMOTIONAL: (Mood.INSPIRING,),
    Mood.ENERGETIC: (Mood.UPBEAT,),
}
"""Moods that feel close enough to stand in when the asked-for one runs short."""
MIN_MOOD_MATCHES = 5
SHORTS_BUDGET_S = 600
"""From this budget on, smart feeds leave Shorts out."""


@dataclass
class Pick:
    """One recommended video: where it is in the feature columns, its score and reasons."""

    index: int
    video_id: str
    score: float
    reasons: list[str]


@dataclass
class SmartFeed:
    """An ordered list for a mood, topics and a time budget."""

    picks: list[Pick]
    total_seconds: int
    budget_seconds: int | None
    moods: tuple[str, ...]
    topics: tuple[str, ...]
    candidates: int
    notes: list[str] = field(default_factory=list)


def picks(ranker: Ranker, ranking: Ranking, limit: int, *, reasons: int = 2) -> list[Pick]:
    """The first `limit` picks of a ranking, each with its top reasons."""
    explainer = Explainer(ranker, ranking)
    result: list[Pick] = []
    for index in ranking.order[:limit]:
        i = int(index)
        result.append(
            Pick(i, ranker.features.ids[i], float(ranking.score[i]), explainer.reasons(i, reasons))
        )
    return result


def fit_budget(order: list[int], durations: list[int], budget: int) -> list[int]:
    """Walk `order`, keeping what still fits `budget` seconds; stop under a minute left."""
    kept: list[int] = []
    left = budget
    for position, seconds in zip(order, durations, strict=True):
        if left < 60:
            break
        if 0 < seconds <= left:
            kept.append(position)
            left -= seconds
    return kept


def _unknown_lengths(ranker: Ranker, ask: Ask) -> int:
    """Candidates for `ask` whose length is unknown because no key described them yet."""
    from momentum_tui.recommend.features import LIVE_STATES

    features = ranker.features
    waiting = (features.duration < 0) & (features.live == LIVE_STATES.index("none"))
    return int((ranker.candidates(ask) & waiting).sum())


def smart_feed(
    ranker: Ranker,
    *,
    mood: str | None = None,
    minutes: int | None = None,
    topics: tuple[str, ...] = (),
    limit: int = 50,
) -> SmartFeed:
    """Recommend for a mood, a time budget and topics (each optional)."""
    budget = minutes * 60 if minutes is not None else None
    moods: tuple[str, ...] = (mood,) if mood else ()
    shorts = budget is None or budget < SHORTS_BUDGET_S

    def ask_for(moods: tuple[str, ...]) -> Ask:
        return Ask(
            topics=topics,
            moods=moods,
            max_seconds=budget,
            known_length=budget is not None,
            shorts=shorts,
        )

    notes: list[str] = []
    ask = ask_for(moods)
    if mood and int(ranker.candidates(ask).sum()) < MIN_MOOD_MATCHES:
        wider = (mood, *MOOD_NEIGHBOURS.get(mood, ()))
        if len(wider) > 1:
            moods, ask = wider, ask_for(wider)
            notes.append(f"Few {mood} videos, so {', '.join(wider[1:])} ones are included too.")
    ranking = ranker.rank(ask)
    candidates = int(ranking.candidates.sum())
    order = [int(i) for i in ranking.order]
    if budget is not None:
        durations = [int(ranker.features.duration[i]) for i in order]
        order = fit_budget(order, durations, budget)
        unknown = _unknown_lengths(ranker, replace(ask, max_seconds=None, known_length=False))
        if unknown:
            notes.append(
                f"{unknown} videos of unknown length were left out (synced without a key; "
                "a sync with a YouTube API key fills lengths in)."
            )
    else:
        order = order[:limit]
    explainer = Explainer(ranker, ranking)
    chosen = [
        Pick(i, ranker.features.ids[i], float(ranking.score[i]), explainer.reasons(i))
        for i in order
    ]
    total = sum(max(0, int(ranker.features.duration[p.index])) for p in chosen)
    if not chosen and not len(ranker.features.ids):
        notes.append(
            "No videos are cached yet: import your subscriptions (`momentum import FILE`) "
            "and run `momentum sync`."
        )
    elif not chosen and (mood or topics or budget is not None):
        notes.append("Nothing unwatched matches; try another mood, more minutes or no topic.")
    elif not chosen:
        notes.append("Everything cached is watched, hidden or disliked; sync for new uploads.")
    return SmartFeed(chosen, total, budget, moods, topics, candidates, notes)
