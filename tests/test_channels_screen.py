"""The channels screen at 80 columns on the demo's 2,407 channels: what fits, what stays
readable after a removal, sync ages that agree with the state, and what the demo says."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.pilot import Pilot

from momentum_tui.screens.channels import _PROMPTS, DEMO_CANT_FOLLOW, EVERY_CHANNEL, ChannelsScreen
from momentum_tui.storage import Store
from momentum_tui.widgets.line_table import Column, layout
from tests.app_support import make_app, settle, until, wait_for_screen


def line(screen: ChannelsScreen, y: int) -> str:
    return "".join(segment.text for segment in screen.table.render_line(y))


async def open_channels(pilot: Pilot[Any]) -> ChannelsScreen:
    await settle(pilot)
    await pilot.press("C")
    screen = await wait_for_screen(pilot, ChannelsScreen)
    await until(pilot, lambda: len(screen.rows) == 2407 and screen.unwatched)
    return screen


async def test_at_80_columns_name_unwatched_and_state_fit(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(80, 24)) as pilot:
        screen = await open_channels(pilot)
        header = line(screen, 0)
        for label in ("Channel", "Groups", "Unwatched", "State"):
            assert label in header
        index = next(i for i, r in enumerate(screen.rows) if r.title == "1. FC Nürnberg - CLUB TV")
        row = screen.rows[index]  # a name that needs its room, whole
        cells = line(screen, index + 1)
        assert row.title in cells
        assert f" {screen.unwatched[row.id]:,} " in cells and cells.rstrip().endswith("ok")
        assert cell_len(cells) == screen.table.scrollable_content_region.width
        title = str(screen.query_one("#channels-title").render())
        assert title.strip() == "2,407 channels followed"  # the key hints left out, not cut


async def test_the_columns_keep_their_width_after_a_removal(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(80, 24)) as pilot:
        screen = await open_channels(pilot)
        before = line(screen, 0)
        removed = screen.current
        assert removed is not None
        await pilot.press("x")
        await until(pilot, lambda: len(screen.rows) == 2406)
        assert line(screen, 0) == before  # today names collapsed to 7 cells here
        assert screen.current is not None and screen.current.id != removed.id
        assert screen.table.cursor == 0  # the next channel took its place
        assert screen.rows[0].title[:8] in line(screen, 1)
        # In the demo, `a` can't bring it back (it never talks to YouTube): the toast says so.
        assert any("momentum demo --reset" in note for note in pilot.app.said)
        assert not any("a adds it back" in note for note in pilot.app.said)


async def test_synced_and_state_agree(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 30)) as pilot:
        screen = await open_channels(pilot)
        states = {screen.table.row_cells(i)[6].plain for i in range(len(screen.rows))}
        synced = {screen.table.row_cells(i)[5].plain for i in range(len(screen.rows))}
    assert states == {"ok"} and synced == {"2h"}  # not "2h" beside "never"


async def test_the_demo_neither_follows_nor_imports(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(80, 24)) as pilot:
        screen = await open_channels(pilot)
        for key in ("a", "i"):
            await pilot.press(key)
            assert not screen.mode  # no prompt opened
        assert pilot.app.said.count(DEMO_CANT_FOLLOW) == 2


def test_every_prompt_fits_an_80_column_box() -> None:
    room = 80 - 4  # the box's border and padding
    assert {
        mode: cell_len(words) for mode, words in _PROMPTS.items() if cell_len(words) > room
    } == {}


def test_the_layout_leaves_out_what_does_not_fit_and_shares_the_rest() -> None:
    widths = layout(EVERY_CHANNEL, 78)
    labels = [column.label for column, width in zip(EVERY_CHANNEL, widths, strict=True) if width]
    assert labels == ["Channel", "Groups", "Unwatched", "Videos", "Synced", "State"]
    assert sum(widths) + len(labels) - 1 == 78
    wide = layout(EVERY_CHANNEL, 158)
    assert all(wide) and wide[0] > widths[0]  # the handle comes back, names get the room
    assert layout([Column("a", weight=1, minimum=50), Column("b", 5)], 20) == [0, 5]
