"""Benchmark the cache and the app at 100,000 videos (issue 2's targets).

    .venv/bin/python bench/cache.py [--copies 32] [--runs 7]

Builds a cache of the demo corpus replicated under fresh ids (32 copies ≈ 100,000
videos), then reports: ingest time; feed page query p50/p95 over a mix of filters and
sorts; the app's ordered-id query; search p50/p95; scrolling in the app; the launch of
the real `momentum` command to a populated feed against Textual references measured in
the same run (bench/launch_probe.py; bench/startup.py holds the start-up targets); peak
memory: this whole process's, read at the end of the run, and the app's own once it has
loaded everything. Figures go to bench/results/cache.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentiles, save  # noqa: E402
from bench.first_screen import peak_rss_mb  # noqa: E402
from bench.launch_probe import time_momentum, time_reference  # noqa: E402
from momentum_tui.demo.corpus import CorpusVideo, iter_corpus, newest_published  # noqa: E402
from momentum_tui.models import Filters, Sort  # noqa: E402
from momentum_tui.records import Channel, Video  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402
from momentum_tui.storage import feed as q  # noqa: E402
from momentum_tui.storage.bulk import Batch, load_videos  # noqa: E402

TARGETS = {
    "ingest_s": 10.0,
    "feed_page_p95_ms": 20.0,
    "search_p95_ms": 20.0,
    "launch_ratio": 1.5,  # against the same-widgets Textual app (issue 9)
    "peak_memory_mb": 250.0,
}


def ingest(path: Path, copies: int) -> tuple[float, int]:
    """Validate and write the replicated corpus; returns seconds and videos written.

    One `load_videos` (the bulk path a new cache is filled by), fed 20,000 videos at a
    time so the benchmark never holds the whole corpus in memory.
    """
    now = int(time.time())
    shift = now - newest_published()
    start = time.perf_counter()
    store = Store.open(path)
    with store.write() as db:
        written = load_videos(db, _batches(iter_corpus(shift=shift, copies=copies)), now).new
    store.db.execute("PRAGMA optimize")
    store.close()
    return time.perf_counter() - start, written


def _batches(items: Iterable[CorpusVideo], size: int = 10000) -> Iterator[Batch]:
    channels: dict[str, Channel] = {}
    videos: list[Video] = []
    for item in items:
        channels[item.channel.id] = item.channel
        videos.append(item.video)
        if len(videos) >= size:
            yield list(channels.values()), videos
            channels, videos = {}, []
    if videos:
        yield list(channels.values()), videos


FILTER_MIX = [
    Filters(),
    Filters(unwatched_only=True),
    Filters(hide_shorts=True, hide_live=True),
    Filters(sort=Sort.VIEWS),
    Filters(sort=Sort.LONGEST, unwatched_only=True),
    Filters(min_seconds=300, max_seconds=1200),
    Filters(sort=Sort.CHANNEL),
]


def feed_pages(store: Store, rng: random.Random, runs: int) -> tuple[dict, dict]:
    """Time one 50-row page (random offsets) and the app's ordered-id query per filter."""
    page_ms, ids_ms = [], []
    with store.read() as conn:
        for _ in range(runs):
            for filters in FILTER_MIX:
                offset = rng.choice([0, 0, 50, 500, 5000])
                start = time.perf_counter()
                q.feed_page(conn, filters, limit=50, offset=offset)
                page_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                q.feed_ids(conn, filters)
                ids_ms.append((time.perf_counter() - start) * 1000)
    return percentiles(page_ms), percentiles(ids_ms)


def searches(store: Store, rng: random.Random, runs: int) -> dict:
    """Time full-text searches (first page, relevance order) for words taken from titles."""
    with store.read() as conn:
        titles = [r[0] for r in conn.execute("SELECT title FROM videos LIMIT 3000")]
    words = sorted(
        {w.lower() for t in titles for w in t.split() if w.isascii() and w.isalpha() and len(w) > 3}
    )
    samples = []
    with store.read() as conn:
        for _ in range(runs * 10):
            query = " ".join(rng.sample(words, rng.choice([1, 1, 2])))
            prefix = query[: rng.choice([3, 4, len(query)])]
            for typed in (prefix, query):
                start = time.perf_counter()
                q.feed_page(conn, Filters(search=typed), limit=50)
                samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def launch(db: Path, home: Path, runs: int) -> dict:
    """Median launch times, from exec, of a bare Textual app, of a Textual app with the
    first screen's widget kinds and static text, and of `momentum` on `db`."""
    time_momentum(db, home)  # the first launch ever ranks and remembers the order
    times: dict[str, list[float]] = {"bare": [], "layout": [], "momentum": []}
    rss = []
    for _ in range(runs):
        for kind, sink in times.items():
            line = time_momentum(db, home) if kind == "momentum" else time_reference(kind)
            sink.append(line.seconds)
            if kind == "momentum":
                rss.append(line.peak_rss_mb)
    bare_s, layout_s, ours_s = (statistics.median(times[k]) for k in times)
    settled = time_momentum(db, home, settle=True).settled_peak_rss_mb
    return {
        "bare_textual_s": round(bare_s, 3),
        "same_widgets_static_text_s": round(layout_s, 3),
        "momentum_populated_feed_s": round(ours_s, 3),
        "ratio": round(ours_s / layout_s, 3),
        "ratio_to_bare": round(ours_s / bare_s, 3),
        "same_widgets_ratio": round(layout_s / bare_s, 3),
        "app_peak_rss_at_first_screen_mb": round(max(rss), 1),
        "app_peak_rss_fully_loaded_mb": settled,
    }


