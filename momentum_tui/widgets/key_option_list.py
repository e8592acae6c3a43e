"""An option list that answers the same moving keys as every list (`nav.*`).

j/k move to the next or previous option — separators are skipped, so in the digest they
move between topic groups — g/G to the first and last, ctrl+d/ctrl+u half a page.
"""

from __future__ import annotations

from textual.widgets import OptionList

from momentum_tui.bindings import NAVIGATION


class KeyOptionList(OptionList):
    """An `OptionList` moved by the `nav.*` keys."""

    BINDINGS = [key.binding() for key in NAVIGATION]

    def action_cursor_top(self) -> None:
        """The first option."""
        self.action_first()

    def action_cursor_bottom(self) -> None:
        """The last option."""
        self.action_last()

    def _half_page(self, direction: int) -> None:
        """Move over options until about half the visible lines are passed."""
        left = max(1, self.scrollable_content_region.height // 2)
        while left > 0:
            before = self.highlighted
            if before is None:
                return
            lines = str(self.get_option_at_index(before).prompt).count("\n") + 1
            self.action_cursor_down() if direction > 0 else self.action_cursor_up()
            if self.highlighted == before:
                return
            left -= lines

    def action_half_page_down(self) -> None:
        """Half a page of options down."""
        self._half_page(1)

    def action_half_page_up(self) -> None:
        """Half a page of options up."""
        self._half_page(-1)
