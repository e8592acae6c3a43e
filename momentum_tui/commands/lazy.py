"""Subcommands imported only when they run, so `momentum --version` starts at once.

Every command module pulls in what its command needs (the Claude SDK, the Google
client, NumPy, pydantic…); importing them all to parse one command line cost over a
second. `LazyGroup` knows each command by name, where it lives and its one-line
summary, imports the module when the command is looked up to run, and lists every
command with its summary in `--help` without importing any of them. A test keeps each
summary equal to what its command would say about itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import click

from momentum_tui import startup_gc


@dataclass(frozen=True)
class LazyCommand:
    """Where a subcommand lives (`package.module:attribute`) and what `--help` says of it."""

    target: str
    summary: str
    hidden: bool = False
    opens_app: bool = False
    """The app resumes the garbage collector itself, once its launch is over."""

    def load(self) -> click.Command:
        """Import the command's module and return the command.

        Start-up is over once it is imported: the collector the console script paused is
        turned back on (`momentum_tui.startup_gc`), unless the command opens the app.
        """
        module_name, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not self.opens_app:
            startup_gc.resume()
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command

    def stand_in(self, name: str) -> click.Command:
        """An unimported command's face in `--help`: its name, summary and visibility."""
        return click.Command(name, help=self.summary, hidden=self.hidden)


class LazyCommands(MutableMapping[str, click.Command]):
    """`click.Group.commands` that imports a registered command on first access.

    Iterating it yields every name without importing anything; reading a value (what
    `Group.get_command` does before running a command) imports just that command.
    Commands added the usual way (`add_command`) are kept as given.
    """

    def __init__(self, registry: Mapping[str, LazyCommand]) -> None:
        self._registry = dict(registry)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            self._loaded[name] = self._registry[name].load()
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        found = self._registry.pop(name, None) is not None
        found = self._loaded.pop(name, None) is not None or found
        if not found:
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        yield from self._registry
        yield from (name for name in self._loaded if name not in self._registry)

    def __len__(self) -> int:
        return len(self._registry.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._registry or name in self._loaded

    def for_help(self, name: str) -> click.Command | None:
        """The command as `--help` should list it, importing nothing that isn't loaded yet."""
        if name in self._loaded:
            return self._loaded[name]
        entry = self._registry.get(name)
        return entry.stand_in(name) if entry else None


class LazyGroup(click.Group):
    """A `click.Group` whose subcommands come from a registry of `LazyCommand`s."""

    def __init__(self, *args: Any, registry: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: LazyCommands = LazyCommands(registry)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every visible command with its summary, without importing the commands."""
        shown: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.for_help(name)
            if command is not None and not command.hidden:
                shown.append((name, command))
        if not shown:
            return
        # The same room click gives summaries: the width less the names and spacing.
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        with formatter.section("Commands"):
            formatter.write_dl(
                [(name, command.get_short_help_str(limit)) for name, command in shown]
            )
