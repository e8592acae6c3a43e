"""The cursor while thumbnails load, and the thumbnail cache's hit rate (issue 13).

    .venv/bin/python bench/thumbnails.py [--moves 300] [--delay-ms 150] [--seed 20261201]
    .venv/bin/python bench/thumbnails.py --profile /tmp/thumbs.prof   # where the CPU goes

The real app (in-process, headless, 160×48, the demo profile's videos but not in demo
mode, so thumbnails are fetched) with its thumbnail host pointed at a loopback server
that answers every picture after `--delay-ms` (a slow network). A scripted session moves
the cursor `--moves` times: mostly down, sometimes back up, sometimes to the top again —
the way a person browses, coming back to what they saw. For each move: the time from
the key's action (`nav.down`, `nav.up`, `nav.top`) until the frame that shows the cursor
on its new row (the first frame after the move in which the table has the cursor's row
on screen), while the detail pane's thumbnail worker is fetching and decoding.

Figures: p50/p95/max of that, the share of moves within one frame (16.7 ms at 60 Hz);
the same for the UI thread's own CPU time over that span (`cursor_cpu_ms`: the work the
move cost, without the waiting for a core on a loaded machine — `load_average` says how
loaded it was); and the cache's hits, fetches and hit rate (a hit: a picture shown from
disk), beside the same session with thumbnails off in the same run, as the reference.
Writes bench/results/thumbnails.json. With `--profile FILE` it runs only the session
with thumbnails, under cProfile timed by the UI thread's CPU clock and switched on only
over the timed spans, prints the top of it and saves the stats to FILE (the figures it
prints are inflated by the profiler; nothing goes to bench/results).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentiles, save  # noqa: E402

FRAME_MS = 1000 / 60


def _picture() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (320, 180), (30, 120, 200))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def _server(delay_s: float) -> ThreadingHTTPServer:
    body = _picture()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay_s)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _script(moves: int, rng: random.Random) -> list[str]:
    keys = []
    for _ in range(moves):
        roll = rng.random()
        keys.append("j" if roll < 0.7 else "k" if roll < 0.95 else "g")
    return keys


def _share_within(figures: list[float]) -> float | None:
    return round(sum(t <= FRAME_MS for t in figures) / len(figures), 3) if figures else None


def _cursor_in_view(table: Any) -> bool:
    """Whether the table, as last drawn, has the cursor's row on screen."""
    first = table.cursor * table.row_lines
    top = table.scroll_offset.y
    return bool(top <= first < top + table.scrollable_content_region.height - 1)


async def _session(
    db: Path, root: str, keys: list[str], *, thumbnails: bool, profile: Any = None
) -> dict[str, Any]:
    from momentum_tui.app import MomentumApp
    from momentum_tui.config import Settings
    from momentum_tui.screens.feed import FeedScreen
    from momentum_tui.storage import Store
    from momentum_tui.widgets.detail import DetailPane

    base = Settings()
    settings = base.replace(
        cache=base.cache.replace(thumbnail_root=root),
        # Half-blocks whatever terminal runs the benchmark (headless: kitty or Sixel
        # output would go to that terminal).
        ui=base.ui.replace(thumbnails=thumbnails, thumbnail_protocol="halfblocks"),
    )
    store = Store.open(db)
    app = MomentumApp(store, settings, demo=False)
    took: list[float] = []
    cpu: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        while not (isinstance(app.screen, FeedScreen) and app.screen.feed_complete):
            await pilot.pause(0.05)
        screen = app.screen
        await pilot.pause(0.5)
        actions = {"j": "cursor_down", "k": "cursor_up", "g": "cursor_top"}
        for key in keys:
            table = screen.table
            before = table.cursor
            drawn = asyncio.get_running_loop().create_future()
            # What the key's binding runs (nav.*), timed from the action to the frame that
            # shows it: Pilot's own press() waits for the whole app to go idle.
            if profile is not None:
                profile.enable()
            start, cpu_start = time.perf_counter(), time.thread_time()
            await table.run_action(actions[key])
            if table.cursor != before:
                # The first frame drawn after the move whose table shows the cursor row (a
                # frame drawn before the table scrolled to it would not count).
                while True:
                    screen.call_after_refresh(lambda f=drawn: f.done() or f.set_result(None))
                    await drawn
                    if _cursor_in_view(table):
                        break
                    drawn = asyncio.get_running_loop().create_future()
                took.append((time.perf_counter() - start) * 1000)
                cpu.append((time.thread_time() - cpu_start) * 1000)
            if profile is not None:
                profile.disable()
            await asyncio.sleep(0.06)  # a person's pace between presses: settles, fetches
        await pilot.pause(1.0)
        stats = screen.query_one(DetailPane).thumbnail_stats
    store.close()
    hits, fetched, failed = (stats.hits, stats.fetched, stats.failed) if stats else (0, 0, 0)
    return {
        "presses_timed": len(took),
        "cursor_ms": percentiles(took),
        "within_one_frame": _share_within(took),
        "cursor_cpu_ms": percentiles(cpu),
        "cpu_within_one_frame": _share_within(cpu),
        "thumbnail_hits": hits,
        "thumbnail_fetches": fetched,
        "thumbnail_failures": failed,
        "hit_rate": round(hits / (hits + fetched), 3) if hits + fetched else None,
    }


def _profile(db: Path, root: str, keys: list[str], out: str) -> None:
    """Run the thumbnails-on session under cProfile (UI thread CPU time); print the top."""
    import cProfile
    import pstats

    profile = cProfile.Profile(time.thread_time)
    figures = asyncio.run(_session(db, root, keys, thumbnails=True, profile=profile))
    print("cursor_cpu_ms (profiled, inflated):", figures["cursor_cpu_ms"])
    profile.dump_stats(out)
    pstats.Stats(out).sort_stats("cumulative").print_stats(40)


def main() -> None:
    """Run the scripted session and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--delay-ms", type=float, default=150)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="profile the UI thread's CPU over the timed spans (thumbnails on) into FILE "
        "(pstats; nothing saved to bench/results)",
    )
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="momentum-thumbs-"))
    os.environ["MOMENTUM_HOME"] = str(home)
    try:
        from momentum_tui.demo.build import build_demo
        from momentum_tui.storage import Store

        db = home / "cache.db"
        with Store.open(db) as built:
            build_demo(built)
        server = _server(args.delay_ms / 1000)
        root = f"http://127.0.0.1:{server.server_address[1]}"
        keys = _script(args.moves, random.Random(args.seed))
        if args.profile:
            _profile(db, root, keys, args.profile)
            return
        # The reference: the same session with thumbnails off, in the same run.
        reference = asyncio.run(_session(db, root, keys, thumbnails=False))
        figures = asyncio.run(_session(db, root, keys, thumbnails=True))
        server.shutdown()
        figures["without_thumbnails"] = {
            k: reference[k]
            for k in ("cursor_ms", "within_one_frame", "cursor_cpu_ms", "cpu_within_one_frame")
        }
        figures["p50_ratio_to_without"] = round(
            figures["cursor_ms"]["p50_ms"] / reference["cursor_ms"]["p50_ms"], 2
        )
        figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
        figures.update(moves=args.moves, delay_ms=args.delay_ms, seed=args.seed,
                       size="160x48", frame_ms=round(FRAME_MS, 2))  # fmt: skip
        for name, value in figures.items():
            print(f"{name:>20}: {value}")
        save("thumbnails", figures)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
