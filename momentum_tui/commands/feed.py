"""`momentum feed|search|mark|undo|show`: the feed for scripts, with the app's filters."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import click

from momentum_tui.commands.common import (
    Context,
    VideoIdCommand,
    emit_json,
    emit_table,
    json_option,
    pass_context,
)
from momentum_tui.errors import NotFoundError
from momentum_tui.models import (
    UNKNOWN_LENGTH,
    FeedRow,
    Filters,
    Mark,
    Sort,
    format_age_short,
    format_count,
    format_duration,
    iso_utc,
    parse_duration,
    video_url,
)
from momentum_tui.storage import feed as feed_queries
from momentum_tui.storage.marks import mark_video, undo_last

P = ParamSpec("P")
R = TypeVar("R")


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def filter_options(function: Callable[P, R]) -> Callable[P, R]:
    """The app's feed filters as command-line options."""
    options = [
        click.option(
            "--sort",
            type=click.Choice([s.value for s in Sort]),
            default=None,
            help="Order (default from config: newest).",
        ),
        click.option("--unwatched", is_flag=True, help="Only unwatched videos."),
        click.option("--saved", is_flag=True, help="Only videos saved for later."),
        click.option("--no-shorts", is_flag=True, help="Hide Shorts."),
        click.option("--no-live", is_flag=True, help="Hide live and upcoming streams."),
        click.option("--include-hidden", is_flag=True, help="Include hidden videos."),
        click.option(
            "--min",
            "min_duration",
            callback=_duration,
            help="Shortest length, e.g. 5m or 90s (a bare number is minutes).",
        ),
        click.option(
            "--max", "max_duration", callback=_duration, help="Longest length, e.g. 20m or 1h."
        ),
        click.option("--channel", "channel_id", help="Only this channel id (UC…)."),
        click.option("--tag", "channel_tag", help="Only channels in this group."),
        click.option("--topic", "topics", multiple=True, help="Only this topic (repeatable)."),
        click.option("--mood", "moods", multiple=True, help="Only this mood (repeatable)."),
        click.option("--format", "formats", multiple=True, help="Only this format (repeatable)."),
        click.option(
            "--max-clickbait",
            type=click.FloatRange(0, 1),
            help="Hide videos whose clickbait score is above this (0–1).",
        ),
        click.option(
            "--limit",
            type=click.IntRange(1, 100_000),
            default=50,
            show_default=True,
            help="How many videos to print.",
        ),
        click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def build_filters(state: Context, search: str = "", **options: Any) -> Filters:
    """Filters from command-line options, with the config file's defaults underneath."""
    defaults = state.settings.feed
    return Filters(
        sort=Sort(options.get("sort") or defaults.sort),
        unwatched_only=options.get("unwatched") or defaults.unwatched_only,
        saved_only=bool(options.get("saved")),
        hide_shorts=options.get("no_shorts") or defaults.hide_shorts,
        hide_live=options.get("no_live") or defaults.hide_live,
        include_hidden=bool(options.get("include_hidden")),
        min_seconds=options.get("min_duration"),
        max_seconds=options.get("max_duration"),
        channel_id=options.get("channel_id"),
        channel_tag=options.get("channel_tag"),
        topics=tuple(options.get("topics") or ()),
        moods=tuple(options.get("moods") or ()),
        formats=tuple(options.get("formats") or ()),
        max_clickbait=options.get("max_clickbait"),
        search=search,
    )


def row_json(row: FeedRow) -> dict[str, Any]:
    """The stable JSON shape of one feed row (documented in the README)."""
    return {
        "id": row.id,
        "url": row.url,
        "title": row.title,
        "channel_id": row.channel_id,
        "channel": row.channel_title,
        "published_at": iso_utc(row.published_at),
        "duration_s": row.duration_s,
        "is_short": row.is_short,
        "live": row.live_state,
        "views": row.view_count,
        "state": {
            "watched": row.watched,
            "rating": {1: "liked", -1: "disliked"}.get(row.rating),
            "hidden": row.hidden,
            "saved": row.saved,
        },
        "labels": None
        if row.topic is None
        else {
            "topic": row.topic,
            "mood": row.mood,
            "format": row.format,
            "clickbait": row.clickbait,
            "plain_title": row.plain_title,
        },
    }


def _print_rows(rows: list[FeedRow], total: int, filters: Filters, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "total": total,
                "count": len(rows),
                "filters": filters.describe(),
                "videos": [row_json(r) for r in rows],
            }
        )
        return
    now = time.time()
    emit_table(
        ["id", "age", "length", "views", "channel", "title"],
        [
            [
                r.id,
                format_age_short(r.published_at, now),
                "LIVE"
                if r.live_state == "live"
                else format_duration(r.duration_s) or UNKNOWN_LENGTH,
                format_count(r.view_count),
                r.channel_title,
                r.title,
            ]
            for r in rows
        ],
    )
    shown = f"{len(rows):,} of {total:,} videos"
    described = ", ".join(filters.describe())
    click.echo(f"\n{shown}" + (f" ({described})" if described else ""), err=True)


