"""The detail pane's thumbnail: kitty graphics or Sixel via textual-image, else half-blocks.

textual-image learns what a terminal can draw by asking it (escape sequences with a
timeout) when it is imported, which must happen before Textual owns the terminal and
would cost every launch up to 0.2 s in terminals that answer neither question. So the
protocol is decided from the environment (`graphics_protocol`, or the setting
`ui.thumbnail_protocol`): textual-image is imported, before the app starts, only where
the terminal says it draws kitty graphics or Sixel (`thumbnail_graphics.py`), and draws
the picture there; everywhere else — and in snapshots — the image is drawn with
half-block characters (`▀`, the top pixel in the foreground colour, the bottom one in
the background), computed from Pillow in the worker that loaded it, so the UI thread
only lays out cells.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

Pixel = tuple[int, int, int]

_SIXEL_PROGRAMS = {"wezterm", "mlterm", "contour", "foot", "iterm.app", "konsole", "mintty"}


def graphics_protocol(setting: str = "auto", env: dict[str, str] | None = None) -> str:
    """`kitty`, `sixel` or `halfblocks` for this terminal (`setting` other than auto wins)."""
    if setting != "auto":
        return setting
    env = dict(os.environ) if env is None else env
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    if "TMUX" in env or term.startswith(("screen", "tmux")):
        return "halfblocks"  # multiplexers pass neither protocol through reliably
    if "KITTY_WINDOW_ID" in env or term == "xterm-kitty":
        return "kitty"
    if program in _SIXEL_PROGRAMS or term.startswith(("foot", "mlterm")) or "sixel" in term:
        return "sixel"
    return "halfblocks"


@dataclass(frozen=True)
class HalfBlocks:
    """An image as rows of half-block cells: each cell holds two pixels, top and bottom."""

    rows: tuple[tuple[tuple[Pixel, Pixel], ...], ...]

    @property
    def width(self) -> int:
        """Cells across."""
        return len(self.rows[0]) if self.rows else 0

    @cached_property
    def lines(self) -> list[list[Segment]]:
        """The rows as `▀` cells (foreground: top pixel, background: bottom pixel).

        Made once, in the worker that loaded the picture (`load_halfblocks`), so the UI
        thread only wraps them.
        """
        from rich.color import Color

        return [
            [
                Segment("▀", Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom)))
                for top, bottom in row
            ]
            for row in self.rows
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Render as `▀` cells, row by row."""
        for line in self.lines:
            yield from line
            yield Segment.line()


def load_halfblocks(path: Path, columns: int, rows: int) -> HalfBlocks | None:
    """Decode and scale an image to `columns` × `rows` cells; None if it isn't an image.

    Blocking (Pillow decodes): call from a worker. The image keeps its aspect ratio
    (cells are about twice as tall as wide) inside the box.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            image = opened.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    width, height = image.size
    if not width or not height or columns < 1 or rows < 1:
        return None
    scale = min(columns / width, (rows * 2) / height)
    size = (max(1, round(width * scale)), max(2, round(height * scale) // 2 * 2))
    small = image.resize(size, Image.Resampling.BILINEAR)
    pixels: Any = small.load()
    blocks = HalfBlocks(
        tuple(
            tuple((pixels[x, y], pixels[x, y + 1]) for x in range(size[0]))
            for y in range(0, size[1], 2)
        )
    )
    blocks.lines  # noqa: B018 - the cells' styles are made here, off the UI thread
    return blocks


@dataclass(frozen=True)
class Picture:
    """A decoded picture for kitty graphics or Sixel, and the cells it takes."""

    image: Any
    """A Pillow image (textual-image draws it)."""
    cells: tuple[int, int]


class Thumbnail(Widget):
    """The thumbnail's box: a fixed size once reserved, so a new picture repaints only it.

    The detail pane reserves the box when the first picture arrives (the text beside or
    below it moves once, never again); from then on a picture — or none, while the next
    one loads — changes only the cells inside it, which needs no layout pass.
    """

    DEFAULT_CSS = """
    Thumbnail { display: none; }
    Thumbnail.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None, protocol: str = "halfblocks") -> None:
        super().__init__(id=id)
        self.protocol = protocol
        """`halfblocks` (drawn here), or `kitty`/`sixel` (a textual-image widget inside)."""
        self._image: HalfBlocks | None = None
        self._strips: list[Strip] = []
        self.video_id: str | None = None
        """The video whose picture is in the box (None: the box is empty)."""
        self.box: tuple[int, int] | None = None
        """The reserved size in cells (columns, rows); None until the first picture."""

    def compose(self):  # type: ignore[no-untyped-def]
        """For kitty graphics or Sixel, textual-image's widget; half-blocks need none."""
        if self.protocol != "halfblocks":
            from momentum_tui.widgets.thumbnail_graphics import picture_widget

            yield picture_widget(self.protocol, id="picture")

    def reserve(self, columns: int, rows: int) -> None:
        """Keep a `columns` × `rows` box (a layout pass, only when the size changes)."""
        if self.box == (columns, rows):
            return
        self.box = (columns, rows)
        self.styles.width = columns
        self.styles.height = rows
        self.add_class("-shown")

    def show(self, video_id: str | None, image: HalfBlocks | Picture | None) -> None:
        """Show `image` for `video_id` in the box (None empties it)."""
        self.video_id = video_id if image is not None else None
        if isinstance(image, Picture):
            self.query_one("#picture").show_picture(image.image, image.cells)  # type: ignore[attr-defined]
            return
        if self.protocol != "halfblocks":
            self.query_one("#picture").show_picture(None, None)  # type: ignore[attr-defined]
            return
        self._image = image
        self._strips = [Strip(line) for line in image.lines] if image is not None else []
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Row `y` of the picture (blank below it, or while there is none)."""
        width = self.size.width
        base = self.rich_style
        if y < len(self._strips):
            return self._strips[y].adjust_cell_length(width, base)
        return Strip.blank(width, base)
