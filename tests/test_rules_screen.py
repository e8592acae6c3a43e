"""The rules screen from the keyboard: the sentence box first, the by-hand form without a
Claude key, the list's keys, and failures said as on every screen."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import OptionList, Select

from momentum_tui.rules import store as rule_store
from momentum_tui.rules.spec import RuleAction, RuleSpec
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.screens.rule_form import guess_from_sentence, read_form
from momentum_tui.screens.rules import WITHOUT_CLAUDE, RulesScreen
from momentum_tui.storage import Store
from tests.app_support import make_app, settle, until, wait_for_screen
from tests.factories import add, channel_id, make_video


def notes(pilot: Pilot[Any]) -> list[str]:
    return list(pilot.app.said)


def saved(store: Store) -> list[RuleSpec]:
    with store.read() as conn:
        return [rule.spec for rule in rule_store.list_rules(conn)]


async def open_rules(pilot: Pilot[Any]) -> RulesScreen:
    await settle(pilot)
    await pilot.press("H")
    rules = await wait_for_screen(pilot, RulesScreen)
    await until(pilot, lambda: rules.has_key is not None)
    return rules


async def test_without_a_key_a_sentence_becomes_a_rule_by_hand(store: Store) -> None:
    add(store, make_video(1, title="Minecraft speedrun"), make_video(2, title="Cooking rice"))
    async with make_app(store, start_view="subscriptions").run_test(size=(80, 24)) as pilot:
        rules = await open_rules(pilot)
        assert rules.query_one("#sentence").has_focus
        assert WITHOUT_CLAUDE in str(rules.query_one("#sentence-label").render())
        await pilot.press(*"hide minecraft", "enter")
        assert rules.form.is_open
        assert rules.query_one("#hand-words").value == "minecraft"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(rules.rules) == 1)
        assert saved(store) == [RuleSpec(action=RuleAction.HIDE, title_words=("minecraft",))]
        assert not rules.form.is_open and rules.changed
        await pilot.press("escape")
        screen = await settle(pilot)
        assert isinstance(screen, FeedScreen)
        titles = [row.title for i in range(len(screen.table.source))
                  if (row := screen.table.source.row(i))]  # fmt: skip
        assert titles == ["Cooking rice"]  # the feed was shown again through the rule


async def test_a_notify_rule_by_hand_is_marked_and_leaves_the_feed_alone(store: Store) -> None:
    add(store, make_video(1, title="Rust 2.0 released"), make_video(2, title="Cooking rice"))
    async with make_app(store, start_view="subscriptions").run_test(size=(80, 24)) as pilot:
        rules = await open_rules(pilot)
        await pilot.press(*"notify me about rust", "enter")
        assert rules.form.is_open
        assert rules.query_one("#hand-action", Select).value == "notify"
        assert rules.query_one("#hand-words").value == "rust"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(rules.rules) == 1)
        assert saved(store) == [RuleSpec(action=RuleAction.NOTIFY, title_words=("rust",))]
        line = rules.query_one("#rules", OptionList).get_option_at_index(0).prompt
        assert isinstance(line, Text)
        assert line.plain == "● Notify of new uploads: title has “rust” 🔔"
        await pilot.press("escape")
        screen = await settle(pilot)
        assert isinstance(screen, FeedScreen)
        titles = {row.title for i in range(len(screen.table.source))
                  if (row := screen.table.source.row(i))}  # fmt: skip
        assert titles == {"Rust 2.0 released", "Cooking rice"}  # nothing hidden by it


async def test_the_form_bury_by_topic_for_a_channel_and_what_it_refuses(store: Store) -> None:
    add(store, make_video(1, channel_id=channel_id(3), channel_title="Veritasium"))
    async with make_app(store).run_test(size=(100, 36)) as pilot:
        rules = await open_rules(pilot)
        await pilot.press("tab")  # the list
        await pilot.press("n")
        assert rules.form.is_open and rules.query_one("#hand-action").has_focus
        rules.query_one("#hand-action", Select).value = "bury"
        rules.query_one("#hand-field", Select).value = "topic"
        rules.query_one("#hand-words").value = "nonsense"
        await pilot.press("ctrl+s")
        assert "“nonsense” is not a topic" in str(rules.query_one("#hand-error").render())
        rules.query_one("#hand-words").value = "news, gaming"
        rules.query_one("#hand-channel").value = "Nobody Here"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "No followed channel" in str(
            rules.query_one("#hand-error").render()))  # fmt: skip
        assert saved(store) == []  # nothing saved while something is wrong
        rules.query_one("#hand-channel").value = "veritasium"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(rules.rules) == 1)
    assert saved(store) == [
        RuleSpec(action=RuleAction.BURY, topics=("news", "gaming"), channels=(channel_id(3),),
                 channel_names=("Veritasium",))
    ]  # fmt: skip


async def test_the_list_keys_switch_test_and_delete(store: Store) -> None:
    add(store, make_video(1, is_short=True, duration_s=30), make_video(2))
    with store.write() as db:
        rule_store.add_rule(db, RuleSpec(action=RuleAction.HIDE, shorts=True))
    async with make_app(store).run_test(size=(80, 24)) as pilot:
        rules = await open_rules(pilot)
        await until(pilot, lambda: len(rules.rules) == 1)
        await pilot.press("space")  # in the sentence box: a space, not a switch
        assert rules.rules[0].enabled
        await pilot.press("tab", "space")
        await until(pilot, lambda: not rules.rules[0].enabled)
        await pilot.press("t")
        await until(pilot, lambda: "matches 1 of 2" in str(rules.query_one("#preview").render()))
        await pilot.press("j", "x")
        await until(pilot, lambda: not rules.rules)
        assert any(note.startswith("Deleted: Hide videos: Shorts") for note in notes(pilot))
        await pilot.press("a")
        assert rules.query_one("#sentence").has_focus


async def test_a_failing_rules_worker_is_a_sentence(store: Store, monkeypatch: Any) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    async with make_app(store).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(rule_store, "read_rules", broken)
        await pilot.press("H")
        await wait_for_screen(pilot, RulesScreen)
        await until(pilot, lambda: any("database is locked" in n for n in notes(pilot)))
        assert any("Nothing was lost" in n for n in notes(pilot))


@pytest.mark.parametrize(
    ("field", "words", "channel", "problem"),
    [
        ("title", " , ", "", "Give the words"),
        ("mood", "", "", "Give a mood"),
        ("format", "review blog", "", "“blog” is not a format"),
        ("channel", "", "", "Give the channel"),
    ],
)
def test_the_form_says_what_to_fix(field: str, words: str, channel: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        read_form("hide", field, words, channel)


def test_the_form_reads_what_the_command_line_would() -> None:
    assert read_form("boost", "title", "rust, zig lang", "").spec() == RuleSpec(
        action=RuleAction.BOOST, title_words=("rust", "zig lang")
    )
    assert read_form("hide", "shorts", "ignored", "").spec() == RuleSpec(
        action=RuleAction.HIDE, shorts=True
    )
    assert guess_from_sentence("Notify me when minecraft") == ("notify", "minecraft")
    assert guess_from_sentence("notify rust, zig") == ("notify", "rust, zig")
    with pytest.raises(ValueError, match="not a rule yet"):
        read_form("hide", "channel", "", "X").spec()  # no channel found: no condition


async def test_a_rule_this_version_cant_read_is_said_once_and_the_rest_listed(
    store: Store,
) -> None:
    with store.write() as db:
        rule_store.add_rule(db, RuleSpec(action=RuleAction.HIDE, shorts=True))
        db.conn.execute(
            "INSERT INTO rules (text, spec, action, enabled, source, created_at) "
            """VALUES ('', '{"action": "hide", "teleport": true}', 'hide', 1, 'manual', 0)"""
        )
    async with make_app(store, start_view="subscriptions").run_test(size=(80, 24)) as pilot:
        rules = await open_rules(pilot)
        await until(pilot, lambda: len(rules.rules) == 1)
        told = [note for note in notes(pilot) if "can't be read" in note]
        assert told == [rule_store.unreadable_words(2)]
        await pilot.press("tab", "space")  # switch the readable rule off: the list loads again
        await until(pilot, lambda: not rules.rules[0].enabled)
        assert [note for note in notes(pilot) if "can't be read" in note] == told
