"""What the ranker knows about every cached video, loaded into NumPy columns.

The recommender ranks 100,000 videos in well under a second because everything it looks
at is a column here: integer codes for channels, topics, moods and formats, and numbers
for times, lengths and counts. Reading 100,000 rows through Python's sqlite3 costs about
30 ns per value (2 s for all the columns), so each column is instead aggregated by
SQLite into one comma-separated string (`group_concat`, over a covering index from
migration m030; the SQL is in `queries`) and parsed by NumPy in C. Videos and labels
are both scanned in video id order and lined up with a binary search.

Watched, hidden, liked and disliked videos are loaded too: they are the evidence the
person's tastes are learned from. Label tags are not loaded here: only the tags the
person has shown interest in are looked up (`tag_postings`), by index, from `label_tags`.
Text (titles) is loaded only when a keyword preference or a title-word rule needs it.
"""

from __future__ import annotations

import sqlite3
import warnings
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress

import numpy as np
import numpy.typing as npt

from momentum_tui.models import Format, Mood, Topic
from momentum_tui.recommend import queries

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
SmallArray = npt.NDArray[np.int16]

TOPICS: tuple[str, ...] = tuple(t.value for t in Topic)
MOODS: tuple[str, ...] = tuple(m.value for m in Mood)
FORMATS: tuple[str, ...] = tuple(f.value for f in Format)


def codes_in(column: np.ndarray, names: Iterable[str], vocabulary: tuple[str, ...]) -> BoolArray:
    """Where a coded column (topic, mood, format) holds one of `names`."""
    codes = [vocabulary.index(name) for name in names if name in vocabulary]
    result: BoolArray = np.isin(column, codes)
    return result


LIVE_STATES: tuple[str, ...] = ("none", "live", "upcoming", "was_live")
LIVE, UPCOMING = 1, 2

LENGTHS: tuple[str, ...] = ("short", "medium", "long", "very long")
"""Length buckets the person's taste is learned over: < 4 min, 4–20 min, 20–60 min, longer."""
LENGTH_WORDS: tuple[str, ...] = (
    "short videos",
    "videos of 4–20 minutes",
    "long videos",
    "very long videos",
)
_LENGTH_EDGES = (240, 1200, 3600)


