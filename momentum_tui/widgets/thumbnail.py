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

import io
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from momentum_tui.widgets.direct_lines import DirectLines

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

    @cached_property
    def _drawn(self) -> dict[tuple[int, Style], list[Strip]]:
        return {}

    def strips(self, width: int, base: Style) -> list[Strip]:
        """The rows as strips `width` cells wide on `base`, made once per width and look.

        The same strips every time the picture is drawn, so what the compositor derives
        from them (the colour filter, the cuts at column edges) is kept with them too: a
        repaint of a picture already shown costs lookups, not a new render.
        """
        key = (width, base)
        drawn = self._drawn.get(key)
        if drawn is None:
            if len(self._drawn) >= 2:  # a resize or a theme change: the old look goes
                self._drawn.clear()
            drawn = self._drawn[key] = [
                Strip(line).adjust_cell_length(width, base) for line in self.lines
            ]
        return drawn

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Render as `▀` cells, row by row."""
        for line in self.lines:
            yield from line
            yield Segment.line()


def load_halfblocks(source: Path | bytes, columns: int, rows: int) -> HalfBlocks | None:
    """Decode and scale an image (a file, or its bytes) to `columns` × `rows` cells.

    None if it isn't an image. Blocking (Pillow decodes): call from a worker. The image
    keeps its aspect ratio (cells are about twice as tall as wide) inside the box.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as opened:
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


class PictureMemo:
    """The last few decoded pictures, by video, box and the file's content (thread-safe).

    Coming back up the list shows a picture decoded minutes ago: the worker finds it
    here instead of decoding again (Pillow holds the interpreter while the cursor moves),
    and the widget gets the very same object, whose drawn strips it kept. The key holds
    a digest of the file's bytes, so a new picture for the same video (fetched again
    after an eviction) is decoded, never hidden behind the old one; and the box, so a
    resize decodes at the new size.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], HalfBlocks | Picture] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> HalfBlocks | Picture | None:
        """The picture kept under `key` (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], picture: HalfBlocks | Picture) -> None:
        """Keep `picture` under `key`, dropping the least recently used beyond `size`."""
        with self._lock:
            self._items[key] = picture
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class Thumbnail(DirectLines, Widget):
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
        self._base: Style | None = None
        """The widget's own style under the picture, kept until the look changes."""
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
        if image is self._image:
            return  # the same picture (shown again from memory): nothing to repaint
        self._image = image
        self.refresh()  # this box only: no layout, no parent

    def render_line(self, y: int) -> Strip:
        """Row `y` of the picture (blank below it, or while there is none)."""
        width = self.size.width
        if self._base is None:
            self._base = self.rich_style
        strips = self._image.strips(width, self._base) if self._image is not None else []
        if y < len(strips):
            return strips[y]
        return _blank(width, self._base)

    def notify_style_update(self) -> None:
        """The theme or CSS changed: the picture's strips are drawn again on the new look."""
        super().notify_style_update()
        self._base = None


@lru_cache(maxsize=16)
def _blank(width: int, style: Style) -> Strip:
    """An empty row (one strip per width and look, so its filtered copy is kept too)."""
    return Strip.blank(width, style)
