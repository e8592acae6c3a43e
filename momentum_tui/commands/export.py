"""`momentum export-data` and `momentum import-data`: everything you made, out and back in."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from momentum_tui.commands.common import Context, emit_json, json_option, pass_context
from momentum_tui.errors import MomentumError


def _settings_values() -> tuple[dict[str, object], str]:
    """The config file's values, or nothing and a note when the file can't be read."""
    from momentum_tui.owndata.settings_file import file_values

    try:
        return file_values(), ""
    except MomentumError as error:
        return {}, f"Your settings were left out: {error.title}"


def _summary(counts: dict[str, int]) -> str:
    from momentum_tui.storage.export_model import label

    return ", ".join(f"{n:,} {label(section)}" for section, n in counts.items())


@click.command("export-data")
@click.option(
    "--format",
    "kind",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="One JSON document, or a zip of one CSV per table.",
)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def export_data(state: Context, kind: str, file: Path | None) -> None:
    """Write out everything you made: follows, groups, marks with their history, the queue,
    keywords, rules, settings, labels and the quota and Claude ledgers (never a key).

    Without FILE (or with -) the document goes to standard output. A FILE ending in .zst
    or .gz is compressed. The format is in docs/export-format.md.
    """
    from momentum_tui.storage.backup import human_bytes
    from momentum_tui.storage.export_files import export_to_file, export_to_stream
    from momentum_tui.storage.files import disk_full, is_disk_full

    settings, note = _settings_values()
    store = state.open_store()
    now = time.time()
    to_stdout = file is None or str(file) == "-"
    if to_stdout and kind == "csv" and sys.stdout.isatty():
        raise MomentumError(
            "A zip archive can't be shown on the terminal; nothing was exported.",
            "Give a FILE (`momentum export-data --format csv my-data.zip`) or redirect it.",
        )
    try:
        with store.read() as conn:
            if file is None or to_stdout:
                counts = export_to_stream(conn, settings, now, kind)
            else:
                counts = export_to_file(conn, settings, now, kind, file)
    except OSError as error:
        if is_disk_full(error):
            raise disk_full("the export", "no file was written") from error
        raise MomentumError(
            f"The export could not be written ({error.strerror or error}); nothing was changed.",
            "Check that the directory exists and that you can write to it.",
        ) from error
    if note:
        click.echo(note, err=True)
    where = "standard output"
    if file is not None and not to_stdout:
        where = f"{file} ({human_bytes(file.stat().st_size)})"
    click.echo(f"Exported {_summary(counts)} to {where}.", err=True)


@click.command("import-data")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@pass_context
def import_data(state: Context, file: Path, as_json: bool) -> None:
    """Merge an export (JSON or the CSV zip) into your cache; importing twice changes nothing.

    What your cache already has is kept; only what it lacks is added (a video's newer
    marks win). Settings go into config.toml only where you haven't set them.
    """
    from momentum_tui.owndata.importing import import_document
    from momentum_tui.owndata.settings_file import merge_into_file
    from momentum_tui.storage.export_files import read_export

    document = read_export(file.expanduser())
    store = state.open_store()
    report = import_document(store, document)
    settings = merge_into_file(document.settings) if document.settings else None
    if as_json:
        emit_json(
            {
                "added": report.added,
                "skipped": report.skipped,
                "settings": {
                    "added": settings.added if settings else [],
                    "kept": settings.kept if settings else [],
                    "unknown": settings.unknown if settings else [],
                },
            }
        )
        return
    click.echo(report.sentence())
    if settings and settings.sentence():
        click.echo(settings.sentence())