def _numbers(text: str | None) -> IntArray:
    """Parse SQLite's `group_concat` of integers (C speed; text mode is not deprecated)."""
    if not text:
        return np.zeros(0, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.fromstring(text, dtype=np.int64, sep=",")


def _strings(text: str | None) -> list[str]:
    # Ids, channel ids and label enum values never contain commas.
    return text.split(",") if text else []


def _codes(values: list[str], vocabulary: tuple[str, ...] | dict[str, int]) -> SmallArray:
    # `map` over a bound `dict.get` runs in C: ~5 ms for 100,000 values.
    lookup = (
        vocabulary if isinstance(vocabulary, dict) else {v: i for i, v in enumerate(vocabulary)}
    )
    return np.array(list(map(lookup.get, values, [-1] * len(values))), dtype=np.int16)


def length_bucket(duration_s: IntArray) -> npt.NDArray[np.int8]:
    """Bucket lengths into `LENGTHS` codes; -1 where the length is unknown."""
    buckets = np.searchsorted(np.array(_LENGTH_EDGES), duration_s, side="right").astype(np.int8)
    buckets[duration_s < 0] = -1
    return buckets


_STATE_COLUMNS = ("watched_at", "rating", "rated_at", "hidden_at", "saved_at")


@dataclass
class State:
    """The person's current marks as columns (0 means not set; rating is -1, 0 or 1)."""

    watched_at: IntArray
    rating: npt.NDArray[np.int8]
    rated_at: IntArray
    hidden_at: IntArray
    saved_at: IntArray

    @classmethod
    def empty(cls, n: int) -> State:
        """No marks on `n` videos."""
        zeros = np.zeros(n, dtype=np.int64)
        return cls(zeros.copy(), np.zeros(n, dtype=np.int8), zeros.copy(), zeros.copy(), zeros)

    def set(self, index: int, values: dict[str, int | None]) -> bool:
        """Replace one video's marks (the dict shape of `storage.marks`); False when they
        were these already."""
        new = tuple(values.get(name) or 0 for name in _STATE_COLUMNS)
        columns: tuple[np.ndarray, ...] = (
            self.watched_at, self.rating, self.rated_at, self.hidden_at, self.saved_at
        )  # fmt: skip
        if tuple(int(column[index]) for column in columns) == new:
            return False
        for column, value in zip(columns, new, strict=True):
            column[index] = value
        return True

    def marked(self) -> IntArray:
        """Indexes of videos with any mark (the evidence)."""
        any_mark = (
            (self.watched_at > 0) | (self.rating != 0) | (self.hidden_at > 0) | (self.saved_at > 0)
        )
        return np.flatnonzero(any_mark)


@dataclass
class Features:
    """Column-wise facts about every visible cached video; index i is one video.

    Videos are in video-id order, so `index_of` is a binary search.
    """

    ids: list[str]
    channel: npt.NDArray[np.int32]
    channel_ids: list[str]
    published: IntArray
    duration: IntArray
    is_short: BoolArray
    live: npt.NDArray[np.int8]
    views: FloatArray
    likes: FloatArray
    stats_at: IntArray
    topic: SmallArray
    mood: SmallArray
    format: SmallArray
    clickbait: FloatArray
    confidence: FloatArray
    length: npt.NDArray[np.int8]
    state: State
    derived: dict[str, object] = field(default_factory=dict)
    """Values computed from these columns alone, kept until the next load (by name)."""
    tag_names: list[str] = field(default_factory=list)
    """Label tags met so far (the marked videos', the explained picks'), by code."""
    tag_code: dict[str, int] = field(default_factory=dict)
    """The code of each tag in `tag_names`."""
    _postings: dict[str, IntArray] = field(default_factory=dict)
    _video_tags: dict[int, list[str]] = field(default_factory=dict)
    _video_tag_codes: dict[int, IntArray] = field(default_factory=dict)
    _haystacks: tuple[list[str], list[str]] | None = None
    _titles: list[str] | None = None
    _positions: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def channel_mask(self, channel_ids: Iterable[str]) -> BoolArray:
        """Which loaded videos come from one of `channel_ids`."""
        wanted = set(channel_ids)
        codes = [code for code, channel in enumerate(self.channel_ids) if channel in wanted]
        result: BoolArray = np.isin(self.channel, codes)
        return result

    def index_of(self, video_id: str) -> int | None:
        """Where a video is in the columns, or None if it is not loaded."""
        i = bisect_left(self.ids, video_id)
        return i if i < len(self.ids) and self.ids[i] == video_id else None

    def indexes_of(self, video_ids: list[str]) -> IntArray:
        """Indexes of many videos (-1 for the ones not loaded)."""
        if self._positions is None:
            # Tag postings look up ~150,000 ids at 100,000 videos: a dict (built once, in C)
            # does it in ~10 ms where a binary search per id takes ~250 ms.
            self._positions = dict(zip(self.ids, range(len(self.ids)), strict=True))
        lookup = self._positions.get
        return np.fromiter((lookup(i, -1) for i in video_ids), dtype=np.int64, count=len(video_ids))

    def tag_postings(self, conn: sqlite3.Connection, tags: list[str]) -> dict[str, IntArray]:
        """The videos carrying each tag (indexed; remembered until the next load)."""
        missing = [tag for tag in tags if tag not in self._postings]
        found: dict[str, list[str]] = {tag: [] for tag in missing}
        for tag, joined in queries.tag_videos(conn, missing):
            found[tag] = _strings(joined)
        for tag, video_ids in found.items():
            indexes = self.indexes_of(video_ids)
            self._postings[tag] = indexes[indexes >= 0]
        return {tag: self._postings[tag] for tag in tags}

    def tags_of(self, conn: sqlite3.Connection, indexes: IntArray) -> dict[int, list[str]]:
        """Label tags of some videos (the evidence, or the picks being explained)."""
        result: dict[int, list[str]] = {}
        wanted = [int(i) for i in indexes if int(i) not in self._video_tags]
        for index in wanted:
            self._video_tags[index] = []
        ids = [self.ids[i] for i in wanted]
        by_id = dict(zip(ids, wanted, strict=True))
        for video_id, tag in queries.video_tags(conn, ids):
            self._video_tags[by_id[video_id]].append(tag)
        for index in indexes:
            result[int(index)] = self._video_tags[int(index)]
        return result

    def tag_codes_of(
        self, conn: sqlite3.Connection, indexes: IntArray
    ) -> tuple[IntArray, IntArray]:
        """The label tags of some videos as codes into `tag_names`, one flat array (the
        videos in the order given, each one's tags by name), and how many each video has.

        Only videos not looked up before are read (after a mark: that one video).
        """
        wanted = [index for index in indexes.tolist() if index not in self._video_tag_codes]
        if wanted:
            names, codes = self.tag_names, self.tag_code
            for index, tags in self.tags_of(conn, np.array(wanted, dtype=np.int64)).items():
                for tag in tags:
                    if tag not in codes:
                        codes[tag] = len(names)
                        names.append(tag)
                self._video_tag_codes[index] = np.array([codes[t] for t in tags], dtype=np.int64)
        arrays = [self._video_tag_codes[index] for index in indexes.tolist()]
        lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
        return flat, lengths

    def titles(self, conn: sqlite3.Connection) -> list[str]:
        """Every video's original title, as title-word rules test it (loaded once)."""
        if self._titles is None:
            found = queries.titles(conn)
            self._titles = [found.get(video_id, "") for video_id in self.ids]
        return self._titles

    def haystacks(self, conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
        """Case-folded "title, newline, plain title" and label-tag text per video (loaded once).

        Keyword preferences look at both (title-word rules look at `titles` only).
        """
        if self._haystacks is None:
            titles = queries.title_texts(conn)
            empty = ("", "")
            pairs = [titles.get(video_id, empty) for video_id in self.ids]
            self._haystacks = (
                [pair[0].casefold() for pair in pairs],
                [pair[1].casefold() for pair in pairs],
            )
        return self._haystacks


def _align(ids: list[str], label_ids: list[str]) -> tuple[IntArray, BoolArray]:
    """Where each label's video is in `ids` (both sorted), and which labels have one."""
    if label_ids == ids:  # the usual case: every video is labelled
        return np.arange(len(ids), dtype=np.int64), np.ones(len(ids), dtype=np.bool_)
    position = dict(zip(ids, range(len(ids)), strict=True))
    at = np.array(list(map(position.get, label_ids, [-1] * len(label_ids))), dtype=np.int64)
    return at, at >= 0


def load_features(conn: sqlite3.Connection) -> Features:
    """Read every visible video's features (two scans and the marks; see the module notes)."""
    videos = queries.videos_columns(conn)
    ids = _strings(videos[0])
    channel_list = _strings(videos[1])
    live_list = _strings(videos[5])
    columns = [_numbers(text) for text in (*videos[2:5], *videos[6:])]
    columns.append(_codes(live_list, LIVE_STATES).astype(np.int64))
    unfollowed = queries.unfollowed_channels(conn)
    if unfollowed:
        keep = [c not in unfollowed for c in channel_list]
        ids = list(compress(ids, keep))
        channel_list = list(compress(channel_list, keep))
        mask = np.array(keep, dtype=np.bool_)
        columns = [column[mask] for column in columns]
    channel_lookup = {c: i for i, c in enumerate(dict.fromkeys(channel_list))}
    channel = np.array(list(map(channel_lookup.__getitem__, channel_list)), dtype=np.int32)
    published, duration, short, views, likes, stats_at, live = columns
    n = len(ids)

    labels = queries.labels_columns(conn)
    topic = np.full(n, -1, dtype=np.int16)
    mood = np.full(n, -1, dtype=np.int16)
    fmt = np.full(n, -1, dtype=np.int16)
    clickbait = np.zeros(n, dtype=np.float64)
    confidence = np.zeros(n, dtype=np.float64)
    label_ids = _strings(labels[0])
    if label_ids and n:
        at, hit = _align(ids, label_ids)
        target = at[hit]
        topic[target] = _codes(_strings(labels[1]), TOPICS)[hit]
        mood[target] = _codes(_strings(labels[2]), MOODS)[hit]
        fmt[target] = _codes(_strings(labels[3]), FORMATS)[hit]
        clickbait[target] = _numbers(labels[4])[hit] / 1000.0
        confidence[target] = _numbers(labels[5])[hit] / 1000.0

    views_f = views.astype(np.float64)
    likes_f = likes.astype(np.float64)
    views_f[views < 0] = np.nan
    likes_f[likes < 0] = np.nan
    features = Features(
        ids=ids,
        channel=channel,
        channel_ids=list(channel_lookup),
        published=published,
        duration=duration,
        is_short=short > 0,
        live=np.maximum(live, 0).astype(np.int8),
        views=views_f,
        likes=likes_f,
        stats_at=stats_at,
        topic=topic,
        mood=mood,
        format=fmt,
        clickbait=clickbait,
        confidence=confidence,
        length=length_bucket(duration),
        state=State.empty(n),
    )
    for row in queries.marked_videos(conn):
        index = features.index_of(row[0])
        if index is not None:
            features.state.set(
                index,
                {
                    "watched_at": row[1],
                    "rating": row[2],
                    "rated_at": row[3],
                    "hidden_at": row[4],
                    "saved_at": row[5],
                },
            )
    return features
