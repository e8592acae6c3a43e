"""Helpers for driving the app with Pilot."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from momentum_tui.app import MomentumApp
from momentum_tui.config import Settings
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.storage import Store
from momentum_tui.widgets.feed_rows import RowPainter
from momentum_tui.widgets.feed_table import FeedTable
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
    """The app on `store`, with a fixed clock, a recording browser and `app.said`.

    `start_view="subscriptions"` opens on the chronological tab (For you is the default).
    """
    kwargs.setdefault("opener", Opened())
    settings = settings or Settings()
    if start_view is not None:
        ui = settings.ui.replace(start_view=start_view)
        settings = settings.replace(ui=ui)
    app = MomentumApp(store, settings, demo=True, now=DEMO_NOW, **kwargs)
    record_notes(app)  # `app.said`: every notification, kept (toasts time out)
    return app


async def settle(pilot: Pilot[Any], timeout: float = 10.0) -> FeedScreen:
    """Wait until every worker finished and the feed is on screen."""
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await pilot.pause()
        # A load superseded by a newer one, or a failure the app reports: look again.
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await app.workers.wait_for_complete()
        screen = app.screen
        if not isinstance(screen, FeedScreen):
            screens = [s for s in app.screen_stack if isinstance(s, FeedScreen)]
            screen = screens[0] if screens else None
        if screen is not None and screen.feed_complete and not app.workers._workers:
            await pilot.pause()
            return screen
        if loop.time() > deadline:
            raise TimeoutError("the feed did not settle")
        await asyncio.sleep(0.02)


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 10.0, what: str = ""
) -> None:
    """Wait until `condition()` holds (a condition, never a fixed time); fail after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(what or "the condition never held")
        await pilot.pause(0.01)


ScreenType = TypeVar("ScreenType")


async def wait_for_screen(
    pilot: Pilot[Any], kind: type[ScreenType], timeout: float = 10.0
) -> ScreenType:
    """Wait until a `kind` screen is on top, mounted, and has set its focus; return it.

    Keys pressed before that would go to the screen underneath (or nowhere).
    """
    app = pilot.app
    await until(
        pilot,
        lambda: isinstance(app.screen, kind) and app.screen.is_mounted,
        timeout,
        kind.__name__,
    )
    await pilot.pause()  # focus set in on_mount lands on the next turn of the loop
    return app.screen  # type: ignore[return-value]


def record_notes(app: Any) -> list[str]:
    """Every notification `app` shows from now on, in order.

    Toasts time out (3 s for a mark), on a busy machine before the test looks at them;
    this list keeps them. Widgets' `notify` goes through the app's, so it sees them all.
    """
    said: list[str] = []
    original = app.notify

    def notify(message: str, **options: Any) -> None:
        said.append(message)
        original(message, **options)

    app.notify = notify
    app.said = said
    return said


def state_of(store: Store, video_id: str) -> tuple[Any, ...] | None:
    """(watched, rating, hidden, saved) for a video."""
    with store.read() as conn:
        return conn.execute(
            "SELECT watched_at IS NOT NULL, rating, hidden_at IS NOT NULL, saved_at IS NOT NULL "
            "FROM video_state WHERE video_id = ?",
            (video_id,),
        ).fetchone()


def painting(table: FeedTable) -> list[bool]:
    """Every row `table` paints from now on (the focus it was painted for)."""
    painted: list[bool] = []
    painter = table.painter

    def counting(focused: bool) -> RowPainter:
        painted.append(focused)
        return painter(focused)

    table.painter = counting  # type: ignore[method-assign]
    return painted
