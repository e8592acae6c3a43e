"""`momentum login|logout|devices` and `momentum prefsync [key|rotate-key|status]`.

Preference sync with a Momentum server, end-to-end encrypted (docs/prefsync.md). The
sync modules load only when one of these commands runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from momentum_tui.commands.common import (
    Context,
    DeviceIdCommand,
    emit_json,
    emit_table,
    is_interactive,
    json_option,
    pass_context,
    read_password,
)
from momentum_tui.errors import MomentumError

if TYPE_CHECKING:
    from momentum_tui.prefsync.crypto import SyncKey
    from momentum_tui.storage import Store


def _refuse_demo(state: Context) -> None:
    if state.demo:
        raise MomentumError(
            "The demo profile is bundled data; it is never synced.",
            "Run the command without --demo to sync your own preferences.",
        )


def _store(state: Context) -> Store:
    _refuse_demo(state)
    return state.open_store()


def _show_key_words(key: SyncKey, heading: str) -> None:
    words = key.words().split()
    click.echo(heading)
    click.echo("")
    for start in range(0, len(words), 6):
        row = words[start : start + 6]
        numbered = (f"{start + i + 1:>2}. {word:<9}" for i, word in enumerate(row))
        click.echo("  " + " ".join(numbered).rstrip())
    click.echo("")
    click.echo(
        f"Key fingerprint {key.fingerprint()}. Write the words down and keep them safe: they "
        "are the only way to read your synced preferences on another machine, and nobody — "
        "not the server, not us — can recover them."
    )


@click.command()
@click.option("--server", help="The sync server, https://host (default: the backend.url setting).")
@click.option("--user", "username", required=True, help="Your username on that server.")
@click.option("--new", "new", is_flag=True, help="Create the account first.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--device-name", help="How this machine is listed in `momentum devices`.")
@click.option(
    "--file", "allow_file", is_flag=True, help="Keep the token in a 0600 file (no keyring)."
)
@pass_context
def login(
    state: Context,
    server: str | None,
    username: str,
    new: bool,
    password_stdin: bool,
    device_name: str | None,
    allow_file: bool,
) -> None:
    """Sign this machine in to a sync server (the device token goes to the keyring)."""
    from momentum_tui.prefsync import account

    store = _store(state)
    password = read_password(password_stdin, confirm=new and not password_stdin)
    result = account.login(
        store,
        state.settings,
        server=server or state.settings.backend.url,
        username=username,
        password=password,
        new=new,
        device_name=device_name or account.default_device_name(),
        allow_file=allow_file,
    )
    made = "Created the account and signed in" if new else "Signed in"
    click.echo(f"{made} to {result.server} as {result.username} (device {result.device_id}).")
    if result.made_key is not None:
        _show_key_words(result.made_key, "This is your new sync key (shown once):")
        click.echo("Run `momentum prefsync` to sync now.")
    elif result.needs_key:
        click.echo(
            "Your account already holds synced preferences. Enter the sync key's 24 words from "
            "your other machine (`momentum prefsync key --show` there) with "
            "`momentum prefsync key --set-stdin`, then run `momentum prefsync`."
        )
    else:
        click.echo("Run `momentum prefsync` to sync now.")


@click.command()
@click.option("--forget-key", is_flag=True, help="Also remove the sync key from this machine.")
@pass_context
def logout(state: Context, forget_key: bool) -> None:
    """Sign this machine out (its token is revoked; local preferences stay)."""
    from momentum_tui.prefsync import account

    click.echo(account.logout(_store(state), state.settings, forget_key=forget_key))


@click.group(invoke_without_command=True)
@json_option
@pass_context
@click.pass_context
def devices(ctx: click.Context, state: Context, as_json: bool) -> None:
    """List the devices signed in to your sync account (`revoke ID` signs one out)."""
    if ctx.invoked_subcommand is not None:
        return
    from momentum_tui.prefsync import account

    with account.signed_in_client(_store(state), state.settings) as client:
        listed = client.devices()
    if as_json:
        emit_json([d.__dict__ for d in listed])
        return
    emit_table(
        ["device", "name", "signed in", "last seen", ""],
        [
            [d.device_id, d.name, d.created_at, d.last_seen_at, "this one" if d.current else ""]
            for d in listed
        ],
    )


@devices.command("revoke", cls=DeviceIdCommand)
@click.argument("device_id")
@pass_context
def devices_revoke(state: Context, device_id: str) -> None:
    """Sign the device DEVICE_ID out (a lost laptop, an old install)."""
    from momentum_tui.prefsync import account

    store = _store(state)
    with account.signed_in_client(store, state.settings) as client:
        client.revoke(device_id)
    this = account.sync_state(store).server_device_id == device_id
    click.echo(
        f"Revoked device {device_id}."
        + (" That was this machine: sign in again to keep syncing." if this else "")
    )


@click.group(invoke_without_command=True)
@json_option
@pass_context
@click.pass_context
def prefsync(ctx: click.Context, state: Context, as_json: bool) -> None:
    """Sync preferences with your other machines now (pushed, pulled, conflicts, revision)."""
    if ctx.invoked_subcommand is not None:
        return
    from momentum_tui.prefsync import service

    report = service.sync_now(_store(state), state.settings)
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(report.sentence())


@prefsync.command("key")
@click.option("--show", is_flag=True, help="Print the key's words again.")
@click.option("--set-stdin", is_flag=True, help="Read the 24 words from standard input.")
@click.option("--file", "allow_file", is_flag=True, help="Keep the key in a 0600 file.")
@pass_context
def prefsync_key(state: Context, show: bool, set_stdin: bool, allow_file: bool) -> None:
    """Make the sync key (first machine), show it, or enter it (every other machine)."""
    from momentum_tui.prefsync import account
    from momentum_tui.prefsync.crypto import SyncKey

    _refuse_demo(state)
    key = account.current_key()
    if set_stdin:
        entered = SyncKey.from_words(sys.stdin.read())
        account.store_key(entered, allow_file=allow_file)
        same = key is not None and key == entered
        click.echo(
            f"Stored the sync key (fingerprint {entered.fingerprint()})."
            + ("" if same else " Run `momentum prefsync` to sync with it.")
        )
        return
    if key is None:
        key = SyncKey.generate()
        account.store_key(key, allow_file=allow_file)
        _show_key_words(key, "Made a new sync key (shown once):")
        return
    if show:
        _show_key_words(key, "This machine's sync key:")
        return
    click.echo(
        f"A sync key is set on this machine (fingerprint {key.fingerprint()}). "
        "`momentum prefsync key --show` prints its words again."
    )


@prefsync.command("rotate-key")
@click.option("--yes", is_flag=True, help="Don't ask for confirmation.")
@click.option(
    "--lost-key",
    is_flag=True,
    help="The old key is lost everywhere: replace the server's unreadable copy with this "
    "machine's preferences.",
)
@pass_context
def prefsync_rotate_key(state: Context, yes: bool, lost_key: bool) -> None:
    """Make a new sync key and re-encrypt everything on the server with it."""
    from momentum_tui.prefsync import service

    store = _store(state)
    if not yes and is_interactive():
        question = (
            "The server's copy will be replaced by this machine's preferences, and every "
            "other machine will need the new key's words. Go ahead?"
            if lost_key
            else "Every other machine will need the new key's words to keep syncing. Rotate now?"
        )
        click.confirm(question, abort=True)
    key, count = service.rotate_key(store, state.settings, lost=lost_key)
    _show_key_words(key, f"Re-encrypted {count} records under a new sync key (shown once):")
    click.echo("On each other machine, enter these words with `momentum prefsync key --set-stdin`.")


@prefsync.command("status")
@json_option
@pass_context
def prefsync_status(state: Context, as_json: bool) -> None:
    """Who this machine syncs as, and what waits to be sent — without touching the network."""
    import json

    from momentum_tui.models import iso_utc
    from momentum_tui.prefsync import account, queries

    store = _store(state)
    with store.read() as conn:
        sync = queries.state(conn)
        known, unsent, waiting = queries.counts(conn)
    key = account.current_key()
    data = {
        "server": sync.server or None,
        "username": sync.username or None,
        "device_id": sync.server_device_id or None,
        "revision": sync.revision,
        "records": known,
        "unsent": unsent,
        "waiting": waiting,
        "key_fingerprint": key.fingerprint() if key else None,
        "last_sync_at": iso_utc(sync.last_sync_at) if sync.last_sync_at else None,
        "last_outcome": json.loads(sync.last_outcome) if sync.last_outcome else None,
    }
    if as_json:
        emit_json(data)
        return
    if not sync.server:
        click.echo("Not signed in (`momentum login --server URL --user NAME`).")
    else:
        click.echo(
            f"Signed in to {sync.server} as {sync.username} (device {sync.server_device_id})."
        )
    click.echo(
        f"{known} records known, {unsent} changes not sent yet, {waiting} waiting for videos "
        f"or channels; server revision {sync.revision}; key "
        + (key.fingerprint() if key else "not set")
        + "."
    )
