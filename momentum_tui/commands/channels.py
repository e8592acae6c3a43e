"""`momentum channels add|remove|list|tag`, `momentum import`, `momentum export`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context
from momentum_tui.errors import MomentumError
from momentum_tui.models import format_age_short, iso_utc
from momentum_tui.storage.channels import normalise_tag, tag_channel
from momentum_tui.youtube.exporters import FORMATS

# The YouTube client libraries load only when a command needs them (not at every start).
if TYPE_CHECKING:
    from momentum_tui.storage import Store
    from momentum_tui.youtube.api import YouTubeClient


def _client(state: Context, store: Store, credentials: Any = None) -> YouTubeClient:
    from momentum_tui.youtube.api import YouTubeClient

    return YouTubeClient.for_store(store, state.settings.youtube, credentials=credentials)


@click.group()
def channels() -> None:
    """Follow, unfollow, list and group channels."""


@channels.command("add")
@click.argument("refs", nargs=-1, required=True, metavar="URL|@HANDLE|ID...")
@json_option
@pass_context
def channels_add(state: Context, refs: tuple[str, ...], as_json: bool) -> None:
    """Follow channels by URL, @handle or UC… id (one quota unit each with a key; free without)."""
    from momentum_tui.youtube import channels as follow

    store = state.open_store()
    added = []
    for ref in refs:
        channel, new = follow.follow_ref(store, state.settings.youtube, ref)
        added.append(
            {"id": channel.id, "title": channel.title, "handle": channel.handle, "new": new}
        )
        if not as_json:
            verb = "Now following" if new else "Already following"
            handle = f" ({channel.handle})" if channel.handle else ""
            click.echo(f"{verb} {channel.title or channel.id}{handle}.")
    if as_json:
        emit_json({"channels": added})
    elif any(a["new"] for a in added):
        click.echo("Run `momentum sync` to fetch their videos.", err=True)


@channels.command("remove")
@click.argument("refs", nargs=-1, required=True, metavar="ID|@HANDLE|TITLE...")
@click.option("--purge", is_flag=True, help="Also forget its cached videos and your marks.")
@pass_context
def channels_remove(state: Context, refs: tuple[str, ...], purge: bool) -> None:
    """Stop following channels (their videos and your marks are kept unless --purge)."""
    from momentum_tui.youtube import channels as follow

    store = state.open_store()
    for ref in refs:
        _, title = follow.remove_channel(store, ref, purge=purge)
        click.echo(f"{'Forgot' if purge else 'Stopped following'} {title}.")


@channels.command("list")
@click.option("--all", "include_removed", is_flag=True, help="Include channels you removed.")
@click.option("--tag", help="Only channels in this group.")
@json_option
@pass_context
def channels_list(state: Context, include_removed: bool, tag: str | None, as_json: bool) -> None:
    """List followed channels with their groups, videos and sync state."""
    from momentum_tui.youtube import channels as follow

    store = state.open_store()
    with store.read() as conn:
        rows = follow.list_channels(conn, include_removed=include_removed, tag=tag)
    if as_json:
        emit_json(
            {
                "channels": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "handle": r.handle or None,
                        "followed": r.followed,
                        "tags": list(r.tags),
                        "videos": r.videos,
                        "last_synced_at": iso_utc(r.last_synced_at),
                        "last_upload_at": iso_utc(r.last_upload_at),
                        "status": r.status,
                        "error": r.error or None,
                    }
                    for r in rows
                ]
            }
        )
        return
    now = time.time()
    emit_table(
        ["id", "title", "handle", "groups", "videos", "synced", "state"],
        [
            [
                r.id,
                r.title,
                r.handle,
                ",".join(r.tags),
                r.videos,
                format_age_short(r.last_synced_at, now) if r.last_synced_at else "never",
                r.status if r.followed else "removed",
            ]
            for r in rows
        ],
    )
    failed = [r for r in rows if r.status == "failed"]
    click.echo(
        f"\n{len(rows)} channels" + (f", {len(failed)} failed last time" if failed else ""),
        err=True,
    )


@channels.command("tag")
@click.argument("ref", metavar="CHANNEL")
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Remove these groups instead of adding them.")
@pass_context
def channels_tag(state: Context, ref: str, tags: tuple[str, ...], remove: bool) -> None:
    """Put a channel (id, @handle or title) into groups, e.g. `channels tag @veritasium science`."""
    from momentum_tui.youtube import channels as follow

    store = state.open_store()
    with store.read() as conn:
        channel_id, title = follow.find_cached(conn, ref)
    clean = [t for t in map(normalise_tag, tags) if t]
    if not clean:
        raise MomentumError("No usable group name was given.", "Use words like `science`.")
    tag_channel(store, channel_id, clean, remove=remove)
    verb = "Removed" if remove else "Added"
    click.echo(f"{verb} {', '.join(clean)} {'from' if remove else 'to'} {title}.")


@click.command("import")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--account",
    is_flag=True,
    help="Import your YouTube account's subscriptions (after `momentum signin`).",
)
@click.option("--strict", is_flag=True, help="All or nothing: import nothing if any entry is bad.")
@json_option
@pass_context
def import_(state: Context, file: Path | None, account: bool, strict: bool, as_json: bool) -> None:
    """Follow the channels in FILE: Takeout CSV/JSON, OPML, NewPipe JSON or FreeTube .db/.csv.

    Every valid entry is imported and each bad one is reported with where it is and why;
    the exit code is 1 only when nothing could be imported (or, with --strict, when any
    entry is bad).
    """
    from momentum_tui.youtube import channels as follow

    if account == (file is not None):
        raise click.UsageError("Give a FILE to import, or --account (not both).")
    store = state.open_store()
    if account:
        from momentum_tui.youtube.oauth import stored_credentials

        client = _client(state, store, stored_credentials(state.settings.youtube))
        report = follow.import_account(store, client)
    else:
        from momentum_tui.youtube.importers import read_subscriptions

        assert file is not None
        report = follow.import_channels(store, read_subscriptions(file, strict=strict))
    if as_json:
        emit_json(
            {
                "format": report.format,
                "added": report.added,
                "already": report.already,
                "kept_removed": report.kept_removed,
                "tagged": report.tagged,
                "skipped": report.skipped,
                "invalid": [{"where": e.where, "why": e.why} for e in report.invalid],
            }
        )
    else:
        click.echo(report.sentence())
        if len(report.invalid) > 1:
            for entry in report.invalid:
                click.echo(f"  skipped {entry.sentence()}", err=True)


@click.command("export")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="opml",
    show_default=True,
    help="opml (YouTube/FreeTube/feed readers), newpipe (JSON), csv (Takeout).",
)
@pass_context
def export_(state: Context, file: Path | None, fmt: str) -> None:
    """Write the channels you follow to FILE (or standard output)."""
    from momentum_tui.youtube import channels as follow
    from momentum_tui.youtube.exporters import export, write_file

    store = state.open_store()
    with store.read() as conn:
        rows = follow.exportable(conn)
    text = export(rows, fmt)
    if file is None or str(file) == "-":
        click.echo(text, nl=False)
        return
    write_file(file, text)
    click.echo(f"Exported {len(rows)} channels to {file} ({fmt}).", err=True)


def _attach_notify() -> None:
    # `channels notify` lives with the rest of notifications; it is a channels subcommand.
    from momentum_tui.commands.notify import notify

    channels.add_command(notify)


_attach_notify()
