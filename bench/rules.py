"""Offline labels, hide rules and notify rules at 100,000 videos.

    .venv/bin/python bench/rules.py [--copies 32] [--runs 7]

Builds a cache of the demo corpus replicated under fresh ids (32 copies ≈ 100,000
videos), labels it with the offline classifier (`label_store`, one transaction per 2,000
videos), then times the app's ordered-id feed query (`feed_ids`) with no rules and with
hide rules of each kind, and the query after each sync that finds what to announce
(`notify.queries.unannounced`) with notify rules — at its worst: every video counted as
recent and new to the rules (a real sync looks at the last two days only). Figures go
to bench/results/rules.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cache import ingest  # noqa: E402
from bench.common import save  # noqa: E402
from momentum_tui.ai.local import label_store  # noqa: E402
from momentum_tui.models import Filters, Format, Topic  # noqa: E402
from momentum_tui.notify.queries import unannounced  # noqa: E402
from momentum_tui.rules.spec import RuleAction, RuleSpec  # noqa: E402
from momentum_tui.rules.store import add_rule, list_rules, remove_rule  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402
from momentum_tui.storage import feed as queries  # noqa: E402

CASES: dict[str, list[RuleSpec]] = {
    "no rules": [],
    "hide Shorts": [RuleSpec(action=RuleAction.HIDE, shorts=True)],
    "hide topic news": [RuleSpec(action=RuleAction.HIDE, topics=(Topic.NEWS,))],
    "hide Shorts or clips": [
        RuleSpec(action=RuleAction.HIDE, shorts=True, formats=(Format.SHORT_CLIP,))
    ],
    "hide title words": [RuleSpec(action=RuleAction.HIDE, title_words=("trailer", "реакция"))],
    "five rules": [
        RuleSpec(action=RuleAction.HIDE, shorts=True),
        RuleSpec(action=RuleAction.HIDE, topics=(Topic.NEWS, Topic.POP_CULTURE)),
        RuleSpec(action=RuleAction.HIDE, max_seconds=90, formats=(Format.SHORT_CLIP,)),
        RuleSpec(action=RuleAction.HIDE, title_words=("trailer",)),
        RuleSpec(action=RuleAction.BURY, topics=(Topic.GAMING,)),
    ],
}

NOTIFY_CASES: dict[str, list[RuleSpec]] = {
    "no notify rules": [],
    "notify title words": [RuleSpec(action=RuleAction.NOTIFY, title_words=("physics", "rust"))],
    "notify topic science": [RuleSpec(action=RuleAction.NOTIFY, topics=(Topic.SCIENCE,))],
    "three notify, one hide": [
        RuleSpec(action=RuleAction.NOTIFY, title_words=("trailer",), shorts=False),
        RuleSpec(action=RuleAction.NOTIFY, topics=(Topic.SCIENCE,), min_seconds=600),
        RuleSpec(action=RuleAction.NOTIFY, formats=(Format.SHORT_CLIP,)),
        RuleSpec(action=RuleAction.HIDE, shorts=True),
    ],
}


def timed_unannounced(store: Store, runs: int) -> tuple[float, float, int]:
    """`unannounced` with every video in its window (published since 0)."""
    samples = []
    count = 0
    for _ in range(runs):
        with store.read() as conn:
            started = time.perf_counter()
            count = len(unannounced(conn, published_since=0))
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples), count


def clear_rules(store: Store) -> None:
    """Remove every rule."""
    with store.read() as conn:
        ids = [rule.id for rule in list_rules(conn)]
    with store.write() as db:
        for rule_id in ids:
            remove_rule(db, rule_id)


def timed(store: Store, runs: int, limit: int | None = None) -> tuple[float, float, int]:
    samples = []
    count = 0
    for _ in range(runs):
        with store.read() as conn:
            started = time.perf_counter()
            count = len(queries.feed_ids(conn, Filters(), limit=limit))
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=32)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cache.db"
        _, videos = ingest(path, args.copies)
        with Store.open(path) as store:
            started = time.perf_counter()
            labelled = label_store(store).labelled
            seconds = time.perf_counter() - started
            figures["videos"] = videos
            figures["label_store_seconds"] = round(seconds, 2)
            figures["label_store_videos_per_second"] = round(labelled / seconds)
            print(f"videos                     {videos:,}")
            rate = labelled / seconds
            print(f"offline labels, whole cache {seconds:.1f} s ({rate:,.0f} videos/s, "
                  "reading and writing SQLite included)")  # fmt: skip
            feed: dict[str, object] = {}
            for name, specs in CASES.items():
                with store.write() as db:
                    for spec in specs:
                        add_rule(db, spec)
                p50, worst, shown = timed(store, args.runs)
                first, _, _ = timed(store, args.runs, limit=100)
                feed[name] = {"p50_ms": round(p50, 1), "max_ms": round(worst, 1), "shown": shown,
                              "first_page_p50_ms": round(first, 1)}  # fmt: skip
                print(f"feed_ids, {name:22s} p50 {p50:6.1f} ms  max {worst:6.1f} ms  "
                      f"first 100 rows {first:5.1f} ms  ({shown:,} shown)")  # fmt: skip
                clear_rules(store)
            figures["feed_ids"] = feed
            announcing: dict[str, object] = {}
            for name, specs in NOTIFY_CASES.items():
                with store.write() as db:
                    for spec in specs:
                        add_rule(db, spec, now=0)  # made before every video arrived
                p50, worst, found = timed_unannounced(store, args.runs)
                announcing[name] = {"p50_ms": round(p50, 1), "max_ms": round(worst, 1),
                                    "found": found}  # fmt: skip
                print(f"unannounced, {name:22s} p50 {p50:6.1f} ms  max {worst:6.1f} ms  "
                      f"({found:,} to announce)")  # fmt: skip
                clear_rules(store)
            figures["unannounced_whole_cache"] = announcing
    save("rules", figures)


if __name__ == "__main__":
    main()
