"""A screen styled once when it first appears, not twice.

Textual styles every widget as it mounts, and then, when a screen becomes the active one,
styles all of them again (`ScreenResume.refresh_styles`) — for a screen coming back to
the top, whose styles may have gone stale underneath another (a theme changed, a class
moved). On the very first resume nothing can have gone stale: the widgets were styled
moments before, and every class or focus change since restyled its own widget. On the
main screen that second pass was ~115 stylesheet applications (the feed tables' 14
component classes each) — about 70 ms of CPU before the first frame
(docs/performance.md, "Start-up"). Later resumes restyle as Textual does.
`tests/test_first_screen_styles.py` checks that a full restyle of the first screen
changes nothing.
"""

from __future__ import annotations

from textual.events import ScreenResume
from textual.screen import Screen


class StyledOnceScreen(Screen[None]):
    """A screen whose first resume keeps the styles it was mounted with."""

    _resumed_before = False

    def on_screen_resume(self, event: ScreenResume) -> None:
        """The first time: no restyle (runs before Textual's own handler, which reads it)."""
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False
