"""A Textual driver that notices an app's first screen, for timing it from outside.

Any Textual app, unchanged — the real `momentum` console script included — runs with it
when the environment says so:

    TEXTUAL_DRIVER=bench.first_screen:FirstScreenDriver \\
    FIRST_SCREEN_WAIT_FOR='["a title on the first page"]' FIRST_SCREEN_REPORT_FD=3 \\
    COLUMNS=160 LINES=48 PYTHONPATH=. momentum

The app draws every frame as it would for a terminal (the same compositor and the same
escape sequences); the driver reads the text of each frame instead of sending it to a
terminal. The first frame showing any of the strings in `FIRST_SCREEN_WAIT_FOR` is the
first screen: the driver writes one JSON line to the file descriptor
`FIRST_SCREEN_REPORT_FD` (the modules imported so far, peak memory, CPU time, whether
the garbage collector is on) and asks the app to quit. The process that started the
app times it up to that line, so the time includes the interpreter's start, every
import and the first paint. With `FIRST_SCREEN_SETTLE=1` the app is left to finish its
work instead (no worker running for a second), and a second line gives the peak memory
(and the collector's state) after that.

`bench/startup.py` times launches with it and `tests/test_import_hygiene.py` checks what
the first screen imports.
"""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

from textual.drivers.headless_driver import HeadlessDriver

WAIT_FOR_ENV = "FIRST_SCREEN_WAIT_FOR"
REPORT_FD_ENV = "FIRST_SCREEN_REPORT_FD"
SETTLE_ENV = "FIRST_SCREEN_SETTLE"

# CSI (colours, cursor moves), OSC (titles, links) and two-character escapes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def frame_text(data: str) -> str:
    """The characters a frame puts on screen, without its escape sequences."""
    return _ESCAPES.sub("", data)


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; `ru_maxrss` survives exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FirstScreenDriver(HeadlessDriver):
    """Renders like a terminal driver, reads the frames, reports the first awaited one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wait_for = [str(s) for s in json.loads(os.environ.get(WAIT_FOR_ENV, "[]"))]
        self._report_fd = int(os.environ.get(REPORT_FD_ENV, "1"))
        self._reported = False

    @property
    def is_headless(self) -> bool:
        """False, so the app composes and renders every frame and hands it to `write`."""
        return False

    def write(self, data: str) -> None:
        """Read a frame; on the first one showing an awaited string, report and quit."""
        if self._reported:
            return
        text = frame_text(data)
        if not any(wanted in text for wanted in self._wait_for):
            return
        self._reported = True
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        report = {
            "modules": sorted(sys.modules),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "cpu_s": round(cpu.ru_utime + cpu.ru_stime, 3),
            "gc_enabled": gc.isenabled(),
        }
        os.write(self._report_fd, (json.dumps(report) + "\n").encode())
        if os.environ.get(SETTLE_ENV) == "1":
            threading.Thread(target=self._settle, daemon=True).start()
        else:
            self._app.exit()

    def _settle(self) -> None:
        """Wait until no worker has run for a second (at most a minute), report, quit."""
        app, quiet_since, deadline = self._app, time.monotonic(), time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if any(not worker.is_finished for worker in list(app.workers)):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 1:
                break
        report = {"settled_peak_rss_mb": round(peak_rss_mb(), 1), "gc_enabled": gc.isenabled()}
        os.write(self._report_fd, (json.dumps(report) + "\n").encode())
        app.call_from_thread(app.exit)
