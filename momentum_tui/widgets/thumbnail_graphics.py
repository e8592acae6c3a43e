"""Thumbnails in real pixels: kitty graphics or Sixel, drawn by textual-image.

Importing `textual_image.widget` asks the terminal for its cell size (and which protocols
it speaks) with escape sequences, which only works before Textual owns the terminal and
can cost a launch up to 0.2 s where nothing answers. So `prepare_graphics` runs while the
app is built, before it starts, and imports textual-image only where the protocol chosen
from the environment (or `ui.thumbnail_protocol`) is kitty or Sixel; everyone else pays
nothing and gets half-blocks. When textual-image is missing or fails, the thumbnails fall
back to half-blocks with one sentence.

textual-image's widgets lay the screen out again whenever their picture changes (they
size themselves to it). In the detail pane's fixed box that would cost every cursor
move a layout pass of the whole screen, so `FixedPicture` keeps its size and only
repaints when the picture changes; its size is set, when it differs, from the fitted
picture (`fit_cells`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from momentum_tui.widgets.thumbnail import graphics_protocol

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from textual.widget import Widget

HALFBLOCKS = "halfblocks"
PIXEL_PROTOCOLS = ("kitty", "sixel")


@dataclass(frozen=True)
class Graphics:
    """How this run draws thumbnails, and why not in pixels when it can't."""

    protocol: str
    """`kitty`, `sixel` or `halfblocks`."""
    problem: str | None = None
    """One sentence when kitty/Sixel was wanted but isn't possible."""


def prepare_graphics(setting: str = "auto", env: dict[str, str] | None = None) -> Graphics:
    """Choose the protocol; for kitty or Sixel, import textual-image now (before the app runs)."""
    protocol = graphics_protocol(setting, env)
    if protocol not in PIXEL_PROTOCOLS:
        return Graphics(HALFBLOCKS)
    name = "kitty graphics" if protocol == "kitty" else "Sixel"
    try:
        import textual_image.widget  # noqa: F401 - asks the terminal its cell size, once
    except ImportError:
        return Graphics(
            HALFBLOCKS,
            f"Thumbnails are drawn with half-blocks: {name} needs textual-image "
            "(pip install 'momentum-tui[thumbnails]').",
        )
    except Exception as error:  # the terminal query failed: a picture is not worth a crash
        return Graphics(
            HALFBLOCKS,
            f"Thumbnails are drawn with half-blocks: textual-image could not set up "
            f"{name} ({type(error).__name__}: {error}).",
        )
    return Graphics(protocol)


def fit_cells(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The cells (columns, rows) a picture of `size` pixels takes inside `box`, aspect kept."""
    from textual_image._terminal import get_cell_size

    cell = get_cell_size()
    width, height = size
    columns, rows = box
    if not width or not height:
        return columns, rows
    scale = min(columns * cell.width / width, rows * cell.height / height)
    return (
        max(1, min(columns, round(width * scale / cell.width))),
        max(1, min(rows, round(height * scale / cell.height))),
    )


def load_picture(source: Path | bytes) -> PILImage | None:
    """Decode a thumbnail (a file or its bytes) for textual-image; None if it isn't an image.

    Blocking: call from a worker.
    """
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as opened:
            return opened.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def picture_widget(protocol: str, *, id: str | None = None) -> Widget:
    """textual-image's widget for `protocol`, made to keep its size (`FixedPicture`)."""
    widget: Widget = _picture_class(protocol)(id=id)
    return widget


@cache
def _picture_class(protocol: str) -> Any:
    from textual_image.widget import SixelImage, TGPImage

    base: Any = TGPImage if protocol == "kitty" else SixelImage

    class FixedPicture(base, Renderable=base._Renderable):  # type: ignore[misc, call-arg]
        """A textual-image widget whose new picture repaints it and lays nothing out."""

        DEFAULT_CSS = "FixedPicture { width: 1; height: 1; }"

        _quiet = False
        _cells: tuple[int, int] | None = None

        def show_picture(self, picture: Any, cells: tuple[int, int] | None) -> None:
            """Show `picture` in `cells` (None: keep the size; a layout only if it changed)."""
            if cells is not None and cells != self._cells:
                self._cells = cells
                self.styles.width, self.styles.height = cells
            self._quiet = True
            try:
                self.image = picture
            finally:
                self._quiet = False

        def refresh(self, *regions: Any, repaint: bool = True, layout: bool = False,
                    recompose: bool = False) -> Any:  # fmt: skip
            """A new picture repaints; Sixel's drawing child gets it without a recompose."""
            if self._quiet:
                layout = False
                if recompose:
                    recompose = False
                    for child in self.children:
                        child.image = self.image  # the Sixel encoder's own copy
                        child._cached_sixels = None
                        child.refresh()
            return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    return FixedPicture
