"""Opening the app: `momentum` (your cache) and `momentum demo` (the bundled demo profile)."""

from __future__ import annotations

import click

from momentum_tui.commands.common import Context, is_interactive, pass_context
from momentum_tui.errors import CorruptCacheError
from momentum_tui.storage import Store
from momentum_tui.storage.db import move_aside


def _open_or_offer_fresh(state: Context) -> Store:
    """Open the cache; when it is damaged and we can ask, offer to move it aside."""
    try:
        return state.open_store()
    except CorruptCacheError as error:
        if not is_interactive():
            raise
        click.secho(f"momentum: {error.title}", fg="red", err=True)
        if not click.confirm(
            "Move it aside (nothing is deleted) and start with a fresh cache?", default=False
        ):
            raise SystemExit(1) from None
        moved = move_aside(state.cache_path())
        click.echo(f"Moved it to {moved}.", err=True)
        return state.open_store()


def launch(state: Context, store: Store) -> None:
    """Run the Textual app on `store` (imported here so scripts never pay for Textual)."""
    from momentum_tui.app import MomentumApp

    app = MomentumApp(store=store, settings=state.settings, demo=state.demo)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


@click.command("app", hidden=True)
@pass_context
def run_app(state: Context) -> None:
    """Open the app on your own cache."""
    _ = state.settings  # a malformed config is reported before the screen changes
    launch(state, _open_or_offer_fresh(state))


@click.command()
@click.option("--reset", is_flag=True, help="Rebuild the demo profile from scratch.")
@pass_context
def demo(state: Context, reset: bool) -> None:
    """Open the app on the bundled demo data (no keys, no network, your cache untouched)."""
    from momentum_tui.demo.build import open_demo

    state.demo = True
    _ = state.settings
    store = open_demo(rebuild=reset, notify=lambda note: click.echo(note, err=True))
    state._stores.append(store)
    launch(state, store)
