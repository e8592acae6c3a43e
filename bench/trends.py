"""Benchmark `momentum trends` at 100,000 cached videos (issue 13's "fast at 100,000").

    .venv/bin/python bench/trends.py [--layout spread|stacked|both] [--runs 7] [--keep DIR]

Two caches of 100,352 videos, each the demo corpus replicated 32 times and labelled
offline, in two layouts:

* spread (what a cache looks like after two years) — copy k of every video belongs to
  the same channel as the original, published k × 3 weeks earlier: 2,407 channels with
  about 42 uploads each over 96 weeks, so the eight windows hold a few percent of it;
* stacked (the worst case; bench/cache.py's corpus) — every copy on a channel of its
  own at the original's time: all 100,352 videos fall inside the windows.

For each layout, p50/p95 of: compute — `compute_trends` in-process (a week against the
seven before), wall and CPU time; command — the real `momentum trends --json` process,
from exec to exit, against a bare `python -c pass` measured in the same run.

Writes bench/results/trends.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cache import _batches, ingest  # noqa: E402
from bench.common import percentiles, save  # noqa: E402
from momentum_tui.ai.local import label_store  # noqa: E402
from momentum_tui.demo.corpus import (  # noqa: E402
    CorpusVideo,
    iter_corpus,
    load_records,
    newest_published,
)
from momentum_tui.recommend.trends import compute_trends  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402
from momentum_tui.storage.bulk import load_videos  # noqa: E402

MOMENTUM = Path(sys.executable).parent / "momentum"
COPIES = 32
STEP = 21 * 86400


def _spread(shift: int) -> Iterator[CorpusVideo]:
    """Copies on the original channels, each published 3 weeks before the previous.

    `iter_corpus` yields the originals first, then each copy in the same order.
    """
    base = len(load_records())
    originals: list[CorpusVideo] = []
    for n, item in enumerate(iter_corpus(shift=shift, copies=COPIES)):
        if n < base:
            originals.append(item)
            yield item
            continue
        copy, index = divmod(n, base)
        original = originals[index]
        moved = item.video.model_copy(
            update={
                "channel_id": original.channel.id,
                "channel_title": original.video.channel_title,
                "published_at": original.video.published_at - copy * STEP,
            }
        )
        yield CorpusVideo(original.channel, moved, item.trending_at)


def build(path: Path, layout: str) -> int:
    """Fill a fresh cache at `path` in `layout`; label it offline; return its videos."""
    path.parent.mkdir(parents=True, exist_ok=True)
    now = int(time.time())
    if layout == "stacked":
        _, written = ingest(path, COPIES)
    else:
        with Store.open(path) as store, store.write() as db:
            stream = _spread(shift=now - newest_published())
            written = load_videos(db, _batches(stream), now).new
    with Store.open(path) as store:
        label_store(store, now=now)
    return written


def _time_process(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure(home: Path, runs: int) -> dict[str, Any]:
    """Time trends on the cache under `home`."""
    db = home / "data" / "momentum.db"
    wall_ms: list[float] = []
    cpu_ms: list[float] = []
    now = int(time.time())
    with Store.open(db) as store, store.read() as conn:
        videos = conn.execute("SELECT count(*) FROM videos").fetchone()[0]
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            found = compute_trends(conn, now)
            wall_ms.append((time.perf_counter() - start) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
    env = {**os.environ, "MOMENTUM_HOME": str(home)}
    return {
        "videos": videos,
        "videos_in_windows": sum(found.uploads),
        "rows": {
            "topics": len(found.topics),
            "tags": len(found.tags),
            "words": len(found.words),
            "channels": len(found.breakouts),
        },
        "compute_wall": percentiles(wall_ms),
        "compute_cpu": percentiles(cpu_ms),
        "command": percentiles(_time_process([str(MOMENTUM), "trends", "--json"], env, runs)),
        "bare_python": percentiles(_time_process([sys.executable, "-c", "pass"], env, runs)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=["spread", "stacked", "both"], default="both")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Build the caches here and reuse them.")
    args = parser.parse_args()
    layouts = ["spread", "stacked"] if args.layout == "both" else [args.layout]
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for layout in layouts:
            home = (args.keep or Path(tmp)) / layout
            if not (home / "data" / "momentum.db").exists():
                print(f"{layout}: built {build(home / 'data' / 'momentum.db', layout):,} videos")
            figures[layout] = row = measure(home, args.runs)
            print(f"{layout}: {row['videos']:,} videos, {row['videos_in_windows']:,} in the "
                  f"8 windows; rows {row['rows']}")  # fmt: skip
            for name in ("compute_wall", "compute_cpu", "command", "bare_python"):
                p = row[name]
                print(f"  {name:<13} p50 {p['p50_ms']:>8.1f} ms   p95 {p['p95_ms']:>8.1f} ms")
    figures["load_average"] = os.getloadavg()
    print(f"wrote {save('trends', figures)}")


if __name__ == "__main__":
    main()
