"""The feed screen's tab line: the tabs' titles, the shown one bold in the accent colour.

It used to be Textual's `Tabs`: seven widgets for one line (a scroll container, a bar,
a row, a widget per title, an animated underline the screen hid). Each switch moved the
`-active` class from one title to another — two restyles, and queries for the active
title by selector, ≈ 60 % of the screen's own work on a switch — then slid the hidden
underline for 0.3 s, and every frame drew the seven widgets under the changed lines.
This is one widget drawing the same cells: a title is its words with a space either
side, dimmed (`$foreground 50%`, as `Tab` is), brighter under the mouse, and the active
one in the look app.tcss gives `.tab-line--active`. A click on a title says `Clicked`.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from momentum_tui.widgets.direct_lines import DirectLines


class TabLine(DirectLines, Widget, can_focus=False):
    """The titles of the tabs on one line; `active` is the one shown (see the module)."""

    DEFAULT_CSS = """
    TabLine { height: 1; pointer: pointer; }
    TabLine > .tab-line--title { color: $foreground 50%; }
    TabLine > .tab-line--hover { color: $foreground; }
    TabLine > .tab-line--active { color: $foreground; }
    TabLine:ansi > .tab-line--title { text-style: dim; }
    TabLine:ansi > .tab-line--hover { text-style: dim; }
    TabLine:ansi > .tab-line--active { text-style: not dim bold; }
    """

    COMPONENT_CLASSES = {"tab-line--title", "tab-line--hover", "tab-line--active"}

    active: reactive[str] = reactive("")
    """The id of the tab shown."""
    hovered: reactive[str | None] = reactive(None)
    """The id of the title under the mouse (None: none)."""

    class Clicked(Message):
        """A click on the title of the tab `tab_id`."""

        def __init__(self, tab_line: TabLine, tab_id: str) -> None:
            super().__init__()
            self.tab_line = tab_line
            self.tab_id = tab_id

        @property
        def control(self) -> TabLine:
            """The tab line clicked."""
            return self.tab_line

    def __init__(self, titles: dict[str, str], *, active: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles = titles
        """Each tab's title by its id, in order."""
        self.set_reactive(TabLine.active, active)
        self._drawn: dict[tuple[str, str | None, int], Strip] = {}
        """The line drawn for (active, hovered, width), until the look changes."""

    @property
    def tab_ids(self) -> list[str]:
        """The tabs' ids, in order."""
        return list(self.titles)

    def spans(self) -> list[tuple[str, int, int]]:
        """Each title's cells: (tab id, first column, column after the last)."""
        found, x = [], 0
        for tab_id, title in self.titles.items():
            width = cell_len(title) + 2
            found.append((tab_id, x, x + width))
            x += width
        return found

    def tab_at(self, x: int) -> str | None:
        """The tab whose title is at column `x` (None: no title there)."""
        return next((tab_id for tab_id, start, end in self.spans() if start <= x < end), None)

    def render_line(self, y: int) -> Strip:
        """The titles, each in its look, a space of background either side (as `Tab` pads);
        the line for each shown and hovered title is kept (a switch alternates two)."""
        key = (self.active, self.hovered, self.size.width)
        line = self._drawn.get(key)
        if line is None:
            line = self._drawn[key] = self._draw()
        return line

    def _draw(self) -> Strip:
        segments: list[Segment] = []
        background = Style()
        for tab_id, title in self.titles.items():
            if tab_id == self.active:
                look = "tab-line--active"
            elif tab_id == self.hovered:
                look = "tab-line--hover"
            else:
                look = "tab-line--title"
            style = self.get_component_rich_style(look)
            background = Style(bgcolor=style.bgcolor)
            segments += [Segment(" ", background), Segment(title, style), Segment(" ", background)]
        return Strip(segments).adjust_cell_length(self.size.width, background)

    def on_click(self, event: events.Click) -> None:
        """A click on a title asks for its tab."""
        tab_id = self.tab_at(event.x)
        if tab_id is not None:
            event.stop()
            self.post_message(self.Clicked(self, tab_id))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """The title under the mouse brightens."""
        self.hovered = self.tab_at(event.x)

    def on_leave(self, event: events.Leave) -> None:
        """No title is under the mouse any more."""
        self.hovered = None

    def notify_style_update(self) -> None:
        """The looks changed (a theme): draw the titles again."""
        super().notify_style_update()
        self._drawn.clear()
        self.refresh()