async def _scroll(db: Path) -> dict:
    """In the app at 160×48: time from a key's action to the new cursor row drawn with data.

    The table's row renderer is wrapped to note when the cursor row is first drawn with a
    video in it (not the placeholder shown while a page is fetched).
    """
    import asyncio

    from momentum_tui.app import MomentumApp
    from momentum_tui.config import Settings, UISettings
    from momentum_tui.widgets.feed_table import FeedTable

    store = Store.open(db)
    # Scrolling is measured on every upload (the Subscriptions tab), not For you's picks.
    app = MomentumApp(store, Settings(ui=UISettings(start_view="subscriptions")))
    drawn: dict[str, float] = {}
    original = FeedTable._render_row

    def noting(self: FeedTable, row: Any, width: int, is_cursor: bool) -> Any:
        if is_cursor and row is not None and "at" not in drawn:
            drawn["at"] = time.perf_counter()
        return original(self, row, width, is_cursor)

    async with app.run_test(size=(160, 48)) as pilot:
        while not getattr(app.screen, "feed_complete", False):
            await pilot.pause(0.05)
        table = app.screen.table
        await pilot.pause(0.3)
        FeedTable._render_row = noting  # type: ignore[method-assign]

        async def timed(action: Any) -> float:
            drawn.clear()
            # A row drawn before comes from the table's line cache without `_render_row`,
            # so the second G or g would never be noticed (the loop below waited forever).
            table._lines.clear()
            start = time.perf_counter()
            action()
            while "at" not in drawn:
                await asyncio.sleep(0.0005)
            elapsed = (drawn["at"] - start) * 1000
            await pilot.pause(0.05)
            return elapsed

        page_ms = [await timed(table.action_page_down) for _ in range(40)]
        end_ms = [await timed(action) for action in
                  (table.action_cursor_bottom, table.action_cursor_top) * 5]  # fmt: skip
        FeedTable._render_row = original  # type: ignore[method-assign]
        rows = len(table.source)
    store.close()
    return {"rows": rows, "page_down": percentiles(page_ms), "jump_end_or_top": percentiles(end_ms)}


def _release_freed_memory() -> None:
    """Hand what the ingest freed back to the system before the app runs in this process.

    glibc keeps freed heap (about 65 MB after the ingest) for reuse; a separate app
    process would not start with it. Nothing still in use is released, so the whole
    process's peak stays an honest figure for the two workloads one after the other.
    """
    import ctypes
    import gc
    from contextlib import suppress

    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc: the peak includes the retained heap
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=32)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        ingest_s, written = ingest(db, args.copies)
        ingest_rss = peak_rss_mb()
        print(f"ingest: {written:,} videos in {ingest_s:.2f} s (peak RSS {ingest_rss:.0f} MB)")
        _release_freed_memory()
        store = Store.open(db)
        page, ids = feed_pages(store, rng, args.runs * 3)
        print(f"feed page (50 rows): p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms")
        print(f"ordered ids (whole feed): p50 {ids['p50_ms']} ms, p95 {ids['p95_ms']} ms")
        search = searches(store, rng, args.runs)
        print(f"search (first page): p50 {search['p50_ms']} ms, p95 {search['p95_ms']} ms")
        store.close()
        import asyncio

        scrolling = asyncio.run(_scroll(db))
        print(
            f"scrolling {scrolling['rows']:,} rows: page-down p95 "
            f"{scrolling['page_down']['p95_ms']} ms, G/g p95 "
            f"{scrolling['jump_end_or_top']['p95_ms']} ms"
        )
        started = launch(db, Path(tmp) / "home", args.runs)
        print(
            f"launch from exec: bare Textual {started['bare_textual_s']} s, the same widgets "
            f"with static text {started['same_widgets_static_text_s']} s "
            f"({started['same_widgets_ratio']}x bare), momentum to a populated feed "
            f"{started['momentum_populated_feed_s']} s ({started['ratio']}x the same widgets, "
            f"{started['ratio_to_bare']}x bare); the app's peak RSS "
            f"{started['app_peak_rss_at_first_screen_mb']} MB at its first screen, "
            f"{started['app_peak_rss_fully_loaded_mb']} MB with everything loaded"
        )
        size_mb = db.stat().st_size / 1e6
    # This whole process, at the end: the ingest and the in-process app of the scrolling
    # phase (on top of what the ingest left allocated) are both behind it.
    peak = peak_rss_mb()
    app_peak = started["app_peak_rss_fully_loaded_mb"] or 0.0
    figures = {
        "videos": written,
        "cache_mb": round(size_mb, 1),
        "ingest_s": round(ingest_s, 2),
        "feed_page": page,
        "feed_ids": ids,
        "search": search,
        "launch": started,
        "scrolling": scrolling,
        "peak_memory_mb": round(peak, 1),
        "ingest_peak_memory_mb": round(ingest_rss, 1),
        "app_peak_memory_mb": app_peak,
        "targets": TARGETS,
        "met": {
            "ingest": ingest_s <= TARGETS["ingest_s"],
            "feed_page_p95": page["p95_ms"] <= TARGETS["feed_page_p95_ms"],
            "search_p95": search["p95_ms"] <= TARGETS["search_p95_ms"],
            "launch_ratio": started["ratio"] <= TARGETS["launch_ratio"],
            "peak_memory": peak <= TARGETS["peak_memory_mb"],
            "app_peak_memory": app_peak <= TARGETS["peak_memory_mb"],
        },
    }
    print(
        f"peak memory: this process {peak:.0f} MB (ingest {ingest_rss:.0f} MB, then the "
        f"scrolling app in-process), the app alone {app_peak:.0f} MB; "
        f"targets met: {figures['met']}"
    )
    print(f"wrote {save('cache', figures)}")


if __name__ == "__main__":
    main()
