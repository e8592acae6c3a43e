"""`momentum forget`: remove what Momentum keeps about you — all, your history, or a channel."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import click

from momentum_tui.commands.common import (
    Context,
    confirm_or_stop,
    is_interactive,
    pass_context,
    read_password,
)
from momentum_tui.errors import MomentumError


@dataclass
class _Account:
    """The sync account this machine is signed in to, as its cache records it."""

    server: str = ""
    username: str = ""
    left: str = ""
    """Why an account that may exist can't be deleted from here ('' when nothing is left)."""


def _signed_in(state: Context) -> _Account:
    """The sync server and account this machine is signed in to (nothing when it isn't).

    Only a machine holding a device token can be signed in; the server it belongs to is
    recorded in the cache. A cache that can't be read still goes, but then the account
    can't be found from here, and `forget` says so.
    """
    from momentum_tui import secrets
    from momentum_tui.prefsync import account

    if state.demo or secrets.get_secret(account.TOKEN) is None:
        return _Account()
    unknown = _Account(
        left="your sync account, if you have one (this machine's cache, which names its "
        "server, can't be read: sign in again with `momentum login` and forget again to "
        "delete it)"
    )
    if not state.cache_path().exists():
        return unknown
    try:
        sync = account.sync_state(state.open_store())
    except (MomentumError, sqlite3.Error):
        return unknown
    if not sync.server:
        return _Account()
    return _Account(sync.server, sync.username)


def _delete_account(state: Context, signed_in: _Account, password: str) -> Callable[[], None]:
    """The call that erases the account on its server (and this machine's hold on it)."""

    def delete() -> None:
        from momentum_tui.prefsync import account
        from momentum_tui.prefsync.client import (
            BackendAuthError,
            BackendCredentialsError,
            BackendError,
            BackendUnreachableError,
        )

        where = f"{signed_in.username} on {signed_in.server}"
        keep = "or add --local-only to keep the account and forget only this machine."
        try:
            account.delete_server_account(state.open_store(), state.settings, password)
        except BackendCredentialsError as error:
            raise MomentumError(
                f"The sync server did not accept that password, so your account {where} "
                "was not deleted and nothing was removed here.",
                f"Run `momentum forget` again with the right password, {keep}",
            ) from error
        except BackendAuthError as error:
            raise MomentumError(
                f"The sync server no longer accepts this device, so your account {where} "
                "could not be deleted from here; nothing was removed.",
                f"Sign in again with `momentum login` and run `momentum forget` again, {keep}",
            ) from error
        except BackendUnreachableError as error:
            raise MomentumError(
                f"The sync server {signed_in.server} could not be reached, so your account "
                f"{signed_in.username} there was not deleted and nothing was removed here.",
                f"Try again when it can be reached, {keep}",
            ) from error
        except BackendError as error:
            raise MomentumError(
                f"Your account {where} was not deleted, so nothing was removed here.",
                f"{error.title} Try again later, {keep}",
            ) from error
        finally:
            state.close()

    return delete


def _everything(state: Context, yes: bool, local_only: bool, password_stdin: bool) -> None:
    from pathlib import Path

    from momentum_tui.owndata.forget import carry_out, plan

    signed_in = _Account() if local_only else _signed_in(state)
    if signed_in.server and not password_stdin and not is_interactive():
        raise MomentumError(
            f"Deleting your account {signed_in.username} on {signed_in.server} needs its "
            "password, and there is no terminal to ask on; nothing was removed.",
            "Pipe it in with --password-stdin, or add --local-only to keep the account and "
            "forget only this machine.",
        )
    oauth = state.settings.youtube.oauth_client_file if _settings_ok(state) else ""
    forget = plan(
        state.cache_path(),
        Path(oauth).expanduser() if oauth else None,
        signed_in.server,
        signed_in.username,
    )
    if signed_in.left:
        forget.left.append(signed_in.left)
    if not forget.lines():
        click.echo("Momentum keeps nothing on this machine; nothing was removed.")
        return
    if not yes and is_interactive():
        click.echo("This removes, for good:")
        for line in forget.lines():
            click.echo(f"  - {line}")
        for line in forget.left:
            click.echo(f"  (left in place: {line} — remove it yourself)")
    confirm_or_stop(
        "Forget all of it?",
        yes=yes,
        what=f"Forgetting would remove {_join(forget.lines())}",
    )
    delete_account = None
    if signed_in.server:
        password = read_password(
            password_stdin,
            confirm=False,
            prompt=f"Password of {signed_in.username} on {signed_in.server}",
        )
        delete_account = _delete_account(state, signed_in, password)
    else:
        state.close()  # this process's own connections to the cache go first
    removed = carry_out(forget, delete_account)
    click.echo(f"Removed {_join(removed)}.")
    if forget.left:
        click.echo(f"Left in place (remove them yourself): {_join(forget.left)}.", err=True)


