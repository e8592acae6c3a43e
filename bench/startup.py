"""Benchmark start-up: commands and the app, each beside its reference in the same run.

    .venv/bin/python bench/startup.py [--runs 11] [--copies 32] [--db PATH]

Every case is a fresh process timed from exec (bench/launch_probe.py), and the cases
take turns round by round, so a busy machine slows them alike:

* `momentum --version` and `momentum feed --json --limit 50` against `--version` of a
  bare click program (targets ≤ 3× and ≤ 5×);
* the app — the real `momentum` console script under the first-screen driver
  (bench/first_screen.py), 160×48 — from exec to its first populated feed, against a
  Textual app with the first screen's kinds of widgets holding static text, launched the
  same way (target ≤ 1.5×); a bare Textual app is shown for scale.

The cache is the one bench/for_you.py builds (the demo corpus ×32 ≈ 100,000 videos,
labelled offline, 2 % watched, some liked, disliked and hidden), so For you opens with
reasons under its rows, on the order remembered from the launch before (one warm-up
launch makes it). Medians of wall time are the figures; CPU time (user + system) is
shown beside them as a check that a loaded machine didn't decide a ratio. Momentum's
bytecode is written first, as installing it would have (`compile_momentum`). Writes
bench/results/startup.json.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cache import ingest  # noqa: E402
from bench.common import save  # noqa: E402
from bench.launch_probe import (  # noqa: E402
    MOMENTUM,
    Launch,
    compile_momentum,
    momentum_env,
    time_bare_click,
    time_command,
    time_momentum,
    time_reference,
)
from bench.rank import seed_marks  # noqa: E402

TARGETS = {"version_ratio": 3.0, "feed_json_ratio": 5.0, "app_ratio": 1.5}
HEAVY = ("anthropic", "googleapiclient", "numpy", "sqlite_utils", "pydantic", "keyring")


def build(db: Path, copies: int) -> None:
    """The for_you.py cache: the replicated corpus, offline labels, marks."""
    from momentum_tui.ai.local import label_store
    from momentum_tui.storage import Store

    seconds, written = ingest(db, copies)
    store = Store.open(db)
    label_store(store, now=int(time.time()))
    marks = seed_marks(store, int(time.time()), random.Random(5))
    store.close()
    print(f"built {written:,} videos in {seconds:.1f} s (+ labels), {marks:,} marks")


def cases(db: Path, home: Path) -> dict[str, Callable[[], Launch]]:
    """Each case: one fresh, timed process."""
    env = momentum_env(db, home)
    return {
        "click --version": time_bare_click,
        "momentum --version": lambda: time_command([str(MOMENTUM), "--version"], env),
        "momentum feed --json --limit 50": lambda: time_command(
            [str(MOMENTUM), "feed", "--json", "--limit", "50"], env
        ),
        "textual bare": lambda: time_reference("bare"),
        "textual same widgets": lambda: time_reference("layout"),
        "momentum app": lambda: time_momentum(db, home),
    }


def measure(db: Path, home: Path, runs: int) -> dict[str, list[Launch]]:
    """Run every case `runs` times, taking turns (the order rotates every round)."""
    todo = cases(db, home)
    compile_momentum()  # as an install would have (see there)
    for run in todo.values():  # warm-up: page cache, .pyc files, the remembered order
        run()
    names = list(todo)
    results: dict[str, list[Launch]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(todo[name]())
    return results


def summary(results: dict[str, list[Launch]]) -> dict[str, Any]:
    """Medians per case and the ratios the targets are about (wall, and CPU beside)."""
    medians = {
        name: {
            "wall_s": round(statistics.median(r.seconds for r in runs), 4),
            "cpu_s": round(statistics.median(r.cpu_s for r in runs), 4),
            "peak_rss_mb": round(max(r.peak_rss_mb for r in runs), 1),
            "n": len(runs),
        }
        for name, runs in results.items()
    }
    for name in ("momentum app", "textual same widgets"):
        modules = results[name][-1].modules
        medians[name]["modules_at_first_screen"] = len(modules)
        medians[name]["heavy_at_first_screen"] = sorted(
            {m.split(".")[0] for m in modules} & set(HEAVY)
        )

    def ratio(ours: str, reference: str, kind: str) -> float:
        return round(medians[ours][kind] / medians[reference][kind], 2)

    pairs = {
        "version_ratio": ("momentum --version", "click --version"),
        "feed_json_ratio": ("momentum feed --json --limit 50", "click --version"),
        "app_ratio": ("momentum app", "textual same widgets"),
    }
    ratios = {name: ratio(*pair, "wall_s") for name, pair in pairs.items()}
    cpu_ratios = {name: ratio(*pair, "cpu_s") for name, pair in pairs.items()}
    return {
        "cases": medians,
        "ratios": ratios,
        "cpu_ratios": cpu_ratios,
        "app_vs_bare_textual": ratio("momentum app", "textual bare", "wall_s"),
        "targets": TARGETS,
        "met": {name: ratios[name] <= TARGETS[name] for name in TARGETS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=32)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--db", type=Path, help="Reuse this cache (built on first use).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "startup.db"
        if not db.exists():
            build(db, args.copies)
        load_before = os.getloadavg()[0]
        figures = summary(measure(db, Path(tmp) / "home", args.runs))
        figures["load_average"] = {"before": load_before, "after": os.getloadavg()[0]}
    for name, row in figures["cases"].items():
        print(
            f"{name:<34} {row['wall_s']:.3f} s wall  {row['cpu_s']:.3f} s CPU  "
            f"{row['peak_rss_mb']:6.1f} MB"
        )
    for name, value in figures["ratios"].items():
        met = "met" if figures["met"][name] else "NOT met"
        print(
            f"{name:<16} {value:.2f}× (CPU {figures['cpu_ratios'][name]:.2f}×), "
            f"target ≤ {TARGETS[name]}× — {met}"
        )
    load = figures["load_average"]
    print(f"load average (1 min) {load['before']:.2f} before, {load['after']:.2f} after")
    print(f"wrote {save('startup', figures)}")


if __name__ == "__main__":
    main()
