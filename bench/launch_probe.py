"""Measure launch-to-first-screen in a fresh process (run by bench/cache.py, not by hand).

    python bench/launch_probe.py bare            a bare Textual app shows its first screen
    python bench/launch_probe.py layout          a Textual app with Momentum's kinds of widgets
                                                 (tabs, search box, list, detail, progress bar,
                                                 footer) and static text: Textual's own share
    python bench/launch_probe.py momentum DB     Momentum shows a populated feed from DB
    python bench/launch_probe.py ranked DB       … and For you shows a fresh ranking
    python bench/launch_probe.py subscriptions DB   … opening on the Subscriptions tab

Prints one JSON line: seconds from process start (before imports) and peak RSS.
"""

import time

START = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def peak_rss_mb() -> float:
    """This process's own peak RSS.

    `ru_maxrss` survives exec on Linux, so a probe started by a big benchmark process
    would report the benchmark's memory; the kernel's VmHWM belongs to this process only.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(kind: str) -> None:
    elapsed = time.perf_counter() - START
    print(json.dumps({"kind": kind, "seconds": elapsed, "peak_rss_mb": peak_rss_mb()}), flush=True)


def _time_first_screen(kind: str, compose: Any, css: str = "", bindings: Any = ()) -> None:
    """Run a plain Textual app whose first screen is `compose()`; report when it is drawn."""
    from textual.app import App

    class FirstScreen(App[None]):
        CSS = css
        BINDINGS = list(bindings)

        def compose(self) -> Any:
            return compose()

        def on_mount(self) -> None:
            self.call_after_refresh(self.done)

        def done(self) -> None:
            report(kind)
            self.exit()

    FirstScreen().run(headless=True, size=(160, 48))


def bare() -> None:
    """A line of text and a footer."""
    from textual.widgets import Footer, Static

    _time_first_screen("bare", lambda: [Static("hello"), Footer()])


def layout() -> None:
    """The first screen's widget kinds and sizes with static text: no data, no Momentum code."""
    from textual.binding import Binding
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Footer, Input, ProgressBar, Static, Tab, Tabs

    keys = ("w", "x", "l", "/", "f", "question_mark", "q", "R")
    row = "A title of about the usual length for a video  Channel name  3d  10:00  1.2M"

    def compose() -> Any:
        with Horizontal():
            yield Static("\n".join(f"Channel {i}  12" for i in range(46)), id="side")
            with Vertical(id="center"):
                yield Tabs(Tab("For you", id="for-you"), Tab("Subscriptions", id="subs"))
                yield Input()
                yield Static("\n".join(row for _ in range(30)))
                yield Static("A detail pane\n" * 10, id="detail")
        yield ProgressBar()
        yield Static("status bar")
        yield Footer()

    css = """
    #side { width: 32; } #center { width: 1fr; } #detail { height: 12; }
    Input, ProgressBar { display: none; }
    """
    _time_first_screen("layout", compose, css, (Binding(k, "quit", f"Key {k}") for k in keys))


def momentum(db: str, kind: str) -> None:
    from momentum_tui.app import MomentumApp
    from momentum_tui.config import Settings, UISettings
    from momentum_tui.messages import FeedReady
    from momentum_tui.storage import Store

    class Probe(MomentumApp):
        def on_feed_ready(self, message: FeedReady) -> None:
            if kind == "ranked":
                # The remembered order is up; wait for the fresh ranking to replace it.
                self.set_interval(0.002, self.poll)
            else:
                self.call_after_refresh(self.done)

        def poll(self) -> None:
            if getattr(self.screen, "_feed_complete", False):
                self.call_after_refresh(self.done)

        def done(self) -> None:
            if self.is_running and not getattr(self, "reported", False):
                self.reported = True
                report(kind)
                self.exit()

    start_view = "subscriptions" if kind == "subscriptions" else "for-you"
    settings = Settings(ui=UISettings(start_view=start_view))
    store = Store.open(Path(db))
    Probe(store, settings).run(headless=True, size=(160, 48))


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    elif sys.argv[1] == "layout":
        layout()
    else:
        momentum(sys.argv[2], sys.argv[1])
