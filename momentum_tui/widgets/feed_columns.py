"""The feed table's columns: their widths for a terminal width, and one cell of a row.

Cells are `Text` cut to a terminal cell width (`cells.fit`), so CJK, Arabic and emoji
stay aligned.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from momentum_tui.cells import fit
from momentum_tui.models import FeedRow

HEADER_LINES = 1
REASON_GAP = " · "
CHIP = 11
"""Cells of one label chip: "programming", "documentary" and "informative" fit whole."""
PARTIAL_REASON_MIN = 24
"""A reason that does not fit whole is shown cut only if this many cells are left for it."""


@dataclass(frozen=True)
class Columns:
    """Column widths for one table width (0 hides a column)."""

    glyph: int
    title: int
    channel: int
    age: int
    length: int
    views: int
    labels: int = 0

    @classmethod
    def for_width(cls, width: int) -> Columns:
        """Choose widths so that the title gets the room and small terminals still fit."""
        channel = 22 if width >= 120 else 16 if width >= 84 else 12 if width >= 64 else 0
        views = 6 if width >= 56 else 0
        # Label chips: topic from 90 cells, then format (120), then mood (150).
        labels = 35 if width >= 150 else 23 if width >= 120 else CHIP if width >= 90 else 0
        age, length, glyph = 4, 7, 2
        gaps = sum(1 for w in (channel, age, length, views, labels) if w)
        title = max(10, width - glyph - channel - age - length - views - labels - gaps)
        return cls(glyph, title, channel, age, length, views, labels)


def cell(text: str | Text, width: int, style: Style | None = None, right: bool = False) -> Text:
    """`text` cut or padded to `width` cells (padded on the left when `right`)."""
    cell = text if isinstance(text, Text) else Text(text, style=style or "")
    cell = fit(cell, width)
    cell.no_wrap = True
    padding = " " * max(0, width - cell.cell_len)
    if right:
        return Text(padding) + cell
    cell.append(padding)
    return cell


def glyph_of(row: FeedRow) -> tuple[str, str]:
    """The row's glyph and the component it is styled by (live, saved, watched…)."""
    if row.live_state == "live":
        return "●", "live"
    if row.live_state == "upcoming":
        return "◷", "upcoming"
    if row.saved:
        return "★", "saved"
    if row.rating > 0:
        return "♥", "liked"
    if row.rating < 0:
        return "✗", "disliked"
    if row.watched:
        return "✓", "watched"
    return "", ""
