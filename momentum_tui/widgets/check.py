"""A checkbox that shows on and off by shape (✓ or empty), not by colour alone."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox

ON, OFF = "✓", " "


class Check(Checkbox):
    """A `Checkbox` whose box holds ✓ when on and stays empty when off."""

    @property
    def _button(self) -> Content:
        """Textual's box, holding ✓ or nothing."""
        self.BUTTON_INNER = ON if self.value else OFF
        return super()._button
