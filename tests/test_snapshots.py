"""A few SVG snapshots of the demo at 80×24 and 160×48 (update with --snapshot-update)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Select, SelectionList

from momentum_tui.screens.channels import ChannelsScreen
from momentum_tui.screens.digest import DigestScreen
from momentum_tui.screens.filters import FilterScreen
from momentum_tui.screens.help import HelpScreen
from momentum_tui.screens.rules import RulesScreen
from momentum_tui.screens.smart_feed import SmartFeedScreen
from momentum_tui.screens.why import WhyScreen
from momentum_tui.storage import Store
from tests.app_support import make_app, settle, until, wait_for_screen


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
        await until(pilot, lambda: pilot.app.screen.filters.search == "news")
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
        await wait_for_screen(pilot, HelpScreen)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=help_)


def test_why_80x24(snap_compare, demo_store: Store) -> None:
    async def why(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "e")
        await wait_for_screen(pilot, WhyScreen)
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=why)


def test_smart_feed_picker_80x24(snap_compare, demo_store: Store) -> None:
    async def picker(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("m")
        # Typed before the picker is up and focused, "25" would go to the feed (or nowhere).
        picker = await wait_for_screen(pilot, SmartFeedScreen)
        await pilot.press(*"25")
        await until(pilot, lambda: picker.query_one("#minutes").value == "25")

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=picker)


def test_smart_feed_160x48(snap_compare, demo_store: Store) -> None:
    async def smart(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("m")
        await wait_for_screen(pilot, SmartFeedScreen)
        await pilot.press(*"60", "enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=smart)


def test_digest_160x48(snap_compare, demo_store: Store) -> None:
    async def digest(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("D")
        await wait_for_screen(pilot, DigestScreen)
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=digest)


def test_digest_80x24(snap_compare, demo_store: Store) -> None:
    async def digest(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("D")
        await wait_for_screen(pilot, DigestScreen)
        await settle(pilot)
        await pilot.press("j")  # the next topic group

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=digest)


async def _channels(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("C")
    screen = await wait_for_screen(pilot, ChannelsScreen)
    await until(pilot, lambda: len(screen.rows) == 2407 and screen.unwatched)


def test_channels_80x24(snap_compare, demo_store: Store) -> None:
    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=_channels)


def test_channels_160x48(snap_compare, demo_store: Store) -> None:
    assert snap_compare(make_app(demo_store), terminal_size=(160, 48), run_before=_channels)


def test_channels_clean_up_80x24(snap_compare, demo_store: Store) -> None:
    async def cleanup(pilot: Pilot[Any]) -> None:
        await _channels(pilot)
        await pilot.press("s")
        screen = pilot.app.screen
        await until(pilot, lambda: screen.suggestions is not None)
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=cleanup)


def test_rules_by_hand_80x24(snap_compare, demo_store: Store) -> None:
    async def by_hand(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("H")
        rules = await wait_for_screen(pilot, RulesScreen)
        await until(pilot, lambda: rules.has_key is not None)
        await pilot.press(*"hide minecraft", "enter")
        await until(pilot, lambda: rules.form.is_open)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=by_hand)


def test_filter_panel_80x24(snap_compare, demo_store: Store) -> None:
    async def panel(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("S")  # Shorts hidden: one box on, the others off
        await settle(pilot)  # the feed behind the panel is the one without Shorts
        pilot.app.clear_notifications()  # "Shorts hidden" times out; keep the picture fixed
        await pilot.press("f")
        await wait_for_screen(pilot, FilterScreen)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=panel)


def test_smart_feed_80x24(snap_compare, demo_store: Store) -> None:
    async def smart(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("m")
        picker = await wait_for_screen(pilot, SmartFeedScreen)
        picker.query_one("#mood", Select).value = "calm"
        for topic in ("cooking", "tech", "science"):
            picker.query_one("#topics", SelectionList).select(topic)
        await pilot.press(*"25", "enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    # The tab line and the status bar say the smart feed shorter rather than cut it.
    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=smart)
