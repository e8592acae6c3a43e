"""The app's sync key, progress bar, cancel, quota meter and channels screen (Pilot + emulator)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Label

from momentum_tui.app import MomentumApp
from momentum_tui.app_sync import SyncUpdate
from momentum_tui.config import load_settings
from momentum_tui.screens.channels import ChannelsScreen
from momentum_tui.storage import Store
from momentum_tui.widgets.status_bar import StatusBar
from momentum_tui.widgets.sync_progress import SyncProgress
from momentum_tui.youtube.sync import ChannelSynced, SyncEvent, SyncFinished, SyncStarted
from tests.app_support import make_app, record_notes, settle
from tests.conftest import FIXTURES
from tests.emulators.youtube import YouTubeEmulator, follow_world

pytest_plugins = ("tests.emulators.youtube_fixtures",)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await pilot.pause(0.02)


def notes(app: MomentumApp) -> str:
    """What the app said (kept by `record_notes`: toasts time out)."""
    return "\n".join(app.said)  # type: ignore[attr-defined]


def status_text(app: MomentumApp) -> str:
    bar = app.screen.query_one(StatusBar)
    return str(bar.render())


async def test_sync_key_shows_progress_then_the_new_videos(store: Store, youtube) -> None:
    follow_world(store, youtube.world)
    youtube.latency = 0.02
    events: list[SyncEvent] = []
    seen: list[tuple[bool, str]] = []
    app = MomentumApp(store, load_settings())
    record_notes(app)

    def hook(message: object) -> None:
        # Runs on the app's loop as each update arrives, after the previous one was shown.
        if isinstance(message, SyncUpdate):
            if events:
                progress = _progress(app)
                label = str(progress.query_one("#sync-counts", Label).render())
                seen.append((progress.has_class("-active"), label))
            events.append(message.event)

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        screen = await settle(pilot)
        assert len(screen.table.source) == 0
        await pilot.press("R")
        await settle(pilot, timeout=30)
        assert not app.syncing
        assert not screen.query_one(SyncProgress).has_class("-active")
        assert len(screen.table.source) > len(youtube.world.channels)
        assert "channels synced" in notes(app)
        await until(pilot, lambda: "quota" in status_text(app))
    assert isinstance(events[0], SyncStarted)
    assert isinstance(events[-1], SyncFinished)
    assert events[-1].summary.status == "ok"
    assert seen
    assert all(active for active, _ in seen)  # the bar was up for the whole sync
    assert any(label.startswith("Syncing") and "/40 channels" in label for _, label in seen)


def _progress(app: MomentumApp) -> SyncProgress:
    return app.screen.query_one(SyncProgress)


async def test_sync_key_again_cancels(store: Store, youtube) -> None:
    follow_world(store, youtube.world)
    youtube.latency = 0.05
    events: list[SyncEvent] = []
    settings = load_settings()
    settings.youtube.concurrency = 1
    app = MomentumApp(store, settings)
    said = record_notes(app)  # every notification, however soon it times out

    def hook(message: object) -> None:
        if isinstance(message, SyncUpdate):
            events.append(message.event)
            if sum(isinstance(e, ChannelSynced) for e in events) == 1 and isinstance(
                message.event, ChannelSynced
            ):
                app.simulate_key("R")  # the person presses R again mid-sync

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot, timeout=30)
        assert any("Cancelling the sync" in note for note in said)
        assert any(note.startswith("Cancelled.") for note in said)
    finished = [e for e in events if isinstance(e, SyncFinished)]
    assert finished[0].summary.status == "cancelled"
    assert 0 < finished[0].summary.channels_ok < len(youtube.world.channels)


async def test_without_a_key_r_syncs_the_feeds_and_says_lengths_are_unknown(
    store: Store, youtube, monkeypatch
) -> None:
    monkeypatch.delenv("MOMENTUM_YOUTUBE_API_KEY")
    follow_world(store, youtube.world)
    app = MomentumApp(store, load_settings())
    record_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await settle(pilot)
        await until(pilot, lambda: "no key · lengths unknown" in status_text(app))
        await pilot.press("R")
        await settle(pilot, timeout=30)
        assert "synced from their feeds" in notes(app)
        table = screen.table
        await until(pilot, lambda: len(table.source) > 0)
        assert "no key · lengths unknown" in status_text(app)
        assert "quota" not in status_text(app)
        header, first_row = table.render_line(0).text, table.render_line(1).text
        assert "Length" in header
        assert "—" in first_row  # the length cell says unknown, not blank
        assert "synced now ·" in status_text(app)  # just synced: not "now ago"
        await pilot.resize_terminal(60, 24)  # short of room, it is said shorter, not dropped
        await until(pilot, lambda: "lengths unknown" not in status_text(app))
        assert "no key" in status_text(app)
    assert {r.method for r in youtube.requests} == {"feed"}


async def test_the_demo_is_never_synced(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await pilot.pause()
        assert "never synced" in notes(app)
        assert not app.syncing


async def submit(pilot: Pilot[Any], screen: ChannelsScreen, key: str, value: str) -> None:
    await pilot.press(key)
    prompt = screen.query_one("#channel-input", Input)
    assert prompt.has_focus
    prompt.value = value
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_channels_screen_add_tag_remove_import_export(
    store: Store, youtube: YouTubeEmulator, tmp_path
) -> None:
    first, second = list(youtube.world.channels.values())[:2]
    app = MomentumApp(store, load_settings())
    record_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, ChannelsScreen))
        screen = app.screen
        assert isinstance(screen, ChannelsScreen)

        await submit(pilot, screen, "a", first.handle)
        assert [r.id for r in screen.rows] == [first.id]
        assert f"Now following {first.title}" in notes(app)
        assert youtube.units == {"channels.list": 1}

        await submit(pilot, screen, "t", "science deep-dives")
        assert screen.rows[0].tags == ("deep-dives", "science")
        await submit(pilot, screen, "t", "-science")
        assert screen.rows[0].tags == ("deep-dives",)

        await submit(pilot, screen, "i", str(FIXTURES / "own_newpipe_subscriptions.json"))
        assert "Imported 3 new channels from a NewPipe list" in notes(app)
        assert len(screen.rows) == 4

        target = tmp_path / "subs.csv"
        await submit(pilot, screen, "e", str(target))
        assert target.read_text().startswith("Channel Id,Channel Url,Channel Title")
        assert len(target.read_text().splitlines()) == 5

        table = screen.table
        table.focus()
        index = [r.id for r in screen.rows].index(first.id)
        table.cursor = index
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert first.id not in [r.id for r in screen.rows]

        await submit(pilot, screen, "a", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        await until(pilot, lambda: "video or playlist link" in notes(app))

        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ChannelsScreen))
        await settle(pilot)
    with store.read() as conn:
        followed = {r[0] for r in conn.execute("SELECT id FROM channels WHERE followed = 1")}
    assert second.id not in followed
    assert len(followed) == 3


async def test_titles_on_the_channels_screen_are_text_not_markup(store: Store, youtube) -> None:
    from momentum_tui.youtube.channels import import_channels
    from momentum_tui.youtube.importers import parse_subscriptions

    data = {
        "subscriptions": [
            {
                "service_id": 0,
                "name": "[bold red]not markup[/] \x1b[31m",
                "url": f"https://www.youtube.com/channel/{'UC' + 'q' * 22}",
            }
        ]
    }
    import_channels(store, parse_subscriptions(json.dumps(data).encode()))
    app = MomentumApp(store, load_settings())
    record_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, ChannelsScreen) and app.screen.rows)
        table = app.screen.table
        cell = table.row_cells(0)[0]
        assert str(cell) == "[bold red]not markup[/]"
        line = "".join(segment.text for segment in table.render_line(1))
        assert "[bold red]not markup[/]" in line


async def test_the_quota_warning_is_shown(store: Store, youtube, monkeypatch) -> None:
    monkeypatch.setenv("MOMENTUM_YOUTUBE_DAILY_QUOTA", "55")  # the first sync costs 48
    follow_world(store, youtube.world)
    app = MomentumApp(store, load_settings())
    record_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot, timeout=30)
        assert "of 55 YouTube quota units are spent today" in notes(app)
        assert "40 of 40 channels synced" in notes(app)
        await until(pilot, lambda: "quota" in status_text(app))
        assert "quota 87 %" in status_text(app)
