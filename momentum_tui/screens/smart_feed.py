"""The smart-feed picker: a mood, a time budget and topics → For you shows a list that fits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, SelectionList

from momentum_tui.bindings import SMART
from momentum_tui.models import Mood, Topic
from momentum_tui.recommend.session import SmartAsk
from momentum_tui.screens.form import FormScreen

MAX_MINUTES = 24 * 60


def parse_minutes(text: str) -> int | None:
    """`''` → None (no limit); `25` → 25; anything else (or outside 1…1440) raises ValueError."""
    value = text.strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_MINUTES:
        raise ValueError(f"Minutes are a whole number from 1 to {MAX_MINUTES}, or empty.")
    return int(value)


class SmartFeedScreen(FormScreen[SmartAsk]):
    """Choose a mood, minutes and topics; Enter or ctrl+s shows the list, Esc cancels."""

    BINDINGS = [key.binding() for key in SMART]

    DEFAULT_CSS = """
    SmartFeedScreen { align: center middle; }
    SmartFeedScreen > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    SmartFeedScreen Horizontal { height: auto; }
    SmartFeedScreen #mood { width: 1fr; }
    SmartFeedScreen #minutes { width: 20; }
    SmartFeedScreen Label { padding: 1 0 0 0; color: $text-muted; }
    SmartFeedScreen SelectionList { height: auto; max-height: 9; }
    SmartFeedScreen #error { color: $text-error; padding: 0; height: auto; }
    SmartFeedScreen #buttons { align-horizontal: right; }
    SmartFeedScreen Button { margin-left: 1; }
    """

    def __init__(self, ask: SmartAsk) -> None:
        super().__init__()
        self.ask = ask

    def compose(self) -> ComposeResult:
        """Mood and minutes side by side, topics below, then the buttons."""
        ask = self.ask
        with Vertical() as box:
            box.border_title = "Smart feed"
            yield Label("Mood, and how many minutes you have (empty: no limit)")
            with Horizontal():
                yield Select(
                    [(m.value, m.value) for m in Mood],
                    value=ask.mood or Select.NULL,
                    prompt="any mood",
                    id="mood",
                )
                yield Input(
                    "" if ask.minutes is None else str(ask.minutes),
                    placeholder="minutes",
                    id="minutes",
                )
            yield Label("Topics (space picks; none means any)")
            yield SelectionList[str](
                *((t.value, t.value, t.value in ask.topics) for t in Topic if t != Topic.OTHER),
                id="topics",
            )
            yield Label("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Show", variant="primary", id="apply")

    def on_mount(self) -> None:
        """Start in the minutes box: the budget is the usual thing to type."""
        self.query_one("#minutes", Input).focus()

    def read(self) -> SmartAsk:
        """The mood, minutes and topics chosen; raises ValueError on bad minutes."""
        mood = self.query_one("#mood", Select).value
        minutes = parse_minutes(self.query_one("#minutes", Input).value)
        topics = tuple(self.query_one("#topics", SelectionList).selected)
        return SmartAsk(mood if isinstance(mood, str) else None, minutes, topics)
