"""Shared fixtures: every test gets its own MOMENTUM_HOME, a test keyring and no real keys."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from momentum_tui.storage import Store
from tests.support.keyring_backend import TestKeyring

# The real backend (fixtures `backend`, `backend_sqlite`, `backend_postgres`) for any test.
pytest_plugins = ["tests.support.backend"]

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point Momentum at a fresh directory; drop real keys and overrides from the environment."""
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith("MOMENTUM_") or name == "ANTHROPIC_API_KEY":
            monkeypatch.delenv(name)
    monkeypatch.setenv("MOMENTUM_HOME", str(home))
    # The terminal the tests run in never chooses how thumbnails are drawn (half-blocks).
    for name in ("KITTY_WINDOW_ID", "TERM_PROGRAM", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.keyring_backend.TestKeyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(TestKeyring())
    yield home
    keyring.set_keyring(previous)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty cache."""
    with Store.open(tmp_path / "cache.db") as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo profile built once per test session (copy it with `demo_store`)."""
    from momentum_tui.demo.build import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store.open(path) as built:
        build_demo(built, now=DEMO_NOW)
    return path


@pytest.fixture
def own_cache(demo_template: Path, isolated_home: Path) -> Path:
    """The demo videos as the person's own cache (under this test's MOMENTUM_HOME)."""
    target = isolated_home / "data" / "momentum.db"
    target.parent.mkdir(parents=True)
    shutil.copyfile(demo_template, target)
    return target


DEMO_NOW = 1_795_000_000
"""A fixed "now" for the demo profile in tests (2026-11-18), so ages and snapshots are stable."""


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the demo profile (copied with SQLite's online backup API)."""
    target = tmp_path / "demo.db"
    source = sqlite3.connect(demo_template)
    destination = sqlite3.connect(target)
    source.backup(destination)
    source.close()
    destination.close()
    with Store.open(target) as opened:
        yield opened


@dataclass
class CliResult:
    """What a `momentum …` invocation printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `momentum ARGS…` in-process; returns exit code, stdout and stderr."""
    from momentum_tui.cli import main

    def run(*args: str, stdin: str | None = None) -> CliResult:
        capsys.readouterr()
        old_stdin = sys.stdin
        if stdin is not None:
            import io

            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        finally:
            sys.stdin = old_stdin
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
