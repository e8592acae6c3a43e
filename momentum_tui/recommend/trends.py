"""Trends in what you follow: topics, tags and title words on the rise, channels breaking out.

Everything is counted locally from the cache (uploads of followed channels, their labels
and view counts). Time is cut into equal windows of `days` days ending now; the newest
window is "this week", the `history` windows before it are the baseline. A term is rising
when this window's count is well above what the baseline predicts — measured as a Poisson
surprise, `(now − expected) / √(expected + 1)`, so a jump from 1 to 3 uploads ranks below
a jump from 10 to 30 — and it comes from at least two channels (one channel's weekly
series is not a trend). A channel is breaking out when its newest videos gather views
faster than its own usual pace (views adjusted for the age they were counted at, as the
recommender's momentum signal does). What is counted and why is in docs/trends.md.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from momentum_tui.recommend import queries

DAY = 86_400
SPARK = "▁▂▃▄▅▆▇█"
MIN_COUNT = 3
"""A term needs this many uploads in the newest window to be called rising."""
MIN_CHANNELS = 2
"""…from at least this many channels."""
BREAKOUT_RATIO = 2.0
"""A channel breaks out when its new videos run at least this many times its usual pace."""
MIN_HISTORY_VIDEOS = 3
"""Older videos with view counts a channel needs before its usual pace means anything."""
VIDEOS_PER_ROW = 10
MIN_BASELINE = 50
"""Uploads the earlier windows need together before any term can be called rising."""

_WORD = re.compile(r"[^\W\d_]+")
"""Runs of letters: a title's words (digits, punctuation and `_` split them)."""
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
"""Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana, Han)."""
_STOP = frozenset(
    """
    the and you for with this that what how are was were is of to in on at by my your from
    our it its not all new video videos official full episode part live vs amp out up
    about just have has had will can get got one two his her they them their who why when
    el la los las que de y en por con para una como más mi es del un al lo se su
    o a os as e em com uma mais meu não do da você no na
    le les des et pour avec une comme plus mon est du je ce qui
    der die das und ist nicht mit für ein eine ich wir auf den dem zu im
    il gli che di per più è della
    и в на с не что как по это из за от для
    """.split()  # noqa: SIM905 - a word list reads best as words
)


@dataclass
class TrendRow:
    """One rising topic, tag or title word."""

    kind: str
    term: str
    counts: list[int]
    """Uploads per window, oldest first; the last is the newest window."""
    uploads: list[int]
    """All uploads per window (the same list for every row), for the shares."""
    channels: int
    """Channels behind the newest window's count."""
    video_ids: list[str] = field(default_factory=list)
    """The newest window's videos with this term, most viewed first."""

    @property
    def now(self) -> int:
        """Uploads in the newest window."""
        return self.counts[-1]

    @property
    def expected(self) -> float:
        """What the newest window would hold at the baseline's share of uploads.

        Shares, not counts, because a cache fills up over time (a new channel brings
        only its 15 newest uploads), so raw counts rise for everything.
        """
        before = sum(self.uploads[:-1])
        if before == 0:
            return 0.0
        return sum(self.counts[:-1]) / before * self.uploads[-1]

    @property
    def change(self) -> float | None:
        """Relative change of its share against the baseline (1.0 = doubled); None if new."""
        return None if self.expected == 0 else self.now / self.expected - 1.0

    @property
    def surprise(self) -> float:
        """How unexpected the newest count is (a Poisson z-score)."""
        return (self.now - self.expected) / math.sqrt(self.expected + 1.0)

    @property
    def shares(self) -> list[float]:
        """Its share of each window's uploads."""
        return [c / u if u else 0.0 for c, u in zip(self.counts, self.uploads, strict=True)]

    @property
    def sparkline(self) -> str:
        """Its share of uploads per window as block characters, scaled to the largest."""
        return sparkline(self.shares)


@dataclass
class Breakout:
    """A channel whose newest videos run ahead of its usual pace."""

    channel_id: str
    title: str
    ratio: float
    """Newest videos' pace ÷ the channel's usual pace (2.0 = twice as fast)."""
    videos: int
    """Its uploads in the newest window."""
    video_ids: list[str] = field(default_factory=list)


@dataclass
class Trends:
    """Everything `momentum trends` and the trends view show."""

    days: int
    history: int
    window_starts: list[int]
    """Each window's start (Unix seconds), oldest first."""
    until: int
    uploads: list[int]
    """All uploads per window, for scale."""
    topics: list[TrendRow]
    tags: list[TrendRow]
    words: list[TrendRow]
    breakouts: list[Breakout]

    @property
    def enough_history(self) -> bool:
        """Whether the earlier windows hold enough uploads to compare against."""
        return sum(self.uploads[:-1]) >= MIN_BASELINE

    @property
    def rows(self) -> list[TrendRow]:
        """Topics, tags and words together, most surprising first."""
        return sorted(self.topics + self.tags + self.words, key=lambda r: -r.surprise)


def sparkline(counts: list[float]) -> str:
    """Block characters for `counts`, the tallest at the largest; an empty window is `▁`."""
    top = max(counts, default=0)
    if top <= 0:
        return SPARK[0] * len(counts)
    steps = len(SPARK) - 1
    return "".join(SPARK[round(c / top * steps)] for c in counts)


