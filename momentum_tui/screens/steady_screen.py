"""The main screen's base: a tab switch lays the screen out once, widgets found once.

Textual's `Screen.focused` repaints the whole screen whenever it changes: a full frame
of 160×48 cells on every tab switch (the focus moves to the other tab's table), though
the widgets gaining and losing the focus repaint themselves and nothing else on the
main screen looks at the focus. And a query walks the screen's widgets each time: a
tab switch or a cursor move asked for five of them by name.

A layout pass also arranged the whole screen twice. Before it reflows, Textual's screen
hands the compositor the widgets that asked to be repainted; one it doesn't see on
screen (the tab being shown, its table — focused as it appears —, the switcher) makes
the compositor forget its map of every widget, which the reflow then builds anew
without saying so, and the frame's first look-up of a widget's region arranges the
whole screen again (≈ 2 ms of a switch's ≈ 20). A widget not on screen before a reflow
has nothing of its own to repaint: if the reflow brings it on screen, its whole region
is repainted as new. So before a reflow only the widgets on screen are handed over.
"""

from __future__ import annotations

from typing import TypeVar

from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

W = TypeVar("W", bound=Widget)


class SteadyScreen(Screen[None]):
    """A screen whose focus changes repaint only the widgets concerned (see the module)."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """The focused widget (Textual's, without the repaint of the whole screen)."""

    _found: dict[str, Widget] | None = None

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        """Textual's layout pass, handing only on-screen widgets over first (see module)."""
        if not scroll or self._layout_widgets:  # a whole reflow follows, not a scroll
            on_screen = self._compositor.visible_widgets
            self._dirty_widgets.intersection_update(on_screen.keys())
        super()._refresh_layout(size, scroll)

    def one(self, selector: str, kind: type[W]) -> W:
        """The screen's widget `selector`, of `kind` (looked up once, then remembered)."""
        if self._found is None:
            self._found = {}
        found = self._found.get(selector)
        if not isinstance(found, kind):
            found = self._found[selector] = self.query_one(selector, kind)
        return found
