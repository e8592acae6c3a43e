"""The detail pane's thumbnail: kitty graphics or Sixel via textual-image, else half-blocks.

textual-image learns what a terminal can draw by asking it (escape sequences with a
timeout) when it is imported, which must happen before Textual owns the terminal and
would cost every launch up to 0.2 s in terminals that answer neither question. So the
protocol is decided from the environment (`graphics_protocol`): textual-image is
imported, before the app starts, only where the terminal says it draws kitty graphics
or Sixel; everywhere else — and in tests and snapshots — the image is drawn with
half-block characters (`▀`, the top pixel in the foreground colour, the bottom one in
the background), computed from Pillow in the worker that loaded it, so the UI thread
only lays out cells.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
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

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Render as `▀` cells (foreground: top pixel, background: bottom pixel)."""
        from rich.color import Color

        for row in self.rows:
            for top, bottom in row:
                style = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
                yield Segment("▀", style)
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
    return HalfBlocks(
        tuple(
            tuple((pixels[x, y], pixels[x, y + 1]) for x in range(size[0]))
            for y in range(0, size[1], 2)
        )
    )


class Thumbnail(Widget):
    """Shows one thumbnail (or nothing); the detail pane feeds it from a worker."""

    DEFAULT_CSS = """
    Thumbnail { height: auto; width: auto; display: none; }
    Thumbnail.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._image: HalfBlocks | None = None
        self.video_id: str | None = None

    def show(self, video_id: str | None, image: HalfBlocks | None) -> None:
        """Show `image` for `video_id` (None hides the thumbnail)."""
        self.video_id = video_id if image is not None else None
        self._image = image
        self.set_class(image is not None, "-shown")
        self.styles.height = len(image.rows) if image is not None else 0
        self.styles.width = image.width if image is not None else 0
        self.refresh(layout=True)

    def render(self) -> HalfBlocks | str:
        """The image's cells."""
        return self._image if self._image is not None else ""
