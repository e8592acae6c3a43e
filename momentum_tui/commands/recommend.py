"""`momentum recommend|why|digest|cleanup|prefs keyword`: the "For you" feed for scripts.

JSON shapes are stable and documented in docs/recommend.md.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

import click

from momentum_tui.commands.common import (
    Context,
    VideoIdCommand,
    emit_json,
    emit_table,
    json_option,
    pass_context,
)
from momentum_tui.commands.feed import row_json
from momentum_tui.errors import NotFoundError
from momentum_tui.models import UNKNOWN_LENGTH, FeedRow, Mood, Topic, format_duration, iso_utc
from momentum_tui.recommend import cleanup as cleanup_suggestions
from momentum_tui.recommend.digest import build_digest
from momentum_tui.recommend.feeds import Pick, SmartFeed, smart_feed
from momentum_tui.recommend.memory import last_visit
from momentum_tui.recommend.prefs import add_keyword, list_keywords, remove_keyword
from momentum_tui.recommend.ranker import Ranker
from momentum_tui.recommend.reasons import Explainer
from momentum_tui.recommend.session import Explanation
from momentum_tui.storage import feed as feed_queries

DEFAULT_SINCE_S = 7 * 86400
"""The digest covers the last week when no visit is recorded and no --since is given."""


def rows_for_ids(conn: sqlite3.Connection, video_ids: list[str]) -> dict[str, FeedRow]:
    """Feed rows for some video ids."""
    rowids = list(feed_queries.rowids_by_id(conn, video_ids).values())
    return {row.id: row for row in feed_queries.rows_by_rowid(conn, rowids)}


def pick_json(pick: Pick, row: FeedRow) -> dict[str, Any]:
    """One recommended video: the feed's row shape plus `score` and `reasons`."""
    return {**row_json(row), "score": round(pick.score, 4), "reasons": pick.reasons}


def _feed_json(feed: SmartFeed, rows: dict[str, FeedRow], ranker: Ranker) -> dict[str, Any]:
    return {
        "generated_at": iso_utc(int(ranker.now)),
        "cold_start": ranker.tastes.cold,
        "mood": feed.moods[0] if feed.moods else None,
        "moods": list(feed.moods),
        "topics": list(feed.topics),
        "budget_s": feed.budget_seconds,
        "total_s": feed.total_seconds,
        "candidates": feed.candidates,
        "notes": feed.notes,
        "count": len(feed.picks),
        "videos": [pick_json(p, rows[p.video_id]) for p in feed.picks if p.video_id in rows],
    }


