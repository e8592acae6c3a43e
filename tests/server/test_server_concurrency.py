"""Devices racing each other through two servers on one database lose nothing.

Two server instances (each with its own connection pool, as two processes would have)
share one database; six devices of one account push as fast as they can, each retrying
on 412 after pulling. Every acknowledged push must be in the database with the
revisions it was promised, and revisions must be unique and gap-free.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tests.server.helpers import name, pull_all, push
from tests.support.backend import Backend, start_backend

DEVICES = 6
PUSHES = 8


def race(servers: list[Backend], tokens: list[str]) -> tuple[list[tuple[int, str, str]], int]:
    """Every device pushes PUSHES times; the acknowledged (revision, key, value), and 412s."""
    acknowledged: list[tuple[int, str, str]] = []
    conflicts = [0]
    lock = threading.Lock()
    start = threading.Barrier(len(tokens))

    def device(index: int) -> None:
        server = servers[index % len(servers)]
        with server.client(tokens[index]) as http:
            cursor = 0
            start.wait()
            for step in range(PUSHES):
                # Two keys: one shared by every device (they fight over it), one its own.
                values = {"shared": f"d{index}s{step}", f"own{index}": f"d{index}s{step}"}
                while True:
                    answer = push(http, cursor, values)
                    if answer.status_code == 200:
                        break
                    assert answer.status_code == 412, answer.text
                    with lock:
                        conflicts[0] += 1
                    cursor = pull_all(http, since=cursor)["revision"]
                with lock:
                    for offset, (key, value) in enumerate(values.items(), start=1):
                        acknowledged.append((cursor + offset, key, value))
                cursor = answer.json()["revision"]

    threads = [threading.Thread(target=device, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    return acknowledged, conflicts[0]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_racing_devices_on_two_servers_lose_no_acknowledged_push(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'server.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    with (
        start_backend(url, tmp_path / "a.log", kind=kind) as first,
        start_backend(url, tmp_path / "b.log", kind=kind) as second,
    ):
        tokens = [first.new_account("racer", "device0")]
        tokens += [second.sign_in("racer", f"device{i}") for i in range(1, DEVICES)]
        acknowledged, conflicts = race([first, second], tokens)
        with first.client(tokens[0]) as http:
            final = pull_all(http)
            exported = http.get("/export").json()

    revisions = sorted(revision for revision, _key, _value in acknowledged)
    assert revisions == list(range(1, DEVICES * PUSHES * 2 + 1))  # unique, no gaps
    assert final["revision"] == revisions[-1]
    latest: dict[str, tuple[int, str]] = {}
    for revision, key, value in acknowledged:
        if revision > latest.get(key, (0, ""))[0]:
            latest[key] = (revision, value)
    expected: dict[str, Any] = {name(key): (value, rev) for key, (rev, value) in latest.items()}
    assert final["records"] == expected
    assert len(exported["records"]) == DEVICES + 1
    assert conflicts > 0  # they did race
