"""Sync-server benchmark: 1,000 devices (500 users x 2) racing through the real server.

For each engine — SQLite behind one `momentum-server` process, and PostgreSQL behind one
`momentum-server --workers 2` (two server processes sharing it) — over loopback HTTP:

1. 500 accounts, each signed in on two devices (set-up, not timed);
2. every device makes 50 changes: push one record with If-Match (on 412: pull, then push
   again), then pull. The two devices of a user run at the same time and write to the
   same keys, so they race and 412s happen. At most `--concurrency` users are active
   at once (a realistic load for 2 cores: the server has the cores, this client shares
   them);
3. lost updates: every acknowledged write is remembered with the revision it was given;
   at the end each account is pulled in full and every key must hold the value of its
   latest acknowledged write (must be 0);
4. a first full pull: an account with 10,000 records (~200-byte blobs), pulled from 0 by
   a newly signed-in device (pages of 1,000), three times.

Prints throughput, p50/p95 latency of pushes and pulls, the 412 rate and lost updates,
and writes bench/results/prefsync_server.json. The devices speak the protocol directly
(docs/sync-protocol.md); they encrypt nothing — the server cannot tell.

    .venv/bin/python bench/prefsync_server.py [--users 500] [--changes 50] [--engine both]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import RESULTS, percentiles, save  # noqa: E402

PASSWORD = "bench password 1"
SHARED_KEYS = 5
"""Keys both devices of a user write (they fight over these), besides one of each device's."""
SERVER_ENV = {
    # Set-up makes 1,500 password hashes; their cost is not what is measured here.
    "MOMENTUM_SERVER_MEMORY_KIB": "8192",
    "MOMENTUM_SERVER_TIME_COST": "1",
    "MOMENTUM_SERVER_CONCURRENCY": "2",
    # Every simulated device comes from 127.0.0.1.
    "MOMENTUM_SERVER_SIGN_IN_PER_MINUTE": "1000000",
    "MOMENTUM_SERVER_SIGN_IN_BURST": "100000",
    "MOMENTUM_SERVER_REGISTER_PER_HOUR": "1000000",
    "MOMENTUM_SERVER_REGISTER_BURST": "100000",
}


