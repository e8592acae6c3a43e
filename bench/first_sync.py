"""First-sync benchmark: what following N new channels costs, by mode, on a fresh cache.

Three first syncs of the same N channels (followed by id only, as after an import), each
on its own fresh cache, against the emulator (in its own process, latency per request):

* `api`     — with a key, `--api`: every uploads playlist + videos.list;
* `free`    — with a key, `--rss`: each channel's feed, then videos.list for the new ones;
* `keyless` — no key at all: the feeds alone (no quota).

Prints wall time, requests and quota units by method, checks the free-mode target
(units ≤ ⌈new videos / 50⌉ + ⌈channels / 50⌉), and writes `bench/results/first_sync.json`.

    .venv/bin/python bench/first_sync.py [--channels 500] [--latency 0.05]

To measure another checkout with the same script, run a copy of it from outside any
checkout with that one first on the path, and `--before` (prints, saves nothing):

    cp bench/first_sync.py /tmp/bench_first_sync.py
    PYTHONPATH=/work/main /work/main/.venv/bin/python /tmp/bench_first_sync.py --before
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import momentum_tui  # noqa: E402
from bench.sync import Remote  # noqa: E402

RESULTS = REPO / "bench" / "results" / "first_sync.json"


def first_sync(remote: Remote, mode: str, concurrency: int) -> dict[str, Any]:
    """One first sync of every channel in `mode` on a fresh cache."""
    from momentum_tui.config import load_settings
    from momentum_tui.records import Channel
    from momentum_tui.storage import Store
    from momentum_tui.storage.videos import upsert_channels
    from momentum_tui.youtube.sync import SyncEngine, SyncOptions
    from tests.emulators.youtube import API_KEY

    if mode == "keyless":
        os.environ.pop("MOMENTUM_YOUTUBE_API_KEY", None)
    else:
        os.environ["MOMENTUM_YOUTUBE_API_KEY"] = API_KEY
    settings = load_settings().youtube.replace(concurrency=concurrency, cooldown_minutes=0)
    with tempfile.TemporaryDirectory() as home, Store.open(Path(home) / "bench.db") as store:
        with store.write() as db:
            upsert_channels(db, [Channel(id=cid) for cid in remote.channels], source="bench")
        remote.ask("reset")
        started = time.perf_counter()
        summary = SyncEngine(store, settings).run(SyncOptions(rss=mode != "api", force=True))
        wall = time.perf_counter() - started
        counters = remote.ask("counters")
    assert summary.status == "ok", (mode, summary.status, summary.message)
    units = sum(counters["units"].values())
    row: dict[str, Any] = {
        "engine_mode": summary.mode,
        "wall_s": round(wall, 3),
        "sync_seconds": round(summary.seconds, 3),
        "channels": summary.channels_ok,
        "videos_new": summary.videos_new,
        "api_requests": counters["calls"] - counters["feeds"],
        "feed_requests": counters["feeds"],
        "units": units,
        "units_by_method": dict(sorted(counters["units"].items())),
    }
    if mode == "free":
        target = math.ceil(summary.videos_new / 50) + math.ceil(len(remote.channels) / 50)
        row.update(target_units=target, meets_unit_target=units <= target)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--min-uploads", type=int, default=12)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--modes", nargs="+", default=["api", "free", "keyless"])
    parser.add_argument(
        "--before", action="store_true", help="Measure another checkout: print, don't save."
    )
    args = parser.parse_args()
    remote = Remote(args.channels, args.min_uploads, args.latency)
    os.environ.update({**remote.env, "MOMENTUM_HOME": tempfile.mkdtemp(prefix="momentum-")})
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    results: dict[str, Any] = {
        "benchmark": "first_sync",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "package": str(Path(momentum_tui.__file__).parent),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "setup": {
            "channels": args.channels,
            "min_uploads": args.min_uploads,
            "latency_s": args.latency,
            "concurrency": args.concurrency,
        },
        "runs": {},
    }
    try:
        for mode in args.modes:
            try:
                results["runs"][mode] = first_sync(remote, mode, args.concurrency)
            except Exception as error:  # a checkout without keyless mode, say
                results["runs"][mode] = {"error": f"{type(error).__name__}: {error}"[:200]}
    finally:
        remote.stop()
    print(f"{args.channels} new channels, {args.latency * 1000:.0f} ms per request, "
          f"concurrency {args.concurrency} ({results['package']})")  # fmt: skip
    print(f"{'mode':<8} {'engine':<8} {'wall s':>7} {'api req':>7} {'feeds':>6} {'units':>6} "
          f"{'target':>6} {'new':>6}  units by method")  # fmt: skip
    for mode, row in results["runs"].items():
        if "error" in row:
            print(f"{mode:<8} {row['error']}")
            continue
        print(
            f"{mode:<8} {row['engine_mode']:<8} {row['wall_s']:>7.2f} {row['api_requests']:>7} "
            f"{row['feed_requests']:>6} {row['units']:>6} {row.get('target_units', '')!s:>6} "
            f"{row['videos_new']:>6}  {row['units_by_method']}"
        )
    if not args.before:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
