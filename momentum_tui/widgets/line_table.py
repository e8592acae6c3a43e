"""A table that draws only the lines on screen: thousands of rows open and refill at once.

The owner says what the columns are and how to make one row's cells (`show`); the table
keeps a cursor, moves with the `nav.*` keys, and lays the columns out for its width:
fixed columns keep their width, the others share what is left by weight, and a shared
column that would get less than its minimum is left out (narrow terminals keep the
columns that matter). Cells are `Text` (never markup), cut by terminal cell width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from momentum_tui.bindings import NAVIGATION
from momentum_tui.cells import fit

GAP = 1
"""Cells between two columns."""


@dataclass(frozen=True)
class Column:
    """One column: a fixed `width`, or a `weight` of the room left (at least `minimum`)."""

    label: str
    width: int = 0
    weight: int = 0
    minimum: int = 0
    right: bool = False


def layout(columns: Sequence[Column], width: int) -> list[int]:
    """Each column's width for a table `width` cells wide (0: left out)."""
    shown = list(range(len(columns)))
    while True:
        fixed = sum(columns[i].width for i in shown if not columns[i].weight)
        room = max(0, width - fixed - GAP * max(0, len(shown) - 1))
        flexible = [i for i in shown if columns[i].weight]
        weights = sum(columns[i].weight for i in flexible)
        shares = {i: room * columns[i].weight // weights for i in flexible}
        # The lightest shared column that can't get its minimum goes; the rest share again.
        short = [i for i in flexible if shares[i] < columns[i].minimum]
        if not short:
            break
        shown.remove(min(short, key=lambda i: (columns[i].weight, -i)))
    if flexible:  # the cells lost to rounding go to the first shared column
        shares[flexible[0]] += room - sum(shares.values())
    return [
        (shares[i] if i in shares else columns[i].width) if i in shown else 0
        for i in range(len(columns))
    ]


class LineTable(ScrollView, can_focus=True):
    """A virtual table with a keyboard cursor (see the module docstring)."""

    BINDINGS = [key.binding() for key in NAVIGATION]

    COMPONENT_CLASSES = {"line-table--header", "line-table--cursor", "line-table--cursor-blurred"}

    DEFAULT_CSS = """
    LineTable { background: $surface; overflow-x: hidden; }
    LineTable > .line-table--header { text-style: bold; color: $text-muted; }
    LineTable > .line-table--cursor { background: $block-cursor-background;
                                      color: $block-cursor-foreground; text-style: bold; }
    LineTable > .line-table--cursor-blurred { background: $block-cursor-blurred-background; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to row `index`."""

        def __init__(self, index: int, table: LineTable | None = None) -> None:
            super().__init__()
            self.index = index
            self.table = table

        @property
        def control(self) -> LineTable | None:
            """The table whose cursor moved (so `@on(…, "#id")` can tell tables apart)."""
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[Column] = []
        self.row_count = 0
        self._cells: Callable[[int], Sequence[Text]] = lambda index: ()
        self._lines: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(512)
        self._widths: tuple[int, list[int]] = (-1, [])
        """The column widths laid out for a table width (worked out once per width)."""
        self.empty = ""
        """What an empty table says."""

    def show(
        self,
        columns: list[Column],
        count: int,
        cells: Callable[[int], Sequence[Text]],
        cursor: int = 0,
        empty: str = "",
    ) -> None:
        """Show `count` rows of `columns`; `cells(i)` makes row i's cells when it is drawn."""
        self.columns, self.row_count, self._cells, self.empty = columns, count, cells, empty
        self._lines.clear()
        self._widths = (-1, [])
        self.virtual_size = Size(self.size.width, count + 1)
        self.cursor = cursor
        self.refresh()

    def row_cells(self, index: int) -> Sequence[Text]:
        """The cells of row `index`, as drawn."""
        return self._cells(index)

    # -- cursor -------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        """Keep the cursor on a row."""
        return max(0, min(value, self.row_count - 1)) if self.row_count else 0

    def watch_cursor(self) -> None:
        """Keep the cursor in view and say where it is."""
        height = self._body_height()
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self.cursor, self))

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        """Next row."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Previous row."""
        self.cursor -= 1

    def action_cursor_top(self) -> None:
        """First row."""
        self.cursor = 0

    def action_cursor_bottom(self) -> None:
        """Last row."""
        self.cursor = self.row_count - 1

    def action_half_page_down(self) -> None:
        """Half a page down."""
        self.cursor += max(1, self._body_height() // 2)

    def action_half_page_up(self) -> None:
        """Half a page up."""
        self.cursor -= max(1, self._body_height() // 2)

    def action_page_down(self) -> None:
        """A page down."""
        self.cursor += self._body_height()

    def action_page_up(self) -> None:
        """A page up."""
        self.cursor -= self._body_height()

    def on_click(self, event: events.Click) -> None:
        """Click a row to highlight it."""
        index = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= index < self.row_count:
            self.cursor = index

    def on_resize(self) -> None:
        """Lay out again for the new width."""
        self._lines.clear()
        self.virtual_size = Size(self.size.width, self.row_count + 1)

    def on_focus(self) -> None:
        """Redraw the cursor in its focused colour."""
        self.refresh()

    def on_blur(self) -> None:
        """Redraw the cursor in its blurred colour."""
        self.refresh()

    # -- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Draw the header (line 0) or one row."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self._widths[0] != width:  # a cell of margin either side
            self._widths = (width, layout(self.columns, width - 2))
        widths = self._widths[1]
        if y == 0:
            header = [Text(c.label) for c in self.columns]
            return self._strip(header, widths, width, self.get_component_rich_style(
                "line-table--header"), base)  # fmt: skip
        index = round(self.scroll_y) + y - 1
        if not self.row_count:
            if y == 2 and self.empty:
                line = Text("  ") + Text(self.empty, style="italic")
                return Strip(list(fit(line, width).render(self.app.console))).adjust_cell_length(
                    width, base
                )
            return Strip.blank(width, base)
        if index >= self.row_count:
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        key = (index, width, is_cursor, self.has_focus)
        strip = self._lines.get(key)
        if strip is None:
            style = None
            if is_cursor:
                name = "line-table--cursor" if self.has_focus else "line-table--cursor-blurred"
                style = self.get_component_rich_style(name)
            strip = self._strip(list(self._cells(index)), widths, width, style, base)
            self._lines[key] = strip
        return strip

    def _strip(
        self, cells: list[Text], widths: list[int], width: int, style: Style | None, base: Style
    ) -> Strip:
        # Segments are made here rather than by appending the cells to one `Text` and
        # rendering it: the same styles (base, then the cell's, then the cursor's) at about
        # a third of the cost, which is most of opening a screen of 2,000 rows.
        console = self.app.console
        line = base + style
        segments = [Segment(" ", line)]
        first = True
        for column, cell, cell_width in zip(self.columns, cells, widths, strict=False):
            if not cell_width:
                continue
            if not first:
                segments.append(Segment(" " * GAP, line))
            first = False
            cut = fit(cell, cell_width)
            own = console.get_style(cut.style) if isinstance(cut.style, str) else cut.style
            padding = " " * max(0, cell_width - cut.cell_len)
            if column.right:  # the padding before the text is the line's
                segments.append(Segment(padding, line))
            segments += _cell_segments(cut, own, console, base, style)
            if not column.right:  # after it, the cell's own style carries on
                segments.append(Segment(padding, base + own + style))
        segments.append(Segment(" ", line))
        return Strip(Segment.simplify(segments)).adjust_cell_length(width, base)


def _cell_segments(
    cell: Text, own: Style, console: Console, base: Style, cursor: Style | None
) -> list[Segment]:
    """The cell's text in its styles (`own`, then its spans), over `base`, under `cursor`."""
    if not cell.spans:  # most cells: one piece of text in one style
        return [Segment(cell.plain, base + own + cursor)] if cell.plain else []
    return [
        Segment(piece.text, base + piece.style + cursor)
        for piece in cell.render(console, end="")
        if piece.text
    ]
