"""A `Static` that keeps the lines it drew for each text it showed lately.

The main screen's one-line texts — the status bar, the note beside the tab line — are
given a text on every tab switch: the shown tab's counts and order, its keys. Each
`update` made Textual's style cache forget the drawn line, so the switch's frame drew
it again from the text (≈ 0.6–1 ms each at 160 columns, a tenth of the frame), though
a switch back and forth only ever alternates between the same two texts. `KeptStatic`
keeps the lines of its last few texts (by what the text says, its size, the app's line
filters); the same text again repaints nothing at all. A change of styles (a theme, a
hover rule) forgets them, as Textual's cache does.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.console import RenderableType
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import VisualType
from textual.widgets import Static

KEPT_TEXTS = 8
"""Texts whose lines are kept (a tab's few states, each tab's)."""


def text_key(content: RenderableType | VisualType) -> Hashable | None:
    """What a text says and how, to tell it from another (None: not a text, or a `str`
    that may be markup: always drawn again)."""
    if not isinstance(content, Text):
        return None
    return (content.plain, tuple(content.spans), str(content.style), content.justify,
            content.overflow, content.no_wrap, content.end)  # fmt: skip


class KeptStatic(Static):
    """A `Static` whose drawn lines are kept per text (see the module)."""

    def __init__(self, content: VisualType = "", *, id: str | None = None) -> None:
        super().__init__(content, id=id)
        self._key = text_key(content)
        self._kept: LRUCache[Hashable, list[Strip]] = LRUCache(KEPT_TEXTS)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Show `content`; the text on screen already changes nothing (no repaint)."""
        key = text_key(content)
        if key is not None and key == self._key:
            return
        self._key = key
        super().update(content, layout=layout)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in `crop`: kept ones for a text drawn before at this size."""
        if self._key is None:
            return super().render_lines(crop)
        filters = tuple(map(id, self.get_line_filters()))
        key = (self._key, crop, self.size, filters)
        lines = self._kept.get(key)
        if lines is None:
            lines = self._kept[key] = super().render_lines(crop)
        return lines

    def notify_style_update(self) -> None:
        """The look changed: the kept lines are stale."""
        super().notify_style_update()
        self._kept.clear()
