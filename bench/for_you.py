"""Benchmark the For-you tab at 100,000 videos: launch, a like, why, a smart feed, tabs.

    .venv/bin/python bench/for_you.py [--copies 32] [--runs 7] [--db PATH] [--no-launch]

Builds (or reuses, with --db) the cache bench/rank.py builds (the demo corpus ×32,
labelled offline, 2 % watched, some liked, disliked and hidden). Then, p50/p95:

* launch of the real `momentum` command, each a fresh process timed from exec to the
  first videos on screen (bench/launch_probe.py): a bare Textual app; Momentum with the
  remembered For-you order (warm); without it (cold: the first launch ever ranks before
  it can show anything); opening on Subscriptions;
* in the app at 160×48 (Pilot): `l` → the re-ranked list on screen with the cursor on the
  video; `e` → the why panel; `m` 25 Enter → the smart feed on screen; `2`/`1` tab switches;
* the live recommender alone: loading features, a first ranking with reasons, and a
  re-ranking after one like (what the app's worker does, without Textual).

Each app figure has its CPU time beside it (`…_cpu_ms`, every thread of the process) and
the load average before and after is saved: on a shared machine the wall time mostly
measures the others. Writes bench/results/for_you.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cache import ingest  # noqa: E402
from bench.common import kept_from_last_run, percentiles, save  # noqa: E402
from bench.launch_probe import time_momentum, time_reference  # noqa: E402
from bench.rank import seed_marks  # noqa: E402
from momentum_tui.ai.local import label_store  # noqa: E402
from momentum_tui.config import Settings  # noqa: E402
from momentum_tui.recommend.memory import SAVED_ORDER_PREF  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402


def _forget_order(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:  # `with conn` alone never closes it
        conn.execute("DELETE FROM preferences WHERE key = ?", (SAVED_ORDER_PREF,))


def launches(db: Path, home: Path, runs: int) -> dict[str, Any]:
    """Median seconds from exec to the first videos, per way of launching (and p95, the
    process's CPU seconds to that frame, and the load average around the launches)."""
    kinds = ("bare", "warm", "cold", "subscriptions")
    seconds: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    load_before = os.getloadavg()[0]
    for _ in range(runs):
        _forget_order(db)
        for kind, launch in (
            ("bare", lambda: time_reference("bare")),
            ("cold", lambda: time_momentum(db, home)),  # ranks, remembers the order
            ("warm", lambda: time_momentum(db, home)),
            ("subscriptions", lambda: time_momentum(db, home, "subscriptions")),
        ):
            timed = launch()
            seconds[kind].append(timed.seconds)
            cpu[kind].append(timed.cpu_s)
    medians = {kind: round(statistics.median(values), 3) for kind, values in seconds.items()}
    p95 = {kind: percentiles(values)["p95_ms"] for kind, values in seconds.items()}
    cpu_medians = {kind: round(statistics.median(values), 3) for kind, values in cpu.items()}
    bare, bare_cpu = medians["bare"], cpu_medians["bare"]
    return {
        "median_s": medians,
        "p95_s": {kind: round(value, 3) for kind, value in p95.items()},
        "cpu_median_s": cpu_medians,
        "ratio_to_bare": {k: round(v / bare, 2) for k, v in medians.items() if k != "bare"},
        "cpu_ratio_to_bare": {
            k: round(v / bare_cpu, 2) for k, v in cpu_medians.items() if k != "bare"
        },
        "runs": runs,
        "load_average": {"before": load_before, "after": os.getloadavg()[0]},
    }


async def in_the_app(db: Path, runs: int) -> dict[str, Any]:
    """Key → result on screen, in the app at 160×48 (times end when the handler has run)."""

    from textual.worker import WorkerCancelled

    from momentum_tui.app import MomentumApp
    from momentum_tui.config import UISettings
    from momentum_tui.screens.smart_feed import SmartFeedScreen
    from momentum_tui.screens.why import WhyScreen

    store = Store.open(db)
    # No thumbnails: they are fetched from YouTube's image host, and a benchmark never
    # touches the network (and the figures before thumbnails stay comparable).
    app = MomentumApp(store, Settings(ui=UISettings(thumbnails=False)))
    like_ms, why_ms, smart_ms, tab_ms = [], [], [], []
    cpu_ms: dict[str, list[float]] = {"like": [], "why": [], "smart": [], "tab": []}
    async with app.run_test(size=(160, 48)) as pilot:
        while not getattr(app.screen, "feed_complete", False):
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        screen = app.screen

        async def idle() -> None:
            """Until no worker runs (one cancelled meanwhile, as exclusive workers are when
            another starts, is not an error of the benchmark's)."""
            while True:
                try:
                    await app.workers.wait_for_complete()
                    return
                except WorkerCancelled:
                    continue

        async def timed(keys: tuple[str, ...], check: Any = None, cpu: str = "") -> float:
            """Press keys; milliseconds until `check()` holds, or until a new feed is on screen
            (watched while the keys go in: Pilot's press returns once the app is idle)."""
            before = screen.table.source  # the table of the tab on screen

            def new_feed() -> bool:
                # A whole feed (not a first page) other than the one before: after a tab
                # switch, the other tab's table with what it last loaded.
                source = screen.table.source
                return source is not before and source.complete

            done = check or new_feed

            async def watch() -> float:
                while not done():
                    await asyncio.sleep(0.002)
                return (time.perf_counter() - start) * 1000

            start, cpu_start = time.perf_counter(), time.process_time()
            watcher = asyncio.create_task(watch())
            await pilot.press(*keys)
            elapsed = await watcher
            if cpu:
                cpu_ms[cpu].append((time.process_time() - cpu_start) * 1000)
            await idle()
            await pilot.pause(0.05)
            return elapsed

        for run in range(runs):
            table = screen.table
            table.cursor = 3 + run
            await pilot.pause(0.05)
            liked = table.current_row
            assert liked is not None
            like_ms.append(await timed(("l",), cpu="like"))
            assert table.current_row is not None
            assert table.current_row.id == liked.id  # the cursor stayed on the liked video

            why_ms.append(await timed(("e",), lambda: isinstance(app.screen, WhyScreen), cpu="why"))
            await pilot.press("escape")
            await timed(("m",), lambda: isinstance(app.screen, SmartFeedScreen))
            await pilot.press("2", "5")
            smart_ms.append(await timed(("enter",), cpu="smart"))
            await timed(("escape",), lambda: screen.for_you.smart is None)  # back to For you
            for key in ("2", "1"):
                tab_ms.append(await timed((key,), cpu="tab"))
    store.close()
    return {
        "like_to_reranked_ms": percentiles(like_ms),
        "why_panel_ms": percentiles(why_ms),
        "smart_feed_ms": percentiles(smart_ms),
        "tab_switch_ms": percentiles(tab_ms),
        "like_to_reranked_cpu_ms": percentiles(cpu_ms["like"]),
        "why_panel_cpu_ms": percentiles(cpu_ms["why"]),
        "smart_feed_cpu_ms": percentiles(cpu_ms["smart"]),
        "tab_switch_cpu_ms": percentiles(cpu_ms["tab"]),
    }


def recommender_alone(db: Path, runs: int) -> dict[str, Any]:
    """The live recommender without Textual: load, first ranking with reasons, re-rank."""
    from momentum_tui.recommend.session import LiveRecommender

    store = Store.open(db)
    now = time.time()
    load_ms, first_ms, rerank_ms = [], [], []
    recommender = LiveRecommender(store, Settings().recommend, lambda: now)
    for _ in range(runs):
        start = time.perf_counter()
        recommender.load()
        load_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        listing = recommender.rank()
        first_ms.append((time.perf_counter() - start) * 1000)
    with store.read() as conn:
        ids = dict(conn.execute("SELECT rowid, id FROM videos").fetchall())
    for run in range(runs * 2):
        video_id = ids[listing.rowids[run]]
        start = time.perf_counter()
        recommender.note_mark(video_id, {"rating": 1, "rated_at": int(now)})
        listing = recommender.rank()
        rerank_ms.append((time.perf_counter() - start) * 1000)
    recommender.close()
    store.close()
    return {
        "load": percentiles(load_ms),
        "first_ranking_with_reasons": percentiles(first_ms),
        "rerank_after_one_like": percentiles(rerank_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=32)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="Reuse this cache (built on first use).")
    parser.add_argument("--no-launch", action="store_true",
                        help="Skip the launches (bench/startup.py times them too).")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "for_you.db"
        if not db.exists():
            seconds, written = ingest(db, args.copies)
            store = Store.open(db)
            label_store(store, now=int(time.time()))
            marks = seed_marks(store, int(time.time()), random.Random(5))
            store.close()
            print(f"built {written:,} videos in {seconds:.1f} s (+ labels), {marks:,} marks")
        with closing(sqlite3.connect(db)) as conn:
            videos = conn.execute("SELECT count(*) FROM videos").fetchone()[0]
        # Launches first: each is its own process, on a cache no other connection holds.
        load_before = os.getloadavg()[0]
        launch = {} if args.no_launch else launches(db, Path(tmp) / "home", args.runs)
        for kind, value in launch.get("median_s", {}).items():
            ratio = launch["ratio_to_bare"].get(kind)
            print(f"launch {kind:<20} {value:.3f} s" + (f"  ({ratio}× bare)" if ratio else ""))
            print(f"  p95 {launch['p95_s'][kind]:.3f} s, CPU {launch['cpu_median_s'][kind]:.3f} s")
        alone = recommender_alone(db, args.runs)
        for name, row in alone.items():
            print(f"recommender {name:<28} p50 {row['p50_ms']:>7.1f}  p95 {row['p95_ms']:>7.1f} ms")
        app = asyncio.run(in_the_app(db, args.runs))
        for name, row in app.items():
            print(f"app {name:<36} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms")
    load = {"before": load_before, "after": os.getloadavg()[0]}
    print(f"load average (1 min) {load['before']:.2f} before, {load['after']:.2f} after, "
          f"{os.cpu_count()} cores")  # fmt: skip
    figures = {"videos": videos, "recommender": alone, "app": app, "launch": launch,
               "load_average": load}  # fmt: skip
    # The A/B comparisons recorded beside the figures (`…_ab`) stay, and so do the last
    # launches when this run skipped them.
    figures |= kept_from_last_run(
        "for_you", lambda key: key.endswith("_ab") or (args.no_launch and key == "launch")
    )
    print(f"wrote {save('for_you', figures)}")


if __name__ == "__main__":
    main()
