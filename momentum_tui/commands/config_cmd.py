"""`momentum config path|show`."""

from __future__ import annotations

import click

from momentum_tui import locations
from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context
from momentum_tui.config import describe_settings


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
    """Print every setting with its current value (file and environment applied)."""
    settings = state.settings
    if as_json:
        emit_json(settings.model_dump(mode="json"))
        return
    emit_table(["setting", "value", "description"], describe_settings(settings))
