"""Titles, channel names and rule text are data everywhere — toasts and notifications too.

A sweep of every `notify(…)` call in momentum_tui (none may ask for markup), the app's
one gate (`MomentumApp.notify` shows every message as plain text), and the call sites
that put untrusted text into a sentence, driven from the keyboard with titles that look
like markup: what the toast shows is what the title says.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from textual.content import Content
from textual.pilot import Pilot

import momentum_tui
from momentum_tui.screens.channels import ChannelsScreen
from momentum_tui.screens.rules import RulesScreen
from momentum_tui.storage import Store
from tests.app_support import make_app, settle, until, wait_for_screen
from tests.factories import add, channel_id, make_video

ITZY = "[BE ORIGINAL] ITZY(있지) 'Not Shy' (4K)"
MARKUP = "[bold red]loud[/] [link=https://x.invalid]click[/link] [i]x"


def toasts(pilot: Pilot[Any]) -> list[str]:
    """Every notification as its toast draws it (plain text: see the gate's test)."""
    return [Content(message).plain for message in pilot.app.said]


def notify_calls() -> list[tuple[str, int, ast.Call]]:
    """Every `….notify(…)` call in momentum_tui: (file, line, call)."""
    found = []
    for path in Path(momentum_tui.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "notify"
            ):
                found.append((path.name, node.lineno, node))
    return found


def test_no_notify_call_asks_for_markup() -> None:
    calls = notify_calls()
    assert len(calls) > 25  # the sweep sees the call sites
    asking = [(name, line) for name, line, call in calls
              if any(keyword.arg == "markup" for keyword in call.keywords)]  # fmt: skip
    # Only the app's gate names `markup` (to turn it off for everyone).
    assert asking == [("app.py", next(line for name, line, _ in calls if name == "app.py"
                                      and line > 70))]  # fmt: skip


async def test_the_apps_one_gate_shows_every_message_as_text(store: Store) -> None:
    async with make_app(store).run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        pilot.app.notify(MARKUP)
        screen.notify(ITZY)  # a widget's notify goes through the app's
        await until(pilot, lambda: len(pilot.app._notifications) >= 2)
        shown = list(pilot.app._notifications)
        assert [note.message for note in shown] == [MARKUP, ITZY]
        assert not any(note.markup for note in shown)  # the toasts draw them as text


async def test_marks_and_undo_say_the_title_as_it_is(store: Store) -> None:
    add(store, make_video(1, title=ITZY, published_at=1_800_000_100),
        make_video(2, title=MARKUP, published_at=1_800_000_000))  # fmt: skip
    app = make_app(store, start_view="subscriptions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        for key in ("x", "u", "j", "l", "s", "w", "d"):
            await pilot.press(key)
            await settle(pilot)
        shown = toasts(pilot)
    assert shown[0].startswith("Hidden: [BE ORIGINAL] ITZY(있지)")
    assert shown[1].startswith(f"Undid “hidden” on {ITZY}")
    # The second video's title would be eaten (or made a link) if read as markup.
    for words in ("Liked", "Saved for later", "Marked watched", "Disliked"):
        assert any(line.startswith(f"{words}: [bold red]loud[/] [link=") for line in shown)


async def test_channel_and_rule_sentences_say_names_as_they_are(store: Store) -> None:
    from momentum_tui.rules import store as rule_store
    from momentum_tui.rules.spec import RuleAction, RuleSpec

    hostile = make_video(1, channel_id=channel_id(5), channel_title=MARKUP)
    add(store, hostile, make_video(2))
    spec = RuleSpec(action=RuleAction.HIDE, channels=(channel_id(5),), channel_names=(MARKUP,))
    with store.write() as db:
        rule_store.add_rule(db, spec)
    app = make_app(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("H")
        rules = await wait_for_screen(pilot, RulesScreen)
        await until(pilot, lambda: rules.rules)
        rules.query_one("#rules").focus()
        await pilot.press("x")
        await until(pilot, lambda: any(t.startswith("Deleted:") for t in toasts(pilot)))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("C")
        channels = await wait_for_screen(pilot, ChannelsScreen)
        await until(pilot, lambda: len(channels.rows) == 2)
        channels.table.cursor = [row.id for row in channels.rows].index(channel_id(5))
        await pilot.press("x")
        await until(pilot, lambda: any(t.startswith("Stopped") for t in toasts(pilot)))
        shown = toasts(pilot)
    assert f"Deleted: Hide videos: from {MARKUP}" in shown
    assert any(line.startswith(f"Stopped following {MARKUP};") for line in shown)


async def test_a_failure_with_brackets_in_it_is_said_as_it_is(
    demo_store: Store, monkeypatch: Any
) -> None:
    import sqlite3

    from momentum_tui.storage import feed as queries

    def broken(*args: object) -> None:
        raise sqlite3.OperationalError("no such column: [v].[title]")

    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(queries, "video_detail", broken)
        await pilot.press("j")
        await until(pilot, lambda: any("[v].[title]" in t for t in toasts(pilot)))