def record_name(user: int, key: str) -> str:
    digest = hashlib.sha256(f"{user}:{key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def record_blob(value: str, size: int = 0) -> str:
    raw = value.encode().ljust(size, b"\0")
    return base64.b64encode(raw).decode()


class Run:
    """Counters and samples of one engine's run."""

    def __init__(self) -> None:
        self.push_ms: list[float] = []
        self.pull_ms: list[float] = []
        self.pushes = 0
        self.conflicts = 0
        self.errors: list[str] = []
        self.transport_errors = 0
        """Requests that got no answer (and were sent again)."""
        # (user, name) -> (revision, value) of the latest acknowledged write
        self.acknowledged: dict[tuple[int, str], tuple[int, str]] = {}


async def sign_up(http: Any, users: int, concurrency: int) -> list[tuple[str, str]]:
    """Register `users` accounts and sign each in on two devices; their tokens."""
    gate = asyncio.Semaphore(concurrency)

    async def one(user: int) -> tuple[str, str]:
        async with gate:
            made = await http.post(
                "/accounts", json={"username": f"bench{user}", "password": PASSWORD}
            )
            made.raise_for_status()
            tokens = []
            for device in ("laptop", "desktop"):
                body = {"username": f"bench{user}", "password": PASSWORD, "device_name": device}
                signed = await http.post("/sessions", json=body)
                signed.raise_for_status()
                tokens.append(signed.json()["token"])
            return tokens[0], tokens[1]

    return list(await asyncio.gather(*(one(u) for u in range(users))))


async def pull(http: Any, token: str, since: int, run: Run | None) -> tuple[int, dict[str, Any]]:
    """Pull every page after `since`; the new cursor and {name: (blob, revision)}."""
    found: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        start = time.perf_counter()
        page = await send(http, run, "GET", "/records", params={"since": since}, headers=headers)
        if run is not None:
            run.pull_ms.append((time.perf_counter() - start) * 1000)
        page.raise_for_status()
        body = page.json()
        if body["reset"]:
            found.clear()
        for record in body["records"]:
            found[record["name"]] = (record["blob"], record["revision"])
        if not body["more"]:
            return body["revision"], found
        since = body["records"][-1]["revision"]


async def send(http: Any, run: Run | None, method: str, path: str, **kwargs: Any) -> Any:
    """One request, sent again (as a real client would) if it got no answer at all.

    Sending a push again is safe by the protocol: if the first one was stored, the
    second gets 412 and the device pulls its own write back.
    """
    import httpx

    for attempt in range(5):
        try:
            return await http.request(method, path, **kwargs)
        except httpx.TransportError:
            if run is not None:
                run.transport_errors += 1
            if attempt == 4:
                raise
            await asyncio.sleep(0.1 * 2**attempt)
    raise AssertionError("unreachable")


async def device(http: Any, user: int, index: int, token: str, changes: int, run: Run) -> None:
    """Make `changes` changes: push one record (retrying through 412s), then pull."""
    headers = {"Authorization": f"Bearer {token}"}
    cursor = 0
    for step in range(changes):
        key = f"shared{step % SHARED_KEYS}" if step % 2 == 0 else f"own{index}"
        name, value = record_name(user, key), f"u{user}d{index}s{step}"
        body = {"records": [{"name": name, "blob": record_blob(value)}]}
        while True:
            start = time.perf_counter()
            answer = await send(
                http,
                run,
                "POST",
                "/records",
                json=body,
                headers={**headers, "If-Match": str(cursor)},
            )
            run.push_ms.append((time.perf_counter() - start) * 1000)
            run.pushes += 1
            if answer.status_code == 200:
                break
            if answer.status_code != 412:
                run.errors.append(f"push {answer.status_code}: {answer.text[:200]}")
                return
            run.conflicts += 1
            cursor, _ = await pull(http, token, cursor, run)
        revision = answer.json()["revision"]
        previous = run.acknowledged.get((user, name), (0, ""))
        if revision > previous[0]:
            run.acknowledged[(user, name)] = (revision, value)
        cursor = revision
        cursor, _ = await pull(http, token, cursor, run)


async def lost_updates(http: Any, tokens: list[tuple[str, str]], run: Run) -> int:
    """Acknowledged writes whose latest value is not what the server holds now."""
    gate = asyncio.Semaphore(16)
    held: dict[int, dict[str, Any]] = {}

    async def fetch(user: int) -> None:
        async with gate:
            held[user] = (await pull(http, tokens[user][0], 0, None))[1]

    await asyncio.gather(*(fetch(u) for u in range(len(tokens))))
    lost = 0
    for (user, name), (revision, value) in run.acknowledged.items():
        stored = held[user].get(name)
        if stored is None or stored != (record_blob(value), revision):
            lost += 1
    return lost


async def full_pull(http: Any, records: int = 10_000, blob_bytes: int = 200) -> dict[str, Any]:
    """An account with `records` records; a new device's first pull from 0, three times."""
    await http.post("/accounts", json={"username": "bigpull", "password": PASSWORD})
    body = {"username": "bigpull", "password": PASSWORD, "device_name": "writer"}
    writer = (await http.post("/sessions", json=body)).json()["token"]
    revision = 0
    for start in range(0, records, 500):
        batch = [
            {"name": record_name(-1, f"k{i}"), "blob": record_blob(f"v{i}", blob_bytes)}
            for i in range(start, min(records, start + 500))
        ]
        answer = await http.post(
            "/records",
            json={"records": batch},
            headers={"Authorization": f"Bearer {writer}", "If-Match": str(revision)},
        )
        answer.raise_for_status()
        revision = answer.json()["revision"]
    timings, pages = [], 0
    for attempt in range(3):
        body = {**body, "device_name": f"new device {attempt}"}
        reader = (await http.post("/sessions", json=body)).json()["token"]
        start = time.perf_counter()
        since, found, pages = 0, 0, 0
        while True:
            page = await http.get(
                "/records", params={"since": since}, headers={"Authorization": f"Bearer {reader}"}
            )
            page.raise_for_status()
            data = page.json()
            pages += 1
            found += len(data["records"])
            if not data["more"]:
                break
            since = data["records"][-1]["revision"]
        timings.append(time.perf_counter() - start)
        assert found == records, found
    return {
        "records": records,
        "blob_bytes": blob_bytes,
        "pages": pages,
        "seconds": [round(t, 3) for t in timings],
        "median_seconds": round(sorted(timings)[1], 3),
    }


async def simulate(
    url: str, users: int, changes: int, concurrency: int, roots: list[int]
) -> dict[str, Any]:
    """The whole run against one server."""
    import httpx

    pool = concurrency * 2
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    async with httpx.AsyncClient(base_url=f"{url}/api/v1", limits=limits, timeout=120) as http:
        start = time.perf_counter()
        tokens = await sign_up(http, users, concurrency)
        setup_s = time.perf_counter() - start
        run = Run()
        gate = asyncio.Semaphore(concurrency)

        async def user(u: int) -> None:
            async with gate:  # both devices of the user at once: they race
                await asyncio.gather(
                    device(http, u, 0, tokens[u][0], changes, run),
                    device(http, u, 1, tokens[u][1], changes, run),
                )

        server_cpu, client_cpu = cpu_seconds(roots), time.process_time()
        start = time.perf_counter()
        await asyncio.gather(*(user(u) for u in range(users)))
        elapsed = time.perf_counter() - start
        server_cpu = cpu_seconds(roots) - server_cpu
        client_cpu = time.process_time() - client_cpu
        lost = await lost_updates(http, tokens, run)
        big = await full_pull(http)
    requests = len(run.push_ms) + len(run.pull_ms)
    return {
        "devices": users * 2,
        "changes_per_device": changes,
        "concurrent_devices": concurrency * 2,
        "setup_seconds": round(setup_s, 1),
        "seconds": round(elapsed, 2),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "changes_per_second": round(users * 2 * changes / elapsed, 1),
        "push": percentiles(run.push_ms),
        "pull": percentiles(run.pull_ms),
        "push_attempts": run.pushes,
        "conflicts_412": run.conflicts,
        "rate_412": round(run.conflicts / max(1, run.pushes), 4),
        "acknowledged_keys": len(run.acknowledged),
        "lost_updates": lost,
        "transport_errors": run.transport_errors,
        "errors": run.errors[:5],
        # CPU per request is what the load average cannot distort (the wall-clock figures
        # above depend on what else the machine was doing meanwhile).
        "server_cpu_seconds": round(server_cpu, 1),
        "client_cpu_seconds": round(client_cpu, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 2),
        "first_full_pull": big,
    }


def cpu_seconds(roots: list[int]) -> float:
    """CPU time (user + system) of these processes and all their descendants, so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            stats[int(entry.name)] = text.rsplit(")", 1)[1].split()
    children: dict[int, list[int]] = {}
    for pid, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(pid)
    total, todo, seen = 0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        fields = stats[pid]
        # utime, stime, and what exited children used (cutime, cstime)
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))
        todo += children.get(pid, [])
    return total / ticks


def bench_engine(engine: str, users: int, changes: int, concurrency: int) -> dict[str, Any]:
    """Start the engine and its server process(es), run, stop."""
    from tests.support.postgres import PostgresCluster
    from tests.support.server_process import server_process

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-server-")))
        if engine == "sqlite":
            url, workers = f"sqlite:///{root / 'server.db'}", 1
        else:
            cluster = PostgresCluster(durable=True).start()
            stack.callback(cluster.stop)
            url, workers = cluster.create_database("bench"), 2
        args = ["serve", "--database", url, "--workers", str(workers)]
        server = stack.enter_context(
            server_process(args, root / "server.log", {**os.environ, **SERVER_ENV})
        )
        roots = [server.process.pid] + ([cluster.postmaster_pid()] if engine != "sqlite" else [])
        figures = asyncio.run(simulate(server.url, users, changes, concurrency, roots))
        figures["server_processes"] = workers
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16, help="users active at once")
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    # A run of one engine keeps the other engine's last figures: each engine's entry
    # carries its own time and load, so the file always holds both engines' latest runs.
    results = previous_runs()
    results["cores"] = os.cpu_count()
    for engine in engines:
        print(f"{engine}: {args.users * 2} devices x {args.changes} changes…", flush=True)
        load_before = os.getloadavg()[0]
        figures = bench_engine(engine, args.users, args.changes, args.concurrency)
        figures["when"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        figures["load_average"] = round(load_before, 2)
        figures["load_average_after"] = round(os.getloadavg()[0], 2)
        results[engine] = figures
        print(
            f"  {figures['seconds']} s, {figures['requests_per_second']} requests/s, "
            f"{figures['changes_per_second']} changes/s; push p50/p95 "
            f"{figures['push']['p50_ms']}/{figures['push']['p95_ms']} ms, pull p50/p95 "
            f"{figures['pull']['p50_ms']}/{figures['pull']['p95_ms']} ms; 412 rate "
            f"{figures['rate_412']:.1%}; lost updates {figures['lost_updates']}; "
            f"first pull of 10,000 records {figures['first_full_pull']['median_seconds']} s "
            f"in {figures['first_full_pull']['pages']} pages",
            flush=True,
        )
        if figures["errors"]:
            print("  errors:", figures["errors"])
    print("wrote", save("prefsync_server", results))


def previous_runs() -> dict[str, Any]:
    """The engines' entries of the last results file, so one engine's run keeps the other's."""
    try:
        previous = json.loads((RESULTS / "prefsync_server.json").read_text())
    except (OSError, ValueError):
        return {}
    return {
        engine: previous[engine]
        for engine in ("sqlite", "postgres")
        if isinstance(previous.get(engine), dict) and "devices" in previous[engine]
    }


if __name__ == "__main__":
    main()
