"""Helpers for driving the app with Pilot."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.pilot import Pilot

from momentum_tui.app import MomentumApp
from momentum_tui.config import Settings
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.storage import Store
from tests.conftest import DEMO_NOW


class Opened:
    """Records the URLs the app asked a browser to open."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return True


def make_app(
    store: Store,
    settings: Settings | None = None,
    *,
    start_view: str | None = None,
    **kwargs: Any,
) -> MomentumApp:
    """The app on `store`, with a fixed clock and a recording browser.

    `start_view="subscriptions"` opens on the chronological tab (For you is the default).
    """
    kwargs.setdefault("opener", Opened())
    settings = settings or Settings()
    if start_view is not None:
        ui = settings.ui.model_copy(update={"start_view": start_view})
        settings = settings.model_copy(update={"ui": ui})
    return MomentumApp(store, settings, demo=True, now=DEMO_NOW, **kwargs)


async def settle(pilot: Pilot[Any], timeout: float = 10.0) -> FeedScreen:
    """Wait until every worker finished and the feed is on screen."""
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        if not isinstance(screen, FeedScreen):
            screens = [s for s in app.screen_stack if isinstance(s, FeedScreen)]
            screen = screens[0] if screens else None
        if screen is not None and screen._feed_complete and not app.workers._workers:
            await pilot.pause()
            return screen
        if loop.time() > deadline:
            raise TimeoutError("the feed did not settle")
        await asyncio.sleep(0.02)


def state_of(store: Store, video_id: str) -> tuple[Any, ...] | None:
    """(watched, rating, hidden, saved) for a video."""
    with store.read() as conn:
        return conn.execute(
            "SELECT watched_at IS NOT NULL, rating, hidden_at IS NOT NULL, saved_at IS NOT NULL "
            "FROM video_state WHERE video_id = ?",
            (video_id,),
        ).fetchone()
