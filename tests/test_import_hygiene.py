"""Commands import what they use when they use it (checked in fresh `momentum` processes).

Each case runs the installed console script the way a person does. The command-line
cases list every module the process imported (`PYTHONPROFILEIMPORTTIME`); the app case
runs the real app under `bench/first_screen.py`'s driver, which reports the modules
imported by the time the first populated feed is drawn. Import hygiene, not timing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

MOMENTUM = Path(sys.executable).with_name("momentum")

CLAUDE_AND_GOOGLE = {"anthropic", "googleapiclient", "google_auth_oauthlib", "httplib2"}
READING_ONLY = {"pydantic"}
"""What validates YouTube's and Claude's answers: reading the cache never needs it."""
SCRIPT_SIZED_EXTRAS = {"numpy", "sqlite_utils", "textual", "keyring", "httpx", "httpx2"}
HEAVY = CLAUDE_AND_GOOGLE | READING_ONLY | SCRIPT_SIZED_EXTRAS
"""What no script-sized command (`feed`, `mark`) needs."""
NOT_FOR_VERSION = HEAVY | {"rich"}
"""`--version` and `--help` need click and nothing else of weight."""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOMENTUM_", "TEXTUAL"))}
    env.update(MOMENTUM_HOME=str(home), PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    return env


def imported_by(home: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Run `momentum ARGS…`; the top-level packages it imported, and the finished process."""
    env = _env(home) | {"PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(
        [str(MOMENTUM), *args], capture_output=True, text=True, env=env, timeout=120
    )
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert {"click", "momentum_tui"} <= names, done.stderr[-2000:]  # the listing was read
    return names, done


def a_video_id(cache: Path) -> str:
    with sqlite3.connect(cache) as conn:
        return str(conn.execute("SELECT id FROM videos ORDER BY rowid LIMIT 1").fetchone()[0])


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_import_only_click(isolated_home: Path, args: tuple[str, ...]) -> None:
    names, done = imported_by(isolated_home, *args)
    assert done.returncode == 0
    assert names & NOT_FOR_VERSION == set()


def test_feed_json_imports_no_sdk_numpy_or_sqlite_utils(own_cache: Path) -> None:
    names, done = imported_by(own_cache.parent.parent, "feed", "--json", "--limit", "50")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(json.loads(done.stdout)["videos"]) == 50
    assert names & HEAVY == set()


def test_mark_imports_no_sdk_numpy_or_sqlite_utils(own_cache: Path) -> None:
    video_id = a_video_id(own_cache)
    names, done = imported_by(own_cache.parent.parent, "mark", video_id, "watched")
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(own_cache) as conn:
        marked = conn.execute("SELECT watched_at FROM video_state WHERE video_id = ?", (video_id,))
        assert marked.fetchone()[0] is not None
    assert names & HEAVY == set()


def test_rules_and_costs_do_not_import_the_claude_sdk(own_cache: Path) -> None:
    for args in (("costs",), ("rules", "list"), ("classify", "--local")):
        names, done = imported_by(own_cache.parent.parent, *args)
        assert done.returncode == 0, done.stderr[-2000:]
        assert names & CLAUDE_AND_GOOGLE == set(), args


def test_the_apps_first_screen_imports_no_sdk_numpy_or_sqlite_utils(own_cache: Path) -> None:
    from bench.launch_probe import first_titles, momentum_env, time_first_screen
    from momentum_tui.recommend.memory import SavedOrder, save_order
    from momentum_tui.storage import Store

    # A usual launch: For you opens on the order the last session remembered.
    with Store.open(own_cache) as store, store.read() as conn:
        rowids = [r[0] for r in conn.execute("SELECT rowid FROM videos ORDER BY rowid LIMIT 60")]
        save_order(store, SavedOrder(rowids, {}))
    env = momentum_env(own_cache, own_cache.parent.parent) | {"PYTHONDONTWRITEBYTECODE": "1"}
    launch = time_first_screen([str(MOMENTUM)], first_titles(own_cache), env, timeout=120)
    names = {module.split(".")[0] for module in launch.modules}
    assert {"textual", "momentum_tui"} <= names  # the report came from the running app
    heavy = CLAUDE_AND_GOOGLE | READING_ONLY | {"numpy", "sqlite_utils", "httpx", "httpx2"}
    assert names & heavy == set()
    assert "tomllib" not in names  # no config file here: nothing is parsed as TOML
    # What the first frame doesn't show is built when first shown: the sync line's bar.
    assert "textual.widgets._progress_bar" not in launch.modules
    # It quit at once, with the fresh ranking still under way: nothing said on the way out
    # (the ranker's read connection, closed with the cache, used to raise at exit).
    assert launch.errors == ""
