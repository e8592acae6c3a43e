"""The feed table: a line-API widget that draws only the rows on screen.

It holds no video data itself: a `FeedSource` knows the order and the rows fetched so far,
and the table asks for missing pages with a `NeedRows` message. That keeps 100,000-row
feeds as smooth as 100-row ones. Titles and channel names are drawn as `Text` (never
markup) and truncated by terminal cell width, so CJK, Arabic and emoji stay aligned.

With `reasons` on (the For-you tab) every video takes two lines: the usual row, then a
dim line with why it is recommended — as many of its reasons as fit the width, so a
wide terminal shows more of them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from momentum_tui.bindings import NAVIGATION
from momentum_tui.models import FeedRow
from momentum_tui.tabs.source import FeedSource
from momentum_tui.widgets.direct_lines import DirectLines
from momentum_tui.widgets.feed_columns import HEADER_LINES, Columns, cell
from momentum_tui.widgets.feed_rows import RowPainter
from momentum_tui.widgets.focus_styles import focus_styled
from momentum_tui.widgets.steady_scrollbars import SteadyScrollbars


class FeedTable(DirectLines, SteadyScrollbars, ScrollView, can_focus=True):
    """A virtual table of videos with a keyboard cursor."""

    BINDINGS = [key.binding() for key in NAVIGATION]

    COMPONENT_CLASSES = {
        "feed-table--header",
        "feed-table--cursor",
        "feed-table--cursor-blurred",
        "feed-table--watched",
        "feed-table--meta",
        "feed-table--channel",
        "feed-table--live",
        "feed-table--upcoming",
        "feed-table--short",
        "feed-table--glyph",
        "feed-table--placeholder",
        "feed-table--topic",
        "feed-table--format",
        "feed-table--reason",
    }

    DEFAULT_CSS = """
    FeedTable {
        background: $surface;
        overflow-x: hidden;
    }
    FeedTable > .feed-table--header { text-style: bold; color: $text-muted; }
    FeedTable > .feed-table--cursor { background: $block-cursor-background;
                                      color: $block-cursor-foreground; text-style: bold; }
    FeedTable > .feed-table--cursor-blurred { background: $block-cursor-blurred-background; }
    FeedTable > .feed-table--watched { color: $text-disabled; }
    FeedTable > .feed-table--meta { color: $text-muted; }
    FeedTable > .feed-table--channel { color: $text-secondary; }
    FeedTable > .feed-table--live { color: $text-error; text-style: bold; }
    FeedTable > .feed-table--upcoming { color: $text-warning; }
    FeedTable > .feed-table--short { color: $text-accent; }
    FeedTable > .feed-table--glyph { color: $text-accent; }
    FeedTable > .feed-table--placeholder { color: $text-disabled; }
    FeedTable > .feed-table--topic { color: $text-success; }
    FeedTable > .feed-table--format { color: $text-warning; }
    FeedTable > .feed-table--reason { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)
    plain_titles: reactive[bool] = reactive(False)
    reasons: reactive[bool] = reactive(False)
    """Two lines per video: the row, then why it is recommended (the For-you tab)."""

    class Highlighted(Message):
        """The cursor moved to another video (or the feed became empty)."""

        def __init__(self, table: FeedTable, row: FeedRow | None, index: int) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.index = index

        @property
        def control(self) -> FeedTable:
            """The table whose cursor moved."""
            return self.table

    class NeedRows(Message):
        """Pages of the source must be fetched before they can be drawn."""

        def __init__(self, source: FeedSource, pages: list[int]) -> None:
            super().__init__()
            self.source = source
            self.pages = pages

    class Activated(Message):
        """Enter or a click on the highlighted row."""

        def __init__(self, row: FeedRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        *,
        now: float | None = None,
        reasons: bool = False,
        plain_titles: bool = False,
        empty: str = "Loading…",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.set_reactive(FeedTable.reasons, reasons)
        self.set_reactive(FeedTable.plain_titles, plain_titles)
        self.source = FeedSource()
        # Drawn lines by (row index, line of the row, width, is cursor, focused cursor): scrolling
        # and cursor moves redraw only lines that changed. Cleared whenever the data or the
        # look changes.
        self._lines: LRUCache[tuple[int, int, int, bool, bool], Strip] = LRUCache(1024)
        self._fixed_now = now
        self._empty_message = empty
        self._last_highlight: tuple[int, int | None] | None = None
        self._base: Style | None = None
        """The widget's own style (colours, background), kept until the look changes."""
        self._drawing: tuple[int, int, bool, int, int] | None = None
        """(width, top line, focused, lines per row, rows) during a drawing pass."""
        self._look: tuple[Style, ...] = ()
        """The styles the drawn lines were drawn with."""
        self._look_checked = False

    # -- data -------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The time ages are measured from (fixed in tests and snapshots)."""
        return self._fixed_now if self._fixed_now is not None else time.time()

    @property
    def row_lines(self) -> int:
        """Lines each video takes (2 with reasons)."""
        return 2 if self.reasons else 1

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.source) * self.row_lines + HEADER_LINES)

    def set_source(self, source: FeedSource, cursor: int = 0, empty_message: str = "") -> None:
        """Show a new feed; the cursor goes to `cursor` (clamped)."""
        self.source = source
        self._lines.clear()
        self._empty_message = empty_message
        self._update_virtual_size()
        self._last_highlight = None
        self.cursor = max(0, min(cursor, len(source) - 1)) if len(source) else 0
        self.refresh()

    def rows_changed(self, indices: Iterable[int]) -> None:
        """The loaded rows at `indices` changed in place (a mark): draw only them again.

        The other rows' drawn lines stay: a like in For you restates one row of the
        hidden Subscriptions table, which otherwise drew every visible row again (≈ 25 ms
        at 160×48) on the next switch to it.
        """
        changed = set(indices)
        stale = [key for key in self._lines.keys() if key[0] in changed]  # noqa: SIM118 (no __iter__)
        for key in stale:
            self._lines.discard(key)
        self._refresh_rows(*changed)  # on screen (the others are drawn when scrolled to)

    def rows_loaded(self) -> None:
        """Rows arrived for the current source: redraw, and re-announce the highlight."""
        self._lines.clear()
        self.refresh()
        self._announce()

    @property
    def current_row(self) -> FeedRow | None:
        """The highlighted video, if loaded."""
        return self.source.row(self.cursor)

    # -- cursor -------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        """Keep the cursor on a row."""
        return max(0, min(value, len(self.source) - 1)) if len(self.source) else 0

    def watch_cursor(self, old: int, new: int) -> None:
        """Scroll the cursor into view and say which video is highlighted.

        When the view didn't scroll, only the old and the new cursor rows are repainted
        (a whole-table repaint costs a cursor move several milliseconds).
        """
        top = self.scroll_offset.y
        self._scroll_cursor_into_view()
        if self.scroll_offset.y != top:
            self.refresh()
        else:
            for index in {old, new}:
                self.refresh(Region(0, HEADER_LINES + index * self.row_lines - top,
                                    self.size.width, self.row_lines))  # fmt: skip
        self._announce()

    def watch_plain_titles(self) -> None:
        """Redraw with the other titles."""
        self._lines.clear()
        self.refresh()

    def watch_reasons(self) -> None:
        """Switch between one and two lines per video, keeping the cursor in view."""
        self._lines.clear()
        self._update_virtual_size()
        self.scroll_to(y=self.cursor * self.row_lines, animate=False, immediate=True)
        self.refresh()

    def _announce(self) -> None:
        row = self.current_row
        key = (self.cursor, row.rowid if row else None)
        if key != self._last_highlight or row is None:
            self._last_highlight = key
            self.post_message(self.Highlighted(self, row, self.cursor))

    def _body_height(self) -> int:
        """Lines available for rows."""
        return max(1, self.scrollable_content_region.height - HEADER_LINES)

    def _body_rows(self) -> int:
        """Whole videos that fit on screen."""
        return max(1, self._body_height() // self.row_lines)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        height = self._body_height()
        first = self.cursor * self.row_lines
        last = first + self.row_lines - 1
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif last >= top + height:
            self.scroll_to(y=last - height + 1, animate=False)

    def action_cursor_down(self) -> None:
        """Next video."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Previous video."""
        self.cursor -= 1

    def action_cursor_top(self) -> None:
        """First video."""
        self.cursor = 0

    def action_cursor_bottom(self) -> None:
        """Last video."""
        self.cursor = len(self.source) - 1

    def _move_by(self, rows: int) -> None:
        self.scroll_to(y=self.scroll_y + rows * self.row_lines, animate=False)
        self.cursor += rows

    def action_half_page_down(self) -> None:
        """Half a page down."""
        self._move_by(max(1, self._body_rows() // 2))

    def action_half_page_up(self) -> None:
        """Half a page up."""
        self._move_by(-max(1, self._body_rows() // 2))

    def action_page_down(self) -> None:
        """A page down."""
        self._move_by(self._body_rows())

    def action_page_up(self) -> None:
        """A page up."""
        self._move_by(-self._body_rows())

    def on_click(self, event: events.Click) -> None:
        """Click a row to highlight it; click the highlighted row again to open it."""
        if event.y < HEADER_LINES:
            return
        index = (round(self.scroll_y) + event.y - HEADER_LINES) // self.row_lines
        if 0 <= index < len(self.source):
            if index == self.cursor and event.chain >= 2 and (row := self.current_row):
                self.post_message(self.Activated(row))
            self.cursor = index

    def on_resize(self) -> None:
        """Keep the virtual size and the cursor's visibility right after a resize."""
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    # -- drawing ------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines in `crop`, asking once for any page they need."""
        if len(self.source):
            self._request_visible_pages()
        # What every line needs, looked up once per pass rather than once per line.
        self._drawing = (self.scrollable_content_region.width, round(self.scroll_y),
                         self.has_focus, self.row_lines, len(self.source))  # fmt: skip
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    @property
    def base_style(self) -> Style:
        """The widget's style under every line (cached: it walks the ancestors)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def render_line(self, y: int) -> Strip:
        """Draw line `y` of the widget: the header, or a row of the feed."""
        if not self._look_checked:
            self._check_look()
        width, top, focused, row_lines, rows = self._drawing or (
            self.scrollable_content_region.width,
            round(self.scroll_y),
            self.has_focus,
            self.row_lines,
            len(self.source),
        )
        base = self.base_style
        if y < HEADER_LINES:
            header = self._lines.get((-1, y, width, False, False))
            if header is None:
                header = self._lines[(-1, y, width, False, False)] = self._render_header(
                    width, base
                )
            return header
        index, part = divmod(top + y - HEADER_LINES, row_lines)
        if not rows:
            lines = Text(self._empty_message).wrap(self.app.console, max(10, width - 4))
            line_number = y - HEADER_LINES - 1
            if 0 <= line_number < len(lines):
                message = Text("  ") + lines[line_number]
                message.stylize(self.get_component_rich_style("feed-table--meta"))
                message.stylize_before(base)
                return Strip(message.render(self.app.console)).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if index >= rows:
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        # Only the cursor's colour tells the focus (a rule that styles more by the focus
        # changes the look, and `_check_look` forgets every line).
        key = (index, part, width, is_cursor, focused and is_cursor)
        line = self._lines.get(key)
        if line is None:
            row = self.source.row(index)
            paint = self.painter(focused)
            if part:
                text = paint.paint_reasons(row, width, is_cursor)
            else:
                text = paint.paint_row(row, width, is_cursor)
            text.stylize_before(base)
            line = Strip(list(text.render(self.app.console)), width)
            if row is not None:
                self._lines[key] = line
        return line

    def draw_ahead(self, size: Size, focused: bool) -> None:
        """Draw the lines this table would show at `size` into the kept lines, while it
        is hidden: the first time a tab is shown (or after a mark changed one of its
        rows) every line on screen was drawn in the switch's frame (≈ 25 ms at 160×48).
        Lines already drawn cost a look-up; rows not loaded yet are drawn when shown."""
        width, height = size
        rows, row_lines = len(self.source), self.row_lines
        if not rows or width <= 0 or height <= HEADER_LINES:
            return
        # Where the table will scroll to show its cursor (as `_scroll_cursor_into_view`).
        body, top = height - HEADER_LINES, round(self.scroll_y)
        first = self.cursor * row_lines
        if first < top:
            top = first
        elif first + row_lines - 1 >= top + body:
            top = first + row_lines - body
        self._drawing = (width, top, focused, row_lines, rows)
        try:
            for y in range(height):
                self.render_line(y)
        finally:
            self._drawing = None

    def painter(self, focused: bool) -> RowPainter:
        """How this table paints rows now (its styles and settings; `focused` or not)."""
        return RowPainter(self.get_component_rich_style, self.plain_titles, self.now, focused)

    def _request_visible_pages(self) -> None:
        top = round(self.scroll_y) // self.row_lines
        pages = self.source.missing_pages(top, top + self._body_rows() + 2)
        if pages:
            self.source.mark_pending(pages)
            self.post_message(self.NeedRows(self.source, pages))

    def _render_header(self, width: int, base: Style) -> Strip:
        columns = Columns.for_width(width)
        style = self.get_component_rich_style("feed-table--header")
        parts = [cell("", columns.glyph), cell("Title", columns.title)]
        if columns.channel:
            parts += [Text(" "), cell("Channel", columns.channel)]
        if columns.labels:
            parts += [Text(" "), cell("Labels", columns.labels)]
        parts += [Text(" "), cell("Age", columns.age, right=True)]
        parts += [Text(" "), cell("Length", columns.length, right=True)]
        if columns.views:
            parts += [Text(" "), cell("Views", columns.views, right=True)]
        text = Text.assemble(*parts, no_wrap=True)
        text.stylize(style)
        text.stylize_before(base)
        return Strip(list(text.render(self.app.console))).adjust_cell_length(width, base)

    def watch_has_focus(self, has_focus: bool) -> None:
        """Apply the styles again only if a rule tests this table's focus (focus_styles.py):
        the cursor's colour is drawn from `has_focus`, and `on_focus`/`on_blur` redraw it."""
        if focus_styled(self):
            super().watch_has_focus(has_focus)

    def on_focus(self) -> None:
        """Redraw the cursor in its focused colour (the other rows look the same)."""
        self._refresh_rows(self.cursor)

    def on_blur(self) -> None:
        """Redraw the cursor in its blurred colour."""
        self._refresh_rows(self.cursor)

    def _refresh_rows(self, *indices: int) -> None:
        """Repaint the lines of the rows at `indices` that are on screen."""
        top, (width, height), row_lines = self.scroll_offset.y, self.size, self.row_lines
        for index in indices:
            y = HEADER_LINES + index * row_lines - top
            if 0 <= y < height:
                self.refresh(Region(0, y, width, row_lines))

    def notify_style_update(self) -> None:
        """The styles were applied again: drawn lines are stale if the look changed.

        Focus moving to or from the table applies them too when a rule tests its focus,
        though nothing it draws may change but the cursor, whose colour is part of each
        line's key: redrawing every visible row for that cost a tab switch tens of ms.
        """
        super().notify_style_update()
        self._base = None
        self._look_checked = False

    def _check_look(self) -> None:
        """Forget the drawn lines if the styles they were drawn with changed."""
        self._look_checked = True
        components = sorted(self.COMPONENT_CLASSES)
        look = (self.base_style, *map(self.get_component_rich_style, components))
        if look != self._look:
            self._look = look
            self._lines.clear()
