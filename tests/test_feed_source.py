"""The feed table's data: pages fetched on demand, bounded memory."""

from __future__ import annotations

from array import array

from momentum_tui.models import FeedRow
from momentum_tui.tabs.source import MAX_PAGES, PAGE_SIZE, FeedSource


def row(rowid: int) -> FeedRow:
    return FeedRow(rowid, f"id{rowid}", "t", "c", "C", 0, 60, False, "none", 1,
                   False, 0, False, False)  # fmt: skip


def test_missing_pages_are_requested_once() -> None:
    source = FeedSource(array("q", range(1000)))
    assert source.missing_pages(0, 150) == [0, 1]
    source.mark_pending([0, 1])
    assert source.missing_pages(0, 150) == []
    source.add_rows([0], [row(i) for i in range(100)])
    assert source.row(5) is not None
    assert source.row(150) is None
    assert source.index_of(999) == 999
    assert source.index_of(5000) is None


def test_memory_is_bounded() -> None:
    total = PAGE_SIZE * (MAX_PAGES + 10)
    source = FeedSource(array("q", range(total)))
    for page in range(MAX_PAGES + 10):
        source.add_rows([page], [row(i) for i in source.page_rowids(page)])
    assert len(source._rows) == MAX_PAGES * PAGE_SIZE
    assert source.row(0) is None  # the oldest page was dropped…
    assert source.missing_pages(0, 1) == [0]  # …and will be fetched again
    assert source.row(total - 1) is not None
