"""What a tab switch does, and what it no longer does (docs/performance.md, For you).

A switch shows the other tab's table and moves the focus to it. It applies no styles to
the feed tables (no rule tests their focus; one that does still restyles them), repaints
no scrollbar that did not move (one whose table changed still moves), shows the other
tab's video in the detail pane at once when it was read before (and reads it again),
and the tab line (one widget) marks the shown tab; a click on a title still switches.
A hidden tab's table is drawn ahead once it loads (or a mark changed one of its rows:
that row only), so a switch draws no row, and a drawing ahead is what a fresh one
shows; the layout pass of a switch arranges the screen once, not twice. The tab keys
switch from the channel list too, and type themselves in the search box. The focus
leaving a table and coming back draws its cursor's row only.
Asserted through what the widgets show and what Textual was asked to do, never timing.
"""

from __future__ import annotations

from typing import Any

from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.widgets import Input

from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.marks import toggle_mark
from momentum_tui.tabs import FOR_YOU, QUEUE, SUBSCRIPTIONS
from momentum_tui.widgets.channel_list import ChannelList
from momentum_tui.widgets.detail import DetailPane
from momentum_tui.widgets.feed_columns import HEADER_LINES
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.focus_styles import focus_styled
from momentum_tui.widgets.tab_line import TabLine
from tests.app_support import make_app, painting, settle, until


