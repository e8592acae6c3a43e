"""The data behind a tab's table: an ordered list of rowids and the rows fetched so far.

Plain Python (no Textual), so it can be tested and benchmarked on its own. The table asks
for rows by index; pages that are not loaded yet are reported as missing, and the tab that
owns the table fetches them in a worker.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from momentum_tui.models import FeedRow

PAGE_SIZE = 100
MAX_PAGES = 60
"""Pages kept in memory (6,000 rows); the least recently loaded go first."""


class FeedSource:
    """An ordered feed of `len(ids)` videos, loaded a page at a time."""

    def __init__(
        self,
        ids: array[int] | None = None,
        generation: int = 0,
        *,
        complete: bool = True,
    ) -> None:
        self.ids: array[int] = ids if ids is not None else array("q")
        self.generation = generation
        self.complete = complete
        """False for a first page shown while the whole feed is still being ordered."""
        self._rows: dict[int, FeedRow] = {}
        self._pages_loaded: OrderedDict[int, None] = OrderedDict()
        self._pages_pending: set[int] = set()

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, index: int) -> FeedRow | None:
        """The row at `index` if its page is loaded."""
        if 0 <= index < len(self.ids):
            return self._rows.get(self.ids[index])
        return None

    def missing_pages(self, start: int, end: int) -> list[int]:
        """Pages touching [start, end) that are neither loaded nor being fetched."""
        first, last = max(0, start) // PAGE_SIZE, max(0, min(end, len(self.ids)) - 1) // PAGE_SIZE
        return [
            page
            for page in range(first, last + 1)
            if page not in self._pages_loaded and page not in self._pages_pending
        ]

    def page_rowids(self, page: int) -> list[int]:
        """The rowids on `page` (to fetch)."""
        return list(self.ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE])

    def mark_pending(self, pages: Iterable[int]) -> None:
        """Remember that these pages are being fetched."""
        self._pages_pending.update(pages)

    def add_rows(self, pages: Iterable[int], rows: Iterable[FeedRow]) -> None:
        """Store fetched rows for `pages`, forgetting the oldest pages beyond `MAX_PAGES`."""
        for row in rows:
            self._rows[row.rowid] = row
        for page in pages:
            self._pages_pending.discard(page)
            self._pages_loaded[page] = None
            self._pages_loaded.move_to_end(page)
        while len(self._pages_loaded) > MAX_PAGES:
            old, _ = self._pages_loaded.popitem(last=False)
            for rowid in self.page_rowids(old):
                self._rows.pop(rowid, None)

    def around(
        self, keep_rowid: int | None, keep_index: int, height: int
    ) -> tuple[int, list[int], list[int]]:
        """The cursor (on `keep_rowid` if listed, else near `keep_index`) and the pages, with
        their rowids, still to fetch for a screen of `height` rows either side of it."""
        cursor = self.index_of(keep_rowid) if keep_rowid is not None else None
        if cursor is None:
            cursor = min(keep_index, max(0, len(self) - 1))
        pages = self.missing_pages(max(0, cursor - height), cursor + height)
        return cursor, pages, [rowid for page in pages for rowid in self.page_rowids(page)]

    def restate(self, video_id: str, state: Mapping[str, int | None]) -> list[int]:
        """Give the loaded row of `video_id` these marks (`video_state` fields); where it is
        listed (empty when no loaded row is that video), so only its lines are drawn again."""
        found: list[int] = []
        for row in self._rows.values():
            if row.id == video_id:
                row.watched = state.get("watched_at") is not None
                row.rating = state.get("rating") or 0
                row.hidden = state.get("hidden_at") is not None
                row.saved = state.get("saved_at") is not None
                index = self.index_of(row.rowid)
                if index is not None:
                    found.append(index)
        return found

    def index_of(self, rowid: int) -> int | None:
        """Where `rowid` is in the feed, or None."""
        try:
            return self.ids.index(rowid)
        except ValueError:
            return None
