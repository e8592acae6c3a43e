"""The `momentum` command: the app when run alone, subcommands for scripts.

Exit codes: 0 success, 1 a problem with a one-line explanation (bad file, missing key,
quota spent…), 2 a usage error. Tracebacks only with `--debug`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from momentum_tui import __version__, locations
from momentum_tui.commands import app as app_commands
from momentum_tui.commands import channels as channel_commands
from momentum_tui.commands import classify, config_cmd, costs, doctor, feed, keys
from momentum_tui.commands import recommend as rec_commands
from momentum_tui.commands import rules as rule_commands
from momentum_tui.commands import sync as sync_commands
from momentum_tui.commands.common import Context
from momentum_tui.errors import MomentumError


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="momentum")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep config and data under this directory (same as MOMENTUM_HOME).",
)
@click.option("--demo", is_flag=True, help="Work on the demo profile instead of your cache.")
@click.option("--debug", is_flag=True, help="Show tracebacks and write a debug log.")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, demo: bool, debug: bool) -> None:
    """Follow the YouTube creators you care about, from the terminal.

    Run without a command to open the app; `momentum demo` opens it on bundled demo data.
    """
    if home is not None:
        os.environ[locations.HOME_ENV] = str(home.expanduser().resolve())
    state = ctx.ensure_object(Context)
    state.debug = debug
    state.demo = demo
    ctx.call_on_close(state.close)
    if debug:
        _start_debug_log()
    if ctx.invoked_subcommand is None:
        ctx.invoke(app_commands.run_app)


cli.add_command(app_commands.demo)
for command in (feed.feed, feed.search, feed.mark, feed.undo, feed.show):
    cli.add_command(command)
cli.add_command(keys.keys)
cli.add_command(doctor.doctor)
cli.add_command(config_cmd.config)
for command in (classify.classify_command, costs.costs, rule_commands.rules):
    cli.add_command(command)
for command in (rec_commands.recommend, rec_commands.why, rec_commands.digest,
                rec_commands.cleanup, rec_commands.prefs):  # fmt: skip
    cli.add_command(command)
for command in (sync_commands.sync, sync_commands.quota, sync_commands.signin,
                sync_commands.signout, channel_commands.channels, channel_commands.import_,
                channel_commands.export_):  # fmt: skip
    cli.add_command(command)


def _start_debug_log() -> None:
    """`--debug`: log at DEBUG level to a file (never to the screen: the app owns it)."""
    path = locations.ensure_dir(locations.log_dir()) / "momentum.log"
    logging.basicConfig(
        level=logging.DEBUG,
        filename=path,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    click.echo(f"Debug log: {path}", err=True)


def _print_error(error: MomentumError) -> None:
    click.secho(f"momentum: {error.title}", fg="red", err=True)
    if error.hint:
        click.echo(f"  {error.hint}", err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line and turn failures into sentences and exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("MOMENTUM_DEBUG") == "1"
    try:
        result = cli.main(args=args, prog_name="momentum", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except MomentumError as error:
        if debug:
            raise
        _print_error(error)
        sys.exit(error.exit_code)
    except sqlite3.DatabaseError as error:
        if debug:
            raise
        click.secho(f"momentum: the cache could not be read or written ({error}).", err=True)
        click.echo("  Run `momentum doctor` to check it; nothing was deleted.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `momentum feed | head`: the reader left; that's fine.
        sys.stderr.close()
        sys.exit(0)
    except Exception as error:
        if debug:
            raise
        click.secho(f"momentum: unexpected error: {type(error).__name__}: {error}", err=True)
        click.echo("  Re-run with --debug for the details, and please report it.", err=True)
        sys.exit(1)
    if isinstance(result, int) and result:
        sys.exit(result)
