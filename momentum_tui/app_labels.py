"""The app's labelling: `L` classifies (offline at once, then with Claude), and Claude spending.

`MomentumApp` builds on `LabelsApp`. Like syncing, classifying is app-wide work with
app-wide state the status bar watches — `classify_progress` while a run goes on and
`ai_spend` (today's spending against the budget, once there is a key or anything was
spent). The run is a thread worker posting the small messages below; when it ends the
cache changed (new labels): it posts `CacheChanged`, and every screen watching
`cache_version` loads again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.worker import get_current_worker

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.messages import CacheChanged, FeedReady
from momentum_tui.storage import Store
from momentum_tui.worker_errors import ReportsWorkerErrors

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
    severity: SeverityLevel = "information"


@dataclass
class SpendLoaded(Message):
    """Today's and this month's Claude spending, for the status bar."""

    today: float
    month: float
    has_key: bool


def spend_words(today: float, daily_budget: float) -> str:
    """`AI $0.12/$0.50 today` for the status bar."""
    return f"AI ${today:.2f}/${daily_budget:.2f} today"


def progress_words(progress: ClassifyProgress) -> str:
    """`classify 120/2,000 · waiting 20 s` for the status bar."""
    text = f"classify {progress.labelled:,}/{progress.total:,}"
    return text + (f" · {progress.note}" if progress.note else "")


class LabelsApp(ReportsWorkerErrors, App[None]):
    """Classify with progress, and Claude spending, as app-wide state."""

    store: Store
    settings: Settings

    classify_progress: reactive[str] = reactive("")
    """The running classify's progress in words ("" when none runs)."""
    ai_spend: reactive[str] = reactive("")
    """Today's Claude spending in words ("" without a key and spending)."""

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
        severity: SeverityLevel = "warning" if result.stopped else "information"
        self.post_message(ClassifyFinished(sentence, severity))

    def on_classify_progressed(self, message: ClassifyProgressed) -> None:
        """Publish the run's progress (the status bar watches it)."""
        self.classify_progress = progress_words(message.progress)

    def on_classify_finished(self, message: ClassifyFinished) -> None:
        """Say how it went, and show the new labels."""
        self.classify_progress = ""
        self.notify(message.sentence, severity=message.severity, timeout=8)
        self.post_message(CacheChanged(spending=True))  # new labels; `SyncApp` tells the screens

    def on_feed_ready(self, message: FeedReady) -> None:
        """Once the first feed is up, read the spending (not sooner: launch comes first)."""
        self.refresh_ai_spend()

    def on_cache_changed(self, message: CacheChanged) -> None:
        """Read the spending again when the change may have cost something (labels, a rule)."""
        if message.spending:
            self.refresh_ai_spend()

    @work(thread=True, exclusive=True, group="ai-spend", exit_on_error=False)
    def refresh_ai_spend(self) -> None:
        """Read today's and this month's spending (for the status bar)."""
        from momentum_tui import secrets
        from momentum_tui.ai.ledger import spent_usd

        with self.store.read() as conn:
            today, month = spent_usd(conn)
        has_key = secrets.secret_source("anthropic") is not None
        self.post_message(SpendLoaded(today, month, has_key))

    def on_spend_loaded(self, message: SpendLoaded) -> None:
        """Publish spending once there is a key or anything was spent."""
        if message.has_key or message.today or message.month:
            self.ai_spend = spend_words(message.today, self.settings.claude.daily_budget_usd)
        else:
            self.ai_spend = ""
