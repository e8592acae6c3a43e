"""`momentum --help` lists every command without importing them, and says what they say."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from momentum_tui.cli import COMMANDS, cli
from momentum_tui.commands.lazy import LazyCommand, LazyGroup


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registered_summary_is_what_the_command_says(name: str) -> None:
    entry = COMMANDS[name]
    command = entry.load()
    assert command.name == name
    assert command.hidden == entry.hidden
    stand_in = entry.stand_in(name)
    # The same words at every width `--help` may be given (click shortens to fit).
    for limit in (30, 45, 70, 1000):
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


def _commands_section(group: click.Group) -> str:
    text = CliRunner().invoke(group, ["--help"], terminal_width=100).output
    return text.split("Commands:", 1)[1]


def test_help_lists_the_same_commands_as_the_imported_ones() -> None:
    lazy = LazyGroup("momentum", registry=COMMANDS)
    eager = click.Group("momentum", commands={name: e.load() for name, e in COMMANDS.items()})
    assert _commands_section(lazy) == _commands_section(eager)
    assert "feed" in _commands_section(lazy)


def test_help_imports_no_command_and_running_one_imports_only_it() -> None:
    loads: list[str] = []

    class Counting(LazyCommand):
        def load(self) -> click.Command:
            loads.append(self.target)
            return super().load()

    registry = {name: Counting(e.target, e.summary, e.hidden) for name, e in COMMANDS.items()}
    group = LazyGroup("momentum", registry=registry)
    CliRunner().invoke(group, ["--help"])
    assert loads == []
    CliRunner().invoke(group, ["keys", "--help"])
    assert loads == [COMMANDS["keys"].target]


def test_commands_mapping_behaves_like_a_dict() -> None:
    assert list(cli.commands) == list(COMMANDS)
    assert "feed" in cli.commands and "nope" not in cli.commands
    assert cli.commands["feed"].name == "feed"
    assert len(cli.commands) == len(COMMANDS)


def test_an_unknown_command_is_still_a_usage_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("feeed")
    assert result.code == 2
    assert "No such command 'feeed'" in result.err
