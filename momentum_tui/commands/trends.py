"""`momentum trends`: what is rising in your subscriptions, for a quick look or a script."""

from __future__ import annotations

import time
from typing import Any

import click

from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context
from momentum_tui.models import iso_utc
from momentum_tui.recommend.trends import (
    MIN_BASELINE,
    Breakout,
    TrendRow,
    Trends,
    compute_trends,
)


def _row_json(row: TrendRow) -> dict[str, Any]:
    change = row.change
    return {
        "kind": row.kind,
        "term": row.term,
        "count": row.now,
        "expected": round(row.expected, 2),
        "change": None if change is None else round(change, 3),
        "surprise": round(row.surprise, 3),
        "counts": row.counts,
        "sparkline": row.sparkline,
        "channels": row.channels,
        "video_ids": row.video_ids,
    }


def _breakout_json(item: Breakout) -> dict[str, Any]:
    return {
        "channel_id": item.channel_id,
        "title": item.title,
        "ratio": round(item.ratio, 2),
        "videos": item.videos,
        "video_ids": item.video_ids,
    }


def trends_json(trends: Trends) -> dict[str, Any]:
    """The stable `momentum trends --json` shape (documented in docs/json.md)."""
    return {
        "days": trends.days,
        "history": trends.history,
        "windows": [iso_utc(start) for start in trends.window_starts],
        "until": iso_utc(trends.until),
        "uploads": trends.uploads,
        "enough_history": trends.enough_history,
        "topics": [_row_json(r) for r in trends.topics],
        "tags": [_row_json(r) for r in trends.tags],
        "words": [_row_json(r) for r in trends.words],
        "channels": [_breakout_json(b) for b in trends.breakouts],
    }


def _change_text(row: TrendRow) -> str:
    change = row.change
    return "new" if change is None else f"{change:+.0%}"


@click.command("trends")
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    default=7,
    show_default=True,
    help="Length of each window; the newest is compared with the ones before.",
)
@click.option(
    "--history",
    type=click.IntRange(1, 52),
    default=7,
    show_default=True,
    help="How many earlier windows make the baseline.",
)
@click.option(
    "--limit", type=click.IntRange(1, 100), default=15, show_default=True, help="Rows per section."
)
@json_option
@pass_context
def trends(state: Context, days: int, history: int, limit: int, as_json: bool) -> None:  # fmt: skip
    """Topics, tags and title words rising in what you follow, and channels breaking out."""
    store = state.open_store()
    with store.read() as conn:
        found = compute_trends(conn, int(time.time()), days=days, history=history, limit=limit)
    if as_json:
        emit_json(trends_json(found))
        return
    rows = found.rows
    if rows:
        emit_table(
            ["kind", "rising", "now", "change", f"last {history + 1}×{days}d", "channels"],
            [[r.kind, r.term, r.now, _change_text(r), r.sparkline, r.channels] for r in rows],
        )
    if found.breakouts:
        if rows:
            click.echo()
        emit_table(
            ["channel breaking out", "pace", "new videos", "id"],
            [[b.title, f"{b.ratio:.1f}×", b.videos, b.channel_id] for b in found.breakouts],
        )
    total = found.uploads[-1]
    if not found.enough_history:
        click.echo(
            f"Not enough history to tell what is rising: {sum(found.uploads[:-1])} uploads in "
            f"the {history} windows before the last {days} days (trends need about "
            f"{MIN_BASELINE}). Sync for a few weeks, or widen --days or --history.",
            err=True,
        )
    elif not rows and not found.breakouts:
        click.echo(
            f"Nothing is rising: {total} uploads in the last {days} days, in line with the "
            f"{history} windows before. Sync more often or widen --days.",
            err=True,
        )
    else:
        click.echo(
            f"\n{total} uploads in the last {days} days; `momentum trends --json` lists each "
            "row's videos.",
            err=True,
        )
