"""Time programs from exec: the real `momentum` command, and the references it is held to.

Every figure starts when the process is spawned, so it includes the interpreter's start
and every import. A command is timed to its exit; an app to the first frame showing
what was awaited (`bench/first_screen.py` is the driver Momentum and the Textual
references both run under). The references are the programs in `bench/references.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MOMENTUM = Path(sys.executable).with_name("momentum")
"""The console script pip installed next to this interpreter (what a person runs)."""
SIZE = (160, 48)
REFERENCES = ROOT / "bench" / "references.py"
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


@dataclass
class Launch:
    """One timed process: wall seconds from spawn, its CPU seconds and peak memory."""

    seconds: float
    cpu_s: float
    peak_rss_mb: float
    modules: list[str] = field(default_factory=list)
    settled_peak_rss_mb: float | None = None
    """With `settle`: the app's peak once it had finished loading everything."""
    errors: str = ""
    """What an app wrote to stderr by the time it had quit (nothing, when all went well)."""
    gc_enabled: bool | None = None
    """Whether the app's garbage collector was on at its first screen (apps only)."""
    settled_gc_enabled: bool | None = None
    """With `settle`: whether it was on once the app had finished loading everything."""


def compile_momentum() -> None:
    """Write Momentum's bytecode beside its modules, as installing it does.

    pip compiles a package's modules when it installs it, and Textual's (installed that
    way) come compiled. Momentum here is an editable install, whose bytecode is written
    on first import — unless `PYTHONDONTWRITEBYTECODE` is set, as it is on the
    development machine: then every launch compiled its ~60 modules from source again,
    about 0.2 s of CPU that no installed Momentum pays (docs/performance.md, "Start-up").
    """
    import compileall

    import momentum_tui

    compileall.compile_dir(Path(momentum_tui.__file__).parent, quiet=1)


def time_command(args: list[str], env: dict[str, str] | None = None) -> Launch:
    """Run a command to its end (output discarded); fail loudly if it fails.

    It runs under GNU time for its memory: a child's `ru_maxrss` starts from the high
    water mark of the process that forked it (this benchmark), so only a small parent
    in between gives the command's own peak.
    """
    with tempfile.NamedTemporaryFile("r") as memory:
        wrapped = [GNU_TIME, "-f", "%M", "-o", memory.name, *args] if GNU_TIME else args
        start = time.perf_counter()
        process = subprocess.Popen(
            wrapped, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if process.returncode:
            raise RuntimeError(f"{args} exited with {process.returncode}")
        peak_kib = memory.read().strip().splitlines()[-1:] if GNU_TIME else []
    peak_mb = int(peak_kib[0]) / 1024 if peak_kib else float("nan")
    return Launch(seconds, usage.ru_utime + usage.ru_stime, peak_mb)


def time_first_screen(
    args: list[str],
    wait_for: list[str],
    env: dict[str, str] | None = None,
    *,
    settle: bool = False,
    timeout: float = 120,
) -> Launch:
    """Run a Textual app under the first-screen driver; time it to the awaited frame.

    `settle` lets the app finish its work and notes its peak memory after that.
    """
    read_end, write_end = os.pipe()
    env = dict(os.environ if env is None else env)
    env.update(
        TEXTUAL_DRIVER="bench.first_screen:FirstScreenDriver",
        FIRST_SCREEN_WAIT_FOR=json.dumps(wait_for),
        FIRST_SCREEN_REPORT_FD=str(write_end),
        COLUMNS=str(SIZE[0]),
        LINES=str(SIZE[1]),
        FIRST_SCREEN_SETTLE="1" if settle else "0",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        args,
        env=env,
        cwd=ROOT,
        pass_fds=(write_end,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write_end)
    with os.fdopen(read_end) as reports:
        line = reports.readline()
        seconds = time.perf_counter() - start
        settled = reports.readline() if settle else ""
    _, errors = process.communicate(timeout=timeout)  # it quits by itself once reported
    if not line:
        raise RuntimeError(f"{args} never showed any of {wait_for[:3]}…: {errors[-2000:]}")
    report: dict[str, Any] = json.loads(line)
    launch = Launch(
        seconds,
        report["cpu_s"],
        report["peak_rss_mb"],
        report["modules"],
        errors=errors,
        gc_enabled=report.get("gc_enabled"),
    )
    if settled:
        after = json.loads(settled)
        launch.settled_peak_rss_mb = after["settled_peak_rss_mb"]
        launch.settled_gc_enabled = after.get("gc_enabled")
    return launch


def time_reference(kind: str) -> Launch:
    """Launch one of the Textual references (`bare`, `layout`) to its first screen."""
    from bench.references import BARE_TEXT, LAYOUT_ROW

    wait_for = {"bare": BARE_TEXT, "layout": LAYOUT_ROW}[kind]
    return time_first_screen([sys.executable, str(REFERENCES), kind], [wait_for])


def time_bare_click() -> Launch:
    """`--version` of a bare click program."""
    return time_command([sys.executable, str(REFERENCES), "click", "--version"])


# -- Momentum, through its console script ---------------------------------------------------


def momentum_env(db: Path, home: Path, start_view: str | None = None) -> dict[str, str]:
    """The environment for running `momentum` on the cache `db` (linked into `home`).

    No setting of the person running the benchmark leaks in, and no keyring is touched.
    """
    link = home / "data" / "momentum.db"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(db.resolve())  # SQLite puts the -wal and -shm beside the real file
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOMENTUM_", "TEXTUAL"))}
    env.update(MOMENTUM_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    if start_view:
        env["MOMENTUM_UI_START_VIEW"] = start_view
    return env


def first_titles(db: Path, view: str = "for-you", count: int = 8) -> list[str]:
    """The start of titles the app's first rows will show (what the probe waits for).

    For you opens on the order remembered from the last session, or on a fresh ranking
    when there is none (the first launch ever); Subscriptions on the newest uploads.
    Plain-ASCII titles are preferred: their text is the same in any terminal encoding.
    """
    from momentum_tui.models import Filters
    from momentum_tui.recommend.memory import load_saved_order
    from momentum_tui.storage import Store
    from momentum_tui.storage import feed as queries

    with Store.open(db) as store, store.read() as conn:
        if view == "subscriptions":
            rows = queries.feed_page(conn, Filters(), limit=count * 3)
        else:
            saved = load_saved_order(store)
            rowids = saved.rowids if saved else _fresh_ranking(store)
            rows = [r for r in queries.rows_by_rowid(conn, rowids[: count * 3])
                    if not (r.watched or r.hidden or r.rating < 0)]  # fmt: skip
    titles = [row.title.strip()[:16] for row in rows if len(row.title.strip()) >= 8]
    plain = [title for title in titles if title.isascii() and title.isprintable()]
    return (plain or titles)[:count]


def _fresh_ranking(store: Any) -> list[int]:
    from momentum_tui.config import Settings
    from momentum_tui.models import Filters
    from momentum_tui.recommend.session import LiveRecommender

    recommender = LiveRecommender(store, Settings().recommend, time.time)
    try:
        return list(recommender.rank(Filters()).rowids[:100])
    finally:
        recommender.close()


def time_momentum(db: Path, home: Path, view: str = "for-you", *, settle: bool = False) -> Launch:
    """`momentum` on `db`, from exec to its first populated feed (160×48)."""
    env = momentum_env(db, home, None if view == "for-you" else view)
    return time_first_screen([str(MOMENTUM)], first_titles(db, view), env, settle=settle)
