"""`momentum channels notify`: be told when chosen channels upload; and the post-sync hook."""

from __future__ import annotations

import time

import click

from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context
from momentum_tui.errors import MomentumError


@click.command("notify")
@click.argument("ref", metavar="CHANNEL", required=False)
@click.argument("switch", type=click.Choice(["on", "off"]), required=False)
@json_option
@pass_context
def notify(state: Context, ref: str | None, switch: str | None, as_json: bool) -> None:
    """Announce a channel's new uploads after each sync (`on`/`off`); alone, list them
    (and the notify rules, `momentum rules add --notify …`)."""
    from momentum_tui.notify import queries
    from momentum_tui.rules import store as rule_store
    from momentum_tui.rules.spec import RuleAction
    from momentum_tui.youtube import channels as follow

    store = state.open_store()
    if ref is not None:
        if switch is None:
            raise click.UsageError("Say `on` or `off` after the channel.")
        with store.read() as conn:
            channel_id, title = follow.find_cached(conn, ref)
        if not queries.set_channel_notify(store, channel_id, switch == "on", int(time.time())):
            raise MomentumError(
                f"{title} isn't followed.", f"Follow it: `momentum channels add {channel_id}`."
            )
        if not as_json:
            verb = "will be announced after each sync" if switch == "on" else "won't be announced"
            click.echo(f"New uploads from {title} {verb}.")
    with store.read() as conn:
        chosen = queries.notifying_channels(conn)
        by_rule = [r for r in rule_store.list_rules(conn, enabled_only=True)
                   if r.spec.action == RuleAction.NOTIFY]  # fmt: skip
    if as_json:
        emit_json({"channels": [{"id": cid, "title": title} for cid, title in chosen]})
    elif ref is None:
        if chosen:
            emit_table(["announces new uploads", "id"], [[t, c] for c, t in chosen])
        elif not by_rule:
            click.echo("No channel announces its uploads: `momentum channels notify CHANNEL on`.",
                       err=True)  # fmt: skip
        for rule in by_rule:  # they announce too; `momentum rules list` has them all
            click.echo(f"Rule {rule.id}: {rule.spec.describe()}")


def announce_after_sync(state: Context, *, quiet: bool) -> None:
    """Announce new uploads of notifying channels and notify rules after a sync; a failure
    is one line."""
    from momentum_tui.notify.announce import announce_new_uploads

    result = announce_new_uploads(state.open_store(), state.settings.notify)
    if result.problem:
        click.echo(f"momentum: {len(result.videos) or 'some'} new uploads were not announced: "
                   f"{result.problem}", err=True)  # fmt: skip
    elif result.videos and not quiet:
        click.echo(f"Announced {len(result.videos)} new uploads ({result.via}).", err=True)
