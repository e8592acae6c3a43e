"""The first frame of the main screen shows the feed when its first page comes quickly,
and holds only the table it shows.

The first tab starts loading in a worker as the screen composes; the screen's first
resume waits (briefly) for that page before the first layout, so the first frame shows
videos rather than "Ranking…" drawn and the whole screen drawn again a moment later. A
first load with nothing quick to show (For you ranking afresh: no order remembered from
the last session) is not waited for. The wait's bound is lifted here, so what is checked
is what the screen waits for, never how fast anything is. The tabs not shown mount their
tables after that first frame, or when shown sooner.
"""

from __future__ import annotations

from typing import Any

import pytest

from momentum_tui.recommend.memory import SavedOrder, save_order
from momentum_tui.screens import first_page
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.screens.first_page import FirstPageScreen
from momentum_tui.storage import Store
from momentum_tui.tabs.tab import FeedTab
from tests.app_support import make_app, settle, until


def first_layouts(
    monkeypatch: pytest.MonkeyPatch, tables: list[list[str]] | None = None
) -> list[int]:
    """Watch the main screen's layouts: how many rows its table had at each (and, into
    `tables`, which tabs had their table mounted)."""
    seen: list[int] = []
    original = FeedScreen._refresh_layout

    def watched(screen: FeedScreen, *args: Any, **kwargs: Any) -> None:
        seen.append(len(screen.table.source))
        if tables is not None:
            tables.append([t.ID for t in screen.tabs.values() if t.table.parent is t])
        original(screen, *args, **kwargs)

    monkeypatch.setattr(FeedScreen, "_refresh_layout", watched)
    monkeypatch.setattr(first_page, "FIRST_PAGE_WAIT_S", 120.0)  # never the reason it stops waiting
    return seen


def remember_an_order(store: Store) -> list[int]:
    """What the last session's For you showed first (a usual launch opens on it)."""
    with store.read() as conn:
        rowids = [r[0] for r in conn.execute("SELECT rowid FROM videos ORDER BY rowid LIMIT 60")]
    save_order(store, SavedOrder(rowids, {}))
    return rowids


@pytest.mark.parametrize("start_view", ["for-you", "subscriptions"])
async def test_the_first_layout_has_the_first_page(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, start_view: str
) -> None:
    remember_an_order(demo_store)
    layouts = first_layouts(monkeypatch)
    app = make_app(demo_store, start_view=start_view)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        assert layouts and layouts[0] > 0  # the very first layout already had videos
        assert screen.tab.table.current_row is not None


async def test_a_fresh_ranking_is_not_waited_for(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No remembered order: the first frame says "Ranking…" and the ranking follows."""
    layouts = first_layouts(monkeypatch)
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        assert layouts[0] == 0
        assert len(screen.tab.table.source) > 0  # the ranking came after all


async def test_the_wait_ends_at_its_bound(demo_store: Store) -> None:
    """A first page that never comes holds the first frame back no longer than asked."""
    remember_an_order(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        tab = FeedTab(app.screen.tab.context)  # a tab that was never asked to load
        assert await tab.first_page(0.01) is False


async def test_only_the_shown_tab_has_its_table_in_the_first_frame(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember_an_order(demo_store)
    tables: list[list[str]] = []
    first_layouts(monkeypatch, tables)
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        assert tables[0] == ["for-you"]
        # …and after it, every tab has its table, loaded in the background.
        assert all(tab.table.parent is tab for tab in screen.tabs.values())
        assert len(screen.tabs["subscriptions"].table.source) > 0


async def test_a_tab_shown_before_its_table_was_mounted_gets_it(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A switch sooner than the first frame (here: the mount after it never comes)."""
    monkeypatch.setattr(FirstPageScreen, "_mount_hidden_tables", lambda screen: None)
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        subscriptions = screen.tabs["subscriptions"]
        assert subscriptions.table.parent is None
        await pilot.press("2")
        await until(pilot, lambda: screen.table.current_row is not None, what="its rows")
        assert screen.table is subscriptions.table and subscriptions.table.has_focus
