"""A keymap entry that would let a priority binding take another binding's key is ignored.

The tab keys are priority bindings (they act before the focused list sees the key), so
`view.for_you = "j"` would take `j` from moving down the list; `nav.down = "1"` would
lose its key to the tab key. Both are refused with a sentence; free keys and keys only
another screen uses are taken as asked.
"""

from __future__ import annotations

import pytest

from momentum_tui.bindings import ALL_KEYS
from momentum_tui.config import Settings
from momentum_tui.keymap_clashes import priority_clashes, without_priority_clashes
from momentum_tui.storage import Store
from momentum_tui.tabs import FOR_YOU, SUBSCRIPTIONS
from tests.app_support import make_app, settle


@pytest.mark.parametrize(
    ("keymap", "culprit", "words"),
    [
        ({"view.for_you": "j"}, "view.for_you", ("'j'", "'nav.down'", "the main screen")),
        ({"nav.down": "down,1"}, "nav.down", ("'1'", "'view.for_you'", "the main screen")),
        ({"trends.open": "j"}, "trends.open", ("'j'", "'nav.down'", "the trends screen")),
    ],
)
def test_a_remap_onto_a_key_in_use_on_the_screen_is_refused(
    keymap: dict[str, str], culprit: str, words: tuple[str, ...]
) -> None:
    kept, problems = without_priority_clashes(keymap | {"video.like": "L"})
    assert kept == {"video.like": "L"}  # the rest of the keymap is kept
    assert len(problems) == 1 and culprit in problems[0]
    assert all(word in problems[0] for word in words)


def test_free_keys_own_defaults_and_other_screens_keys_are_taken_as_asked() -> None:
    priority = [key for key in ALL_KEYS if key.priority]
    assert priority_clashes({key.id: key.keys for key in priority}) == {}
    assert priority_clashes({"view.for_you": "4", "view.queue": "F7"}) == {}
    # `N` and `delete` are the channels screen's keys, not the main screen's.
    assert priority_clashes({"view.subscriptions": "N", "view.queue": "delete"}) == {}


async def test_the_app_says_so_and_keeps_both_keys_working(demo_store: Store) -> None:
    app = make_app(demo_store, settings=Settings(keymap={"view.for_you": "j"}))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        assert any("'view.for_you' would make" in message for message in app.said)
        start = screen.table.cursor
        await pilot.press("j")
        assert screen.table.cursor == start + 1 and screen.view == FOR_YOU  # j still moves
        await pilot.press("2")
        await settle(pilot)
        assert screen.view == SUBSCRIPTIONS
        await pilot.press("1")  # and the tab key is still 1
        await settle(pilot)
        assert screen.view == FOR_YOU
