"""Watching from the app: the queue (a, 3, J/K), playing (p, P), resume, thumbnails in the
detail pane, trends (I) and per-channel notifications (N on the channels screen)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from momentum_tui import locations
from momentum_tui.config import Settings
from momentum_tui.screens.channels import ChannelsScreen
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.screens.trends import TrendsScreen
from momentum_tui.storage import Store, playback
from momentum_tui.storage import queue as queue_store
from momentum_tui.tabs import QUEUE, SUBSCRIPTIONS
from momentum_tui.widgets.detail import DetailPane, detail_renderable
from momentum_tui.widgets.thumbnail import Thumbnail
from tests.app_support import make_app, settle, state_of, until, wait_for_screen
from tests.conftest import DEMO_NOW
from tests.support.players import FakePlayer, install_fake_player


def queued(store: Store) -> list[str]:
    with store.read() as conn:
        return queue_store.queued_ids(conn)


def detail_text(screen: FeedScreen) -> str:
    """What the detail pane says, as plain text."""
    pane = screen.query_one(DetailPane)
    if pane.detail is None:
        return ""
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(detail_renderable(pane.detail, DEMO_NOW))
    return console.export_text()


async def test_a_queues_the_tab_lists_in_order_and_jk_move(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        first = screen.table.current_row
        assert first is not None
        await pilot.press("a")
        await until(pilot, lambda: queued(demo_store) == [first.id], what="first queued")
        await pilot.press("j")
        second = screen.table.current_row
        assert second is not None and second.id != first.id
        await pilot.press("a")
        await until(pilot, lambda: queued(demo_store) == [first.id, second.id])
        assert any(note.startswith("Queued: ") for note in app.said)  # type: ignore[attr-defined]
        await pilot.press("3")
        await settle(pilot)
        assert screen.view == QUEUE
        assert [screen.table.source.row(i).id for i in range(2)] == [first.id, second.id]  # type: ignore[union-attr]
        await until(pilot, lambda: "queued #1" in detail_text(screen), what="queued in detail")
        await pilot.press("J")  # the first one down: the cursor goes with it
        await until(pilot, lambda: queued(demo_store) == [second.id, first.id])
        await settle(pilot)
        assert screen.table.current_row is not None and screen.table.current_row.id == first.id
        await pilot.press("K")
        await until(pilot, lambda: queued(demo_store) == [first.id, second.id])
        await pilot.press("w")  # watched videos leave the queue
        await until(pilot, lambda: queued(demo_store) == [second.id])
        await settle(pilot)
        assert len(screen.table.source) == 1
        await pilot.press("a")  # a on a queued video takes it out
        await until(pilot, lambda: queued(demo_store) == [])
        await settle(pilot)
        assert "The queue is empty" in screen.table._empty_message


async def test_jk_outside_the_queue_say_where_they_work(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("J")
        await until(pilot, lambda: any("press 3" in n for n in app.said))  # type: ignore[attr-defined]


@pytest.fixture
def player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakePlayer:
    return install_fake_player(tmp_path, monkeypatch)


async def test_p_plays_in_the_background_and_resumes_where_it_stopped(
    demo_store: Store, player: FakePlayer
) -> None:
    player.plan(duration=1800, positions=[0, 100, 760], end="quit")
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        row = screen.table.current_row
        assert row is not None
        await pilot.press("p")
        await until(pilot, lambda: any(n.startswith("Stopped at") for n in app.said),  # type: ignore[attr-defined]
                    timeout=20, what="the playback ended")  # fmt: skip
        with demo_store.read() as conn:
            position = playback.position_of(conn, row.id)
        assert position is not None and position.position_s == 760
        assert app.playing == ""
        screen.query_one(DetailPane).reload()
        await until(pilot, lambda: "resume at 12:40" in detail_text(screen))
        player.plan(duration=1800, positions=[0, 1700, 1800], end="eof")
        await pilot.press("P")  # sound only, from where it stopped
        await until(pilot, lambda: (state_of(demo_store, row.id) or (0,))[0] == 1, timeout=20,
                    what="watched past 90 %")  # fmt: skip
        await until(pilot, lambda: app.playing == "", timeout=20)
    await_runs = [run["args"] for run in player.runs()]
    assert any("--start=+760" in args and "--no-video" in args for args in await_runs)


async def test_p_on_the_queue_plays_through_it(demo_store: Store, player: FakePlayer) -> None:
    player.plan(duration=100, positions=[0, 95, 100], end="eof")
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        ids = [screen.table.source.row(i).id for i in range(3)]  # type: ignore[union-attr]
        for count in range(1, 4):
            await pilot.press("a", "j")
            await until(pilot, lambda: len(queued(demo_store)) == count)  # noqa: B023
        assert queued(demo_store) == ids
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("p")
        await until(pilot, lambda: queued(demo_store) == [], timeout=30,
                    what="every video played and left the queue")  # fmt: skip
        await until(pilot, lambda: app.playing == "", timeout=20)
    assert len(player.runs()) == 3


async def test_without_mpv_p_is_one_sentence(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_player(tmp_path, monkeypatch, mpv=False)
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await until(pilot, lambda: any("mpv" in n and "install" in n.lower()  # type: ignore[attr-defined]
                                       for n in app.said), what="the missing player")  # fmt: skip
        assert app.playing == ""


def _cached_thumbnail(video_id: str) -> None:
    from PIL import Image

    folder = locations.thumbnail_dir()
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (320, 180), (200, 40, 40))
    for x in range(160, 320):
        for y in range(180):
            image.putpixel((x, y), (40, 40, 200))
    image.save(folder / f"{video_id}.jpg", "JPEG")


async def test_the_detail_pane_shows_a_cached_thumbnail_offline(demo_store: Store) -> None:
    with demo_store.read() as conn:
        first = conn.execute("SELECT id FROM videos ORDER BY published_at DESC LIMIT 1").fetchone()[
            0
        ]
    _cached_thumbnail(first)
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        assert screen.table.current_row is not None and screen.table.current_row.id == first
        thumbnail = screen.query_one(Thumbnail)
        await until(pilot, lambda: thumbnail.video_id == first, what="the thumbnail")
        assert thumbnail.has_class("-shown") and thumbnail.size.height > 0
        await pilot.press("j")  # no picture cached for the next one (the demo never fetches)
        await until(pilot, lambda: thumbnail.video_id is None, what="no thumbnail")
        stats = screen.query_one(DetailPane).thumbnail_stats
        assert stats is not None and stats.hits >= 1 and stats.fetched == 0


async def test_thumbnails_can_be_turned_off(demo_store: Store) -> None:
    with demo_store.read() as conn:
        first = conn.execute("SELECT id FROM videos ORDER BY published_at DESC LIMIT 1").fetchone()[
            0
        ]
    _cached_thumbnail(first)
    defaults = Settings()
    off = defaults.ui.replace(thumbnails=False)
    settings = defaults.replace(ui=off)
    app = make_app(demo_store, settings, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        await until(pilot, lambda: bool(detail_text(screen)), what="the detail pane")
        assert screen.query_one(Thumbnail).video_id is None
        assert screen.query_one(DetailPane).thumbnail_stats is None


async def test_i_shows_trends_and_enter_jumps_to_a_video(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        await pilot.press("I")
        trends = await wait_for_screen(pilot, TrendsScreen)
        await until(pilot, lambda: bool(trends.lines), what="trends computed")
        await until(pilot, lambda: bool(trends.videos), what="the first row's videos")
        wanted = trends.videos[0].id
        assert wanted in trends.lines[0].video_ids
        await pilot.press("enter")  # into the videos
        await pilot.press("enter")  # back to the feed, on that video
        await wait_for_screen(pilot, FeedScreen)
        await until(pilot, lambda: screen.table.current_row is not None
                    and screen.table.current_row.id == wanted, what="the jump")  # fmt: skip


async def test_d_changes_the_trends_window_and_escape_goes_back(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("I")
        trends = await wait_for_screen(pilot, TrendsScreen)
        await until(pilot, lambda: bool(trends.lines) or trends.days != 7)
        await pilot.press("d")
        assert trends.days == 1
        await pilot.press("escape")
        await wait_for_screen(pilot, FeedScreen)


async def test_n_on_the_channels_screen_switches_announcements(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        channels = await wait_for_screen(pilot, ChannelsScreen)
        await until(pilot, lambda: bool(channels.rows), what="the channel list")
        row = channels.rows[channels.table.cursor]

        def notify_of() -> int:
            with demo_store.read() as conn:
                found = conn.execute("SELECT notify FROM channels WHERE id = ?", (row.id,))
                return int(found.fetchone()[0])

        await pilot.press("N")
        await until(pilot, lambda: notify_of() > 0 and row.id in channels.notifying)
        assert "🔔" in str(channels.table.row_cells(channels.table.cursor)[0])
        await pilot.press("N")
        await until(pilot, lambda: notify_of() == 0 and row.id not in channels.notifying)
