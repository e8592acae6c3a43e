"""Benchmark owning your data at 100,000 videos: backup, restore, and what a commit costs.

    .venv/bin/python bench/data.py [--copies 32] [--commits 300]

Builds a cache of the demo corpus replicated under fresh ids (32 copies ≈ 100,000
videos, labelled offline), then times the real `momentum backup` and `momentum restore
--yes` processes on it, compares compressors on the same cache file (why backups are
Zstandard), and measures the cost of one small commit (a mark) under
`synchronous = NORMAL` (what the cache uses) and `FULL`. Figures go to
bench/results/data.json.
"""

from __future__ import annotations

import argparse
import gzip
import lzma
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cache import ingest  # noqa: E402
from bench.common import percentiles, save  # noqa: E402
from momentum_tui.ai.local import label_store  # noqa: E402
from momentum_tui.models import Mark  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402
from momentum_tui.storage.marks import mark_video  # noqa: E402


def momentum(home: Path, *args: str) -> float:
    """Run the real `momentum ARGS` in `home`; seconds it took."""
    env = {**os.environ, "MOMENTUM_HOME": str(home)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "momentum_tui", *args], env=env, check=True,
                   capture_output=True, cwd=ROOT, timeout=1800)  # fmt: skip
    return time.perf_counter() - start


def compressors(db: Path) -> dict[str, Any]:
    """Size and time of each candidate on the same cache file (in memory, one pass)."""
    import zstandard

    data = db.read_bytes()
    candidates = {
        "zstd-1": lambda d: zstandard.ZstdCompressor(level=1).compress(d),
        "zstd-3 (used)": lambda d: zstandard.ZstdCompressor(level=3).compress(d),
        "zstd-9": lambda d: zstandard.ZstdCompressor(level=9).compress(d),
        "gzip-6": lambda d: gzip.compress(d, 6),
        "gzip-9": lambda d: gzip.compress(d, 9),
        "xz-0": lambda d: lzma.compress(d, preset=0),
    }
    out: dict[str, Any] = {"input_mb": round(len(data) / 1e6, 1)}
    for name, compress in candidates.items():
        start = time.perf_counter()
        size = len(compress(data))
        out[name] = {
            "mb": round(size / 1e6, 1),
            "ratio": round(len(data) / size, 2),
            "seconds": round(time.perf_counter() - start, 2),
        }
    return out


def commit_cost(db: Path, commits: int) -> dict[str, Any]:
    """Milliseconds per mark (one small write transaction) under NORMAL and FULL."""
    figures: dict[str, Any] = {}
    with Store.open(db) as store, store.read() as conn:
        videos = [row[0] for row in conn.execute("SELECT id FROM videos LIMIT 50")]
    for mode in ("NORMAL", "FULL"):
        with Store.open(db) as store:
            store.db.execute(f"PRAGMA synchronous = {mode}")
            samples = []
            for n in range(commits):
                start = time.perf_counter()
                mark_video(
                    store, videos[n % len(videos)], Mark.WATCHED if n % 2 else Mark.UNWATCHED
                )
                samples.append((time.perf_counter() - start) * 1000)
        figures[mode.lower()] = percentiles(samples)
    figures["full_over_normal_p50"] = round(
        figures["full"]["p50_ms"] / max(figures["normal"]["p50_ms"], 1e-6), 2
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=32)
    parser.add_argument("--commits", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="momentum-bench-data-") as tmp:
        home = Path(tmp)
        db = home / "data" / "momentum.db"
        db.parent.mkdir(parents=True)
        ingest_s, videos = ingest(db, args.copies)
        with Store.open(db) as store:
            label_store(store)
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cache_mb = db.stat().st_size / 1e6
        print(f"cache: {videos:,} videos, {cache_mb:.0f} MB (built in {ingest_s:.0f} s)")
        backup_s = [momentum(home, "backup", str(home / f"b{i}.db.zst")) for i in range(3)]
        backup_mb = (home / "b0.db.zst").stat().st_size / 1e6
        print(f"momentum backup: {statistics.median(backup_s):.2f} s, {backup_mb:.1f} MB")
        restore_s = [momentum(home, "restore", str(home / "b0.db.zst"), "--yes") for _ in range(3)]
        print(f"momentum restore --yes: {statistics.median(restore_s):.2f} s")
        packed = compressors(db)
        for name, value in packed.items():
            print(f"  {name}: {value}")
        commits = commit_cost(db, args.commits)
        normal, full = commits["normal"]["p50_ms"], commits["full"]["p50_ms"]
        print(f"commit p50: NORMAL {normal} ms, FULL {full} ms")
        path = save(
            "data",
            {
                "videos": videos,
                "cache_mb": round(cache_mb, 1),
                "backup_process_s": round(statistics.median(backup_s), 2),
                "backup_mb": round(backup_mb, 1),
                "restore_process_s": round(statistics.median(restore_s), 2),
                "compressors": packed,
                "commit_ms": commits,
            },
        )
        print(f"saved {path}")


if __name__ == "__main__":
    main()
