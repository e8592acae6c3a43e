"""Failed workers become sentences, on whichever screen or app ran them.

`Worker.StateChanged` does not bubble, so every screen that runs workers mixes this in.
"""

from __future__ import annotations

import logging

from textual.worker import Worker, WorkerState

from momentum_tui.errors import MomentumError

log = logging.getLogger(__name__)


def failure_sentence(error: BaseException | None) -> str:
    """What to tell the person when background work failed."""
    if isinstance(error, MomentumError):
        return f"{error.title} {error.hint}".strip()
    return (
        f"Something went wrong ({type(error).__name__}: {error}). Nothing was lost; "
        "run with --debug for details."
    )


class ReportsWorkerErrors:
    """Mixin for screens and apps: a failed worker shows a notification instead of crashing."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Say what went wrong (and log the traceback for --debug)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if not isinstance(error, MomentumError):
            log.error("worker %s failed", event.worker.name, exc_info=error)
        self.notify(failure_sentence(error), severity="error", timeout=10)  # type: ignore[attr-defined]
