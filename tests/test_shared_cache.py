"""A cache held by several processes stays whole when one of them quits.

SQLite's locks on the cache are POSIX locks, held per process: closing *any* descriptor
of the file in a process drops every lock that process holds on it, its SQLite
connections' included. A process whose locks were dropped that way looks gone to the
others, and the last `momentum` to quit then deletes the `-wal` and `-shm` the process
still uses; its next connection read a stale index against an empty log and reported the
healthy cache as damaged (`disk I/O error`). Opening a second `Store` in a process that
already held one did exactly that (a plain read of the file's header).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from momentum_tui.errors import CacheUnavailableError
from momentum_tui.storage import Store

MOMENTUM = Path(sys.executable).with_name("momentum")

_READ_NOTE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(conn.execute("SELECT value FROM preferences WHERE key = 'note'").fetchone()[0])
"""
_WRITE_PREF = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("INSERT OR REPLACE INTO preferences VALUES (?, 'x', 0)", (sys.argv[2],))
conn.commit()
conn.close()
"""


def run_the_app_until_it_quits(cache: Path, titles: list[str]) -> None:
    """The real `momentum` on `cache`: up to its first feed, then it quits by itself."""
    from bench.launch_probe import momentum_env, time_first_screen

    env = momentum_env(cache, cache.parent.parent, "subscriptions")
    launch = time_first_screen([str(MOMENTUM)], titles, env, timeout=120)
    assert launch.errors == ""  # it showed the feed and said nothing on its way out


def test_an_app_quitting_leaves_the_cache_whole_for_a_process_still_holding_it(
    own_cache: Path,
) -> None:
    from bench.launch_probe import first_titles

    titles = first_titles(own_cache, "subscriptions")
    # A script holding the cache (a benchmark, `momentum sync` in cron…) opens it a
    # second time and closes that: it still holds the first one.
    holder = Store.open(own_cache)
    try:
        with Store.open(own_cache) as second:
            assert second.get_pref("note") is None
        run_the_app_until_it_quits(own_cache, titles)
        holder.set_pref("note", "written after the app quit")
        run_the_app_until_it_quits(own_cache, titles)  # a second app opens the cache fine
        with Store.open(own_cache) as again:  # and so does this process, and sees the write
            assert again.get_pref("note") == "written after the app quit"
            assert again.integrity_check() == ["ok"]
    finally:
        holder.close()
    reader = [sys.executable, "-c", _READ_NOTE, str(own_cache)]
    seen = subprocess.run(reader, capture_output=True, text=True, check=True)
    assert seen.stdout.strip() == "written after the app quit"


def _another_process_writes(cache: Path, key: str) -> None:
    """A separate process commits one value and closes (the last one out tidies the log)."""
    subprocess.run([sys.executable, "-c", _WRITE_PREF, str(cache), key], check=True)


def unreadable_from_here(cache: Path) -> sqlite3.Connection:
    """Make the healthy `cache` unreadable for this process only, as the benchmark did.

    A connection is held while the file is read through a descriptor of its own and that
    is closed (what `Store.open` did; here code outside Momentum's storage layer), which
    drops this process's locks; then other processes write and quit, and this one writes
    in between. Returns the held connection (closing it ends the condition).
    """
    held = sqlite3.connect(cache)
    held.execute("SELECT count(*) FROM videos").fetchone()
    with cache.open("rb") as handle:  # not Momentum's: any library reading the file
        handle.read(16)
    _another_process_writes(cache, "first")
    # Big enough to grow the file, so the header page (read first by any opening) changes.
    held.execute("INSERT INTO preferences VALUES ('big', ?, 0)", ("b" * 99_999,))
    held.commit()
    _another_process_writes(cache, "second")
    return held


def test_a_cache_unreadable_right_now_is_not_called_damaged_nor_moved_aside(
    own_cache: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    backup = own_cache.parent / "kept.db.zst"
    assert run_cli("backup", str(backup)).code == 0
    held = unreadable_from_here(own_cache)
    try:
        with pytest.raises(CacheUnavailableError) as raised:
            Store.open(own_cache)
        assert raised.value.title == (
            f"The cache {own_cache} can't be read right now (disk I/O error); nothing was changed."
        )
        assert "not damaged" in raised.value.hint
        feed = run_cli("feed")
        assert feed.code == 1
        assert raised.value.title in feed.err and "not damaged" in feed.err
        assert "move-aside" not in feed.err
        doctor = run_cli("doctor", "--move-aside")
        assert doctor.code == 1
        assert "can't be read right now (disk I/O error); nothing was changed" in doctor.out
        assert "--move-aside` leaves it where it is" in doctor.out and "Moved" not in doctor.out
        restored = run_cli("restore", str(backup), "--yes")  # never swapped out either
        assert restored.code == 1
        assert "(disk I/O error); your cache is as it was." in restored.err
        assert own_cache.exists() and not list(own_cache.parent.glob("momentum.db.*"))
        # Meanwhile a fresh process finds it healthy: it was never damaged.
        env = os.environ | {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        fresh = subprocess.run(
            [str(MOMENTUM), "doctor", "--json"], capture_output=True, text=True, env=env
        )
        assert fresh.returncode == 0, fresh.stderr
        report = json.loads(fresh.stdout)["cache"]
        assert (report["status"], report["integrity"]) == ("ok", ["ok"])
    finally:
        held.close()
