"""`why`: the full breakdown of one video's For-you score, drawn as `Text` (never markup).

A score is a plain sum of weight × signal; the table lists every term that adds
something, largest first, with the sentence behind it, then the total — which equals
the score, so nothing is hidden.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from momentum_tui.bindings import WHY
from momentum_tui.models import FeedRow
from momentum_tui.recommend.session import Explanation
from momentum_tui.widgets.key_scroll import KeyScroll

ZERO = 1e-9


def _signed(value: float, places: int = 3) -> Text:
    style = "green" if value > ZERO else "red" if value < -ZERO else "dim"
    return Text(f"{value:+.{places}f}", style=style, justify="right")


def breakdown(row: FeedRow, explanation: Explanation) -> RenderableType:
    """The why panel's content: the video, where it ranks, its terms and their total."""
    head = Text(row.title, style="bold")
    where = Text(row.channel_title, style="bold")
    where.append(" · score ")
    where.append_text(_signed(explanation.score))
    if explanation.position is not None:
        where.append(f" · #{explanation.position + 1} in For you")
    else:
        where.append(" · not in For you", style="yellow")
        if explanation.excluded:
            where.append(f" ({explanation.excluded})", style="yellow")
    reasons = Text("  ·  ".join(explanation.reasons), style="italic")

    table = Table(box=None, pad_edge=False, padding=(0, 1), expand=True, show_edge=False)
    table.add_column("signal", no_wrap=True, style="bold")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("× weight", justify="right", no_wrap=True)
    table.add_column("= adds", justify="right", no_wrap=True)
    table.add_column("because", ratio=1)
    adding = [(t, s) for t, s in explanation.terms if abs(t.contribution) > ZERO]
    adding.sort(key=lambda pair: -abs(pair[0].contribution))
    for term, sentence in adding:
        table.add_row(
            Text(term.label),
            Text(f"{term.value:+.2f}", justify="right"),
            Text(f"{term.weight:g}", justify="right", style="dim"),
            _signed(term.contribution),
            Text(sentence, style="dim"),
        )
    table.add_section()
    table.add_row(Text("total"), Text(""), Text(""), _signed(explanation.total), Text(""))
    parts: list[RenderableType] = [head, where, reasons, Text(""), table]
    silent = [term.label for term, _ in explanation.terms if abs(term.contribution) <= ZERO]
    if silent:
        parts.append(Text(f"Adding nothing: {', '.join(silent)}.", style="dim"))
    return Group(*parts)


class WhyScreen(ModalScreen[None]):
    """The breakdown of one video's score; j/k… scroll it, Esc, e or q closes it."""

    BINDINGS = [key.binding() for key in WHY]

    DEFAULT_CSS = """
    WhyScreen { align: center middle; }
    WhyScreen > KeyScroll {
        width: 110; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    WhyScreen Static { width: 1fr; }
    """

    def __init__(self, row: FeedRow, explanation: Explanation) -> None:
        super().__init__()
        self.row = row
        self.explanation = explanation

    def compose(self) -> ComposeResult:
        """One scrollable panel."""
        with KeyScroll() as box:
            box.border_title = "Why this score  ·  j/k scroll  ·  Esc closes"
            yield Static(breakdown(self.row, self.explanation), id="why-body")

    def on_mount(self) -> None:
        """The panel takes the keys (j/k scroll it)."""
        self.query_one(KeyScroll).focus()

    def action_close(self) -> None:
        """Back to the feed."""
        self.dismiss(None)
