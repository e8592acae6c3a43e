"""The `momentum` command: the app when run alone, subcommands for scripts.

Exit codes: 0 success, 1 a problem with a one-line explanation (bad file, missing key,
quota spent…), 2 a usage error. Tracebacks only with `--debug`.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from momentum_tui import __version__
from momentum_tui.commands.lazy import LazyCommand, LazyGroup
from momentum_tui.errors import MomentumError

# Only click and this list are imported to parse a command line: each command's module
# (and whatever heavy library it needs) is imported when that command runs. A summary
# is what `momentum --help` lists; tests/test_cli_lazy.py keeps it equal to the command's
# own first docstring line.
_C = "momentum_tui.commands"
COMMANDS = {
    "demo": LazyCommand(
        f"{_C}.app:demo",
        "Open the app on the bundled demo data (no keys, no network, your cache untouched).",
        opens_app=True,
    ),
    "feed": LazyCommand(f"{_C}.feed:feed", "List the feed with the same filters as the app."),
    "search": LazyCommand(
        f"{_C}.feed:search",
        "Search titles, descriptions, channel names and tags (best matches first).",
    ),
    "mark": LazyCommand(
        f"{_C}.feed:mark",
        "Mark VIDEO_ID as watched, unwatched, hidden, unhidden, liked, disliked, unrated, saved…",
    ),
    "undo": LazyCommand(
        f"{_C}.feed:undo", "Undo the most recent mark (from the app or the command line)."
    ),
    "show": LazyCommand(f"{_C}.feed:show", "Everything the cache knows about one video."),
    "keys": LazyCommand(f"{_C}.keys:keys", "Store and check API keys."),
    "doctor": LazyCommand(
        f"{_C}.doctor:doctor", "Check paths, the cache, the keyring and which keys are set."
    ),
    "config": LazyCommand(
        f"{_C}.config_cmd:config", "Where the config file lives and what every setting is."
    ),
    "backup": LazyCommand(
        f"{_C}.data:backup",
        "Copy the cache (consistent even while syncing), compressed and checked.",
    ),
    "restore": LazyCommand(
        f"{_C}.data:restore",
        "Put a backup in place of the cache (the cache you have now is kept, never deleted).",
    ),
    "export-data": LazyCommand(
        f"{_C}.export:export_data",
        "Write out everything you made: follows, groups, marks with their history, the queue,"
        " keywords, rules, settings, labels and the quota and Claude ledgers (never a key).",
    ),
    "import-data": LazyCommand(
        f"{_C}.export:import_data",
        "Merge an export (JSON or the CSV zip) into your cache; importing twice changes nothing.",
    ),
    "forget": LazyCommand(
        f"{_C}.forget:forget", "Remove what Momentum keeps about you, after naming it."
    ),
    "classify": LazyCommand(
        f"{_C}.classify:classify_command",
        "Label videos: offline right away, then with Claude (batched, cached, within budget).",
    ),
    "costs": LazyCommand(
        f"{_C}.costs:costs",
        "What Claude cost, by day and model, against the daily and monthly budgets.",
    ),
    "rules": LazyCommand(
        f"{_C}.rules:rules",
        "Hide, boost, bury or be notified of videos with rules (plain English or by hand).",
    ),
    "recommend": LazyCommand(
        f"{_C}.recommend:recommend", 'Your "For you" feed: best picks first, each with its reasons.'
    ),
    "why": LazyCommand(
        f"{_C}.recommend:why", 'Show how VIDEO_ID\'s "For you" score is made, term by term.'
    ),
    "digest": LazyCommand(
        f"{_C}.recommend:digest",
        "What was published since your last visit, by topic, with the best pick of each.",
    ),
    "cleanup": LazyCommand(
        f"{_C}.recommend:cleanup",
        "Channels you might unfollow: unwatched for 90 days, dormant, or drifted away.",
    ),
    "prefs": LazyCommand(f"{_C}.recommend:prefs", 'Preferences that steer "For you".'),
    "sync": LazyCommand(f"{_C}.sync:sync", "Fetch new uploads of the channels you follow."),
    "quota": LazyCommand(
        f"{_C}.sync:quota",
        "Show today's YouTube quota use by method (the day resets at midnight Pacific).",
    ),
    "signin": LazyCommand(
        f"{_C}.sync:signin",
        "Sign in with Google (read-only) and import your account's subscriptions.",
    ),
    "signout": LazyCommand(
        f"{_C}.sync:signout", "Forget the Google sign-in (the refresh token in the keyring)."
    ),
    "channels": LazyCommand(
        f"{_C}.channels:channels", "Follow, unfollow, list and group channels."
    ),
    "import": LazyCommand(
        f"{_C}.channels:import_",
        "Follow the channels in FILE: Takeout CSV/JSON, OPML, NewPipe JSON or FreeTube .db/.csv.",
    ),
    "export": LazyCommand(
        f"{_C}.channels:export_", "Write the channels you follow to FILE (or standard output)."
    ),
    "trends": LazyCommand(
        f"{_C}.trends:trends",
        "Topics, tags and title words rising in what you follow, and channels breaking out.",
    ),
    "play": LazyCommand(
        f"{_C}.watch:play",
        "Play VIDEO_ID in mpv (or `player.command`), resuming where you stopped.",
    ),
    "queue": LazyCommand(
        f"{_C}.watch:queue", "Your watch-later queue, in order: add, rm, move, list, play."
    ),
    "login": LazyCommand(
        f"{_C}.prefsync_cmd:login",
        "Sign this machine in to a sync server (the device token goes to the keyring).",
    ),
    "logout": LazyCommand(
        f"{_C}.prefsync_cmd:logout",
        "Sign this machine out (its token is revoked; local preferences stay).",
    ),
    "devices": LazyCommand(
        f"{_C}.prefsync_cmd:devices",
        "List the devices signed in to your sync account (`revoke ID` signs one out).",
    ),
    "prefsync": LazyCommand(
        f"{_C}.prefsync_cmd:prefsync",
        "Sync preferences with your other machines now (pushed, pulled, conflicts, revision).",
    ),
}


@click.group(
    cls=LazyGroup,
    registry=COMMANDS,
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
    from momentum_tui import locations
    from momentum_tui.commands.common import Context

    if home is not None:
        os.environ[locations.HOME_ENV] = str(home.expanduser().resolve())
    state = ctx.ensure_object(Context)
    state.debug = debug
    state.demo = demo
    ctx.call_on_close(state.close)
    if debug:
        _start_debug_log()
    if ctx.invoked_subcommand is None:
        from momentum_tui.commands.app import run_app

        ctx.invoke(run_app)


def _start_debug_log() -> None:
    """`--debug`: log at DEBUG level to a file (never to the screen: the app owns it)."""
    import logging

    from momentum_tui import locations

    path = locations.ensure_dir(locations.log_dir()) / "momentum.log"
    logging.basicConfig(
        level=logging.DEBUG,
        filename=path,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    click.echo(f"Debug log: {path}", err=True)


def _print_error(error: MomentumError, *, debug: bool = False) -> None:
    click.secho(f"momentum: {error.title}", fg="red", err=True)
    if error.hint:
        click.echo(f"  {error.hint}", err=True)
    for detail in error.debug_details if debug else ():
        click.echo(f"  {detail}", err=True)


def _reader_left() -> bool:
    """Whether click found standard output closed by its reader (it wraps it when it does)."""
    return type(sys.stdout).__name__.endswith("PacifyFlushWrapper")


def _disk_full(error: BaseException) -> bool:
    from momentum_tui.storage.files import is_disk_full

    return is_disk_full(error)


def _unexpected(error: BaseException) -> None:
    click.secho(f"momentum: unexpected error: {type(error).__name__}: {error}", err=True)
    click.echo("  Re-run with --debug for the details, and please report it.", err=True)
    sys.exit(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line and turn failures into sentences and exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Momentum uses no pydantic plugins; looking for them reads the entry points of every
    # installed package (15-45 ms at each start). A value set by the person is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    debug = "--debug" in args or os.environ.get("MOMENTUM_DEBUG") == "1"
    try:
        result = cli.main(args=args, prog_name="momentum", standalone_mode=False)
    except click.exceptions.Abort as error:
        if isinstance(error.__cause__, KeyboardInterrupt):  # click's wrapping of Ctrl-C
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except SystemExit:
        if _reader_left():  # click's exit 1 for a closed pipe (`momentum feed | head`)
            sys.exit(0)
        raise
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except MomentumError as error:
        if debug:
            _print_error(error, debug=True)
            raise
        _print_error(error)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        # `momentum feed | head`: the reader left; that's fine.
        sys.stderr.close()
        sys.exit(0)
    except (sqlite3.DatabaseError, OSError) as error:
        if debug:
            raise
        if _disk_full(error):
            _print_error(
                MomentumError(
                    "The disk is full, so the last change was not saved; the cache is as it "
                    "was before it.",
                    "Free some space and run it again.",
                )
            )
            sys.exit(1)
        if isinstance(error, OSError):
            _unexpected(error)
        click.secho(f"momentum: the cache could not be read or written ({error}).", err=True)
        click.echo("  Run `momentum doctor` to check it; nothing was deleted.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:
        if debug:
            raise
        _unexpected(error)
    if isinstance(result, int) and result:
        sys.exit(result)
