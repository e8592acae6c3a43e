"""Labels and rules in the app: chips, plain titles, filters, classify, spend, rules screen."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Select

from momentum_tui.app_labels import ClassifyProgressed
from momentum_tui.config import ClaudeSettings, Settings
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.screens.rules import RulesScreen
from momentum_tui.storage import Store
from momentum_tui.tabs import SUBSCRIPTIONS
from momentum_tui.widgets.detail_body import DetailBody
from momentum_tui.widgets.feed_columns import CHIP
from momentum_tui.widgets.feed_table import FeedTable
from tests.app_support import make_app, settle, until, wait_for_screen
from tests.emulators.claude import ClaudeEmulator
from tests.support.claude import ledger_rows, running_claude


@pytest.fixture
def claude() -> Iterator[ClaudeEmulator]:
    yield from running_claude()


def claude_settings(emulator: ClaudeEmulator, **values: Any) -> Settings:
    return Settings(claude=ClaudeSettings(base_url=emulator.base_url, **values))


def line(table: FeedTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


def detail_text(screen: FeedScreen) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(screen.query_one("#detail").query_one(DetailBody).content)
    return console.export_text()


def notes(pilot: Pilot[Any]) -> list[str]:
    return list(pilot.app.said)


async def wait_for(pilot: Pilot[Any], group: str) -> None:
    for _ in range(500):
        await pilot.pause(0.02)
        workers = [*pilot.app.screen.workers, *pilot.app.workers]
        if not any(w.group == group and not w.is_finished for w in workers):
            return
    raise TimeoutError(group)


async def test_rows_carry_label_chips_on_wide_terminals(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(220, 40)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        row = table.current_row
        assert row is not None
        assert row.topic is not None
        assert "Labels" in line(table, 0)
        chip = row.topic if len(row.topic) <= CHIP else row.topic[: CHIP - 1] + "…"
        assert chip in line(table, 1)
        # The detail pane calls the label by the same name (not "learning" for "education").
        await until(pilot, lambda: row.topic in detail_text(screen))


async def test_chips_and_the_detail_pane_name_labels_alike(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rowid = conn.execute(
            "SELECT v.rowid FROM videos v JOIN video_labels l ON l.video_id = v.id "
            "WHERE l.topic = 'education' ORDER BY v.published_at DESC LIMIT 1"
        ).fetchone()[0]
    async with make_app(demo_store, start_view=SUBSCRIPTIONS).run_test(size=(220, 50)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        index = table.source.index_of(rowid)
        assert index is not None
        table.cursor = index
        await settle(pilot)
        y = index - round(table.scroll_y) + 1
        assert "education" in line(table, y) and "learning" not in line(table, y)
        await until(pilot, lambda: "education" in detail_text(screen))
        assert "learning" not in detail_text(screen)


async def test_t_switches_to_plain_titles(demo_store: Store) -> None:
    with demo_store.read() as conn:
        video_id, title, plain = conn.execute(
            "SELECT v.id, v.title, l.plain_title FROM videos v JOIN video_labels l "
            "ON l.video_id = v.id WHERE l.plain_title != v.title "
            "ORDER BY v.published_at DESC LIMIT 1"
        ).fetchone()
    async with make_app(demo_store, start_view=SUBSCRIPTIONS).run_test(size=(160, 40)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        index = next(i for i in range(200) if (r := table.source.row(i)) and r.id == video_id)
        table.cursor = index
        await settle(pilot)
        y = index - round(table.scroll_y) + 1
        assert title[:20] in line(table, y)
        await pilot.press("T")
        await pilot.pause()
        assert table.plain_titles
        assert plain[:20] in line(table, y)


async def test_the_filter_panel_filters_by_topic_and_clickbait(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(120, 50)) as pilot:
        screen = await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        pilot.app.screen.query_one("#topic", Select).value = "music"
        pilot.app.screen.query_one("#clickbait", Input).value = "0.3"
        await pilot.press("ctrl+s")
        screen = await settle(pilot)
        table = screen.table
        assert 0 < len(table.source) < 3136
        assert screen.filters.topics == ("music",)
        assert screen.filters.max_clickbait == 0.3
        rows = [table.source.row(i) for i in range(min(20, len(table.source)))]
        assert rows and None not in rows  # the first page is on screen, every row checked
        assert all(r.topic == "music" and (r.clickbait or 0) <= 0.3 for r in rows if r)
        status = str(screen.query_one("#status").render())
        assert "topic music" in status


async def test_classify_without_a_key_labels_offline(demo_store: Store) -> None:
    # The demo comes labelled: take the labels of its ten newest videos away first.
    with demo_store.write() as db:
        newest = [r[0] for r in db.conn.execute(
            "SELECT id FROM videos ORDER BY published_at DESC LIMIT 10")]  # fmt: skip
        db.conn.executemany("DELETE FROM video_labels WHERE video_id = ?", [(v,) for v in newest])
    async with make_app(demo_store).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await wait_for(pilot, "classify")
        await settle(pilot)
        assert any("Labelled 10 videos offline" in n for n in notes(pilot))
        assert any("momentum keys set anthropic" in n for n in notes(pilot))
        assert "AI $" not in str(pilot.app.screen.query_one("#status").render())
    with demo_store.read() as conn:
        marks = ",".join("?" * len(newest))
        sources = conn.execute(
            f"SELECT source, count(*) FROM video_labels WHERE video_id IN ({marks}) "
            "GROUP BY source",
            newest,
        ).fetchall()
        spent = conn.execute("SELECT count(*) FROM ai_ledger").fetchone()[0]
    assert sources == [("local", 10)]
    assert spent == 0  # nothing was sent to Claude


async def test_classify_with_claude_shows_progress_spend_and_stops_at_the_budget(
    demo_store: Store, claude: ClaudeEmulator
) -> None:
    settings = claude_settings(claude, daily_budget_usd=0.08)
    seen: list[ClassifyProgressed] = []

    def hook(message: object) -> None:
        if isinstance(message, ClassifyProgressed):
            seen.append(message)

    app = make_app(demo_store, settings)
    async with app.run_test(size=(160, 40), message_hook=hook) as pilot:
        screen = await settle(pilot)
        assert "AI $0.00/$0.08 today" in str(screen.query_one("#status").render())
        await pilot.press("L")
        await wait_for(pilot, "classify")
        screen = await settle(pilot)
        await wait_for(pilot, "ai-spend")
        await pilot.pause()
        spent = sum(row["usd"] for row in ledger_rows(demo_store))
        assert 0 < spent <= 0.08
        assert any("stopped before going over today's budget" in n for n in notes(pilot))
        assert f"AI ${spent:.2f}/$0.08 today" in str(screen.query_one("#status").render())
        with demo_store.read() as conn:
            claude_labels = conn.execute(
                "SELECT count(*) FROM video_labels WHERE source = 'claude'"
            ).fetchone()[0]
        assert claude_labels > 0
        assert seen
        assert seen[-1].progress.labelled == claude_labels
        assert seen[-1].progress.usd == pytest.approx(spent)


async def test_a_rule_in_plain_english_from_the_app(
    demo_store: Store, claude: ClaudeEmulator
) -> None:
    async with make_app(demo_store, claude_settings(claude), start_view=SUBSCRIPTIONS).run_test(
        size=(120, 40)
    ) as pilot:
        screen = await settle(pilot)
        before = len(screen.table.source)
        await pilot.press("H")
        rules = await wait_for_screen(pilot, RulesScreen)
        assert rules.query_one("#sentence").has_focus  # it opens in the sentence box
        await until(pilot, lambda: rules.has_key is not None)
        await pilot.press(*"hide shorts", "enter")
        await until(pilot, lambda: rules.pending is not None)
        assert "Hide videos: Shorts" in str(rules.query_one("#preview").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(rules.rules) == 1)
        await pilot.press("t")  # the list has the focus once the rule is saved
        await until(pilot, lambda: "matches" in str(rules.query_one("#preview").render()))
        await pilot.press("escape")
        screen = await settle(pilot)
        assert isinstance(screen, FeedScreen)
        after = len(screen.table.source)
        assert 0 < after < before
        assert not any((r := screen.table.source.row(i)) and r.is_short for i in range(50))