def title_words(title: str) -> set[str]:
    """The distinct words of a title worth counting (case-folded, no stop words or numbers)."""
    found = {w for w in _WORD.findall(title.casefold()) if 3 <= len(w) <= 24} - _STOP
    if found and _UNSPACED.search(title):
        # Scripts without spaces give whole phrases, not words: they are left out.
        found = {w for w in found if not _UNSPACED.search(w)}
    return found


def _rows(
    kind: str,
    counts: dict[str, list[int]],
    channels: dict[str, int],
    uploads: list[int],
) -> list[TrendRow]:
    """Terms rising in the newest window, with enough uploads from enough channels."""
    rows = [
        TrendRow(kind, term, series, uploads, channels.get(term, 0))
        for term, series in counts.items()
        if series[-1] >= MIN_COUNT and channels.get(term, 0) >= MIN_CHANNELS
    ]
    return [r for r in rows if r.surprise > 1.0 and r.now > r.expected]


def _word_counts(
    conn: sqlite3.Connection, span: tuple[int, int, int, int]
) -> tuple[list[int], dict[str, list[int]], dict[str, set[str]], dict[str, list[tuple[int, str]]]]:
    """Uploads per window, and title words per window with the newest window's channels
    and videos per word. Counter.update and set intersections keep the per-title work in
    C; only words common enough to be candidates are followed further."""
    windows = span[3]
    per_window = [Counter[str]() for _ in range(windows)]
    uploads = [0] * windows
    newest: list[tuple[set[str], str, int, str]] = []
    for video in queries.trend_uploads(conn, *span):
        uploads[video.window] += 1
        found = title_words(video.title)
        per_window[video.window].update(found)
        if video.window == windows - 1:
            newest.append((found, video.channel_id, video.views, video.id))
    candidates = {word for word, count in per_window[-1].items() if count >= MIN_COUNT}
    channels: dict[str, set[str]] = defaultdict(set)
    videos: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for found, channel_id, views, video_id in newest:
        for word in found & candidates:
            channels[word].add(channel_id)
            videos[word].append((views, video_id))
    counts = {word: [window[word] for window in per_window] for word in candidates}
    return uploads, counts, channels, videos


def compute_trends(
    conn: sqlite3.Connection,
    now: int,
    *,
    days: int = 7,
    history: int = 7,
    limit: int = 15,
) -> Trends:
    """Rising topics, tags, title words and breakout channels over `history`+1 windows."""
    if days < 1 or history < 1:
        raise ValueError("days and history must be at least 1")
    windows = history + 1
    width = days * DAY
    start = now - windows * width
    starts = [start + i * width for i in range(windows)]
    span = (start, now, width, windows)
    uploads, word_counts, word_channels, word_videos = _word_counts(conn, span)
    enough = sum(uploads[:-1]) >= MIN_BASELINE

    def top(rows: list[TrendRow]) -> list[TrendRow]:
        return sorted(rows, key=lambda r: (-r.surprise, r.term))[:limit] if enough else []

    words = top(_rows("word", word_counts, {w: len(c) for w, c in word_channels.items()},
                      uploads))  # fmt: skip
    for row in words:
        row.video_ids = [vid for _, vid in sorted(word_videos[row.term], reverse=True)]
        row.video_ids = row.video_ids[:VIDEOS_PER_ROW]
    labelled = {}
    for kind in ("topic", "tag"):
        counts = queries.label_counts(conn, kind, *span)
        channels = queries.label_channels(conn, kind, starts[-1], now)
        labelled[kind] = top(_rows(kind, counts, channels, uploads))
        for row in labelled[kind]:
            row.video_ids = queries.label_videos(conn, kind, row.term, starts[-1], now,
                                                 VIDEOS_PER_ROW)  # fmt: skip
    return Trends(
        days=days,
        history=history,
        window_starts=starts,
        until=now,
        uploads=uploads,
        topics=labelled["topic"],
        tags=labelled["tag"],
        words=words,
        breakouts=breakouts(conn, now, since=starts[-1], limit=limit),
    )


def _pace(views: int, published_at: int, stats_at: int) -> float:
    hours = max(1.0, (stats_at - published_at) / 3600)
    return math.log1p(views) - 0.5 * math.log1p(hours)


def breakouts(conn: sqlite3.Connection, now: int, *, since: int, limit: int) -> list[Breakout]:
    """Channels whose videos since `since` run at least BREAKOUT_RATIO × their usual pace."""
    recent: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
    titles: dict[str, str] = {}
    for video in queries.counted_uploads_since(conn, since):
        pace = _pace(video.views, video.published_at, video.stats_at)
        recent[video.channel_id].append((pace, video.views, video.id))
        titles[video.channel_id] = video.channel_title
    usual = queries.usual_paces(conn, list(recent), before=since)
    found = []
    for channel_id, videos in recent.items():
        history = usual.get(channel_id, [])
        if len(history) < MIN_HISTORY_VIDEOS:
            continue
        baseline = median(_pace(v, p, s) for v, p, s in history)
        best = max(pace for pace, _, _ in videos)
        ratio = math.exp(best - baseline)
        if ratio >= BREAKOUT_RATIO:
            ids = [vid for _, _, vid in sorted(videos, key=lambda v: (-v[0], v[2]))]
            found.append(Breakout(channel_id, titles[channel_id], ratio, len(videos), ids))
    found.sort(key=lambda b: (-b.ratio, b.title))
    return found[:limit]
