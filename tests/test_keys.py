"""The same keys do the same thing everywhere: the moving keys in the why panel and the help,
the digest's groups, the channels screen and the channel list — and a remap reaches them all."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList

from momentum_tui.bindings import ALL_KEYS, BY_ID
from momentum_tui.config import Settings
from momentum_tui.screens.channels import ChannelsScreen
from momentum_tui.screens.digest import DigestScreen
from momentum_tui.screens.help import HelpScreen
from momentum_tui.screens.why import WhyScreen
from momentum_tui.storage import Store
from momentum_tui.widgets.channel_list import ChannelList
from momentum_tui.widgets.key_scroll import KeyScroll
from tests.app_support import make_app, settle, until, wait_for_screen


async def scrolls_with_the_moving_keys(pilot: Pilot[Any], panel: KeyScroll) -> None:
    """j/k a line, ctrl+d/ctrl+u half a page, G/g the end and the top."""
    assert panel.has_focus and panel.max_scroll_y > 2  # there is something to scroll
    await pilot.press("j", "j")
    await until(pilot, lambda: panel.scroll_y == 2)
    await pilot.press("k")
    await until(pilot, lambda: panel.scroll_y == 1)
    await pilot.press("ctrl+d")
    await until(pilot, lambda: panel.scroll_y > 2)
    await pilot.press("ctrl+u", "ctrl+u")
    await until(pilot, lambda: panel.scroll_y == 0)
    await pilot.press("G")
    await until(pilot, lambda: panel.scroll_y == panel.max_scroll_y)
    await pilot.press("g")
    await until(pilot, lambda: panel.scroll_y == 0)


async def test_why_scrolls_with_the_moving_keys(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        why = await wait_for_screen(pilot, WhyScreen)
        await scrolls_with_the_moving_keys(pilot, why.query_one(KeyScroll))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, WhyScreen))


async def test_help_scrolls_with_the_moving_keys(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        help_screen = await wait_for_screen(pilot, HelpScreen)
        await scrolls_with_the_moving_keys(pilot, help_screen.query_one(KeyScroll))
        await pilot.press("q")
        await until(pilot, lambda: not isinstance(pilot.app.screen, HelpScreen))


async def test_the_digest_moves_between_groups_with_j_k(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        digest = await wait_for_screen(pilot, DigestScreen)
        await settle(pilot)
        groups = digest.query_one(OptionList)
        assert digest.digest is not None and len(digest.digest.groups) >= 3
        assert groups.highlighted == 0
        assert groups.option_count == len(digest.digest.groups)  # one option per group
        await pilot.press("j")
        assert groups.highlighted == 1  # the next group, past the rule between them
        await pilot.press("j", "k")
        assert groups.highlighted == 1
        await pilot.press("G")
        assert groups.highlighted == groups.option_count - 1
        await pilot.press("g")
        assert groups.highlighted == 0


async def test_the_channels_screen_moves_with_the_same_keys(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        screen = await wait_for_screen(pilot, ChannelsScreen)
        await until(pilot, lambda: len(screen.rows) == 2407)
        table = screen.table
        await pilot.press("j", "j", "k")
        assert table.cursor == 1
        await pilot.press("G")
        assert table.cursor == 2406 and screen.current == screen.rows[-1]
        await pilot.press("g", "ctrl+d")
        assert table.cursor > 5
        await pilot.press("ctrl+u", "pagedown")
        assert table.cursor > 10
        await pilot.press("home")
        assert table.cursor == 0


async def test_the_channel_list_moves_and_picks_with_registered_keys(demo_store: Store) -> None:
    async with make_app(demo_store, start_view="subscriptions").run_test(size=(150, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("c")
        channels = screen.query_one(ChannelList)
        assert channels.has_focus
        await pilot.press("j", "j", "j")  # All, Saved, (separator skipped), the first group
        assert channels.entries[channels.cursor].id.startswith(("tag:", "ch:"))
        await pilot.press("G")
        assert channels.cursor == len(channels.entries) - 1
        await pilot.press("g")
        assert channels.cursor == 0
        await pilot.press("j", "space")  # list.select: Saved for later
        await settle(pilot)
        assert screen.filters.saved_only


async def test_one_remap_moves_every_list(demo_store: Store) -> None:
    settings = Settings(keymap={"nav.down": "n", "list.select": "ctrl+o"})
    async with make_app(demo_store, settings, start_view="subscriptions").run_test(
        size=(150, 40)
    ) as pilot:
        screen = await settle(pilot)
        await pilot.press("n", "n")
        assert screen.table.cursor == 2  # the feed
        await pilot.press("c", "n", "ctrl+o")
        await settle(pilot)
        assert screen.filters.saved_only  # the channel list (Saved for later)
        await pilot.press("C")
        channels = await wait_for_screen(pilot, ChannelsScreen)
        await until(pilot, lambda: len(channels.rows) == 2407)
        await pilot.press("n", "n", "n")
        assert channels.table.cursor == 3  # the channels screen


def test_every_binding_is_in_the_registry_with_an_id() -> None:
    from momentum_tui.screens.feed_filters import FilteredScreen  # noqa: F401 (loads screens)
    from momentum_tui.screens.filters import FilterScreen
    from momentum_tui.screens.rules import RulesScreen
    from momentum_tui.screens.smart_feed import SmartFeedScreen
    from momentum_tui.widgets.feed_table import FeedTable
    from momentum_tui.widgets.line_table import LineTable

    classes = [ChannelList, ChannelsScreen, DigestScreen, HelpScreen, WhyScreen, RulesScreen,
               FilterScreen, SmartFeedScreen, FeedTable, LineTable, KeyScroll]  # fmt: skip
    for cls in classes:
        for binding in cls.BINDINGS:
            assert not isinstance(binding, tuple | str), cls
            assert binding.id in BY_ID, (cls.__name__, binding.key)
            assert BY_ID[binding.id].keys == binding.key
    assert len({key.id for key in ALL_KEYS}) == len(ALL_KEYS)
