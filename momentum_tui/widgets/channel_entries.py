"""The channel list's lines as data: all videos, saved, channel groups, each channel.

Plain Python (no Textual): the list's worker builds them off the UI thread. They are kept
as columns — a list of ids, one of names, an array of numbers — rather than an object per
line: the cyclic garbage collector walks every object that may hold references, and
77,000 channels as 77,000 objects made each of its full collections (and so the app, now
and then) tens of milliseconds slower. A line is made into an `Entry` when asked for.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

ALL = "all"
SAVED = "saved"


class Entry(NamedTuple):
    """One line of the list: an id to act on, a name (untrusted text), a number, a style."""

    id: str
    name: str
    number: int = 0
    """Unwatched videos (a channel, all videos) or channels (a group); 0 shows none."""
    style: str = ""

    @property
    def selectable(self) -> bool:
        """Separators are not."""
        return bool(self.id)

    def filters(self) -> tuple[dict[str, Any], str]:
        """The filter fields this entry sets, and the name the status bar shows for it."""
        update: dict[str, Any] = {"channel_id": None, "channel_tag": None, "saved_only": False}
        if self.id == SAVED:
            update["saved_only"] = True
        elif self.id.startswith("tag:"):
            update["channel_tag"] = self.id.removeprefix("tag:")
        elif self.id.startswith("ch:"):
            update["channel_id"] = self.id.removeprefix("ch:")
            return update, self.name
        return update, ""


SEPARATOR = Entry("", "")

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _channel_order(entry: Entry) -> tuple[int, str]:
    """Where a channel goes: most unwatched first, then by name as SQLite's NOCASE
    compares (ASCII letters folded), as `channel_list_counts` orders them."""
    return -entry.number, entry.name.translate(_ASCII_LOWER)


class Entries:
    """The list's lines, as columns (see the module docstring)."""

    __slots__ = ("_channels_from", "_ids", "_names", "_numbers", "_styles")

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._ids: list[str] = []
        self._names: list[str] = []
        self._numbers = array("q")
        self._styles: list[str] = []
        self._channels_from = 0
        """Where the channels start (after the last separator)."""
        for entry in entries:
            self.append(entry)

    def append(self, entry: Entry) -> None:
        """Add a line at the end (a separator: the channels follow it)."""
        self._ids.append(entry.id)
        self._names.append(entry.name)
        self._numbers.append(entry.number)
        self._styles.append(entry.style)
        if not entry.id:
            self._channels_from = len(self._ids)

    def add_channels(self, rows: Iterable[tuple[str, str | None, int]]) -> None:
        """Add channels, in order: (channel id, title, unwatched videos)."""
        rows = list(rows)
        self._ids += [f"ch:{row[0]}" for row in rows]
        self._names += [row[1] or row[0] for row in rows]
        self._numbers.extend(row[2] for row in rows)
        self._styles += [""] * len(rows)

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> Entry:
        return Entry(
            self._ids[index], self._names[index], self._numbers[index], self._styles[index]
        )

    def __iter__(self) -> Iterator[Entry]:
        return (self[index] for index in range(len(self)))

    def position(self, entry_id: str) -> int | None:
        """Where the line `entry_id` is (None: not listed)."""
        try:
            return self._ids.index(entry_id)
        except ValueError:
            return None

    def add_to(self, index: int, delta: int) -> None:
        """Change line `index`'s number by `delta` (never below 0)."""
        self._numbers[index] = max(0, self._numbers[index] + delta)

    def resort_channel(self, index: int) -> int:
        """Move the channel at `index` to where its number now puts it; its new index."""
        entry = self[index]
        for column in (self._ids, self._names, self._numbers, self._styles):
            column.pop(index)
        start, end = self._channels_from, len(self)
        at = bisect_left(self, _channel_order(entry), start, end, key=_channel_order)
        self._ids.insert(at, entry.id)
        self._names.insert(at, entry.name)
        self._numbers.insert(at, entry.number)
        self._styles.insert(at, entry.style)
        return at


def build_entries(
    channels: Iterable[tuple[str, str | None, int]], tags: list[tuple[str, int]], unwatched: int
) -> Entries:
    """All videos, saved, the groups, then the channels (id, title, unwatched) in order."""
    entries = Entries(
        [Entry(ALL, "All videos", unwatched, "bold"), Entry(SAVED, "★ Saved for later")]
    )
    if tags:
        entries.append(SEPARATOR)
        for tag, count in tags:
            entries.append(Entry(f"tag:{tag}", f"# {tag}", count, "cyan"))
    entries.append(SEPARATOR)
    entries.add_channels(channels)
    return entries
