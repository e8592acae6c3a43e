"""Core layers never import Textual, and scripts don't pay for it either."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

CORE = [
    "momentum_tui.youtube",
    "momentum_tui.ai",
    "momentum_tui.recommend",
    "momentum_tui.storage",
    "momentum_tui.rules",
    "momentum_tui.prefsync",
    "momentum_tui.owndata",
    "momentum_tui.models",
    "momentum_tui.records",
    "momentum_tui.config",
    "momentum_tui.config_sections",
    "momentum_tui.setting",
    "momentum_tui.sanitize",
    "momentum_tui.secrets",
    "momentum_tui.demo.build",
]


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    return set(done.stdout.split())


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module: str) -> None:
    import pkgutil

    package = __import__(module, fromlist=["_"])
    names = [module]
    if hasattr(package, "__path__"):
        names += [f"{module}.{m.name}" for m in pkgutil.walk_packages(package.__path__)]
    modules = imported_after("\n".join(f"import {name}" for name in names))
    assert not any(m == "textual" or m.startswith("textual.") for m in modules), names


def test_scripts_do_not_load_textual() -> None:
    modules = imported_after(
        "import sys\nfrom momentum_tui.cli import cli\n"
        "cli.main(['--version'], standalone_mode=False)"
    )
    assert "textual" not in modules


def test_reading_rules_loads_neither_claude_nor_numpy() -> None:
    """Only parsing a sentence talks to Claude, and only the ranker needs NumPy."""
    modules = imported_after(
        "import momentum_tui.rules.claude, momentum_tui.rules.spec, momentum_tui.rules.sql, "
        "momentum_tui.rules.store, momentum_tui.storage.feed"
    )
    assert not {m.split(".")[0] for m in modules} & {"anthropic", "numpy"}


SQL_HOMES = {
    "momentum_tui/ai/queries.py",
    "momentum_tui/recommend/queries.py",
    "momentum_tui/rules/store.py",
    "momentum_tui/demo/queries.py",
    "momentum_tui/notify/queries.py",
    "momentum_tui/youtube/queries.py",
    "momentum_tui/prefsync/queries.py",
    "momentum_tui/prefsync/watch_queries.py",
}
"""Outside `storage/`, the only modules that talk SQL."""


def test_every_sql_statement_of_a_package_is_in_its_queries_module() -> None:
    import re

    # (`.execute(num_retries=0)` is the Google client sending an HTTP request, not SQL.)
    calls = re.compile(r"\.(execute|executemany|executescript)\((?!num_retries)")
    strays = []
    for path in sorted((REPO / "momentum_tui").rglob("*.py")):
        name = path.relative_to(REPO).as_posix()
        if name.startswith("momentum_tui/storage/") or name in SQL_HOMES:
            continue
        if calls.search(path.read_text(encoding="utf-8")):
            strays.append(name)
    assert strays == []
