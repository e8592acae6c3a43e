"""What every subcommand shares: the context (settings, cache), JSON and table output."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from momentum_tui import locations
from momentum_tui.cells import count_spacing_marks
from momentum_tui.storage import Store

if TYPE_CHECKING:
    from momentum_tui.config import Settings

P = ParamSpec("P")
R = TypeVar("R")


_VIDEO_ID_LIKE = re.compile(r"^-[0-9A-Za-z_-]{10}$")
"""A token shaped like a YouTube video id that starts with `-` (one in 64 does)."""


class VideoIdCommand(click.Command):
    """A command whose VIDEO_ID argument may start with `-` (`mark -IwITvJlWbo watched`).

    Click would read such an id as a cluster of short options. Before parsing, any
    11-character token shaped like a video id that is not one of the command's own
    options is moved behind a `--`, keeping the order of the arguments.
    """

    ID_LIKE = _VIDEO_ID_LIKE
    """What an id that may start with `-` looks like."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Let ids that start with `-` through as arguments."""
        if not any(self.ID_LIKE.match(a) for a in args):
            return super().parse_args(ctx, args)
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not (param.is_flag or param.count)
        options: list[str] = []
        arguments: list[str] = []
        tokens = iter(args)
        for token in tokens:
            if token == "--":
                arguments.extend(tokens)
                break
            name = token.split("=", 1)[0]
            if token.startswith("-") and name in takes_value:
                options.append(token)
                value = next(tokens, None) if takes_value[name] and "=" not in token else None
                if value is not None:
                    options.append(value)
            elif token.startswith("-") and not self.ID_LIKE.match(token):
                options.append(token)  # an unknown option: click says so as usual
            else:
                arguments.append(token)
        return super().parse_args(ctx, [*options, "--", *arguments])


class DeviceIdCommand(VideoIdCommand):
    """The same for a sync server's device id (22 URL-safe characters; one in 64 starts
    with `-`: `momentum devices revoke -ls1aewFeCk0xpl31iafGg`)."""

    ID_LIKE = re.compile(r"^-[0-9A-Za-z_-]{21}$")


@dataclass
class Context:
    """State shared by the subcommands of one `momentum` invocation."""

    debug: bool = False
    demo: bool = False
    _settings: Settings | None = None
    _stores: list[Store] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        """Settings, read once (raises `ConfigError` with a clear sentence when malformed)."""
        if self._settings is None:
            # Imported here: commands that never read a setting don't pay for pydantic.
            from momentum_tui.config import load_settings

            self._settings = load_settings()
        return self._settings

    def cache_path(self) -> Path:
        """The cache this invocation works on (the demo profile's with `--demo`)."""
        return locations.demo_db() if self.demo else locations.cache_db()

    def open_store(self) -> Store:
        """Open the cache (creating and upgrading it); closed when the command ends."""
        if self.demo:
            from momentum_tui.demo.build import open_demo

            store = open_demo(notify=lambda note: click.echo(note, err=True))
        else:
            store = Store.open(self.cache_path(), backups=self.settings.backup.keep)
        self._stores.append(store)
        return store

    def close(self) -> None:
        """Close every store this invocation opened."""
        for store in self._stores:
            store.close()
        self._stores.clear()


pass_context = click.make_pass_decorator(Context, ensure=True)


def emit_json(data: Any) -> None:
    """Print `data` as JSON (UTF-8, stable key order as built) on standard output."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def note(message: str) -> None:
    """A progress line or remark on standard error (so `--json` on standard output stays clean)."""
    click.echo(message, err=True)


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a plain, aligned text table (cell widths respect wide characters)."""
    from rich.cells import cell_len

    count_spacing_marks()

    def fit(text: str, width: int) -> str:
        if cell_len(text) <= width:
            return text + " " * (width - cell_len(text))
        out, used = "", 0
        for ch in text:
            w = cell_len(ch)
            if used + w > width - 1:
                break
            out, used = out + ch, used + w
        return out + "…" + " " * (width - used - 1)

    text_rows = [[str(cell) for cell in row] for row in rows]
    widths = [
        min(max([cell_len(h)] + [cell_len(r[i]) for r in text_rows]), 60)
        for i, h in enumerate(headers)
    ]
    click.echo("  ".join(fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in text_rows:
        click.echo("  ".join(fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip())


def json_option(function: Callable[P, R]) -> Callable[P, R]:
    """Add `--json` to a command."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)


def is_interactive() -> bool:
    """True when both ends are terminals (prompts are allowed)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def read_password(from_stdin: bool, *, confirm: bool, prompt: str = "Password") -> str:
    """A password from standard input's first line, or asked for (hidden) on a terminal."""
    from momentum_tui.errors import MomentumError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif is_interactive():
        password = click.prompt(
            prompt, hide_input=True, confirmation_prompt=confirm, show_default=False
        )
    else:
        raise MomentumError(
            "A password is needed and there is no terminal to ask on.",
            "Pipe it in with --password-stdin.",
        )
    if not password:
        raise MomentumError("The password is empty; nothing was done.", "Give the password.")
    return password


def confirm_or_stop(question: str, *, yes: bool, what: str) -> None:
    """Ask `question` (or go ahead with `--yes`); stop with a sentence when not confirmed.

    Without a terminal to ask on and without `--yes`, nothing is done: `what` names it.
    """
    from momentum_tui.errors import MomentumError

    if yes:
        return
    if not is_interactive():
        raise MomentumError(
            f"{what}; nothing was changed.", "Add --yes to go ahead without being asked."
        )
    if not click.confirm(question, default=False):
        click.echo("Nothing was changed.", err=True)
        raise SystemExit(1)
