"""The app's garbage collection: what launch built is frozen out of the collector's walks.

Python's cyclic garbage collector now and then walks every object that may hold
references — at launch about 110,000 (modules, classes, widgets, the ranker's Python
side), 80–100 ms of CPU per full collection on the machine the benchmarks run on, paid on
the UI thread in the middle of whatever key was pressed. Those objects live as long as
the app does, so once the main screen's launch work is in (`FeedSettled`), the app
collects once and freezes what is left (`gc.freeze`): later full collections walk only
what was made since, about a fifth of the cost. Reference counting still frees frozen
objects; only reference cycles among them would stay until the app exits, when they are
unfrozen (so a process that runs many apps, such as the tests, collects them again).

Started from the `momentum` console script, the collector is off until that moment
(`momentum_tui.startup_gc`: launch builds those objects without the collector walking
them over and over meanwhile); this is where it comes back on.
"""

from __future__ import annotations

import gc

from textual.app import App

from momentum_tui import startup_gc
from momentum_tui.messages import FeedSettled


class MemoryApp(App[None]):
    """Freezes the launch's objects out of the garbage collector's walks (see the module)."""

    _froze_launch = False

    def on_mount(self) -> None:
        """Should the launch never settle, turn a collector paused for it back on anyway."""
        if startup_gc.paused():
            self.set_timer(startup_gc.APP_GRACE_SECONDS, startup_gc.resume)

    def on_feed_settled(self, message: FeedSettled) -> None:
        """Launch is over: collect once, freeze what is left, resume a paused collector."""
        if not self._froze_launch:
            self._froze_launch = True
            gc.collect()
            gc.freeze()
        startup_gc.resume()

    def on_unmount(self) -> None:
        """Give the frozen objects back to the collector (and turn it back on)."""
        if self._froze_launch:
            gc.unfreeze()
        startup_gc.resume()
