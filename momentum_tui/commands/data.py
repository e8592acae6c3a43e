"""`momentum backup` and `momentum restore`: a checked copy of the cache, and putting one back."""

from __future__ import annotations

from pathlib import Path

import click

from momentum_tui.commands.common import (
    Context,
    confirm_or_stop,
    emit_json,
    is_interactive,
    json_option,
    pass_context,
)


@click.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@json_option
@pass_context
def backup(state: Context, file: Path | None, as_json: bool) -> None:
    """Copy the cache (consistent even while syncing), compressed and checked.

    FILE defaults to a new file in the backups folder of the data directory; a directory
    gets a new file inside it. The copy is Zstandard-compressed (`.db.zst`).
    """
    from momentum_tui.storage.backup import backup_name, default_target, make_backup

    cache = state.cache_path()
    if file is None:
        target = default_target(cache)
    elif file.is_dir():
        target = file / backup_name()
    else:
        target = file
    info = make_backup(cache, target.expanduser())
    if as_json:
        emit_json(info.as_json())
    else:
        click.echo(info.sentence())


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Restore without asking first.")
@json_option
@pass_context
def restore(state: Context, file: Path, yes: bool, as_json: bool) -> None:
    """Put a backup in place of the cache (the cache you have now is kept, never deleted).

    The file is checked first: one that isn't a Momentum backup, is damaged, or comes
    from a newer Momentum is refused and nothing changes. An open app reloads by itself.
    """
    from momentum_tui import locations
    from momentum_tui.storage.restore import check_backup, restore

    cache = state.cache_path()
    locations.ensure_dir(cache.parent)
    checked = check_backup(file.expanduser(), cache)
    try:
        what = f"{file} ({checked.describe()})"
        if not yes and is_interactive():
            click.echo(f"This replaces your cache with {what}.")
            click.echo("The cache you have now is kept (as a backup you can restore).")
        confirm_or_stop(
            "Restore it?", yes=yes, what=f"Restoring would replace your cache with {what}"
        )
        result = restore(checked, cache)
    finally:
        checked.discard()
    if as_json:
        emit_json(
            {
                "restored": str(file),
                "cache": str(cache),
                "kept": str(result.kept) if result.kept else None,
                "upgraded": checked.upgraded,
                "counts": checked.counts,
            }
        )
        return
    upgraded = " (upgraded to this version's schema)" if checked.upgraded else ""
    click.echo(f"Restored {what}{upgraded}.")
    if result.kept is not None:
        click.echo(f"The cache you had is kept at {result.kept}.")
