"""Diversity: maximal marginal relevance with hard caps, so no channel or topic floods the top.

Greedy MMR (Carbonell & Goldstein, 1998): each next pick maximises
`λ·relevance − (1−λ)·similarity to what is already picked`, with relevance the score
scaled to 0…1 within the pool and similarity 0.6 for the same channel, 0.3 for the same
topic and 0.1 for the same format. `λ` falls as adventurousness rises. On top of that,
within any ten consecutive picks at most `channel_cap` come from one channel and at most
`topic_cap` share a topic, as long as the pool has anything else to offer.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from momentum_tui.recommend.features import BoolArray, FloatArray, IntArray

WINDOW = 10
"""Caps hold within any this many consecutive picks."""
SAME_CHANNEL, SAME_TOPIC, SAME_FORMAT = 0.6, 0.3, 0.1


@dataclass(frozen=True)
class DiversityOptions:
    """How to diversify: trade-off (`lam`, 1 = pure score) and the per-window caps."""

    lam: float
    channel_cap: int
    topic_cap: int

    @classmethod
    def from_adventurousness(
        cls, adventurousness: float, channel_cap: int, topic_cap: int
    ) -> DiversityOptions:
        """0 → λ 0.85 (mostly score), 1 → λ 0.45 (variety weighs as much as score)."""
        return cls(0.85 - 0.4 * adventurousness, channel_cap, topic_cap)


FIRST_LOOK = 64
"""Entries of a pool ordered by score that a pick looks at first (more when it must)."""

_SAME_CHANNEL_SIMILARITY: tuple[float, ...] = tuple(
    float(SAME_CHANNEL * np.True_ + SAME_TOPIC * np.bool_(topic) + SAME_FORMAT * np.bool_(fmt))
    for topic in (False, True)
    for fmt in (False, True)
)
"""The similarity of two entries of one channel, by (same topic, same format).

Similarity is `SAME_CHANNEL·[same channel] + SAME_TOPIC·[same topic] + SAME_FORMAT·[same
format]`, summed in that order everywhere (in floating point 0.6 + 0.3 + 0.1 is not
0.6 + 0.4), "same" topic or format meaning a known one."""


def diversify(
    pool: IntArray,
    score: FloatArray,
    channel: np.ndarray,
    topic: np.ndarray,
    fmt: np.ndarray,
    options: DiversityOptions,
    picks: int | None = None,
) -> IntArray:
    """Choose `picks` of `pool` (indexes, best first) by MMR under the caps, in order.

    The pool should be several times larger than `picks`, so that the caps can reach past
    a person's favourite topics for something else; what is not picked is left out.
    """
    size = len(pool)
    picks = size if picks is None else min(picks, size)
    if size <= 1:
        return pool[:picks]
    rel = score[pool]
    low, high = float(rel.min()), float(rel.max())
    rel = (rel - low) / (high - low) if high > low else np.ones(size)
    mmr = _Mmr(rel, channel[pool], topic[pool], fmt[pool], options)
    picked = [mmr.pick() for _ in range(picks)]
    result: IntArray = pool[np.array(picked, dtype=np.int64)]
    return result


class _Mmr:
    """Greedy MMR over one pool: each `pick` is the first entry of highest
    `λ·relevance − (1−λ)·max similarity to the picks so far` among those the caps allow
    (among all that are left when the caps allow none).

    An entry's value is never above its `λ·relevance`, which in a pool ordered by score
    falls along the pool: so a pick looks only from the first entry not yet picked to
    where `λ·relevance` drops below the best value found (further when it must). The
    picks are those of scanning the whole pool every time, ties included, for a
    fraction of the work; a pool in another order is scanned whole.
    """

    def __init__(
        self,
        rel: FloatArray,
        channel: np.ndarray,
        topic: np.ndarray,
        fmt: np.ndarray,
        options: DiversityOptions,
    ) -> None:
        size = len(rel)
        self.gain = options.lam * rel
        self.spread = 1 - options.lam
        self.channel, self.topic, self.format = channel, topic, fmt
        self.topics: list[int] = topic.tolist()
        self.formats: list[int] = fmt.tolist()
        self.max_sim = np.zeros(size)
        self.available = np.ones(size, dtype=np.bool_)
        self.caps = _Caps(channel, topic, options)
        self.picked: list[int] = []
        self.start = 0
        """Every entry before this one is picked."""
        ordered = bool(np.all(self.gain[1:] <= self.gain[:-1]))
        self.end = min(size, FIRST_LOOK) if ordered else size
        """Entries from here on have not been looked at (their `max_sim` is not kept)."""
        self._shared: dict[tuple[int, int], FloatArray] = {}

    def pick(self) -> int:
        """The next pick (an index into the pool)."""
        size = len(self.gain)
        while not self.available[self.start]:
            self.start += 1
        while True:
            start, end = self.start, self.end
            worth = self.gain[start:end] - self.spread * self.max_sim[start:end]
            available = self.available[start:end]
            blocked = self.caps.blocked(start, end)
            allowed = available if blocked is None else available & ~blocked
            value = np.where(allowed, worth, -np.inf)
            best = int(value.argmax())
            if end == size:
                if not np.isfinite(value[best]):  # the caps allow nothing left: drop them
                    value = np.where(available, worth, -np.inf)
                    best = int(value.argmax())
                break
            # Whatever lies past `end` is worth at most gain[end].
            if value[best] >= self.gain[end]:
                break
            self._look_further(min(size, end + FIRST_LOOK))
        best += start
        self.picked.append(best)
        self.available[best] = False
        self.caps.add(best)
        self._picked(best)
        return best

    def _picked(self, best: int) -> None:
        """Raise the similarity of the entries looked at to the new pick."""
        start, end = self.start, self.end
        topic, fmt = self.topics[best], self.formats[best]
        shared = self._shared.get((topic, fmt))
        if shared is None:
            # What an entry of another channel shares with the pick (topic, format): its
            # whole similarity, bit for bit (0 + x is x). Once per pair of topic and format.
            shared = SAME_TOPIC * ((self.topic == topic) & (self.topic >= 0)) + SAME_FORMAT * (
                (self.format == fmt) & (self.format >= 0)
            )
            self._shared[(topic, fmt)] = shared
        np.maximum(self.max_sim[start:end], shared[start:end], out=self.max_sim[start:end])
        # The pick's own channel: a few entries, one at a time (those past `end` too,
        # harmlessly: `_look_further` computes theirs again from every pick).
        for member in self.caps.channel_members(best):
            self._raise(member, topic, fmt)

    def _look_further(self, end: int) -> None:
        """Look at the entries up to `end`: their similarity to every pick so far."""
        old, self.end = self.end, end
        if not self.picked:
            return
        # Every pick's topic and format is in `_shared`; its channel counts on top for
        # the entries of a channel picked before.
        shared = [row[old:end] for row in self._shared.values()]
        self.max_sim[old:end] = np.max(shared, axis=0)
        picked_channels = {self.caps.channel_code(pick) for pick in self.picked}
        for entry in range(old, end):
            if self.caps.channel_code(entry) in picked_channels:
                self._same_channel(entry)

    def _same_channel(self, entry: int) -> None:
        """`entry`'s similarity to the picks of its own channel (checked one by one)."""
        code = self.caps.channel_code(entry)
        for pick in self.picked:
            if self.caps.channel_code(pick) == code:
                self._raise(entry, self.topics[pick], self.formats[pick])

    def _raise(self, member: int, topic: int, fmt: int) -> None:
        """Raise `member`'s similarity to that of a pick of its channel (`topic`, `fmt`)."""
        same_topic = topic >= 0 and self.topics[member] == topic
        same_format = fmt >= 0 and self.formats[member] == fmt
        similarity = _SAME_CHANNEL_SIMILARITY[2 * same_topic + same_format]
        if similarity > self.max_sim[member]:
            self.max_sim[member] = similarity