def _settings_ok(state: Context) -> bool:
    try:
        _ = state.settings
    except MomentumError:
        return False  # a broken config is removed like a good one
    return True


def _history(state: Context, yes: bool) -> None:
    from momentum_tui.owndata.forget import REMEMBERED_HISTORY
    from momentum_tui.storage.erase import erase_history, history_size

    store = state.open_store()
    with store.read() as conn:
        marked, entries = history_size(conn)
    what = f"your marks on {_count(marked, 'video')} and {_count(entries, 'history entry')}"
    confirm_or_stop(f"Forget {what}?", yes=yes, what=f"Forgetting would remove {what}")
    erased = erase_history(store, REMEMBERED_HISTORY)
    click.echo(
        f"Removed your marks on {_count(erased.marked_videos, 'video')} and "
        f"{_count(erased.marks, 'history entry')} (watched, liked, disliked, hidden, saved, "
        "and when), where playback stopped, and the app's memory of your last visit."
    )
    click.echo("Backups made before now still hold them; `momentum forget` removes those too.",
               err=True)  # fmt: skip
    from momentum_tui.prefsync.account import sync_state

    if server := sync_state(store).server:
        click.echo(
            f"Your other machines and the sync server {server} keep theirs (a forgotten "
            "history is not synced); `momentum forget` deletes the account with everything "
            "it holds.",
            err=True,
        )


def _channel(state: Context, text: str, yes: bool) -> None:
    from momentum_tui.storage.erase import channel_size, erase_channel
    from momentum_tui.youtube.channels import find_cached

    store = state.open_store()
    with store.read() as conn:
        channel_id, title = find_cached(conn, text)
        videos = channel_size(conn, channel_id)
    what = f"the {_count(videos, 'video')} of {title or channel_id} and your marks on them"
    confirm_or_stop(f"Forget {what}?", yes=yes, what=f"Forgetting would remove {what}")
    erased = erase_channel(store, channel_id)
    click.echo(
        f"Removed {_count(erased.videos, 'video')} of {title or channel_id}, your marks on "
        f"{erased.marked_videos:,} of them, {_count(erased.marks, 'history entry')} and their "
        "labels."
    )
    click.echo(
        f"You still follow it (`momentum channels remove {channel_id}` stops that); its "
        "next sync fetches its latest uploads again.",
        err=True,
    )


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n:,} {noun if n == 1 else plural}"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


@click.command()
@click.option("--yes", is_flag=True, help="Go ahead without asking.")
@click.option("--history", is_flag=True, help="Forget only your marks and watch history.")
@click.option(
    "--channel", "channel", metavar="CHANNEL", help="Forget only one channel's videos and marks."
)
@click.option(
    "--local-only",
    is_flag=True,
    help="Keep your account on the sync server; forget only this machine's copy.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the sync account's password (to delete the account) from standard input.",
)
@pass_context
def forget(
    state: Context,
    yes: bool,
    history: bool,
    channel: str | None,
    local_only: bool,
    password_stdin: bool,
) -> None:
    """Remove what Momentum keeps about you, after naming it.

    With no option: the cache, backups, the demo profile, config, the keys in the keyring
    and, when this machine is signed in to a sync server, your account there. --history
    forgets only marks and watch history; --channel only one channel's videos and marks.
    """
    if history and channel:
        raise click.UsageError("Give --history or --channel, not both.")
    if history:
        _history(state, yes)
    elif channel:
        _channel(state, channel, yes)
    else:
        _everything(state, yes, local_only, password_stdin)
