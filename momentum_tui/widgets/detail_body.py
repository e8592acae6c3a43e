"""The detail pane's text: a fixed-size line-API widget, so a new video never needs a layout.

A `Static` in a scrolling container changes its height with every video, which changes
the container's virtual size and toggles its scrollbar — each a layout pass that reflows
and repaints the whole screen (tens of milliseconds, felt as a stutter in the cursor).
This widget keeps its size: it renders its content to strips at its own width (again
only when the width or the look changes), draws the lines that fit, and scrolls with
the mouse wheel by an offset of its own, saying "more below" on its last line instead
of showing a scrollbar.

Content made of parts (a `Group` of texts, as the detail pane makes it) is drawn part by
part, and a part the same as one drawn before keeps its lines: a mark changes one line
of the pane (its flags), so the title and a long description are not laid out again.
The parts of the last few contents are kept (`KEPT_PARTS`): switching tabs back and
forth shows each tab's video again without laying its text out again (10–20 ms each).
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from momentum_tui.widgets.direct_lines import DirectLines
from momentum_tui.widgets.kept_static import text_key

MORE_BELOW = "↓ more below (mouse wheel)"
"""The last line's hint when the text goes on past the pane."""
WHEEL_LINES = 2
"""Lines one notch of the mouse wheel scrolls."""
KEPT_PARTS = 160
"""Parts whose lines are kept: those of the last 16 videos or so (about ten each)."""


class DetailBody(DirectLines, Widget, can_focus=False):
    """Rich content drawn as strips at the widget's width, scrolled by the mouse wheel."""

    DEFAULT_CSS = """
    DetailBody { width: 1fr; height: 1fr; }
    DetailBody > .detail-body--more { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {"detail-body--more"}

    def __init__(self, content: RenderableType = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content: RenderableType = content
        self._strips: list[Strip] | None = None
        """The whole content rendered at `_width` (None: render again)."""
        self._width = -1
        self._base = Style()
        self._drawing: tuple[list[Strip], int] | None = None
        """(the content's lines, the height) during a drawing pass."""
        self._more: Strip | None = None
        self._blank: Strip | None = None
        """The hint line and an empty line at `_width` (kept, like the content's lines)."""
        self.top_line = 0
        """The first content line on screen (the mouse wheel moves it)."""
        self._parts: list[tuple[Hashable | None, RenderableType]] = [(None, content)]
        self._drawn: LRUCache[Hashable, list[Strip]] = LRUCache(KEPT_PARTS)
        """The lines of the parts drawn lately at `_width` (by what each part says)."""

    @property
    def content(self) -> RenderableType:
        """What the widget shows (a Rich renderable)."""
        return self._content

    def update(self, content: RenderableType) -> None:
        """Show `content` from its first line; only this widget repaints (nothing does when
        it says what is shown already)."""
        renderables = content.renderables if isinstance(content, Group) else [content]
        parts = [(text_key(part), part) for part in renderables]
        same = [key for key, _ in parts] == [key for key, _ in self._parts]
        self._content, self._parts = content, parts
        if same and None not in (key for key, _ in parts):
            return
        self._strips = None
        self.top_line = 0
        self.refresh()

    @property
    def lines(self) -> list[Strip]:
        """Every line of the content at the current width."""
        width = self.size.width
        if self._strips is None or width != self._width:
            base = self.rich_style
            if width != self._width or base != self._base:
                self._drawn.clear()
            self._width, self._base = width, base
            self._strips = [] if width <= 0 else self._draw(width)
            self._more = self._blank = None
        return self._strips

    def _draw(self, width: int) -> list[Strip]:
        """Every part's lines (one after the other, as a `Group` draws them), parts drawn
        before taken as they were."""
        options = self.app.console_options.update(width=width, height=None, highlight=False)
        strips: list[Strip] = []
        for key, part in self._parts:
            lines = self._drawn.get(key) if key is not None else None
            if lines is None:
                rendered = self.app.console.render_lines(part, options, style=self._base, pad=True)
                lines = [Strip(line, width) for line in rendered]
            if key is not None:
                self._drawn[key] = lines
            strips.extend(lines)
        return strips

    @property
    def max_top_line(self) -> int:
        """The first line that shows the content's last line at the bottom."""
        return max(0, len(self.lines) - self.size.height)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines in `crop`, finding the content and the size once for all of them."""
        self._drawing = (self.lines, self.size.height)
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def render_line(self, y: int) -> Strip:
        """Line `y` on screen: content from `top_line`, or the hint on the last line."""
        lines, height = self._drawing or (self.lines, self.size.height)
        if y == height - 1 and self.top_line + height < len(lines):
            if self._more is None:
                style = self._base + self.get_component_rich_style("detail-body--more")
                self._more = Strip([Segment(MORE_BELOW, style)]).adjust_cell_length(
                    self._width, self._base
                )
            return self._more
        index = self.top_line + y
        if index < len(lines):
            return lines[index]
        if self._blank is None:
            self._blank = Strip.blank(max(0, self._width), self._base)
        return self._blank

    def scroll_lines(self, lines: int) -> None:
        """Move the text by `lines` (positive: further down), within its ends."""
        top = max(0, min(self.top_line + lines, self.max_top_line))
        if top != self.top_line:
            self.top_line = top
            self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel reads further down."""
        event.stop()
        self.scroll_lines(WHEEL_LINES)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """The wheel goes back up."""
        event.stop()
        self.scroll_lines(-WHEEL_LINES)

    def on_resize(self) -> None:
        """Keep the first line within the content at the new size."""
        self.top_line = min(self.top_line, self.max_top_line)

    def notify_style_update(self) -> None:
        """The theme or CSS changed: the rendered strips are stale."""
        super().notify_style_update()
        self._strips = self._more = self._blank = None
        self._drawn.clear()
