"""`momentum play` and `momentum queue`: watch a video, or your watch-later queue, in mpv."""

from __future__ import annotations

from typing import Any

import click

from momentum_tui.commands.common import Context, emit_json, emit_table, json_option, pass_context
from momentum_tui.errors import NotFoundError
from momentum_tui.models import format_duration, iso_utc
from momentum_tui.storage import queue as queue_store
from momentum_tui.storage.db import Store


def _require_video(store: Store, video_id: str) -> str:
    from momentum_tui.storage.feed import video_detail

    with store.read() as conn:
        detail = video_detail(conn, video_id)
    if detail is None:
        raise NotFoundError(
            f"No video {video_id!r} in the cache.",
            "Check the id with `momentum search` or `momentum feed --json`.",
        )
    return str(detail.video["title"])


def _outcome_json(outcome: Any) -> dict[str, Any]:
    return {
        "id": outcome.video_id,
        "ended": outcome.reason,
        "position_s": None if outcome.position_s is None else round(outcome.position_s),
        "duration_s": None if outcome.duration_s is None else round(outcome.duration_s),
        "resumed_from_s": None if outcome.resumed_from is None else round(outcome.resumed_from),
        "marked_watched": outcome.marked_watched,
        "followed": outcome.followed,
    }


def _say(outcome: Any) -> None:
    if not outcome.followed:
        click.echo("The player has exited (positions are remembered only with mpv).", err=True)
    elif outcome.reason == "eof":
        click.echo(f"Finished {outcome.video_id}" + (" (marked watched)." if
                   outcome.marked_watched else "."), err=True)  # fmt: skip
    elif outcome.reason == "error":
        click.echo(f"mpv could not play {outcome.video_id} (offline, or yt-dlp needs an "
                   "update: `pip install -U yt-dlp`).", err=True)  # fmt: skip
    elif outcome.position_s is not None:
        click.echo(f"Stopped at {format_duration(int(outcome.position_s))}; `momentum play "
                   f"{outcome.video_id}` resumes there.", err=True)  # fmt: skip


@click.command("play")
@click.argument("video_id")
@click.option("--audio", is_flag=True, help="Audio only (no video window).")
@click.option("--from-start", is_flag=True, help="Start at the beginning, not where you stopped.")
@json_option
@pass_context
def play(state: Context, video_id: str, audio: bool, from_start: bool, as_json: bool) -> None:
    """Play VIDEO_ID in mpv (or `player.command`), resuming where you stopped."""
    from momentum_tui.watch.session import play as play_video

    store = state.open_store()
    title = _require_video(store, video_id)
    settings = state.settings.player
    if from_start:
        settings = settings.replace(resume=False)
    click.echo(f"Playing {title}… (quit the player to come back)", err=True)
    outcome = play_video(store, video_id, settings, audio=audio)
    if as_json:
        emit_json(_outcome_json(outcome))
    else:
        _say(outcome)


@click.group("queue")
def queue() -> None:
    """Your watch-later queue, in order: add, rm, move, list, play."""


def _queue_json(store: Store) -> dict[str, Any]:
    with store.read() as conn:
        items = queue_store.list_queue(conn)
    return {
        "count": len(items),
        "videos": [
            {"id": item.video_id, "title": item.title, "channel": item.channel,
             "duration_s": item.duration_s, "added_at": iso_utc(item.added_at)}
            for item in items
        ],
    }  # fmt: skip


@queue.command("add")
@click.argument("video_ids", nargs=-1, required=True)
@click.option("--first", is_flag=True, help="Put them at the front of the queue.")
@json_option
@pass_context
def queue_add(state: Context, video_ids: tuple[str, ...], first: bool, as_json: bool) -> None:
    """Add videos to the end of the queue (or the front)."""
    store = state.open_store()
    added = [vid for vid in (reversed(video_ids) if first else video_ids)
             if queue_store.add(store, vid, first=first)]  # fmt: skip
    if as_json:
        emit_json({"added": added, **_queue_json(store)})
    else:
        click.echo(f"Queued {len(added)} of {len(video_ids)} (the others were queued already).")


@queue.command("rm")
@click.argument("video_ids", nargs=-1, required=True)
@json_option
@pass_context
def queue_rm(state: Context, video_ids: tuple[str, ...], as_json: bool) -> None:
    """Take videos out of the queue."""
    store = state.open_store()
    removed = [vid for vid in video_ids if queue_store.remove(store, vid)]
    if as_json:
        emit_json({"removed": removed, **_queue_json(store)})
    else:
        click.echo(f"Removed {len(removed)} of {len(video_ids)} from the queue.")


@queue.command("move")
@click.argument("video_id")
@click.argument("where")
@json_option
@pass_context
def queue_move(state: Context, video_id: str, where: str, as_json: bool) -> None:
    """Move a video: to a place (1 = first), `up`/`down` one, or `top`/`bottom`."""
    store = state.open_store()
    steps = {"up": -1, "down": 1}
    if where in steps:
        index = queue_store.move_by(store, video_id, steps[where])
    elif where in ("top", "bottom"):
        index = queue_store.move(store, video_id, 0 if where == "top" else 1 << 30)
    elif where.isdigit() and int(where) >= 1:
        index = queue_store.move(store, video_id, int(where) - 1)
    else:
        raise click.BadParameter("say a place (1 = first), up, down, top or bottom",
                                 param_hint="WHERE")  # fmt: skip
    if as_json:
        emit_json({"id": video_id, "place": index + 1, **_queue_json(store)})
    else:
        click.echo(f"{video_id} is now number {index + 1} in the queue.")


@queue.command("list")
@json_option
@pass_context
def queue_list(state: Context, as_json: bool) -> None:
    """The queue, in order."""
    store = state.open_store()
    data = _queue_json(store)
    if as_json:
        emit_json(data)
        return
    if not data["videos"]:
        click.echo("The queue is empty: `momentum queue add VIDEO_ID`, or `a` in the app.",
                   err=True)  # fmt: skip
        return
    emit_table(
        ["#", "title", "channel", "length", "id"],
        [[n, v["title"] or "(not synced here yet)", v["channel"] or "",
          format_duration(v["duration_s"]), v["id"]]
         for n, v in enumerate(data["videos"], start=1)],
    )  # fmt: skip


@queue.command("play")
@click.option("--audio", is_flag=True, help="Audio only (no video window).")
@json_option
@pass_context
def queue_play(state: Context, audio: bool, as_json: bool) -> None:
    """Play the queue from the top, moving on when a video ends."""
    from momentum_tui.watch.session import play_queue

    store = state.open_store()
    with store.read() as conn:
        if queue_store.next_after(conn, None) is None:
            raise NotFoundError("The queue is empty.", "Add videos with `momentum queue add`.")
    outcomes = play_queue(
        store, state.settings.player, audio=audio,
        started=lambda vid: click.echo(f"Playing {vid}…", err=True),
    )  # fmt: skip
    if as_json:
        emit_json({"played": [_outcome_json(o) for o in outcomes]})
    elif outcomes:
        _say(outcomes[-1])
