"""`momentum costs`: what Claude cost, by UTC day and model, against the budgets."""

from __future__ import annotations

import click

from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context


@click.command("costs")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True,
              help="How many days back.")  # fmt: skip
@json_option
@pass_context
def costs(state: Context, days: int, as_json: bool) -> None:
    """What Claude cost, by day and model, against the daily and monthly budgets."""
    from momentum_tui.ai import ledger
    from momentum_tui.ai.queries import failures

    settings = state.settings.claude
    store = state.open_store()
    with store.read() as conn:
        rows = ledger.spend_by_day(conn, days)
        today, month = ledger.spent_usd(conn)
        pending = ledger.pending_batch_usd(conn)
        gave_up = len(failures(conn))
    if as_json:
        emit_json({
            "today_usd": round(today, 6), "month_usd": round(month, 6),
            "daily_budget_usd": settings.daily_budget_usd,
            "monthly_budget_usd": settings.monthly_budget_usd,
            "pending_batch_usd": round(pending, 6), "given_up_videos": gave_up,
            "days": [{"day": r.day, "model": r.model, "requests": r.requests,
                      "videos": r.videos, "input_tokens": r.input_tokens,
                      "output_tokens": r.output_tokens,
                      "cache_write_tokens": r.cache_write_tokens,
                      "cache_read_tokens": r.cache_read_tokens, "usd": round(r.usd, 6)}
                     for r in rows],
        })  # fmt: skip
        return
    if rows:
        emit_table(
            ["day (UTC)", "model", "requests", "videos", "input", "output", "cache w/r", "USD"],
            [[r.day, r.model, r.requests, r.videos, f"{r.input_tokens:,}", f"{r.output_tokens:,}",
              f"{r.cache_write_tokens:,}/{r.cache_read_tokens:,}", f"{r.usd:.4f}"]
             for r in rows],
        )  # fmt: skip
        click.echo("")
    else:
        click.echo(f"No Claude requests in the last {days} days.")
    click.echo(f"Today: ${today:.4f} of ${settings.daily_budget_usd:.2f}. "
               f"This month: ${month:.4f} of ${settings.monthly_budget_usd:.2f}.")  # fmt: skip
    if pending:
        click.echo(f"Batches in flight may cost up to ${pending:.4f} more.")
    if gave_up:
        click.echo(f"{gave_up} videos Claude could not label are skipped until their text "
                   "changes (`momentum classify --retry-failed` tries them again).")  # fmt: skip
