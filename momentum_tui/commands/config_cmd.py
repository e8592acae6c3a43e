"""`momentum config path|show`."""

from __future__ import annotations

import click

from momentum_tui import locations
from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context
from momentum_tui.config import describe_settings, load_settings
from momentum_tui.errors import ConfigError


@click.group()
def config() -> None:
    """Where the config file lives and what every setting is."""


@config.command("path")
def config_path() -> None:
    """Print the path of the config file (it may not exist yet)."""
    click.echo(str(locations.config_file()))


@config.command("show")
@json_option
@pass_context
def config_show(state: Context, as_json: bool) -> None:
    """Print every setting with its current value (file and environment applied).

    A config file that can't be used is named, with its bad line, after the settings as
    they are without it (defaults and environment); the exit code is then 1.
    """
    problem: ConfigError | None = None
    try:
        settings = state.settings
    except ConfigError as error:
        problem = error
        try:
            settings = load_settings(use_file=False)
        except ConfigError:  # the environment is at fault too: the built-in defaults
            settings = load_settings(use_file=False, environ={})
    if as_json:
        emit_json(settings.to_dict())
    else:
        emit_table(["setting", "value", "description"], describe_settings(settings))
    if problem is not None:
        click.echo(
            "\nThese are the defaults (and the environment): the config file was not used.",
            err=True,
        )
        raise problem
