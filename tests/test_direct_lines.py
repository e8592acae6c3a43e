"""Line-API widgets drawn straight to the compositor (`DirectLines`) look exactly as through
Textual's own path — and go through that path whenever their look isn't plain."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from momentum_tui.widgets.direct_lines import DirectLines


class Striped(DirectLines, Widget):
    """Ten short rows in two colours, the same strip objects every time."""

    DEFAULT_CSS = "Striped { width: 20; height: 10; background: $surface; }"

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self._rows = [
            Strip([Segment(f"row {n}", Style(color="red" if n % 2 else "blue"))]) for n in range(10)
        ]

    def render_line(self, y: int) -> Strip:
        self.calls += 1
        return self._rows[y]


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield Striped()


def _segments(strips: list[Strip]) -> list[list[Segment]]:
    return [list(strip) for strip in strips]


async def test_a_plain_widget_draws_what_textual_would() -> None:
    app = One()
    async with app.run_test(size=(30, 12)):
        widget = app.query_one(Striped)
        crop = Region(0, 0, 20, 10)
        direct = widget.render_lines(crop)
        textual = Widget.render_lines(widget, crop)
        assert _segments(direct) == _segments(textual)
        # An ANSI colour became a true colour (the app's filter), as Textual does it.
        assert all(s.style is None or s.style.color is None or s.style.color.triplet
                   for strip in direct for s in strip)  # fmt: skip
        assert direct[3].text.startswith("row 3")
        # Cut to a crop that is part of the width, as the compositor asks for a clipped one.
        part = Region(2, 1, 10, 3)
        assert _segments(widget.render_lines(part)) == _segments(Widget.render_lines(widget, part))


async def test_a_row_drawn_again_after_a_repaint_is_the_same_strip() -> None:
    app = One()
    async with app.run_test(size=(30, 12)):
        widget = app.query_one(Striped)
        crop = Region(0, 0, 20, 10)
        first = widget.render_lines(crop)
        widget.refresh()  # a scroll or a cursor move: every line is redrawn
        again = widget.render_lines(crop)
        assert all(a is b for a, b in zip(first, again, strict=True))
        # What Textual's own path gives after a repaint: new strips, filtered anew.
        widget.refresh()
        textual = Widget.render_lines(widget, crop)
        assert not any(a is b for a, b in zip(first, textual, strict=True))


async def test_a_look_that_is_not_plain_goes_through_textual() -> None:
    app = One()
    async with app.run_test(size=(30, 12)) as pilot:
        widget = app.query_one(Striped)
        plain = widget.render_lines(Region(0, 0, 20, 10))
        widget.styles.tint = "red 50%"
        await pilot.pause()
        tinted = widget.render_lines(Region(0, 0, 20, 10))
        assert _segments(tinted) == _segments(Widget.render_lines(widget, Region(0, 0, 20, 10)))
        assert _segments(tinted) != _segments(plain)
        widget.styles.tint = "red 0%"
        widget.styles.padding = (1, 2)
        await pilot.pause()
        padded = widget.render_lines(Region(0, 0, 20, 10))
        assert padded[1].text.startswith("  row 0")  # Textual's padding, not the raw rows
