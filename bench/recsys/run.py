"""Offline evaluation of "For you" against newest-first, most-viewed and random (issue 5).

    .venv/bin/python -m bench.recsys.run [--users 60] [--seed 0]

Builds a cache of the real corpus (YouTube Trending, CC0) up to a split time, labelled
by the offline classifier; simulates people with hidden tastes living through the four
weeks before the split (bench/recsys/simulate.py); then, at the split, asks each ranker
for its top 10 among the last week's unwatched uploads and scores them against what the
person picks next. Prints a table and writes bench/results/recsys.json. Fixed seeds:
the same run gives the same figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import save  # noqa: E402
from bench.recsys import metrics  # noqa: E402
from bench.recsys.simulate import DAY, catalogue, future_picks, live, make_taste  # noqa: E402
from momentum_tui.ai.local import label_store  # noqa: E402
from momentum_tui.config import RecommendSettings  # noqa: E402
from momentum_tui.demo.corpus import iter_corpus  # noqa: E402
from momentum_tui.recommend.features import UPCOMING, State, load_features  # noqa: E402
from momentum_tui.recommend.ranker import Ask, Ranker  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402
from momentum_tui.storage.videos import upsert_channels, upsert_videos  # noqa: E402

TRAIN_DAYS = 28
WINDOW_DAYS = 7
NEXT_PICKS = 10
K = 10
TARGET_RATIO = 1.5


def build(path: Path) -> tuple[Store, int, int]:
    """A cache of the corpus up to the split; returns it, the first upload and the split."""
    items = list(iter_corpus())
    first = min(item.video.published_at for item in items)
    split = first + TRAIN_DAYS * DAY
    kept = [item for item in items if item.video.published_at <= split]
    store = Store.open(path)
    with store.write() as db:
        upsert_channels(db, {i.channel.id: i.channel for i in kept}.values(), now=first)
        upsert_videos(db, (i.video for i in kept), now=first)
    label_store(store, now=first)
    return store, first, split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="Override a recommend setting for this run, e.g. --set topic_cap=3.",
    )  # fmt: skip
    parser.add_argument("--no-save", action="store_true", help="Print only.")
    args = parser.parse_args()
    started = time.perf_counter()
    overrides = dict(item.split("=", 1) for item in args.set)
    settings = RecommendSettings.from_dict(overrides)
    results: dict[str, dict[str, list[float]]] = {
        name: {"ndcg": [], "hit": [], "ild": [], "channels": []}
        for name in ("for_you", "newest", "most_viewed", "random")
    }
    shown: dict[str, set[int]] = {name: set() for name in results}
    marks_per_user: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        store, first, split = build(Path(tmp) / "recsys.db")
        with store.read() as conn:
            base = load_features(conn)
            cat = catalogue(base)
            window = (base.published > split - WINDOW_DAYS * DAY) & (base.live != UPCOMING)
            catalogue_size = int(window.sum())
            for user in range(args.users):
                rng = np.random.default_rng(args.seed * 10_000 + user)
                taste = make_taste(rng, cat)
                marks = live(rng, taste, cat, first, split)
                state = State.empty(len(base))
                for i, at in marks.watched_at.items():
                    state.watched_at[i] = at
                for i, (rating, at) in marks.rating.items():
                    state.rating[i], state.rated_at[i] = rating, at
                for i, at in marks.hidden_at.items():
                    state.hidden_at[i] = at
                for i, at in marks.saved_at.items():
                    state.saved_at[i] = at
                marks_per_user.append(len(state.marked()))
                features = dataclasses.replace(base, state=state)
                candidates = (
                    window & (state.watched_at == 0) & (state.hidden_at == 0) & (state.rating >= 0)
                )
                truth = future_picks(rng, taste, cat, candidates, split, NEXT_PICKS)
                ranker = Ranker.load(conn, settings, split, features=features)
                ranking = ranker.rank(Ask(since=split - WINDOW_DAYS * DAY + 1), limit=len(base))
                ours = [int(i) for i in ranking.order if candidates[i]]
                pool = np.flatnonzero(candidates)
                lists = {
                    "for_you": ours,
                    "newest": [
                        int(i) for i in pool[np.argsort(-base.published[pool], kind="stable")]
                    ],
                    "most_viewed": [
                        int(i)
                        for i in pool[np.argsort(-np.nan_to_num(base.views[pool]), kind="stable")]
                    ],
                    "random": [int(i) for i in rng.permutation(pool)],
                }
                for name, ranked in lists.items():
                    r = results[name]
                    r["ndcg"].append(metrics.ndcg(ranked, truth, K))
                    r["hit"].append(metrics.hit_rate(ranked, truth, K))
                    r["ild"].append(metrics.intra_list_diversity(ranked, base.topic, K))
                    r["channels"].append(metrics.distinct_channels(ranked, base.channel, K))
                    shown[name].update(ranked[:K])
        store.close()
    summary = {
        name: {
            "ndcg@10": round(statistics.mean(r["ndcg"]), 4),
            "hit_rate@10": round(statistics.mean(r["hit"]), 4),
            "coverage@10": round(len(shown[name]) / max(1, catalogue_size), 4),
            "intra_list_diversity@10": round(statistics.mean(r["ild"]), 4),
            "distinct_channels@10": round(statistics.mean(r["channels"]), 2),
        }
        for name, r in results.items()
    }
    ours = summary["for_you"]["ndcg@10"]
    ratios = {
        "vs_newest": round(ours / max(1e-9, summary["newest"]["ndcg@10"]), 2),
        "vs_most_viewed": round(ours / max(1e-9, summary["most_viewed"]["ndcg@10"]), 2),
    }
    met = {
        "ndcg_vs_newest": ratios["vs_newest"] >= TARGET_RATIO,
        "ndcg_vs_most_viewed": ratios["vs_most_viewed"] >= TARGET_RATIO,
        "diversity_vs_newest": summary["for_you"]["intra_list_diversity@10"]
        >= summary["newest"]["intra_list_diversity@10"],
    }
    print(f"{args.users} simulated people, {catalogue_size} videos in the last week at the split,")
    print(f"{statistics.mean(marks_per_user):.0f} marks per person on average (seed {args.seed})\n")
    print(f"{'ranker':<12} {'NDCG@10':>8} {'HR@10':>7} {'cover':>7} {'ILD@10':>7} {'chans':>6}")
    for name, row in summary.items():
        print(
            f"{name:<12} {row['ndcg@10']:>8.4f} {row['hit_rate@10']:>7.3f} "
            f"{row['coverage@10']:>7.3f} {row['intra_list_diversity@10']:>7.3f} "
            f"{row['distinct_channels@10']:>6.1f}"
        )
    print(
        f"\nNDCG@10 ratio: {ratios['vs_newest']}× newest, {ratios['vs_most_viewed']}× most viewed"
    )
    print(f"targets met: {met}  ({time.perf_counter() - started:.1f} s)")
    if args.no_save:
        return
    path = save(
        "recsys",
        {
            "users": args.users,
            "seed": args.seed,
            "settings": overrides,
            "k": K,
            "split_days": TRAIN_DAYS,
            "window_days": WINDOW_DAYS,
            "next_picks": NEXT_PICKS,
            "catalogue": catalogue_size,
            "marks_per_user": round(statistics.mean(marks_per_user), 1),
            "results": summary,
            "ratios": ratios,
            "targets": {"ndcg_ratio": TARGET_RATIO, "diversity": "≥ newest first"},
            "met": met,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
