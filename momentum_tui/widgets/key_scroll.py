"""A scrolling panel that answers the same moving keys as every list (`nav.*`).

j/k scroll a line, g/G go to the top and the end, ctrl+d/ctrl+u half a page, page
up/down a page — as in the feed, so the why panel and the help read the same way.
"""

from __future__ import annotations

from textual.containers import VerticalScroll

from momentum_tui.bindings import NAVIGATION


class KeyScroll(VerticalScroll, can_focus=True):
    """A `VerticalScroll` moved by the `nav.*` keys."""

    BINDINGS = [key.binding() for key in NAVIGATION]

    def _half(self) -> int:
        return max(1, self.scrollable_content_region.height // 2)

    def action_cursor_down(self) -> None:
        """A line down."""
        self.scroll_down(animate=False)

    def action_cursor_up(self) -> None:
        """A line up."""
        self.scroll_up(animate=False)

    def action_cursor_top(self) -> None:
        """The top."""
        self.scroll_home(animate=False)

    def action_cursor_bottom(self) -> None:
        """The end."""
        self.scroll_end(animate=False)

    def action_half_page_down(self) -> None:
        """Half a page down."""
        self.scroll_relative(y=self._half(), animate=False)

    def action_half_page_up(self) -> None:
        """Half a page up."""
        self.scroll_relative(y=-self._half(), animate=False)

    def action_page_down(self) -> None:
        """A page down."""
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        """A page up."""
        self.scroll_page_up(animate=False)
