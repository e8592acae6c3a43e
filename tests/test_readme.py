"""The README stays true: its quick start, its keys and its commands match the code."""

from __future__ import annotations

import re

from momentum_tui.bindings import ALL_KEYS
from momentum_tui.cli import cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
KEYS_DOC = (REPO / "docs" / "keys.md").read_text(encoding="utf-8")
"""Every other screen's keys (the README links to it from its Keys section)."""


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_exactly_two_commands_demo_then_tests() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].endswith("momentum demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_exactly() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == quick_start_commands()[1]
    assert "set -euo pipefail" in ci


def test_every_binding_id_is_documented() -> None:
    """Each id is in the README's keys table or in docs/keys.md, which it links to."""
    assert "docs/keys.md" in README.split("## Keys", 1)[1].split("\n## ", 1)[0]
    missing = [key.id for key in ALL_KEYS if f"`{key.id}`" not in README + KEYS_DOC]
    assert missing == []


def test_every_command_is_documented() -> None:
    missing = [
        name
        for name, command in cli.commands.items()
        if not command.hidden and f"momentum {name}" not in README
    ]
    assert missing == []
