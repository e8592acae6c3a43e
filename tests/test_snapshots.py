"""A few SVG snapshots of the demo at 80×24 and 160×48 (update with --snapshot-update)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from momentum_tui.storage import Store
from tests.app_support import make_app, settle


async def _ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_main_screen_80x24(snap_compare, demo_store: Store) -> None:
    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=_ready)


def test_main_screen_160x48(snap_compare, demo_store: Store) -> None:
    async def pick(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=pick)


def test_search_and_filters_160x48(snap_compare, demo_store: Store) -> None:
    async def search(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("S", "slash", *"news")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pilot.app.clear_notifications()  # toasts time out; keep the picture deterministic
        await pilot.pause()

    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=search)


def test_help_80x24(snap_compare, demo_store: Store) -> None:
    async def help_(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=help_)


def test_why_80x24(snap_compare, demo_store: Store) -> None:
    async def why(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "e")
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=why)


def test_smart_feed_picker_80x24(snap_compare, demo_store: Store) -> None:
    async def picker(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"25")
        await pilot.pause()

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=picker)


def test_smart_feed_160x48(snap_compare, demo_store: Store) -> None:
    async def smart(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"60", "enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=smart)


def test_digest_160x48(snap_compare, demo_store: Store) -> None:
    async def digest(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("D")
        await pilot.pause()
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=digest)
