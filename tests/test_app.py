"""The app, driven from the keyboard with Pilot on the demo profile."""

from __future__ import annotations

import io

from rich.console import Console

from momentum_tui.config import Settings
from momentum_tui.models import Sort
from momentum_tui.screens.filters import FilterScreen
from momentum_tui.storage import Store
from momentum_tui.tabs import SUBSCRIPTIONS
from momentum_tui.widgets.detail_body import DetailBody
from tests.app_support import Opened, make_app, settle, state_of, until, wait_for_screen
from tests.factories import add, make_video


async def test_feed_loads_and_vim_keys_move(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        assert len(table.source) == 3136
        assert table.cursor == 0
        await pilot.press("j", "j", "down")
        assert table.cursor == 3
        await pilot.press("k", "up")
        assert table.cursor == 1
        await pilot.press("G")
        assert table.cursor == 3135
        await pilot.press("g")
        assert table.cursor == 0
        await pilot.press("ctrl+d")
        assert table.cursor > 5
        await pilot.press("ctrl+u")
        assert table.cursor == 0
        await pilot.press("end")
        await settle(pilot)
        assert table.current_row is not None  # the last page was fetched on demand


async def test_marks_from_the_keyboard_and_undo(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        row = table.current_row
        assert row is not None
        await pilot.press("w")
        await settle(pilot)
        assert state_of(demo_store, row.id) == (1, 0, 0, 0)
        assert table.current_row is not None and table.current_row.id == row.id
        await pilot.press("l")
        await settle(pilot)
        assert state_of(demo_store, row.id) == (1, 1, 0, 0)
        await pilot.press("s")
        await settle(pilot)
        assert state_of(demo_store, row.id) == (1, 1, 0, 1)
        await pilot.press("d")
        await settle(pilot)
        assert state_of(demo_store, row.id) == (1, -1, 0, 1)
        await pilot.press("u")
        await settle(pilot)
        assert state_of(demo_store, row.id) == (1, 1, 0, 1)
        await pilot.press("w")
        await settle(pilot)
        assert state_of(demo_store, row.id) == (0, 1, 0, 1)


async def test_hiding_removes_the_row_and_keeps_the_cursor_in_place(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        await pilot.press("j", "j")
        hidden = table.current_row
        following = table.source.row(3)
        assert hidden is not None and following is not None
        await pilot.press("x")
        await settle(pilot)
        assert len(table.source) == 3135
        assert table.cursor == 2
        assert table.current_row is not None and table.current_row.id == following.id
        assert state_of(demo_store, hidden.id) == (0, 0, 1, 0)
        await pilot.press("u")
        await settle(pilot)
        assert len(table.source) == 3136


async def test_search_as_you_type_and_escape(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"dynamite")
        await until(pilot, lambda: screen.filters.search == "dynamite")
        await settle(pilot)
        table = screen.table  # searches show on the Subscriptions tab
        assert 0 < len(table.source) < 20
        assert all(
            "dynamite" in (table.source.row(i).title.lower() + "dynamite")
            for i in range(len(table.source))
            if table.source.row(i)
        )
        first = table.source.row(0)
        assert first is not None and "dynamite" in first.title.lower()
        await pilot.press("enter")
        assert app.focused is table
        await pilot.press("escape")
        await settle(pilot)
        assert len(table.source) == 3136


async def test_quick_filter_toggles_and_sort(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        await pilot.press("S")
        await settle(pilot)
        shorts_hidden = len(table.source)
        assert shorts_hidden < 3136
        await pilot.press("V")
        await settle(pilot)
        assert len(table.source) < shorts_hidden
        await pilot.press("U")
        await settle(pilot)
        assert screen.filters.unwatched_only
        await pilot.press("O")
        await settle(pilot)
        assert screen.filters.sort == Sort.VIEWS
        views = [table.source.row(i).view_count for i in range(5)]  # type: ignore[union-attr]
        assert views == sorted(views, reverse=True)
        status = str(screen.query_one("#status").render())
        assert "no Shorts" in status and "most viewed" in status


async def test_filter_panel_sets_a_length_range(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await settle(pilot)
        everything = len(screen.table.source)
        await pilot.press("f")
        await wait_for_screen(pilot, FilterScreen)
        await pilot.click("#min")
        await pilot.press(*"5")
        await pilot.click("#max")
        await pilot.press(*"10")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (screen.filters.min_seconds, screen.filters.max_seconds) == (300, 600)
        table = screen.table
        assert 20 <= len(table.source) < everything  # narrowed, and enough rows to check
        for i in range(20):
            row = table.source.row(i)
            assert row is not None and row.duration_s is not None
            assert 300 <= row.duration_s <= 600


async def test_filter_panel_refuses_nonsense(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("f")
        await wait_for_screen(pilot, FilterScreen)
        await pilot.click("#min")
        await pilot.press(*"abc")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a length" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert screen.filters.min_seconds is None


async def test_filter_panel_buttons_apply_cancel_and_reset(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 60)) as pilot:
        screen = await settle(pilot)
        await pilot.press("f")
        await wait_for_screen(pilot, FilterScreen)
        await pilot.click("#unwatched_only")
        await pilot.click("#cancel")
        await settle(pilot)
        assert app.screen is screen and not screen.filters.unwatched_only
        await pilot.press("f")
        await wait_for_screen(pilot, FilterScreen)
        await pilot.click("#unwatched_only")
        await pilot.click("#apply")
        await settle(pilot)
        assert app.screen is screen and screen.filters.unwatched_only
        await pilot.press("f")
        await wait_for_screen(pilot, FilterScreen)
        await pilot.click("#reset")
        await settle(pilot)
        assert app.screen is screen and not screen.filters.unwatched_only


async def test_pick_a_channel_then_clear(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(150, 40)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("j", "j", "j", "enter")  # All, Saved, (separator), first channel
        await settle(pilot)
        assert screen.filters.channel_id is not None
        assert len({table.source.row(i).channel_id for i in range(len(table.source))}) == 1  # type: ignore[union-attr]
        assert app.focused is table
        await pilot.press("escape")
        await settle(pilot)
        assert screen.filters.channel_id is None
        assert len(table.source) == 3136


async def test_open_copy_and_help(demo_store: Store) -> None:
    opened = Opened()
    app = make_app(demo_store, opener=opened)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        row = screen.table.current_row
        assert row is not None
        await pilot.press("enter")
        await settle(pilot)
        assert opened.urls == [row.url]
        await pilot.press("y")
        assert app.clipboard == row.url
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "FeedScreen"


async def test_keymap_remaps_and_bad_entries_are_reported(demo_store: Store) -> None:
    settings = Settings(keymap={"video.like": "L", "video.lkie": "z"})
    app = make_app(demo_store, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        row = screen.table.current_row
        assert row is not None
        assert any("unknown binding 'video.lkie'" in message for message in app.said)
        await pilot.press("l")
        await settle(pilot)
        assert state_of(demo_store, row.id) is None  # l no longer likes
        await pilot.press("L")
        await settle(pilot)
        assert state_of(demo_store, row.id) == (0, 1, 0, 0)


async def test_palette_lists_momentum_commands(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        titles = [command.title for command in app.get_system_commands(screen)]
        assert "video: Like" in titles
        assert "filter: Hide Shorts" in titles
        assert "app: Help" in titles


async def test_untrusted_titles_are_drawn_literally(store: Store) -> None:
    add(
        store,
        make_video(1, title="[bold red]not markup[/] \x1b[31mno escape", channel_title="[i]x"),
    )
    app = make_app(store)
    async with app.run_test(size=(100, 20)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        line = table.render_line(1)
        text = "".join(segment.text for segment in line)
        assert "[bold red]not markup[/] no escape" in text
        assert "\x1b" not in text
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(screen.query_one("#detail").query_one(DetailBody).content)
        shown = console.export_text()
        assert "[bold red]not markup[/] no escape" in shown
        assert "[i]x" in shown


async def test_empty_cache_says_what_to_do(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(100, 20)) as pilot:
        screen = await settle(pilot)
        text = "".join(s.text for s in screen.table.render_line(2))
        assert "momentum import" in text


async def test_a_failing_background_job_is_a_sentence_not_a_crash(
    demo_store: Store, monkeypatch
) -> None:
    import sqlite3

    from momentum_tui.storage import feed as queries

    def broken(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(queries, "video_detail", broken)
        await pilot.press("j")

        def reported() -> bool:
            return any("disk I/O error" in m and "Nothing was lost" in m for m in app.said)

        await until(pilot, reported)
        assert app.is_running
