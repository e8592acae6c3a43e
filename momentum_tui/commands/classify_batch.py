"""`momentum classify --batch`: label the backlog on the Message Batches API (half price).

One run collects every batch that has ended, submits what still needs labels as a new
batch, and — with `--wait` — polls until none is pending; `--cancel` asks Claude to
cancel the batches in flight. The work itself is `ai.batches.BatchRunner`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from momentum_tui.commands.common import emit_json, note
from momentum_tui.errors import MomentumError
from momentum_tui.storage import Store

if TYPE_CHECKING:
    from momentum_tui.ai.batches import BatchReport, BatchRunner


def run_batch(store: Store, settings: Any, client: Any, wait: bool, cancel: bool,
               limit: int | None, budget_usd: float | None, local: int,
               as_json: bool) -> None:  # fmt: skip
    """Collect ended batches, submit the backlog as a new one, and (`--wait`) wait for all."""
    from momentum_tui.ai.batches import BatchRunner

    runner = BatchRunner(store, settings, client)
    if cancel:
        canceled = runner.cancel()
        if as_json:
            emit_json({"canceled": canceled})
        else:
            click.echo(f"Asked Claude to cancel {len(canceled)} batch(es); "
                       "run `momentum classify --batch` to collect what finished.")  # fmt: skip
        return
    report = runner.collect()
    try:
        submitted = runner.submit(limit=limit, budget_usd=budget_usd)  # nothing to do: no-op
    except MomentumError as error:
        if not report.collected:
            raise
        note(f"{error.title} {error.hint}")
    else:
        report.submitted = submitted.submitted
        report.reused += submitted.reused
        report.stopped = submitted.stopped
        report.held_back = submitted.held_back
    if wait:

        def on_poll(polled: Any) -> None:
            if not as_json and polled.pending:
                note(progress_words(polled, runner.clock()))

        wait_for_every_batch(runner, report, limit=limit, budget_usd=budget_usd,
                             on_poll=on_poll)  # fmt: skip
    report.pending = runner.pending()
    if as_json:
        emit_json({"mode": "batch", "local_labelled": local, **report.as_json()})
        return
    for info in report.submitted:
        click.echo(f"Submitted batch {info.id}: {info.videos:,} videos in {info.requests} "
                   f"requests (at most ${info.estimate_usd:.4f}).")  # fmt: skip
    if report.collected:
        click.echo(f"Collected {len(report.collected)} batch(es): {report.labelled:,} labelled "
                   f"for ${report.usd:.4f}.")  # fmt: skip
    for batch_id in report.forgotten:
        note(f"Claude no longer has batch {batch_id} (results are kept for 29 days); its "
             "videos will be sent again.")  # fmt: skip
    if report.returned:
        note(f"{report.returned:,} videos came back unprocessed (errored, expired or canceled) "
              "and will be sent again.")  # fmt: skip
    if report.held_back:
        note(f"Nothing new was sent: {report.stopped}; `momentum classify --batch` then "
             "looks for it and sends the rest.")  # fmt: skip
    elif report.stopped:
        note(f"The batch was kept under {report.stopped}.")
    if report.pending:
        note(f"{len(report.pending)} batch(es) still in progress; run `momentum classify "
              "--batch` later (or with --wait) to collect them.")  # fmt: skip
    elif not report.submitted and not report.collected:
        note("Nothing to send: every video has Claude labels or is waiting in a batch.")


def progress_words(polled: BatchReport, now: float) -> str:
    """What `--wait` says at each poll: the batches in progress, or, when one is a batch an
    earlier run wrote down but Claude never confirmed, why it waits and for how long."""
    from momentum_tui.ai.batches import SUBMIT_GRACE_S, SUBMITTING

    unconfirmed = [info.created_at for info in polled.pending if info.status == SUBMITTING]
    if unconfirmed:
        minutes = max(1, math.ceil((min(unconfirmed) + SUBMIT_GRACE_S - now) / 60))
        return (
            "classify: waiting on a batch an earlier run wrote down but Claude never "
            "confirmed (the run stopped, or Claude's answer was lost): Claude's list can lag, "
            f"so it is looked for there for about {minutes} more min before its videos are "
            "sent again…"
        )
    return (
        f"classify: {len(polled.pending)} batch(es) in progress, "
        f"{polled.labelled:,} labelled so far…"
    )


def wait_for_every_batch(
    runner: BatchRunner,
    report: BatchReport,
    *,
    limit: int | None,
    budget_usd: float | None,
    on_poll: Callable[[BatchReport], None] | None = None,
) -> None:
    """`--wait`: collect until no batch is pending, adding what was collected to `report`.

    When `report`'s submit was held back by an unconfirmed batch (a run killed, or an
    answer lost, between writing a batch down and Claude confirming it), the wait settles
    that batch — adopted and collected, or, after `SUBMIT_GRACE_S` with no such batch at
    Claude, its videos freed — and then the held-back videos are submitted and waited
    for too: a rerun with `--wait` ends with the videos labelled, as an uninterrupted run
    does, instead of with freed videos left unsent. The held-back submit sent nothing, so
    sending now stays within `limit` and `budget_usd`.
    """
    _absorb(report, runner.wait(on_poll=on_poll))
    if not report.held_back:
        return
    again = runner.submit(limit=limit, budget_usd=budget_usd)
    report.submitted += again.submitted
    report.reused += again.reused
    report.stopped, report.held_back = again.stopped, again.held_back
    if again.submitted:
        _absorb(report, runner.wait(on_poll=on_poll))


def _absorb(report: BatchReport, waited: BatchReport) -> None:
    """Add a wait's collections to `report`."""
    report.collected += waited.collected
    report.forgotten += waited.forgotten
    report.labelled += waited.labelled
    report.failed += waited.failed
    report.returned += waited.returned
    report.usage.add(waited.usage)
    report.usd += waited.usd
