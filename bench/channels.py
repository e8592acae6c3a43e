"""Benchmark the channels screen on the demo's 2,407 channels: open, save groups, remove one.

    .venv/bin/python bench/channels.py [--runs 7] [--size 80x24]

Builds the demo profile in a temporary directory, opens the app at the given size (Pilot)
and times, p50/p95 over the runs:

* `C` → the channels screen drawn with every channel listed (the time of blank screen
  a person sees; the clock stops at the first refresh after the rows are in);
* `t`, a group, Enter → the table showing the channel's new groups;
* `x` → the list drawn again without the removed channel.

Each figure is wall time and, beside it, the CPU time the process spent (all its threads):
on a machine shared with other work the wall time mostly measures the others, the CPU
time what Momentum did. Writes bench/results/channels.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentiles, save  # noqa: E402
from momentum_tui.config import Settings  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402

Clock = tuple[float, float]


def _now() -> Clock:
    return time.perf_counter(), time.process_time()


async def _until_drawn(app: Any, condition: Callable[[], bool], start: Clock) -> Clock:
    """(wall, CPU) milliseconds from `start` until `condition()` holds and the screen was
    refreshed."""
    while not condition():
        await asyncio.sleep(0.002)
    drawn = asyncio.get_running_loop().create_future()
    app.screen.call_after_refresh(lambda: drawn.done() or drawn.set_result(None))
    await drawn
    wall, cpu = _now()
    return (wall - start[0]) * 1000, (cpu - start[1]) * 1000


async def in_the_app(db: Path, runs: int, size: tuple[int, int]) -> dict[str, Any]:
    """Open the channels screen, save groups and remove a channel, `runs` times each."""
    from textual.widgets import Input

    from momentum_tui.app import MomentumApp
    from momentum_tui.screens.channels import ChannelsScreen

    store = Store.open(db)
    app = MomentumApp(store, Settings(), demo=True)
    open_ms: list[Clock] = []
    groups_ms: list[Clock] = []
    remove_ms: list[Clock] = []
    with store.read() as conn:
        followed = conn.execute("SELECT count(*) FROM channels WHERE followed = 1").fetchone()[0]
    async with app.run_test(size=size) as pilot:
        while not getattr(app.screen, "feed_ready", False):
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        for run in range(runs):
            expected = followed - run  # one channel is removed per run

            def listed() -> bool:
                screen = app.screen
                return isinstance(screen, ChannelsScreen) and len(screen.rows) == expected  # noqa: B023

            start = _now()
            watcher = asyncio.create_task(_until_drawn(app, listed, start))
            await pilot.press("C")
            open_ms.append(await watcher)
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            screen = app.screen
            assert isinstance(screen, ChannelsScreen)

            await pilot.press("t")
            prompt = screen.query_one("#channel-input", Input)
            target = screen.current
            assert target is not None
            group = f"bench{run}"
            prompt.value = group

            def grouped() -> bool:
                current = screen.current  # noqa: B023
                return current is not None and group in current.tags  # noqa: B023

            start = _now()
            watcher = asyncio.create_task(_until_drawn(app, grouped, start))
            await pilot.press("enter")
            groups_ms.append(await watcher)
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)

            def removed() -> bool:
                return len(screen.rows) == expected - 1  # noqa: B023

            start = _now()
            watcher = asyncio.create_task(_until_drawn(app, removed, start))
            await pilot.press("x")
            remove_ms.append(await watcher)
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            await pilot.press("escape")
            while isinstance(app.screen, ChannelsScreen):
                await pilot.pause(0.02)
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
    store.close()
    figures: dict[str, Any] = {"channels": followed, "size": f"{size[0]}x{size[1]}"}
    for name, samples in (("open_to_drawn", open_ms), ("save_groups", groups_ms),
                          ("remove", remove_ms)):  # fmt: skip
        figures[f"{name}_ms"] = percentiles([wall for wall, _ in samples])
        figures[f"{name}_cpu_ms"] = percentiles([cpu for _, cpu in samples])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", default="80x24", help="Terminal size, e.g. 160x48.")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    from momentum_tui.demo.build import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        with Store.open(db) as built:
            build_demo(built)
        before = os.getloadavg()[0]
        figures = asyncio.run(in_the_app(db, args.runs, (width, height)))
        figures["load_average"] = {"before": before, "after": os.getloadavg()[0]}
    for name in ("open_to_drawn", "save_groups", "remove"):
        wall, cpu = figures[f"{name}_ms"], figures[f"{name}_cpu_ms"]
        print(f"channels {name:<14} wall p50 {wall['p50_ms']:>7.1f} p95 {wall['p95_ms']:>7.1f} ms"
              f"   CPU p50 {cpu['p50_ms']:>7.1f} p95 {cpu['p95_ms']:>7.1f} ms")  # fmt: skip
    load = figures["load_average"]
    print(f"load average (1 min) {load['before']:.2f} before, {load['after']:.2f} after, "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"wrote {save('channels', figures)}")


if __name__ == "__main__":
    main()
