"""Sync benchmark: 500 channels on the emulator, 50 ms added to every request.

For concurrency 8 and 1, on a fresh cache each time:

1. first sync (API mode, backfill 50);
2. incremental API-mode sync after 5 % of the channels published 1–3 videos;
3. incremental free-mode (RSS) sync after another 5 % published.

Prints wall time, HTTP requests and quota units by method, checks the issue's targets,
and writes `bench/results/sync.json`. The emulator runs in its own process so that its
JSON rendering does not compete with the sync for this process's GIL (YouTube's servers
do not run on our CPU either).

    .venv/bin/python bench/sync.py [--channels 500] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import random
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "sync.json"


def serve(conn: Connection, channels: int, min_uploads: int, latency: float) -> None:
    """The emulator process: serve, and obey commands from the pipe."""
    from tests.emulators.youtube import YouTubeEmulator
    from tests.emulators.youtube_data import World

    world = World.from_corpus(channels=channels, min_uploads=min_uploads)
    emulator = YouTubeEmulator(world, latency=latency).start()
    conn.send({"env": emulator.settings_env(), "channels": list(world.channels)})
    while True:
        command, *args = conn.recv()
        if command == "stop":
            emulator.stop()
            conn.send("stopped")
            return
        if command == "add":
            conn.send(sum(len(world.add_uploads(cid, n)) for cid, n in args[0]))
        elif command == "counters":
            conn.send(
                {
                    "units": dict(emulator.units),
                    "calls": emulator.calls(),
                    "feeds": emulator.calls("feed"),
                }
            )
        elif command == "reset":
            emulator.reset_counters()
            conn.send("ok")


class Remote:
    """The emulator process, seen from the benchmark."""

    def __init__(self, channels: int, min_uploads: int, latency: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child, channels, min_uploads, latency), daemon=True
        )
        self.process.start()
        hello = self.conn.recv()
        self.env: dict[str, str] = hello["env"]
        self.channels: list[str] = hello["channels"]

    def ask(self, *command: Any) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def stop(self) -> None:
        self.ask("stop")
        self.process.join(5)


def measure(label: str, remote: Remote, run: Any) -> dict[str, Any]:
    remote.ask("reset")
    started = time.perf_counter()
    summary = run()
    wall = time.perf_counter() - started
    counters = remote.ask("counters")
    assert summary.status == "ok", (label, summary.status, summary.message, summary.failures[:3])
    return {
        "wall_s": round(wall, 3),
        "channels": summary.channels_ok,
        "videos_new": summary.videos_new,
        "videos_updated": summary.videos_updated,
        "api_requests": counters["calls"] - counters["feeds"],
        "feed_requests": counters["feeds"],
        "units": sum(counters["units"].values()),
        "units_by_method": dict(sorted(counters["units"].items())),
    }


def run_concurrency(
    remote: Remote, concurrency: int, rng: random.Random, share: float
) -> dict[str, Any]:
    from momentum_tui.config import load_settings
    from momentum_tui.records import Channel
    from momentum_tui.storage import Store
    from momentum_tui.storage.videos import upsert_channels
    from momentum_tui.youtube.sync import SyncEngine, SyncOptions
    from tests.emulators.youtube import API_KEY

    settings = load_settings().youtube.replace(concurrency=concurrency, cooldown_minutes=0)
    with tempfile.TemporaryDirectory() as home, Store.open(Path(home) / "bench.db") as store:
        with store.write() as db:  # followed by id only, as after an import
            upsert_channels(db, [Channel(id=cid) for cid in remote.channels], source="bench")

        def sync(rss: bool = False) -> Any:
            engine = SyncEngine(store, settings, api_key=API_KEY)
            return engine.run(SyncOptions(rss=rss, force=True))

        out: dict[str, Any] = {"first_sync": measure("first", remote, sync)}
        changed = max(1, round(len(remote.channels) * share))
        picks = [(cid, rng.randint(1, 3)) for cid in rng.sample(remote.channels, changed)]
        new = remote.ask("add", picks)
        api = measure("incremental", remote, sync)
        api.update(
            changed_channels=changed,
            published=new,
            target_units=len(remote.channels) + math.ceil(new / 50),
        )
        api["meets_unit_target"] = api["units"] <= api["target_units"]
        api["meets_time_target"] = api["wall_s"] <= 5.0
        out["incremental_api"] = api
        picks = [(cid, rng.randint(1, 3)) for cid in rng.sample(remote.channels, changed)]
        new = remote.ask("add", picks)
        free = measure("free", remote, lambda: sync(rss=True))
        free.update(
            changed_channels=changed, published=new, target_units=changed + math.ceil(new / 50)
        )
        free["meets_unit_target"] = free["units"] <= free["target_units"]
        free["meets_time_target"] = free["wall_s"] <= 5.0
        out["incremental_free"] = free
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--min-uploads", type=int, default=12)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--share", type=float, default=0.05, help="Channels with news (0–1).")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 1])
    args = parser.parse_args()

    remote = Remote(args.channels, args.min_uploads, args.latency)
    home = tempfile.mkdtemp(prefix="momentum-bench-")
    os.environ.update({**remote.env, "MOMENTUM_HOME": home})
    os.environ.pop("MOMENTUM_YOUTUBE_API_KEY", None)
    rng = random.Random(42)
    results: dict[str, Any] = {
        "benchmark": "sync",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "setup": {
            "channels": args.channels,
            "min_uploads": args.min_uploads,
            "latency_s": args.latency,
            "changed_share": args.share,
            "backfill": 50,
        },
        "runs": {},
    }
    try:
        for concurrency in args.concurrency:
            results["runs"][str(concurrency)] = run_concurrency(
                remote, concurrency, rng, args.share
            )
    finally:
        remote.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    print(
        f"{args.channels} channels, {args.latency * 1000:.0f} ms per request "
        f"({results['machine']['cpus']} CPUs, Python {results['machine']['python']})"
    )
    header = (
        f"{'concurrency':>11}  {'phase':<17} {'wall s':>7} {'api req':>7} {'feeds':>6} "
        f"{'units':>6} {'target':>6}  {'new':>5}  units by method"
    )
    print(header)
    for concurrency, phases in results["runs"].items():
        for phase, row in phases.items():
            target = row.get("target_units", "")
            print(
                f"{concurrency:>11}  {phase:<17} {row['wall_s']:>7.2f} {row['api_requests']:>7} "
                f"{row['feed_requests']:>6} {row['units']:>6} {target!s:>6}  "
                f"{row['videos_new']:>5}  {row['units_by_method']}"
            )
    checks = [
        (c, p, r)
        for c, ps in results["runs"].items()
        for p, r in ps.items()
        if "meets_unit_target" in r
    ]
    for concurrency, phase, row in checks:
        unit_ok = "ok" if row["meets_unit_target"] else "MISSED"
        time_ok = "ok" if row["meets_time_target"] else "over 5 s"
        print(
            f"  c={concurrency} {phase}: units {row['units']} ≤ {row['target_units']} {unit_ok}; "
            f"wall {row['wall_s']:.2f} s {time_ok}"
        )
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
