"""Scroll views whose scrollbars are updated when their size or content changed, only.

On every layout pass of the screen, Textual tells each widget its size; a `ScrollView`
compares the virtual size it is told (the area it shows) with its own (all its lines),
which never match, so it updates its scrollbars and repaints them each time: ≈ 7 ms
of the UI thread per scrollbar, the channel list's and the feed table's on every tab
switch, though neither moved. `SteadyScrollbars` passes the news on only when the
widget's size, its container's or its own virtual size differs from the last it passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView

    _ScrollViewMixin = ScrollView
else:
    # A plain mixin at run time, like DirectLines: the widget's CSS stays its own.
    _ScrollViewMixin = object


class SteadyScrollbars(_ScrollViewMixin):
    """Mix in before `ScrollView`: `class FeedTable(SteadyScrollbars, ScrollView)`."""

    _sizes_passed: tuple[Size, Size, Size] | None = None

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Textual's update (scrollbars, scroll limits) when a size it depends on changed."""
        sizes = (size, container_size, self.virtual_size)
        if sizes == self._sizes_passed:
            return False  # what ScrollView answers when neither size changed
        self._sizes_passed = sizes
        return super()._size_updated(size, virtual_size, container_size, layout)
