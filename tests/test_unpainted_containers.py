"""The feed screen's layout-only containers are not painted (a cursor move's frame skips
them), and everything the screen shows still is — in both layouts, with the search open."""

from __future__ import annotations

import pytest
from textual.widget import Widget

from momentum_tui.storage import Store
from momentum_tui.tabs import SUBSCRIPTIONS
from momentum_tui.tabs.tab import FeedTab
from tests.app_support import make_app, settle, until

LAYOUT_ONLY = ("body", "center", "view-bar", "split", "feed")


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_what_the_feed_screen_shows_is_painted_and_its_frames_are_not(
    demo_store: Store, size: tuple[int, int]
) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=size) as pilot:
        screen = await settle(pilot)
        await pilot.press("slash")  # the search line joins the layout
        await until(pilot, lambda: screen.query_one("#search").region.area > 0, what="search")
        frames = [screen.query_one(f"#{name}") for name in LAYOUT_ONLY]
        frames += list(screen.query(FeedTab))
        assert not any(frame.visible for frame in frames)
        on_screen = [widget for widget in screen.walk_children(Widget) if widget.region.area]
        unpainted = [widget for widget in on_screen if not widget.visible and widget not in frames]
        assert unpainted == []
        assert screen.table in on_screen and screen.table.visible
