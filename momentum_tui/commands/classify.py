"""`momentum classify`: label videos offline at once, then with Claude (or price the backlog).

The Claude modules (and so the anthropic SDK) are imported only when a command needs
them; `--batch` is handed to `commands.classify_batch`. Progress and notes go to
standard error, so `--json` output on standard output stays clean for scripts. JSON
shapes are documented in docs/ai.md.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from momentum_tui.commands.classify_batch import run_batch
from momentum_tui.commands.common import Context, emit_json, json_option, note, pass_context
from momentum_tui.errors import MissingKeyError
from momentum_tui.storage import Store

if TYPE_CHECKING:
    from momentum_tui.ai.claude import ClassifyProgress, ClassifyResult
    from momentum_tui.ai.estimate import Estimate
    from momentum_tui.config import ClaudeSettings


class _ProgressLine:
    """One progress line on standard error, rewritten in place on a terminal."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, status: ClassifyProgress) -> None:
        text = (
            f"classify: {status.labelled:,}/{status.total:,} labelled, {status.failed} given up, "
            f"{status.requests} requests, ${status.usd:.4f}"
            + (f" — {status.note}" if status.note else "")
        )
        if self.tty:
            click.echo("\r\x1b[2K" + text, nl=False, err=True)
        elif time.monotonic() - self.last > 2 or status.labelled + status.failed >= status.total:
            click.echo(text, err=True)
            self.last = time.monotonic()

    def done(self) -> None:
        if self.tty:
            click.echo("", err=True)


@click.command("classify")
@click.option("--batch", is_flag=True, help="Use the Message Batches API (half price, slower).")
@click.option("--wait", is_flag=True, help="With --batch: poll until every batch has ended.")
@click.option("--cancel", is_flag=True, help="With --batch: cancel the batches in flight.")
@click.option("--limit", type=click.IntRange(1), help="Label at most this many videos.")
@click.option("--budget", "budget_usd", type=click.FloatRange(0), help="Spend at most this (USD).")
@click.option("--local", "local_only", is_flag=True, help="Only the offline classifier.")
@click.option("--retry-failed", is_flag=True, help="Try again videos Claude gave up on.")
@click.option("--estimate", is_flag=True, help="Price the backlog (free); label nothing.")
@json_option
@pass_context
def classify_command(
    state: Context,
    batch: bool,
    wait: bool,
    cancel: bool,
    limit: int | None,
    budget_usd: float | None,
    local_only: bool,
    retry_failed: bool,
    estimate: bool,
    as_json: bool,
) -> None:
    """Label videos: offline right away, then with Claude (batched, cached, within budget)."""
    from momentum_tui.ai.local import label_store
    from momentum_tui.ai.queries import clear_failures

    store = state.open_store()
    settings = state.settings.claude
    if estimate:  # prices the backlog and labels nothing, not even offline
        _estimate(store, settings, as_json)
        return
    local = label_store(store).labelled
    if local and not as_json:
        note(f"Labelled {local:,} new or changed videos offline.")
    if local_only:
        _finish_local(store, local, as_json, reason="--local")
        return
    from momentum_tui.ai.transport import api_key, make_client  # the anthropic SDK

    try:
        key = api_key()
    except MissingKeyError as error:
        note(f"{error.title} {error.hint}")
        _finish_local(store, local, as_json, reason="no key")
        return
    client = make_client(settings, key)
    if retry_failed:
        with store.write() as db:
            cleared = clear_failures(db)
        note(f"Cleared {cleared} give-ups; they will be tried again.")
    if batch:
        run_batch(store, settings, client, wait, cancel, limit, budget_usd, local, as_json)
        return
    from momentum_tui.ai.claude import classify

    progress = _ProgressLine()
    try:
        result = classify(
            store, settings, limit=limit, budget_usd=budget_usd, client=client,
            progress=None if as_json else progress,
        )  # fmt: skip
    finally:
        progress.done()
    _print_result(store, result, local, as_json)


def _finish_local(store: Store, local: int, as_json: bool, reason: str) -> None:
    from momentum_tui.ai.queries import count_candidates

    with store.read() as conn:
        waiting = count_candidates(conn)
    if as_json:
        emit_json({"mode": "local", "reason": reason, "local_labelled": local,
                   "waiting_for_claude": waiting})  # fmt: skip
    elif not local:
        note("Every video already has labels.")


def _print_result(store: Store, result: ClassifyResult, local: int, as_json: bool) -> None:
    if as_json:
        emit_json({"mode": "claude", "local_labelled": local, **result.as_json()})
        return
    if result.candidates == 0:
        note("Every video already has Claude labels; nothing was sent.")
        return
    click.echo(
        f"Labelled {result.labelled:,} videos with {result.model}"
        + (f" ({result.reused:,} from earlier answers)" if result.reused else "")
        + f" in {result.requests} requests for ${result.usd:.4f}"
        + (f"; gave up on {result.failed}" if result.failed else "")
        + "."
    )
    if result.stopped:
        note(
            f"Stopped before going over {result.stopped}: {result.remaining:,} videos keep their "
            "offline labels. Run `momentum classify` again when the budget renews (UTC), or "
            "pass --budget."
        )
    if result.failed:
        note(f"{result.failed} videos Claude could not label keep their offline labels; "
              "`momentum classify --retry-failed` tries them again.")  # fmt: skip


def _estimate(store: Store, settings: ClaudeSettings, as_json: bool) -> None:
    """Claude's free token counter with a key; without one, a local count (no key needed)."""
    from momentum_tui.ai.estimate import estimate_backlog
    from momentum_tui.ai.transport import api_key, make_client

    try:
        client = make_client(settings, api_key())
    except MissingKeyError:
        client = None
    _print_estimate(estimate_backlog(store, settings, client), as_json)


def _print_estimate(estimate: Estimate, as_json: bool) -> None:
    if as_json:
        emit_json(estimate.as_json())
        return
    if not estimate.candidates:
        click.echo("Every video already has Claude labels.")
        return
    click.echo(
        f"{estimate.candidates:,} videos need Claude labels: about {estimate.requests:,} "
        f"requests, ${estimate.usd:.2f} (${estimate.batch_usd:.2f} with --batch)."
    )
    if estimate.counted_by == "local":
        note("Counted locally at about 4 bytes a token, since no Anthropic key is set; with "
             "a key, Claude's own free token counter makes it exact.")  # fmt: skip
