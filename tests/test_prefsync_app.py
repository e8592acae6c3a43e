"""Preference sync in the app, against the real server: at start, after a change, offline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from momentum_tui.app import MomentumApp
from momentum_tui.config import BackendSettings, Settings
from momentum_tui.models import Mark
from momentum_tui.prefsync import account
from momentum_tui.prefsync.crypto import SyncKey
from momentum_tui.storage.marks import mark_video
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.status_bar import StatusBar
from tests.app_support import state_of
from tests.conftest import DEMO_NOW
from tests.factories import make_video
from tests.prefsync_devices import Machine, open_machine
from tests.support.backend import PASSWORD, Backend


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await pilot.pause(0.05)


def status_text(app: MomentumApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def current_video(app: MomentumApp) -> str | None:
    row = app.screen.query_one(FeedTable).current_row
    return row.id if row else None


def signed_in_laptop(backend: Backend, tmp_path: Path) -> tuple[Machine, Machine, Settings]:
    """The app's machine signed in with `momentum login`'s code; a desktop sharing its key."""
    settings = Settings(backend=BackendSettings(sync_after_seconds=0.2, retries=0, backoff=0.01))
    laptop = open_machine(tmp_path, "laptop", backend, "", SyncKey.generate())
    backend.new_account("alice", "seed")
    made = account.login(
        laptop.store,
        settings,
        server=backend.url,
        username="alice",
        password=PASSWORD,
        new=False,
        device_name="laptop",
    )
    assert made.made_key is not None
    laptop.key = made.made_key
    desktop = open_machine(
        tmp_path, "desktop", backend, backend.sign_in("alice", "desktop"), made.made_key
    )
    return laptop, desktop, settings


async def test_the_app_pulls_at_start_and_pushes_after_a_change(
    backend_sqlite: Backend, tmp_path: Path
) -> None:
    laptop, desktop, settings = signed_in_laptop(backend_sqlite, tmp_path)
    liked = make_video(2).id
    mark_video(desktop.store, liked, Mark.LIKED)
    desktop.sync()
    app = MomentumApp(laptop.store, settings, now=DEMO_NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: "prefs synced" in status_text(app))
        assert state_of(laptop.store, liked) == (0, 1, 0, 0)  # pulled and applied at start
        await pilot.press("j", "j")
        before = current_video(app)
        mark_video(laptop.store, make_video(3).id, Mark.SAVED)  # e.g. the CLI, elsewhere
        await until(pilot, lambda: "to send" in status_text(app))  # seen, then sent by itself
        await until(pilot, lambda: "prefs synced" in status_text(app))
        assert current_video(app) == before  # the cursor stayed where it was
    desktop.sync()
    assert state_of(desktop.store, make_video(3).id) == (0, 0, 0, 1)


async def test_a_pull_by_the_app_itself_re_renders(backend_sqlite: Backend, tmp_path: Path) -> None:
    laptop, desktop, settings = signed_in_laptop(backend_sqlite, tmp_path)
    app = MomentumApp(laptop.store, settings, now=DEMO_NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: "prefs synced" in status_text(app))
        shown = app.screen.query_one(StatusBar).render()
        hidden = make_video(4).id
        mark_video(desktop.store, hidden, Mark.HIDDEN)
        desktop.sync()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: state_of(laptop.store, hidden) == (0, 0, 1, 0))
        # Written through the app's own connection (no data_version change), yet shown:
        await until(pilot, lambda: "picks of 11" in status_text(app))
        assert str(shown) != status_text(app)


async def test_an_unreachable_server_is_one_line_and_local_use_goes_on(
    backend_sqlite: Backend, tmp_path: Path
) -> None:
    laptop, _desktop, settings = signed_in_laptop(backend_sqlite, tmp_path)
    with laptop.store.write() as db:
        db.conn.execute("UPDATE prefsync_state SET server = 'http://127.0.0.1:9'")
    app = MomentumApp(laptop.store, settings, now=DEMO_NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: "prefs offline" in status_text(app))
        await pilot.press("w")  # local use never waits
        await pilot.press("ctrl+r")
        await until(pilot, lambda: not app._prefsync_running)
        lines = [n.message for n in app._notifications if "did not answer" in n.message]
        assert len(lines) == 1
