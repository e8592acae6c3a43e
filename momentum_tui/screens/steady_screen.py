"""The main screen's base: no whole-screen repaint when the focus moves, widgets found once.

Textual's `Screen.focused` repaints the whole screen whenever it changes: a full frame
of 160×48 cells on every tab switch (the focus moves to the other tab's table), though
the widgets gaining and losing the focus repaint themselves and nothing else on the
main screen looks at the focus. And a query walks the screen's widgets each time: a
tab switch or a cursor move asked for five of them by name.
"""

from __future__ import annotations

from typing import TypeVar

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

W = TypeVar("W", bound=Widget)


class SteadyScreen(Screen[None]):
    """A screen whose focus changes repaint only the widgets concerned (see the module)."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """The focused widget (Textual's, without the repaint of the whole screen)."""

    _found: dict[str, Widget] | None = None

    def one(self, selector: str, kind: type[W]) -> W:
        """The screen's widget `selector`, of `kind` (looked up once, then remembered)."""
        if self._found is None:
            self._found = {}
        found = self._found.get(selector)
        if not isinstance(found, kind):
            found = self._found[selector] = self.query_one(selector, kind)
        return found
