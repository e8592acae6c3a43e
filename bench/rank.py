"""Benchmark the recommender at 100,000 cached videos (issue 5's targets).

    .venv/bin/python bench/rank.py [--copies 32] [--runs 15] [--db PATH]

Builds (or reuses, with --db) a cache of the demo corpus replicated under fresh ids
(32 copies ≈ 100,000 videos, as bench/cache.py does), labels it offline and marks 2 %
of it watched and a few dozen liked, disliked and hidden. Then times, p50/p95:

* load — reading every video's features from SQLite (once per refresh, after a sync);
* full ranking — learning the tastes from every mark, scoring 100,000 videos and
  diversifying the top (what a refresh does once features are loaded);
* re-rank after one interaction — a like taken into account in memory, then a new ranking;
* smart feed — mood + 25-minute budget + topic from the in-memory model.

Writes bench/results/rank.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cache import ingest  # noqa: E402
from bench.common import percentiles, save  # noqa: E402
from momentum_tui.ai.local import label_store  # noqa: E402
from momentum_tui.config import RecommendSettings  # noqa: E402
from momentum_tui.recommend.features import load_features  # noqa: E402
from momentum_tui.recommend.feeds import smart_feed  # noqa: E402
from momentum_tui.recommend.ranker import Ranker  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402

TARGETS = {"full_rank_ms": 150.0, "rerank_ms": 50.0, "smart_feed_ms": 100.0}


def seed_marks(store: Store, now: int, rng: random.Random) -> int:
    """Mark 2 % watched and some liked, disliked, hidden, spread over 90 days."""
    with store.read() as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM videos ORDER BY id")]
    rows = []
    for video_id in rng.sample(ids, len(ids) // 50):
        at = now - rng.randrange(90 * 86400)
        roll = rng.random()
        rating = 1 if roll < 0.08 else -1 if roll < 0.1 else 0
        hidden = at if 0.1 <= roll < 0.12 else None
        rows.append((video_id, at, rating, at if rating else None, hidden, now))
    with store.write() as db:
        db.conn.executemany(
            "INSERT OR REPLACE INTO video_state (video_id, watched_at, rating, rated_at, "
            "hidden_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def timed(samples: list[float], action) -> object:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    samples.append((time.perf_counter() - start) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=32)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", type=Path, help="Reuse this cache (built on first use).")
    args = parser.parse_args()
    rng = random.Random(5)
    settings = RecommendSettings()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "rank.db"
        now = int(time.time())
        if not db.exists():
            seconds, written = ingest(db, args.copies)
            store = Store.open(db)
            label_store(store, now=now)
            marks = seed_marks(store, now, rng)
            print(f"built {written:,} videos in {seconds:.1f} s (+ labels), {marks:,} marks")
        else:
            store = Store.open(db)
        load_ms, full_ms, rerank_ms, feed_ms = [], [], [], []
        with store.read() as conn:
            for _ in range(args.runs):
                features = timed(load_ms, lambda: load_features(conn))
            ranker = Ranker.load(conn, settings, now, features=features)  # type: ignore[arg-type]
            videos, marked = len(ranker.features), len(ranker.features.state.marked())

            def full() -> object:
                ranker.relearn()
                return ranker.rank()

            for _ in range(args.runs):
                ranking = timed(full_ms, full)
            for run in range(args.runs):
                index = int(ranking.order[run])  # type: ignore[attr-defined]
                video_id = ranker.features.ids[index]

                def rerank(video_id: str = video_id) -> object:
                    ranker.mark(video_id, {"rating": 1, "rated_at": now})
                    return ranker.rank()

                ranking = timed(rerank_ms, rerank)
            for _ in range(args.runs):
                timed(
                    feed_ms,
                    lambda: smart_feed(ranker, mood="calm", minutes=25, topics=("science",)),
                )
        store.close()
    figures = {
        "videos": videos,
        "marks": marked,
        "load": percentiles(load_ms),
        "full_rank": percentiles(full_ms),
        "rerank_after_one_interaction": percentiles(rerank_ms),
        "smart_feed": percentiles(feed_ms),
        "targets": TARGETS,
    }
    figures["met"] = {
        "full_rank": figures["full_rank"]["p95_ms"] <= TARGETS["full_rank_ms"],
        "rerank": figures["rerank_after_one_interaction"]["p95_ms"] <= TARGETS["rerank_ms"],
        "smart_feed": figures["smart_feed"]["p95_ms"] <= TARGETS["smart_feed_ms"],
    }
    print(f"{videos:,} videos, {marked:,} marked")
    for name in ("load", "full_rank", "rerank_after_one_interaction", "smart_feed"):
        row = figures[name]
        print(f"{name:<30} p50 {row['p50_ms']:>7.1f} ms   p95 {row['p95_ms']:>7.1f} ms")
    print(f"targets met (p95): {figures['met']}")
    print(f"wrote {save('rank', figures)}")


if __name__ == "__main__":
    main()