@click.command()
@filter_options
@json_option
@pass_context
def feed(state: Context, /, as_json: bool, limit: int, offset: int, **options: Any) -> None:
    """List the feed with the same filters as the app."""
    _list(state, build_filters(state, **options), limit, offset, as_json)


@click.command()
@click.argument("query", nargs=-1, required=True)
@filter_options
@json_option
@pass_context
def search(
    state: Context,
    /,
    query: tuple[str, ...],
    as_json: bool,
    limit: int,
    offset: int,
    **options: Any,
) -> None:
    """Search titles, descriptions, channel names and tags (best matches first)."""
    _list(state, build_filters(state, search=" ".join(query), **options), limit, offset, as_json)


def _list(state: Context, filters: Filters, limit: int, offset: int, as_json: bool) -> None:
    with state.open_store().read() as conn:
        rows = feed_queries.feed_page(conn, filters, limit=limit, offset=offset)
        total = feed_queries.feed_count(conn, filters)
        unknown = feed_queries.unknown_length_count(conn, filters)
    _print_rows(rows, total, filters, as_json)
    if unknown and not as_json:
        click.echo(
            f"{unknown:,} videos of unknown length were left out by the length filter "
            "(synced without a key: a sync with a YouTube API key fills lengths in).",
            err=True,
        )


def _labels_json(labels: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored label record, its time in ISO-8601 UTC like every other `--json` time."""
    if labels is None:
        return None
    return {**labels, "labelled_at": iso_utc(labels["labelled_at"])}


def _state_json(state: dict[str, Any]) -> dict[str, Any]:
    """A video's marks, times as ISO-8601."""
    return {k: iso_utc(v) if k.endswith("_at") else v for k, v in state.items()}


@click.command(cls=VideoIdCommand)
@click.argument("video_id")
@click.argument("what", type=click.Choice([m.value for m in Mark]))
@json_option
@pass_context
def mark(state: Context, video_id: str, what: str, as_json: bool) -> None:
    """Mark VIDEO_ID as watched, unwatched, hidden, unhidden, liked, disliked, unrated, saved…"""
    store = state.open_store()
    result = mark_video(store, video_id, Mark(what))
    if as_json:
        emit_json(
            {
                "id": result.video_id,
                "mark": result.mark,
                "state": _state_json(result.state),
            }
        )
    else:
        click.echo(f"{video_id}: {what}.")


@click.command()
@json_option
@pass_context
def undo(state: Context, as_json: bool) -> None:
    """Undo the most recent mark (from the app or the command line)."""
    store = state.open_store()
    result = undo_last(store)
    if result is None:
        raise NotFoundError("There is nothing to undo.")
    if as_json:
        emit_json({"id": result.video_id, "undone": result.mark})
    else:
        click.echo(f"Undid “{result.mark}” on {result.video_id}.")


@click.command(cls=VideoIdCommand)
@click.argument("video_id")
@json_option
@pass_context
def show(state: Context, video_id: str, as_json: bool) -> None:
    """Everything the cache knows about one video."""
    store = state.open_store()
    with store.read() as conn:
        detail = feed_queries.video_detail(conn, video_id)
    if detail is None:
        raise NotFoundError(f"No video {video_id!r} in the cache.", "Try `momentum search`.")
    video = detail.video
    if as_json:
        emit_json(
            {
                "id": video["id"],
                "url": video_url(video["id"]),
                "title": video["title"],
                "channel_id": video["channel_id"],
                "channel": video["channel_title"],
                "description": video["description"],
                "published_at": iso_utc(video["published_at"]),
                "duration_s": video["duration_s"],
                "is_short": bool(video["is_short"]),
                "live": video["live_state"],
                "views": video["view_count"],
                "likes": video["like_count"],
                "comments": video["comment_count"],
                "stats_at": iso_utc(video["stats_at"]),
                "tags": video["tags"],
                "status": video["status"],
                "state": _state_json(detail.state),
                "labels": _labels_json(detail.labels),
                "channel_tags": detail.channel_tags,
            }
        )
        return
    now = time.time()
    click.echo(video["title"])
    views = video["view_count"]
    parts = [
        video["channel_title"],
        f"{format_age_short(video['published_at'], now)} ago",
        format_duration(video["duration_s"]) or "length unknown",
        f"{format_count(views)} views" if views is not None else "",
    ]
    click.echo(" · ".join(part for part in parts if part))
    click.echo(video_url(video["id"]))
    if detail.labels:
        labels = detail.labels
        click.echo(
            f"{labels['topic']} · {labels['mood']} · {labels['format']} · "
            f"clickbait {labels['clickbait']:.2f}"
        )
        click.echo(labels["summary"])
    if video["description"]:
        click.echo("")
        click.echo(video["description"])
