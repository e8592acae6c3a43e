"""The feed screen's tab line: Textual's `Tabs`, its underline never animated.

The screen hides the underline (the active title is drawn bold in the accent colour
instead, app.tcss), but `Tabs` still animated it for 0.3 s after every switch: each of
its ≈ 20 frames set the hidden bar's position, refreshed it and made the compositor
rebuild its map of the screen on the next query. Here it moves at once.
"""

from __future__ import annotations

from textual.widgets import Tabs


class TabLine(Tabs):
    """`Tabs` whose underline jumps to the active title instead of sliding there."""

    def _highlight_active(self, animate: bool = True) -> None:
        super()._highlight_active(animate=False)
