"""Python's cyclic garbage collector, paused while Momentum starts.

Starting the app creates some 110,000 long-lived objects (modules, classes, functions,
widgets, styles) and almost no garbage in reference cycles, yet the collector, which
runs every 700 net allocations, walks them again and again while they are being made:
about 90 ms of CPU in a launch on the benchmark machine (docs/performance.md, "Start-up").
So the `momentum` console script (`momentum_tui.entry`) pauses it before importing
anything, and it is resumed as soon as start-up is over:

* a command other than the app's resumes it once its module is imported, before it does
  any work (`commands.lazy.LazyCommand.load`);
* the app resumes it once its main screen's launch work is in (`app_memory.MemoryApp`),
  right after collecting once and freezing what launch built out of later collections —
  or after `APP_GRACE_SECONDS`, or when it quits, whichever comes first.

Reference counting frees almost everything meanwhile; only reference cycles wait for the
collector, and those a start-up makes are few and small. Code that imports Momentum as a
library (the tests, scripts) never goes through the console script: its collector is
left as it was, and `resume()` does nothing there.
"""

from __future__ import annotations

import gc

APP_GRACE_SECONDS = 5.0
"""The longest the app keeps the collector paused, should its launch never settle."""

_paused = False


def pause() -> None:
    """Pause the collector for the start-up (a no-op when it is already off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Turn the collector back on, if `pause()` turned it off; otherwise do nothing."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()


def paused() -> bool:
    """Whether the collector is off because of `pause()`."""
    return _paused
