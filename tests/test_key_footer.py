"""The footer of keys (widgets/key_footer.py) follows the keys that work, and rebuilds only
when they change: typing in a prompt hides the letter keys, closing it brings them back,
and a screen opened over the feed leaves the feed's footer as it was."""

from __future__ import annotations

from textual.widgets import Input
from textual.widgets._footer import FooterKey

from momentum_tui.screens.channels import ChannelsScreen
from momentum_tui.storage import Store
from momentum_tui.widgets.key_footer import KeyFooter
from tests.app_support import make_app, settle, until, wait_for_screen


def keys(footer: KeyFooter) -> list[FooterKey]:
    return list(footer.query(FooterKey))


def descriptions(footer: KeyFooter) -> set[str]:
    return {key.description for key in keys(footer)}


async def test_the_footer_follows_the_prompt_and_keeps_unchanged_keys(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(120, 24)) as pilot:
        feed = await settle(pilot)
        feed_keys = keys(feed.query_one(KeyFooter))
        assert feed_keys, "the feed shows its keys"
        await pilot.press("C")
        screen: ChannelsScreen = await wait_for_screen(pilot, ChannelsScreen)
        footer = screen.query_one(KeyFooter)
        await until(pilot, lambda: {"Add", "Remove", "Groups"} <= descriptions(footer))

        await pilot.press("t")  # the groups prompt takes letters: a, x and t are typed
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await until(pilot, lambda: "Add" not in descriptions(footer), what="letter keys hidden")
        await pilot.press("escape")
        await until(pilot, lambda: "Add" in descriptions(footer), what="letter keys back")
        shown = keys(footer)

        await pilot.press("j", "G", "g")  # moving changes no key: the same keys stay
        await pilot.pause()
        assert keys(footer) == shown
        await pilot.press("escape")
        await wait_for_screen(pilot, type(feed))
        assert keys(feed.query_one(KeyFooter)) == feed_keys, "the covered feed's keys were kept"
