"""The command line's last line of defence, in real processes: every failure is a sentence.

A damaged cache offered to be moved aside (both answers), an SQLite error, Ctrl-C (130),
a reader that leaves the pipe (`momentum feed | head -1`: 0), and a bug (one sentence;
the traceback only with --debug).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from momentum_tui import locations
from momentum_tui.storage import Store
from tests.conftest import REPO
from tests.data_support import copy_cache
from tests.emulators.youtube import follow_world
from tests.terminal import Terminal, home_env

pytest_plugins = ("tests.emulators.youtube_fixtures",)

GARBAGE = b"this was a cache once " * 500


def momentum(*args: str, home: Path, **options: object) -> subprocess.Popen[bytes]:
    """`momentum ARGS` in a real process on `home`."""
    env = {**os.environ, **home_env(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "momentum_tui", *args],
        cwd=REPO,
        env=env,
        **options,  # type: ignore[call-overload]
    )


def test_a_damaged_cache_is_kept_when_the_answer_is_no(isolated_home: Path) -> None:
    cache = locations.cache_db()
    locations.ensure_dir(cache.parent)
    cache.write_bytes(GARBAGE)
    term = Terminal(env=home_env(isolated_home))
    shown = term.expect("start with a fresh cache? [y/N]")
    assert "is not a SQLite database" in shown
    term.send("n\r")
    assert term.wait() == 1
    assert cache.read_bytes() == GARBAGE
    assert not list(cache.parent.glob("*.corrupt-*"))


def test_a_damaged_cache_is_moved_aside_when_the_answer_is_yes(isolated_home: Path) -> None:
    cache = locations.cache_db()
    locations.ensure_dir(cache.parent)
    cache.write_bytes(GARBAGE)
    term = Terminal(env=home_env(isolated_home))
    term.expect("start with a fresh cache? [y/N]")
    term.send("y\r")
    term.expect("Moved it to")
    term.expect("palette")  # the app is up (its footer is drawn), on a fresh cache
    term.send("q")
    assert term.wait() == 0
    [moved] = cache.parent.glob("momentum.db.corrupt-*")
    assert moved.read_bytes() == GARBAGE
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_sqlite_error_is_one_sentence(run_cli, demo_template: Path) -> None:
    cache = copy_cache(demo_template, locations.cache_db())
    Store.open(cache).close()
    with closing(sqlite3.connect(cache)) as conn:
        conn.execute("DROP TABLE video_labels")  # a schema damaged by hand
        conn.commit()
    result = run_cli("feed", "--limit", "3")
    assert result.code == 1
    assert result.err.splitlines() == [
        "momentum: the cache could not be read or written (no such table: video_labels).",
        "  Run `momentum doctor` to check it; nothing was deleted.",
    ]


def test_ctrl_c_exits_130(demo_template: Path, isolated_home: Path) -> None:
    copy_cache(demo_template, locations.cache_db())
    process = momentum("export-data", home=isolated_home,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(1024)  # it is writing (and soon waits for the pipe)
    process.send_signal(signal.SIGINT)
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 130
    assert err.strip().splitlines()[-1] == "Interrupted."
    assert "Traceback" not in err


def test_ctrl_c_during_a_sync_cancels_it_and_exits_130(youtube, isolated_home: Path) -> None:
    with Store.open(locations.cache_db()) as store:
        follow_world(store, youtube.world)
    youtube.latency = 0.3
    process = momentum("sync", home=isolated_home, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not youtube.units and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    assert process.stderr is not None
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 130, err
    assert "Cancelling" in err and "The sync was cancelled." in err
    assert "Traceback" not in err
    with closing(sqlite3.connect(locations.cache_db())) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_reader_leaving_the_pipe_is_not_an_error(
    demo_template: Path, isolated_home: Path
) -> None:
    copy_cache(demo_template, locations.cache_db())
    # 3,000 rows are far more than a pipe holds: the writer really meets the closed pipe.
    script = (
        f"{sys.executable} -m momentum_tui feed --limit 3000 | head -1; "
        'echo "exit=${PIPESTATUS[0]}" >&2'
    )
    env = {**os.environ, **home_env(isolated_home)}
    done = subprocess.run(
        ["bash", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr.strip() == "exit=0"  # nothing else on standard error either


def test_an_unexpected_error_is_one_sentence_and_a_traceback_only_with_debug(
    run_cli, demo_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from momentum_tui.storage import feed as queries

    copy_cache(demo_template, locations.cache_db())

    def broken(*_: object, **__: object) -> None:
        raise ValueError("a bug that slipped through")

    monkeypatch.setattr(queries, "feed_page", broken)
    result = run_cli("feed")
    assert result.code == 1
    assert result.err.splitlines() == [
        "momentum: unexpected error: ValueError: a bug that slipped through",
        "  Re-run with --debug for the details, and please report it.",
    ]
    with pytest.raises(ValueError, match="slipped through"):
        run_cli("--debug", "feed")
