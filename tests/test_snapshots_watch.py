"""Snapshots of the watching views: the Queue tab, trends, and the detail pane with a
thumbnail (half-blocks) and a resume point — at 80×24 and 160×48."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from momentum_tui.screens.trends import TrendsScreen
from momentum_tui.storage import Store, playback
from momentum_tui.storage import queue as queue_store
from momentum_tui.widgets.thumbnail import Thumbnail
from tests.app_support import make_app, settle, until, wait_for_screen
from tests.test_app_watch import _cached_thumbnail


def _newest(store: Store, count: int) -> list[str]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id FROM videos ORDER BY published_at DESC, id LIMIT ?", (count,)
        ).fetchall()
    return [row[0] for row in rows]


def test_queue_tab_80x24(snap_compare, demo_store: Store) -> None:
    for video_id in _newest(demo_store, 3):
        queue_store.add(demo_store, video_id, now=1_795_000_000)

    async def show(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=show)


def _trends(size: tuple[int, int]):  # type: ignore[no-untyped-def]
    async def show(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("I")
        screen = await wait_for_screen(pilot, TrendsScreen)
        await until(pilot, lambda: bool(screen.lines) and bool(screen.videos), what="trends")
        await pilot.pause()

    return show


def test_trends_80x24(snap_compare, demo_store: Store) -> None:
    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=_trends((80, 24)))


def test_trends_160x48(snap_compare, demo_store: Store) -> None:
    assert snap_compare(
        make_app(demo_store), terminal_size=(160, 48), run_before=_trends((160, 48))
    )


def _thumbnail_and_resume(store: Store):  # type: ignore[no-untyped-def]
    (first,) = _newest(store, 1)
    _cached_thumbnail(first)
    playback.save_position(store, first, 760, 1800, now=1_795_000_000)

    async def show(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        thumbnail = pilot.app.screen.query_one(Thumbnail)
        await until(pilot, lambda: thumbnail.video_id == first, what="the thumbnail")
        await pilot.pause()

    return show


def test_thumbnail_and_resume_160x48(snap_compare, demo_store: Store) -> None:
    show = _thumbnail_and_resume(demo_store)
    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=show)


def test_thumbnail_beside_the_text_80x24(snap_compare, demo_store: Store) -> None:
    """The narrow layout's pane is 8 lines tall: the picture goes beside the text."""
    show = _thumbnail_and_resume(demo_store)
    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=show)
