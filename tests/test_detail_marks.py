"""A mark shows in the detail pane from what the mark says, without reading the video again.

The mark's result is the video's whole new state: a like, a save or a hide change the
pane's flags in place (the rest of the pane keeps its lines), while a watched mark reads
the video again (it leaves the watch-later queue). Asserted through the SQL the app runs
and what the pane says.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.tabs import SUBSCRIPTIONS
from momentum_tui.widgets.detail import DetailPane
from tests.app_support import make_app, settle, until
from tests.test_tab_caching import Statements


def pane_text(pane: DetailPane) -> str:
    content = pane.body.content
    parts = content.renderables if isinstance(content, Group) else [content]
    return "\n".join(part.plain for part in parts if isinstance(part, Text))


async def test_a_like_shows_in_the_pane_without_a_read_and_watched_reads_again(
    demo_store: Store,
) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        pane = screen.query_one(DetailPane)
        row = screen.table.current_row
        assert row is not None and not row.watched and row.rating == 0
        await until(pilot, lambda: pane.detail is not None and pane.detail.video["id"] == row.id)
        assert "♥ liked" not in pane_text(pane)
        description = pane.body.lines[-1]

        def read_again(statements: Statements) -> bool:
            return statements.ran(lambda conn: queries.video_detail(conn, row.id))

        with Statements(demo_store) as statements:
            await pilot.press("l")
            await until(pilot, lambda: "♥ liked" in pane_text(pane), what="the like in the pane")
            await settle(pilot)
            assert not read_again(statements)
            assert pane.body.lines[-1] is description  # the rest kept its lines
            await pilot.press("s")
            await until(pilot, lambda: "★ saved" in pane_text(pane), what="the save in the pane")
            await settle(pilot)
            assert "♥ liked" in pane_text(pane) and not read_again(statements)
            await pilot.press("w")
            await until(pilot, lambda: "✓ watched" in pane_text(pane), what="watched in the pane")
            await settle(pilot)
            assert read_again(statements)
