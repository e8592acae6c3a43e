"""How the feed table paints a video's lines: the row, and For you's line of reasons.

Plain Rich `Text` from a row and the table's component styles (no widget state), so the
table calls it only for lines it has not drawn before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from momentum_tui.models import (
    UNKNOWN_LENGTH,
    FeedRow,
    format_age_short,
    format_count,
    format_duration,
)
from momentum_tui.widgets.feed_columns import (
    CHIP,
    PARTIAL_REASON_MIN,
    REASON_GAP,
    Columns,
    cell,
    glyph_of,
)


@dataclass(frozen=True, slots=True)
class RowPainter:
    """One drawing pass's way of painting rows (the table's styles and settings)."""

    style: Callable[[str], Style]
    """The table's component style by name (`feed-table--meta`…)."""
    plain_titles: bool
    now: float
    focused: bool

    def paint_row(self, row: FeedRow | None, width: int, is_cursor: bool) -> Text:
        """A video's line: glyph, title, channel, labels, age, length, views."""
        columns = Columns.for_width(width)
        style = self.style
        if row is None:
            text = Text.assemble(cell("", columns.glyph), cell("…", columns.title))
            text.stylize(style("feed-table--placeholder"))
            return text
        meta = style("feed-table--meta")
        glyph, kind = glyph_of(row)
        glyph_style = (
            style(f"feed-table--{kind}")
            if kind in ("live", "upcoming")
            else style("feed-table--glyph")
        )
        title = row.plain_title if (self.plain_titles and row.plain_title) else row.title
        parts = [cell(glyph, columns.glyph, glyph_style), cell(title, columns.title)]
        if columns.channel:
            parts += [
                Text(" "),
                cell(row.channel_title, columns.channel, style("feed-table--channel")),
            ]
        if columns.labels:
            parts += [Text(" "), cell(self.chips(row, columns.labels), columns.labels)]
        parts += [
            Text(" "),
            cell(format_age_short(row.published_at, self.now), columns.age, meta, right=True),
        ]
        if row.live_state == "live":
            length, length_style = "LIVE", style("feed-table--live")
        elif row.live_state == "upcoming":
            length, length_style = "SOON", style("feed-table--upcoming")
        elif row.is_short:
            length, length_style = (
                f"S {format_duration(row.duration_s) or UNKNOWN_LENGTH}",
                style("feed-table--short"),
            )
        else:
            length, length_style = format_duration(row.duration_s) or UNKNOWN_LENGTH, meta
        parts += [Text(" "), cell(length, columns.length, length_style, right=True)]
        if columns.views:
            parts += [
                Text(" "),
                cell(format_count(row.view_count), columns.views, meta, right=True),
            ]
        text = Text.assemble(*parts, no_wrap=True)
        if row.watched or row.hidden:
            text.stylize(style("feed-table--watched"))
        if is_cursor:
            text.stylize(
                style("feed-table--cursor" if self.focused else "feed-table--cursor-blurred")
            )
        return text

    def paint_reasons(self, row: FeedRow | None, width: int, is_cursor: bool) -> Text:
        """The second line of a For-you row: its reasons, whole ones while they fit."""
        style = self.style
        glyph = Columns.for_width(width).glyph
        room = max(1, width - glyph)
        line = Text("")
        for reason in row.reasons if row is not None else ():
            gap = REASON_GAP if line.plain else ""
            left = room - cell_len(line.plain + gap)
            if line.plain and cell_len(reason) > left:
                # Whole reasons read best; a cut one is worth it only with room to say something.
                if left >= PARTIAL_REASON_MIN:
                    line.append(gap + reason)
                break
            line.append(gap + reason)
        text = Text.assemble(cell("", glyph), cell(line, room), no_wrap=True)
        text.stylize(style("feed-table--reason"))
        if row is not None and (row.watched or row.hidden):
            text.stylize(style("feed-table--watched"))
        if is_cursor:
            text.stylize(
                style("feed-table--cursor" if self.focused else "feed-table--cursor-blurred")
            )
        return text

    def chips(self, row: FeedRow, width: int) -> Text:
        """Topic, then format, then mood, as far as `width` allows (`CHIP` cells each).

        The labels' own names, as the detail pane, the filters and rules say them (the
        three longer than a chip are cut: `interview-…`).
        """
        if row.topic is None:
            return Text("")
        style = self.style
        chips = [(row.topic, style("feed-table--topic"))]
        if width >= 2 * CHIP + 1 and row.format:
            chips.append((row.format, style("feed-table--format")))
        if width >= 3 * CHIP + 2 and row.mood:
            chips.append((row.mood, style("feed-table--meta")))
        return Text(" ").join(cell(name, CHIP, chip_style) for name, chip_style in chips)
