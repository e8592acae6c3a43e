"""The garbage collector is paused for start-up and always comes back on.

`momentum_tui.startup_gc` says why: the `momentum` console script turns the cyclic
collector off before importing anything; a command turns it back on once its module is
imported, the app once its launch has settled (or after a grace period, or at exit).
"""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import ComposeResult
from textual.widgets import Static

from momentum_tui import startup_gc
from momentum_tui.app_memory import MemoryApp
from tests.test_import_hygiene import MOMENTUM, _env


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Leave the test process's collector as it was, whatever a test did to it."""
    was_on = gc.isenabled()
    yield
    startup_gc.resume()
    if was_on:
        gc.enable()


def _python(code: str, home: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(home), timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_the_console_script_pauses_the_collector_and_a_command_resumes_it(
    isolated_home: Path,
) -> None:
    code = (
        "import gc, momentum_tui.entry\n"
        "print(gc.isenabled())\n"
        "from momentum_tui.cli import COMMANDS\n"
        "COMMANDS['demo'].load(); print(gc.isenabled())\n"  # the app resumes it itself
        "COMMANDS['feed'].load(); print(gc.isenabled())\n"
    )
    assert _python(code, isolated_home).split() == ["False", "False", "True"]


def test_importing_momentum_as_a_library_leaves_the_collector_alone(isolated_home: Path) -> None:
    code = (
        "import gc, momentum_tui.cli, momentum_tui.app\n"
        "from momentum_tui.cli import COMMANDS\n"
        "gc.disable(); COMMANDS['feed'].load(); print(gc.isenabled())\n"  # not ours to turn on
    )
    assert _python(code, isolated_home) == "False"


def test_the_console_script_starts_at_the_entry_module() -> None:
    script = MOMENTUM.read_text()
    assert "from momentum_tui.entry import main" in script, (
        f"{MOMENTUM} predates momentum_tui/entry.py: reinstall (pip install -e .)"
    )


def test_the_real_app_starts_with_it_paused_and_settles_with_it_on(own_cache: Path) -> None:
    from bench.launch_probe import first_titles, momentum_env, time_first_screen

    env = momentum_env(own_cache, own_cache.parent.parent) | {"PYTHONDONTWRITEBYTECODE": "1"}
    launch = time_first_screen([str(MOMENTUM)], first_titles(own_cache), env, settle=True)
    assert launch.gc_enabled is False  # the first populated frame came with it paused
    assert launch.settled_gc_enabled is True
    assert launch.errors == ""


class _NeverSettles(MemoryApp):
    """An app whose launch never settles (no feed screen posts `FeedSettled`)."""

    def compose(self) -> ComposeResult:
        yield Static("nothing to settle")


async def test_an_app_that_never_settles_resumes_it_after_the_grace_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(startup_gc, "APP_GRACE_SECONDS", 0.2)
    startup_gc.pause()
    app = _NeverSettles()
    async with app.run_test() as pilot:
        assert not gc.isenabled()
        for _ in range(200):  # the grace timer, not the test, turns it on
            if gc.isenabled():
                break
            await pilot.pause(0.05)
        assert gc.isenabled()
        assert not startup_gc.paused()


async def test_quitting_before_the_launch_settles_resumes_it() -> None:
    startup_gc.pause()
    app = _NeverSettles()
    async with app.run_test():
        assert not gc.isenabled()
    assert gc.isenabled()
