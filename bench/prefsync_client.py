"""The sync client at 10,000 records: pushing them from one machine, pulling them on the next.

    .venv/bin/python bench/prefsync_client.py [--records 10000] [--runs 3] [--postgres]

Starts the real server in its own process (`python -m momentum_server` on a loopback
port, SQLite; with --postgres also on a throwaway PostgreSQL) and, per run, a fresh
account:

* **push** — a machine whose cache holds 10,000 local changes (marks on 8,000 videos,
  1,200 keyword preferences, 400 follows and 400 group memberships, all written through
  the outbox triggers) runs its first `momentum prefsync`: fold, seal, and push in pages
  within the protocol's limits;
* **first pull** — a second machine with the same videos and nothing else runs its first
  sync: every page pulled, opened and merged, applied to its tables in one transaction
  (it then pushes its own 400 follows, as a machine that synced from YouTube would).

Figures (median of the runs) go to bench/results/prefsync_client.json. Nothing leaves
this machine: the server listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import save  # noqa: E402
from momentum_tui.prefsync import queries  # noqa: E402
from momentum_tui.prefsync.client import BackendClient  # noqa: E402
from momentum_tui.prefsync.crypto import SyncKey  # noqa: E402
from momentum_tui.prefsync.engine import SyncEngine  # noqa: E402
from momentum_tui.records import Channel, Video  # noqa: E402
from momentum_tui.storage import Store  # noqa: E402
from momentum_tui.storage.videos import upsert_channels, upsert_videos  # noqa: E402

CHANNELS = 400


def _videos(count: int) -> list[Video]:
    return [
        Video(
            id=f"v{n:010d}",
            channel_id=f"UC{n % CHANNELS:022d}",
            channel_title=f"Channel {n % CHANNELS}",
            title=f"Video {n}",
            published_at=1_700_000_000 + n * 60,
            duration_s=600,
        )
        for n in range(count)
    ]


def _cache(path: Path, videos: list[Video]) -> Store:
    """A cache holding the videos and their channels (as a YouTube sync leaves it)."""
    store = Store.open(path)
    channels = {v.channel_id: Channel(id=v.channel_id, title=v.channel_title) for v in videos}
    with store.write() as db:
        upsert_channels(db, channels.values(), now=1_700_000_000)
        upsert_videos(db, videos, now=1_700_000_000)
    return store


def _make_changes(store: Store, records: int) -> int:
    """Write `records` preference changes through the outbox triggers; returns how many."""
    keywords = records * 12 // 100
    groups = CHANNELS
    marks = records - keywords - groups - CHANNELS
    with store.write() as db:
        db.conn.executemany(
            "INSERT INTO video_state (video_id, watched_at, rating, rated_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (f"v{n:010d}", 1_700_000_100 + n, 1 if n % 5 == 0 else 0, 1_700_000_100 + n, 0)
                for n in range(marks * 5 // 6)
            ),
        )
        db.conn.executemany(
            "INSERT INTO keyword_prefs (keyword, weight, created_at) VALUES (?, ?, 0)",
            ((f"keyword {n}", 1 + n % 4) for n in range(keywords)),
        )
        db.conn.executemany(
            "INSERT INTO channel_tags (channel_id, tag) VALUES (?, 'favourites')",
            ((f"UC{n:022d}",) for n in range(groups)),
        )
    with store.read() as conn:
        return queries.outbox_size(conn)


PASSWORD = "benchmark password"


@dataclass
class Server:
    """A `momentum-server` process on a loopback port."""

    url: str
    kind: str

    def new_account(self, username: str, device: str) -> str:
        """Register `username` and sign in one device; its token."""
        with httpx.Client(base_url=self.url + "/api/v1", timeout=60) as http:
            made = http.post("/accounts", json={"username": username, "password": PASSWORD})
            made.raise_for_status()
        return self.sign_in(username, device)

    def sign_in(self, username: str, device: str) -> str:
        """A new device token for `username`."""
        body = {"username": username, "password": PASSWORD, "device_name": device}
        with httpx.Client(base_url=self.url + "/api/v1", timeout=60) as http:
            signed = http.post("/sessions", json=body)
            signed.raise_for_status()
            return str(signed.json()["token"])


@contextlib.contextmanager
def serve(database_url: str, kind: str, log: Path) -> Iterator[Server]:
    """Run the real server in its own process (so it shares no interpreter with the client)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [sys.executable, "-m", "momentum_server", "--database", database_url]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    server = Server(f"http://127.0.0.1:{port}", kind)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(server.url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {log}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _client(backend: Server, token: str) -> BackendClient:
    return BackendClient(backend.url, token, timeout=60, retries=3, backoff=0.2)


def one_run(backend: Server, directory: Path, records: int, run: int) -> dict[str, Any]:
    """Push `records` changes from one machine and pull them on a fresh one."""
    videos = _videos(records)
    key = SyncKey.generate()
    username = f"bench{run}{int(time.time() * 1000) % 10**8}"
    token = backend.new_account(username, "first")
    first = _cache(directory / f"first{run}.db", videos)
    queued = _make_changes(first, records)
    second = _cache(directory / f"second{run}.db", videos)
    with _client(backend, token) as client:
        started = time.perf_counter()
        pushed = SyncEngine(first, client, key).sync()
        push_s = time.perf_counter() - started
    with _client(backend, backend.sign_in(username, "second")) as client:
        started = time.perf_counter()
        pulled = SyncEngine(second, client, key).sync()
        pull_s = time.perf_counter() - started
    first.close()
    second.close()
    return {
        "queued": queued,
        "push_s": push_s,
        "pushed": pushed.pushed,
        "push_pages": pushed.push_pages,
        "pull_s": pull_s,
        "pulled": pulled.pulled,
        "pull_pages": pulled.pull_pages,
        "applied": pulled.applied,
    }


def _median(runs: list[dict[str, Any]], field: str) -> float:
    return round(statistics.median(r[field] for r in runs), 3)


@contextlib.contextmanager
def _servers(directory: Path, postgres: bool) -> Iterator[list[Server]]:
    with contextlib.ExitStack() as stack:
        url = f"sqlite:///{directory / 'server.db'}"
        servers = [stack.enter_context(serve(url, "sqlite", directory / "sqlite.log"))]
        if postgres:
            from tests.support.postgres import PostgresCluster

            cluster = PostgresCluster().start()
            stack.callback(cluster.stop)
            url = cluster.create_database("bench")
            servers.append(stack.enter_context(serve(url, "postgres", directory / "pg.log")))
        yield servers


def main() -> None:
    """Run the benchmark and save its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also against PostgreSQL")
    args = parser.parse_args()
    figures: dict[str, Any] = {"records": args.records, "runs": args.runs, "engines": {}}
    # A shared machine makes every figure slower: say how busy it was.
    figures["load_average_at_start"] = [round(x, 1) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp, _servers(Path(tmp), args.postgres) as servers:
        for backend in servers:
            runs = [one_run(backend, Path(tmp), args.records, n) for n in range(args.runs)]
            summary = {
                "push_s": _median(runs, "push_s"),
                "push_records_per_s": round(args.records / _median(runs, "push_s")),
                "push_pages": runs[0]["push_pages"],
                "first_pull_s": _median(runs, "pull_s"),
                "pull_records_per_s": round(args.records / _median(runs, "pull_s")),
                "pull_pages": runs[0]["pull_pages"],
                "pulled": runs[0]["pulled"],
                "applied": runs[0]["applied"],
                "all_runs": runs,
            }
            figures["engines"][backend.kind] = summary
            print(
                f"{backend.kind}: push {args.records:,} records in {summary['push_s']:.2f} s "
                f"({summary['push_pages']} pages); first pull and apply in "
                f"{summary['first_pull_s']:.2f} s ({summary['pull_pages']} pages)"
            )
    print(save("prefsync_client", figures))


if __name__ == "__main__":
    main()
