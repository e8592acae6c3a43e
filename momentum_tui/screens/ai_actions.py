"""The feed screen's label and rule actions: classify (with progress), plain titles, rules.

`FeedScreen` inherits these from `AIFeedActions`, so the feed screen itself only gains a
base class and a few lines. Network and database work run in thread workers that post
the small messages below; handlers only update widgets.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.storage import Store
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.status_bar import Status

if TYPE_CHECKING:  # the anthropic SDK takes ~1.5 s to import: only the classify worker needs it
    from momentum_tui.ai.claude import ClassifyProgress


@dataclass
class ClassifyProgressed(Message):
    """A classify run moved on (floods collapse: only the latest matters)."""

    progress: ClassifyProgress

    def can_replace(self, message: Message) -> bool:
        """A newer progress report replaces an older one still in the queue."""
        return isinstance(message, ClassifyProgressed)


@dataclass
class ClassifyFinished(Message):
    """A classify run ended: one sentence for a notification."""

    sentence: str
    severity: str = "information"


@dataclass
class SpendLoaded(Message):
    """Today's and this month's Claude spending, for the status bar."""

    today: float
    month: float
    has_key: bool


def spend_words(today: float, daily_budget: float) -> str:
    """`AI $0.12/$0.50 today` for the status bar."""
    return f"AI ${today:.2f}/${daily_budget:.2f} today"


class AIFeedActions(Screen[None]):
    """Label and rule actions for the feed screen (see the module docstring)."""

    store: Store
    settings: Settings
    status: Status

    @property
    def feed_table(self) -> FeedTable:
        """The feed table."""
        return self.query_one(FeedTable)

    def reload(self, *, keep_video: bool = True, keep_index: int | None = None) -> None:
        """Query the feed again (the feed screen implements it)."""
        raise NotImplementedError

    def _refresh_status(self) -> None:
        """Redraw the status bar (the feed screen implements it)."""
        raise NotImplementedError

    # -- plain titles -------------------------------------------------------------------

    def action_toggle_plain_titles(self) -> None:
        """Show the labels' plain titles, or the original ones."""
        table = self.feed_table
        table.plain_titles = not table.plain_titles
        self.notify(
            "Showing plain titles (where labels exist)"
            if table.plain_titles
            else "Showing original titles",
            timeout=2,
        )

    # -- classify -----------------------------------------------------------------------

    def action_classify(self) -> None:
        """Label new videos offline, then with Claude (a thread worker with progress)."""
        if any(w.group == "classify" and not w.is_finished for w in self.workers):
            self.notify("Classifying is already under way.", timeout=3)
            return
        self.notify("Classifying: offline labels first, then Claude…", timeout=3)
        self._classify()

    @work(thread=True, exclusive=True, group="classify", exit_on_error=False)
    def _classify(self) -> None:
        from momentum_tui.ai.claude import classify
        from momentum_tui.ai.local import label_store
        from momentum_tui.ai.transport import api_key, make_client
        from momentum_tui.errors import MissingKeyError

        local = label_store(self.store).labelled
        try:
            key = api_key()
        except MissingKeyError:
            self.post_message(ClassifyFinished(
                f"Labelled {local:,} videos offline. For Claude's labels, add a key with "
                "`momentum keys set anthropic`.",
                "warning",
            ))  # fmt: skip
            return
        settings = self.settings.claude

        def report(progress: ClassifyProgress) -> None:
            self.post_message(ClassifyProgressed(dataclasses.replace(progress)))

        worker = get_current_worker()
        try:
            result = classify(
                self.store, settings, client=make_client(settings, key), progress=report,
                should_stop=lambda: worker.is_cancelled,
            )  # fmt: skip
        except MomentumError as error:
            self.post_message(ClassifyFinished(f"{error.title} {error.hint}".strip(), "error"))
            return
        if result.candidates == 0:
            sentence = "Every video already has Claude labels."
        else:
            sentence = (
                f"Claude labelled {result.labelled:,} videos for ${result.usd:.4f}"
                + (f"; {result.failed} could not be labelled" if result.failed else "")
                + (f"; stopped before going over {result.stopped}" if result.stopped else "")
                + "."
            )
        severity = "warning" if result.stopped else "information"
        self.post_message(ClassifyFinished(sentence, severity))

    def on_classify_progressed(self, message: ClassifyProgressed) -> None:
        """Show the run's progress in the status bar."""
        progress = message.progress
        self.status.ai_progress = f"classify {progress.labelled:,}/{progress.total:,}" + (
            f" · {progress.note}" if progress.note else ""
        )
        self._refresh_status()

    def on_classify_finished(self, message: ClassifyFinished) -> None:
        """Say how it went, and show the new labels."""
        self.status.ai_progress = ""
        self.notify(message.sentence, severity=message.severity, timeout=8)  # type: ignore[arg-type]
        self.reload()
        self.load_ai_spend()

    # -- spending -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="ai-spend", exit_on_error=False)
    def load_ai_spend(self) -> None:
        """Read today's and this month's spending (for the status bar)."""
        from momentum_tui import secrets
        from momentum_tui.ai.ledger import spent_usd

        with self.store.read() as conn:
            today, month = spent_usd(conn)
        has_key = secrets.secret_source("anthropic") is not None
        self.post_message(SpendLoaded(today, month, has_key))

    def on_spend_loaded(self, message: SpendLoaded) -> None:
        """Show spending once there is a key or anything was spent."""
        if message.has_key or message.today or message.month:
            self.status.ai_spend = spend_words(message.today, self.settings.claude.daily_budget_usd)
        else:
            self.status.ai_spend = ""
        self._refresh_status()

    # -- rules --------------------------------------------------------------------------

    def action_rules(self) -> None:
        """Open the rules screen; the feed is queried again if a rule changed."""
        from momentum_tui.screens.rules import RulesScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.reload()
                self.load_ai_spend()

        self.app.push_screen(RulesScreen(self.store, self.settings), closed)
