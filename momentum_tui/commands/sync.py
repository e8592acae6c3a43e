"""`momentum sync`, `momentum quota`, `momentum signin|signout`: fetching uploads from YouTube."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import click

from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context
from momentum_tui.commands.notify import announce_after_sync
from momentum_tui.errors import MomentumError
from momentum_tui.models import iso_utc

# The YouTube modules (and the client libraries under them) load only when a command that
# needs them runs: `momentum` starting the app must not pay for them.
if TYPE_CHECKING:
    from momentum_tui.youtube.sync import SyncEvent, SyncSummary


class ProgressLine:
    """Turns sync events into one rewritten line on a terminal's stderr (quiet otherwise)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = 0.0
        self._width = 0

    def __call__(self, event: SyncEvent) -> None:
        """Show one event."""
        from momentum_tui.youtube.sync import (
            DETAILS_NOTICE_UNITS,
            ChannelFailed,
            DetailsBackfill,
            QuotaWarning,
            SyncFinished,
        )

        if isinstance(event, DetailsBackfill) and event.units > DETAILS_NOTICE_UNITS:
            self._clear()
            click.echo(
                f"Filling in lengths and statistics of {event.videos:,} videos synced without "
                f"a key: {event.units:,} quota units (50 videos a unit).",
                err=True,
            )
        if isinstance(event, QuotaWarning):
            self._clear()
            click.echo(
                f"Note: {event.used:,} of {event.budget:,} quota units are spent today.", err=True
            )
        if isinstance(event, ChannelFailed) and self.enabled:
            self._clear()
            click.echo(f"  failed: {event.title}: {event.error}", err=True)
        if not self.enabled:
            return
        now = time.monotonic()
        if isinstance(event, SyncFinished):
            self._clear()
            return
        if now - self._last < 0.1:
            return  # a redraw per channel would flood slow terminals
        self._last = now
        p = event.progress
        text = f"  {p.done}/{p.total} channels · {p.videos_new} new"
        if p.failed:
            text += f" · {p.failed} failed"
        self._width = max(self._width, len(text))
        click.echo("\r" + text.ljust(self._width), err=True, nl=False)

    def _clear(self) -> None:
        if self.enabled and self._width:
            click.echo("\r" + " " * self._width + "\r", err=True, nl=False)


def _print_summary(summary: SyncSummary) -> None:
    click.echo(summary.message)
    for failure in summary.failures[:10]:
        click.echo(f"  {failure['title']}: {failure['error']}")
    if len(summary.failures) > 10:
        click.echo(f"  … and {len(summary.failures) - 10} more (`momentum channels list`).")
    if summary.quota is not None and summary.mode != "keyless":
        quota = summary.quota
        by_method = ", ".join(f"{m} {u}" for m, u in sorted(summary.units_by_method.items()))
        click.echo(
            f"Quota: {summary.units} units this sync ({by_method or 'none'}); "
            f"{quota.used:,} of {quota.budget:,} used today.",
            err=True,
        )


@click.command()
@click.option(
    "--rss/--api",
    "rss",
    default=None,
    help="Free mode: read channel feeds first (no quota) and call the API only for "
    "channels with something new. Default from `youtube.rss`; always on without a key.",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    metavar="ID",
    help="Sync only this channel (repeatable).",
)
@click.option("--force", is_flag=True, help="Ignore the per-channel cooldown.")
@click.option(
    "--backfill",
    type=click.IntRange(0, 5000),
    help="Uploads to read for channels never synced (default `youtube.backfill`).",
)
@json_option
@pass_context
def sync(
    state: Context,
    rss: bool | None,
    channels: tuple[str, ...],
    force: bool,
    backfill: int | None,
    as_json: bool,
) -> None:
    """Fetch new uploads of the channels you follow.

    Without a YouTube API key it reads each channel's public feed (no quota; lengths stay
    unknown until a key is set). Ctrl-C stops cleanly: channels already done are kept,
    the rest wait for the next sync.
    """
    from momentum_tui import secrets
    from momentum_tui.errors import MissingKeyError
    from momentum_tui.youtube.errors import KEY_HINT
    from momentum_tui.youtube.sync import SyncEngine, SyncOptions

    if state.demo:
        raise MomentumError(
            "The demo profile is bundled data; it is never synced.",
            "Run `momentum sync` without --demo to sync your own channels.",
        )
    settings = state.settings.youtube
    api_key = secrets.get_secret("youtube")
    if api_key is None and rss is False:
        raise MissingKeyError(
            "`--api` needs a YouTube API key, and none is set; nothing was synced.",
            f"{KEY_HINT} Without a key, `momentum sync` reads the channels' feeds (no quota).",
        )
    store = state.open_store()
    cancel = threading.Event()
    engine = SyncEngine(
        store,
        settings,
        api_key=api_key,
        cancel=cancel,
        on_event=ProgressLine(enabled=sys.stderr.isatty() and not as_json),
    )
    options = SyncOptions(rss=rss, channel_ids=channels, force=force, backfill=backfill)
    result: list[SyncSummary] = []
    failure: list[BaseException] = []

    finished = threading.Event()

    def work() -> None:
        try:
            result.append(engine.run(options))
        except BaseException as error:
            failure.append(error)
        finally:
            finished.set()

    # The engine runs in a thread so that Ctrl-C here can cancel it cleanly. It is waited
    # for with an event: a `Thread.join` that Ctrl-C interrupts can return early after.
    worker = threading.Thread(target=work, name="momentum-sync", daemon=True)
    worker.start()
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        cancel.set()
        click.echo("\nCancelling… (finishing the requests in flight)", err=True)
        finished.wait()
    if failure:
        raise failure[0]
    summary = result[0]
    if as_json:
        emit_json(summary.to_json())
    else:
        _print_summary(summary)
    announce_after_sync(state, quiet=as_json)
    if summary.error is not None:
        raise summary.error


