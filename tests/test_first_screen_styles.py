"""The main screen is styled once at launch, and looks exactly as a full restyle makes it.

Textual restyles a screen whenever it becomes the active one; the main screen skips that
the very first time (screens/styled_once.py: its widgets were styled moments before, as
they mounted). These tests hold the widgets' styles — every rule of every widget and of
its component classes (the feed table's cursor, watched, reason… colours) — to what a
full restyle of the screen computes: at launch in both layouts, once the feed has
settled, and after the screen comes back from under another one with the theme changed
meanwhile.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.dom import DOMNode

from momentum_tui.screens.feed import FeedScreen
from momentum_tui.screens.help import HelpScreen
from momentum_tui.storage import Store
from tests.app_support import make_app, settle, until

Look = list[tuple[str, str | None, dict[str, Any], dict[str, dict[str, Any]]]]


def look(screen: DOMNode) -> Look:
    """Every widget's own style rules and its component classes' rules, in DOM order."""
    return [
        (
            type(node).__name__,
            node.id,
            dict(node.styles.base._rules),
            {name: dict(styles.base._rules) for name, styles in node._component_styles.items()},
        )
        for node in screen.walk_children(with_self=True)
    ]


def restyled(screen: DOMNode) -> Look:
    """The look a full restyle of `screen` gives."""
    screen.app.stylesheet.update(screen)
    return look(screen)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_the_first_screen_is_styled_as_a_restyle_would(
    demo_store: Store, size: tuple[int, int]
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FeedScreen)
        at_launch = look(screen)
        assert at_launch == restyled(screen)
        await settle(pilot)
        assert look(screen) == restyled(screen)


async def test_a_stale_style_is_noticed(demo_store: Store) -> None:
    """The comparison above can fail: a class set without restyling shows up."""
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        screen.set_class(False, "-wide", update=False)
        assert look(screen) != restyled(screen)


async def test_coming_back_to_the_screen_still_restyles_it(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        before = look(screen)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, what="the main screen again")
        await pilot.pause()
        after = look(screen)
        assert after != before  # the new theme's colours reached the main screen
        assert after == restyled(screen)