@click.command("recommend")
@click.option("--mood", type=click.Choice([m.value for m in Mood]), help="Only this mood.")
@click.option(
    "--minutes", type=click.IntRange(1, 24 * 60), help="Time budget: the list fits in it."
)
@click.option(
    "--topic",
    "topics",
    multiple=True,
    type=click.Choice([t.value for t in Topic]),
    help="Only this topic (repeatable).",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option
@pass_context
def recommend(
    state: Context,
    /,
    mood: str | None,
    minutes: int | None,
    topics: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """Your "For you" feed: best picks first, each with its reasons."""
    store = state.open_store()
    with store.read() as conn:
        ranker = Ranker.load(conn, state.settings.recommend, time.time())
        feed = smart_feed(ranker, mood=mood, minutes=minutes, topics=topics, limit=limit)
        if minutes is not None:
            feed.picks = feed.picks[:limit]
        rows = rows_for_ids(conn, [p.video_id for p in feed.picks])
    if as_json:
        emit_json(_feed_json(feed, rows, ranker))
        return
    table = []
    for p in feed.picks:
        row = rows.get(p.video_id)
        if row is None:
            continue
        length = format_duration(row.duration_s) or (
            "LIVE" if row.live_state == "live" else UNKNOWN_LENGTH
        )
        table.append([p.video_id, length, row.channel_title, row.title, " · ".join(p.reasons)])
    emit_table(["id", "length", "channel", "title", "why"], table)
    for note in feed.notes:
        click.echo(note, err=True)
    summary = f"\n{len(table)} picks from {feed.candidates:,} unwatched videos"
    if feed.budget_seconds is not None:
        summary += f", {format_duration(feed.total_seconds)} of {minutes} min"
    click.echo(summary + ("  (no marks yet: like a few to teach it)" if ranker.tastes.cold else ""),
               err=True)  # fmt: skip


@click.command("why", cls=VideoIdCommand)
@click.argument("video_id")
@json_option
@pass_context
def why(state: Context, video_id: str, as_json: bool) -> None:
    """Show how VIDEO_ID's "For you" score is made, term by term."""
    store = state.open_store()
    with store.read() as conn:
        ranker = Ranker.load(conn, state.settings.recommend, time.time())
        index = ranker.features.index_of(video_id)
        if index is None:
            raise NotFoundError(
                f"No video {video_id!r} in the cache (or its channel is unfollowed).",
                "Check the id with `momentum search` or `momentum recommend --json`.",
            )
        ranking = ranker.rank()
        explained = Explanation.of(video_id, index, ranker, ranking, Explainer(ranker, ranking))
        row = rows_for_ids(conn, [video_id]).get(video_id)
    terms, reasons, position = explained.terms, explained.reasons, explained.position
    score, excluded = explained.score, explained.excluded
    if as_json:
        emit_json(
            {
                "id": video_id,
                "title": row.title if row else "",
                "channel": row.channel_title if row else "",
                "score": round(score, 6),
                "rank": None if position is None else position + 1,
                "excluded": excluded,
                "reasons": reasons,
                "terms": [
                    {
                        "signal": term.signal,
                        "label": term.label,
                        "value": round(term.value, 6),
                        "weight": term.weight,
                        "contribution": round(term.contribution, 6),
                        "reason": sentence or None,
                    }
                    for term, sentence in terms
                ],
            }
        )
        return
    click.echo(row.title if row else video_id)
    where = f"#{position + 1} in For you" if position is not None else "not in For you"
    if excluded:
        where += f" ({excluded})"
    click.echo(f"score {score:+.3f} · {where}")
    emit_table(
        ["signal", "value", "weight", "adds", "because"],
        [
            [
                term.label,
                f"{term.value:+.2f}",
                f"{term.weight:g}",
                f"{term.contribution:+.3f}",
                sentence,
            ]
            for term, sentence in terms
            if abs(term.contribution) > 1e-9
        ]
        or [["(every signal is zero)", "", "", "", ""]],
    )


_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)


def parse_since(text: str, now: float) -> int:
    """`36h`, `2d`, `1w`, `2026-11-20` or `2026-11-20T08:00` (UTC) → Unix seconds."""
    match = _RELATIVE.match(text)
    if match:
        size = {"h": 3600, "d": 86400, "w": 7 * 86400}[match.group(2).lower()]
        return int(now - int(match.group(1)) * size)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a time like 2d, 36h, 1w or 2026-11-20.", param_hint="--since"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@click.command("digest")
@click.option("--since", help="From when: 2d, 36h, 1w or a date (default: your last visit).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown for notes, JSON for scripts.",
)
@pass_context
def digest(state: Context, since: str | None, output: str) -> None:
    """What was published since your last visit, by topic, with the best pick of each."""
    now = time.time()
    store = state.open_store()
    if since is not None:
        start = parse_since(since, now)
    else:
        visit = last_visit(store)
        start = visit if visit is not None else int(now - DEFAULT_SINCE_S)
    with store.read() as conn:
        ranker = Ranker.load(conn, state.settings.recommend, now)
        result = build_digest(ranker, ranker.rank(), start)
    if output == "json":
        emit_json(result.as_json())
    else:
        click.echo(result.markdown(), nl=False)


@click.command("cleanup")
@json_option
@pass_context
def cleanup(state: Context, as_json: bool) -> None:
    """Channels you might unfollow: unwatched for 90 days, dormant, or drifted away."""
    store = state.open_store()
    with store.read() as conn:
        ranker = Ranker.load(conn, state.settings.recommend, time.time())
        found = cleanup_suggestions.suggestions(ranker)
    if as_json:
        emit_json({"count": len(found), "channels": [s.as_json() for s in found]})
        return
    emit_table(
        ["channel", "kind", "why", "id"], [[s.title, s.kind, s.reason, s.channel_id] for s in found]
    )
    click.echo(f"\n{len(found)} suggestions (nothing was unfollowed).", err=True)


@click.group("prefs")
def prefs() -> None:
    """Preferences that steer "For you"."""


@prefs.group("keyword")
def keyword() -> None:
    """Keywords that lift (positive weight) or sink (negative) matching videos."""


@keyword.command("add")
@click.argument("word")
@click.argument("weight", type=float, default=1.0)
@json_option
@pass_context
def keyword_add(state: Context, word: str, weight: float, as_json: bool) -> None:
    """Add WORD (a word or quoted phrase) with WEIGHT (-5…5, default 1)."""
    store = state.open_store()
    with store.write() as db:
        pref = add_keyword(db, word, weight)
    if as_json:
        emit_json(pref.as_json())
    else:
        click.echo(f"Keyword “{pref.keyword}” weighs {pref.weight:+g}.")


@keyword.command("remove")
@click.argument("word")
@json_option
@pass_context
def keyword_remove(state: Context, word: str, as_json: bool) -> None:
    """Remove the keyword WORD."""
    store = state.open_store()
    with store.write() as db:
        pref = remove_keyword(db, word)
    if as_json:
        emit_json({"removed": pref.as_json()})
    else:
        click.echo(f"Removed keyword “{pref.keyword}”.")


@keyword.command("list")
@json_option
@pass_context
def keyword_list(state: Context, as_json: bool) -> None:
    """List keyword preferences, strongest first."""
    store = state.open_store()
    with store.read() as conn:
        found = list_keywords(conn)
    if as_json:
        emit_json({"count": len(found), "keywords": [p.as_json() for p in found]})
        return
    if not found:
        click.echo("No keyword preferences. Add one: momentum prefs keyword add rust 1.5")
        return
    emit_table(["keyword", "weight"], [[p.keyword, f"{p.weight:+g}"] for p in found])
