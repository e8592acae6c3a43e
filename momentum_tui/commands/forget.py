"""`momentum forget`: remove what Momentum keeps about you — all, your history, or a channel."""

from __future__ import annotations

from collections.abc import Callable

import click

from momentum_tui.commands.common import Context, confirm_or_stop, is_interactive, pass_context
from momentum_tui.errors import MomentumError


def _server_account(state: Context) -> tuple[str, Callable[[], None] | None]:
    """The sync server this machine is signed in to, and the call that deletes the account.

    The one place `forget` meets preference sync (issue 11): it returns ("", None) while
    this machine can't be signed in to a sync server.
    """
    return "", None


def _everything(state: Context, yes: bool, local_only: bool) -> None:
    from momentum_tui.owndata.forget import carry_out, plan

    server, delete_account = ("", None) if local_only else _server_account(state)
    oauth = state.settings.youtube.oauth_client_file if _settings_ok(state) else ""
    from pathlib import Path

    forget = plan(state.cache_path(), Path(oauth).expanduser() if oauth else None, server)
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
        "and when), and the app's memory of your last visit."
    )
    click.echo("Backups made before now still hold them; `momentum forget` removes those too.",
               err=True)  # fmt: skip


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
@pass_context
def forget(state: Context, yes: bool, history: bool, channel: str | None, local_only: bool) -> None:
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
        _everything(state, yes, local_only)
