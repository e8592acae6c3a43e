"""A screen whose first frame waits a moment for the feed's first page.

The main screen's first tab starts loading in a worker as the screen composes
(tabs/tab.py). That worker needs the interpreter only for a few milliseconds, but while
the screen composes, styles and draws its first frame it rarely gets them (every row
SQLite hands back releases and retakes the interpreter's lock, and the UI thread holds
it): most launches drew the screen with "Ranking…", then laid it out and drew it again
when the page came, about 0.1 s of CPU later. So the first resume, before the first
layout, waits for that page — at most `FIRST_PAGE_WAIT_S`; while it waits the worker
has the interpreter to itself and is done in a few milliseconds. A first load with no
quick page (For you ranking afresh, on the first launch) says so and isn't waited for.
After that first frame, the tabs not shown mount their tables (composed without them).
docs/performance.md, "Start-up", has the figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.events import ScreenResume
from textual.screen import Screen

if TYPE_CHECKING:
    from momentum_tui.tabs.tab import FeedTab

FIRST_PAGE_WAIT_S = 0.3
"""How long the first frame waits for the first page (then it says "Ranking…")."""


class FirstPageScreen(Screen[None]):
    """A screen of feed tabs whose first layout waits (briefly) for the first page."""

    tabs: dict[str, FeedTab]
    _first_resumed = False

    @property
    def tab(self) -> FeedTab:
        """The tab on screen (the main screen says which)."""
        raise NotImplementedError

    def _show_status(self) -> None:
        """Say what the tab on screen shows (the main screen's status bar)."""
        raise NotImplementedError

    @on(ScreenResume)
    async def _first_page_first(self) -> None:
        """The first time: wait for the first page; say what it is when it came. (Runs
        before Textual's own resume handler, which lays the screen out and draws it.)"""
        if not self._first_resumed:
            self._first_resumed = True
            if await self.tab.first_page(FIRST_PAGE_WAIT_S):
                self._show_status()
            self.call_after_refresh(self._mount_hidden_tables)

    def _mount_hidden_tables(self) -> None:
        """After the first frame: the tables of the tabs not shown (tabs/tab.py)."""
        for tab in self.tabs.values():
            tab.show_table()