class _Caps:
    """The channels and topics of the last `WINDOW - 1` picks, counted as picks are made:
    which ones are full (a cap's worth in the window) and the pool entries they rule out."""

    def __init__(self, channel: np.ndarray, topic: np.ndarray, options: DiversityOptions) -> None:
        channels, self._channel = np.unique(channel, return_inverse=True)
        topics, self._topic = np.unique(topic, return_inverse=True)
        self._codes: tuple[list[int], list[int]] = (self._channel.tolist(), self._topic.tolist())
        self._counts = ([0] * len(channels), [0] * len(topics))
        self._full = ([False] * len(channels), [False] * len(topics))
        self._full_mask = (np.zeros(len(channels), np.bool_), np.zeros(len(topics), np.bool_))
        self._caps = (options.channel_cap, options.topic_cap)
        self._cappable = ([True] * len(channels), (topics >= 0).tolist())  # not "no topic"
        self._channels = _Groups(self._channel, len(channels))
        self._how_many_full = 0
        self._recent: deque[int] = deque()

    def channel_members(self, entry: int) -> list[int]:
        """The entries of `entry`'s channel (itself included), in pool order."""
        return self._channels.members(self._codes[0][entry]).tolist()  # type: ignore[no-any-return]

    def channel_code(self, entry: int) -> int:
        """`entry`'s channel, as a code of its own (0 … channels in the pool - 1)."""
        return self._codes[0][entry]

    def add(self, entry: int) -> None:
        """`entry` was picked: it counts, and the pick `WINDOW - 1` ago no longer does."""
        self._recent.append(entry)
        self._count(entry, 1)
        if len(self._recent) > WINDOW - 1:
            self._count(self._recent.popleft(), -1)

    def _count(self, entry: int, step: int) -> None:
        for kind in (0, 1):
            code = self._codes[kind][entry]
            counts = self._counts[kind]
            counts[code] += step
            # Only what the window holds can be full (a cap of 0 rules out just those).
            full = 0 < counts[code] >= self._caps[kind] and self._cappable[kind][code]
            if full != self._full[kind][code]:
                self._full[kind][code] = self._full_mask[kind][code] = full
                self._how_many_full += 1 if full else -1

    def blocked(self, start: int, end: int) -> BoolArray | None:
        """Which entries from `start` to `end` a full channel or topic rules out (None:
        nothing is full)."""
        if not self._how_many_full:
            return None
        channels, topics = self._full_mask
        result: BoolArray = channels[self._channel[start:end]] | topics[self._topic[start:end]]
        return result


class _Groups:
    """The entries of each code (0 … count-1) in pool order, found by one sort."""

    def __init__(self, codes: IntArray, count: int) -> None:
        self._order = np.argsort(codes, kind="stable")
        self._bounds: list[int] = [0, *np.cumsum(np.bincount(codes, minlength=count)).tolist()]

    def members(self, code: int) -> IntArray:
        """The entries whose code is `code`."""
        result: IntArray = self._order[self._bounds[code] : self._bounds[code + 1]]
        return result
