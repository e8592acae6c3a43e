"""Measure launch-to-first-screen in a fresh process (run by bench/cache.py, not by hand).

    python bench/launch_probe.py bare            a bare Textual app shows its first screen
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


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.done)

        def done(self) -> None:
            report("bare")
            self.exit()

    Bare().run(headless=True, size=(160, 48))


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
    else:
        momentum(sys.argv[2], sys.argv[1])