@click.command()
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    default=1,
    show_default=True,
    help="Also show this many past days.",
)
@json_option
@pass_context
def quota(state: Context, days: int, as_json: bool) -> None:
    """Show today's YouTube quota use by method (the day resets at midnight Pacific)."""
    from momentum_tui.youtube.quota import QuotaLedger, describe_wait

    settings = state.settings.youtube
    store = state.open_store()
    ledger = QuotaLedger.for_settings(store, settings)
    status = ledger.status()
    history = ledger.history(days) if days > 1 else []
    now = time.time()
    if as_json:
        emit_json(
            {
                "day": status.day,
                "used": status.used,
                "budget": status.budget,
                "remaining": status.remaining,
                "fraction": round(status.fraction, 4),
                "warn": status.warn,
                "exhausted": status.exhausted,
                "resets_at": iso_utc(status.reset_at),
                "by_method": dict(sorted(status.by_method.items())),
                "history": [
                    {"day": d, "method": m, "calls": c, "units": u} for d, m, c, u in history
                ],
            }
        )
        return
    rows: list[list[Any]] = [[m, f"{u:,}"] for m, u in sorted(status.by_method.items())]
    if rows:
        emit_table(["method", "units"], rows)
        click.echo("")
    state_text = " — YouTube says it is spent" if status.exhausted else ""
    click.echo(
        f"{status.day} (Pacific): {status.used:,} of {status.budget:,} units used "
        f"({status.fraction:.0%}){state_text}; {status.remaining:,} left. Resets in "
        f"{describe_wait(status.reset_at - now)}."
    )
    if status.warn and not status.exhausted:
        click.echo("Past the warning threshold: syncs stop before the budget is passed.")
    if history:
        click.echo("")
        emit_table(
            ["day", "method", "calls", "units"],
            [[d, m, f"{c:,}", f"{u:,}"] for d, m, c, u in history],
        )


@click.command()
@click.option("--no-browser", is_flag=True, help="Print the sign-in URL instead of opening it.")
@click.option("--no-import", is_flag=True, help="Only sign in; don't import subscriptions.")
@pass_context
def signin(state: Context, no_browser: bool, no_import: bool) -> None:
    """Sign in with Google (read-only) and import your account's subscriptions."""
    from momentum_tui.youtube.api import YouTubeClient
    from momentum_tui.youtube.channels import import_account
    from momentum_tui.youtube.oauth import sign_in, stored_credentials

    settings = state.settings.youtube
    where = sign_in(settings, open_browser=False if no_browser else None)
    click.echo(f"Signed in; the refresh token is kept in the {where}.", err=True)
    if no_import:
        return
    store = state.open_store()
    client = YouTubeClient.for_store(store, settings, credentials=stored_credentials(settings))
    click.echo(import_account(store, client).sentence())


@click.command()
def signout() -> None:
    """Forget the Google sign-in (the refresh token in the keyring)."""
    from momentum_tui.youtube.oauth import sign_out

    removed = sign_out()
    click.echo("Signed out." if removed else "You were not signed in.")