def restyled(calls: list[list[DOMNode]]) -> Any:
    """Record the nodes each stylesheet update is given (until the returned undo)."""
    update_nodes = Stylesheet.update_nodes

    def recording(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        calls.append(nodes)
        update_nodes(self, nodes, animate=animate)

    Stylesheet.update_nodes = recording  # type: ignore[method-assign]
    return lambda: setattr(Stylesheet, "update_nodes", update_nodes)


async def test_a_switch_restyles_no_table_and_repaints_no_scrollbar_that_stayed(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        await pilot.press("2")  # each tab shown once: what a switch does from then on
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        repainted: list[ScrollBar] = []
        refresh = ScrollBar.refresh

        def recording(self: ScrollBar, *args: Any, **kwargs: Any) -> Any:
            repainted.append(self)
            return refresh(self, *args, **kwargs)

        calls: list[list[DOMNode]] = []
        undo = restyled(calls)
        ScrollBar.refresh = recording  # type: ignore[method-assign]
        try:
            for key, view in (("2", SUBSCRIPTIONS), ("1", FOR_YOU)):
                await pilot.press(key)
                await settle(pilot)
                assert screen.view == view and screen.focused is screen.table
        finally:
            undo()
            ScrollBar.refresh = refresh  # type: ignore[method-assign]
        # Nothing was styled again (the tab line draws the shown title's look itself)…
        assert not [node for nodes in calls for node in nodes if isinstance(node, FeedTable)]
        assert calls == []
        assert repainted == []  # …and no scrollbar moved, so none was drawn again
        # The focus still shows: the table on screen draws the focused cursor.
        assert screen.table.has_focus and not screen.tabs[SUBSCRIPTIONS].table.has_focus


async def test_a_scrollbar_follows_a_table_whose_rows_changed(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        before = len(table.source)
        await pilot.press("slash", *"the", "enter")  # fewer rows: a shorter scroll
        await until(pilot, lambda: table.source.complete and len(table.source) != before,
                    what="the search's rows")  # fmt: skip
        await settle(pilot)
        assert table.vertical_scrollbar.window_virtual_size == table.virtual_size.height
        assert table.virtual_size.height == len(table.source) * table.row_lines + HEADER_LINES


class FocusStyledApp(App[None]):
    """A feed table under a stylesheet that does test its focus."""

    CSS = "FeedTable:focus > .feed-table--cursor { background: red; }"

    def compose(self) -> ComposeResult:
        yield FeedTable()


async def test_a_rule_that_tests_the_table_focus_still_restyles_it() -> None:
    app = FocusStyledApp()
    async with app.run_test() as pilot:
        table = app.query_one(FeedTable)
        assert focus_styled(table)
        table.blur()
        await pilot.pause()
        blurred = table.get_component_rich_style("feed-table--cursor").bgcolor
        table.focus()
        await pilot.pause()
        focused = table.get_component_rich_style("feed-table--cursor").bgcolor
        assert focused is not None and focused != blurred and focused.triplet == (255, 0, 0)


async def test_no_rule_of_momentum_tests_a_feed_table_focus(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot)
        assert not focus_styled(screen.table)
        assert focus_styled(screen.query_one("#channels"))  # its cursor says where focus is


async def test_the_detail_pane_shows_the_other_tab_video_at_once_and_reads_it_again(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        pane = screen.query_one(DetailPane)
        await pilot.press("2")
        await settle(pilot)
        subscriptions_video = screen.table.current_row
        assert subscriptions_video is not None
        screen.action_show_tab(FOR_YOU)  # what `1` does, the loop given no turn since
        for_you_video = screen.table.current_row
        assert for_you_video is not None and for_you_video.id != subscriptions_video.id
        # Read when For you was first shown: in the same frame as the tab, no read waited for.
        assert pane.detail is not None and pane.detail.video["id"] == for_you_video.id
        await settle(pilot)
        # Changed meanwhile (elsewhere): a switch back shows what it remembered, then
        # what the cache says once it is read again.
        toggle_mark(demo_store, subscriptions_video.id, Mark.SAVED)
        screen.action_show_tab(SUBSCRIPTIONS)
        assert pane.detail is not None and pane.detail.video["id"] == subscriptions_video.id
        await until(pilot, lambda: pane.detail is not None and pane.detail.state["saved_at"],
                    what="the video read again")  # fmt: skip
        assert "★ saved" in pane_text(pane)


def pane_text(pane: DetailPane) -> str:
    """The detail pane's text as the terminal shows it."""
    return "\n".join(strip.text for strip in pane.body.lines)


async def test_the_tab_line_marks_the_shown_tab_and_a_click_on_a_title_switches(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        line = screen.query_one(TabLine)

        def looks() -> dict[str, str]:
            """Each title as drawn, and its style."""
            drawn = {segment.text: str(segment.style) for segment in line.render_line(0)}
            return {tab_id: drawn[title] for tab_id, title in line.titles.items()}

        assert line.render_line(0).text.startswith(" For you  Subscriptions  Queue ")
        before = looks()
        assert before[SUBSCRIPTIONS] == before[QUEUE] != before[FOR_YOU]
        assert "bold" in before[FOR_YOU]
        await pilot.press("2")
        await settle(pilot)
        assert line.active == SUBSCRIPTIONS
        assert looks() == {FOR_YOU: before[QUEUE], SUBSCRIPTIONS: before[FOR_YOU],
                           QUEUE: before[QUEUE]}  # fmt: skip
        _, start, _ = next(span for span in line.spans() if span[0] == QUEUE)
        await pilot.hover(TabLine, offset=(start + 2, 0))
        await until(pilot, lambda: line.hovered == QUEUE, what="the hovered title")
        assert looks()[QUEUE] != before[QUEUE]  # brighter under the mouse
        await pilot.click(TabLine, offset=(start + 2, 0))
        await until(pilot, lambda: screen.view == QUEUE, what="the clicked tab")
        assert line.active == QUEUE and screen.focused is screen.table
        await pilot.click(TabLine, offset=(line.size.width - 1, 0))  # past the titles
        await pilot.pause()
        assert screen.view == QUEUE


def drawn(table: FeedTable) -> list[list[tuple[str, str]]]:
    """The table's lines on screen, as the terminal is told them."""
    lines = (table.render_line(y) for y in range(table.size.height))
    return [[(segment.text, str(segment.style)) for segment in line] for line in lines]


def drawing_ahead(calls: list[FeedTable]) -> Any:
    """Record the tables that draw ahead (until the returned undo)."""
    draw_ahead = FeedTable.draw_ahead

    def recording(self: FeedTable, *args: Any) -> None:
        draw_ahead(self, *args)
        calls.append(self)

    FeedTable.draw_ahead = recording  # type: ignore[method-assign]
    return lambda: setattr(FeedTable, "draw_ahead", draw_ahead)


async def test_a_tab_is_drawn_ahead_while_hidden_and_shows_what_a_fresh_drawing_shows(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)  # opens on For you; Subscriptions loads hidden
    calls: list[FeedTable] = []
    undo = drawing_ahead(calls)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await settle(pilot)
            hidden = screen.tabs[SUBSCRIPTIONS].table
            await until(pilot, lambda: hidden in calls, what="Subscriptions drawn ahead")
            painted = painting(hidden)
            await pilot.press("2")
            await settle(pilot)
            assert screen.table is hidden and hidden.size.height > 40
            assert painted == []  # its first time on screen: every line was drawn before
            shown = drawn(hidden)
            hidden.rows_changed(range(len(hidden.source)))  # forget them: a fresh drawing
            assert drawn(hidden) == shown
            assert painted and all(painted)  # (drawn for the focused table, as shown)
    finally:
        undo()


async def test_a_like_draws_the_hidden_tab_row_again_and_only_it(demo_store: Store) -> None:
    app = make_app(demo_store)
    calls: list[FeedTable] = []
    undo = drawing_ahead(calls)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await settle(pilot)
            subscriptions = screen.tabs[SUBSCRIPTIONS].table
            await pilot.press("2")
            await settle(pilot)
            before = drawn(subscriptions)
            await pilot.press("1")
            await settle(pilot)
            liked = subscriptions.source.row(subscriptions.cursor + 1)  # on screen there
            assert liked is not None and liked.rating == 0
            index = screen.table.source.index_of(liked.rowid)
            assert index is not None
            screen.table.cursor = index
            await pilot.pause()
            painted = painting(subscriptions)
            calls.clear()
            await pilot.press("l")
            await until(pilot, lambda: subscriptions in calls, what="the row drawn ahead")
            assert len(painted) == 1  # the liked row, not every row on screen
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            assert len(painted) == 1  # nothing left to draw in the switch
            after = drawn(subscriptions)
            changed = [y for y, line in enumerate(after) if line != before[y]]
            assert changed == [HEADER_LINES + subscriptions.cursor + 1]  # the liked row…
            subscriptions.rows_changed(range(len(subscriptions.source)))
            assert drawn(subscriptions) == after  # …as a fresh drawing shows it
    finally:
        undo()


async def test_a_switch_arranges_the_screen_once_per_layout(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        arranged: list[int] = []
        arrange, layout = Compositor._arrange_root, Screen._refresh_layout

        def counting_arrange(self: Compositor, *args: Any, **kwargs: Any) -> Any:
            arranged[-1] += 1
            return arrange(self, *args, **kwargs)

        def counting_layout(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
            arranged.append(0)
            layout(self, *args, **kwargs)

        Compositor._arrange_root = counting_arrange  # type: ignore[method-assign]
        Screen._refresh_layout = counting_layout  # type: ignore[method-assign]
        try:
            for key, view in (("2", SUBSCRIPTIONS), ("1", FOR_YOU)):
                await pilot.press(key)
                await settle(pilot)
                assert screen.view == view
        finally:
            Compositor._arrange_root = arrange  # type: ignore[method-assign]
            Screen._refresh_layout = layout  # type: ignore[method-assign]
        assert arranged and set(arranged) == {1}  # the reflow's arrangement, not a second


async def test_tab_keys_switch_from_anywhere_but_type_themselves_in_the_search_box(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        search = screen.query_one("#search", Input)
        await pilot.press("slash", *"2024 1")  # typed, not taken as tab keys: the search
        assert search.value == "2024 1"  # shows in Subscriptions, and `1` left it there
        assert screen.view == SUBSCRIPTIONS and screen.focused is search
        await pilot.press("escape", "1")
        await settle(pilot)
        assert screen.view == FOR_YOU
        channels = screen.query_one(ChannelList)
        channels.focus()
        await pilot.pause()
        await pilot.press("2")  # from the channel list too, which keeps the focus
        await settle(pilot)
        assert screen.view == SUBSCRIPTIONS and screen.focused is channels
        screen.table.focus()
        await pilot.press("3", "1")
        await settle(pilot)
        assert screen.view == FOR_YOU and screen.focused is screen.table


async def test_the_focus_moving_off_the_table_and_back_draws_only_the_cursor_row(
    demo_store: Store,
) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        focused = drawn(table)
        painted = painting(table)
        screen.query_one("#search", Input).focus()
        await pilot.pause()
        blurred = drawn(table)
        assert painted == [False]  # the cursor's row, in its blurred colour: no other
        cursor = HEADER_LINES + table.cursor
        assert [y for y, line in enumerate(blurred) if line != focused[y]] == [cursor]
        table.focus()
        await pilot.pause()
        assert drawn(table) == focused and painted == [False]  # the focused one was kept
