"""Drawing a line-API widget's own strips straight to the compositor, for plain widgets.

Every frame, Textual's compositor asks every widget whose clip touches the dirty area
for all of its lines. Through Textual's style cache (`Widget.render_lines`) a line the
widget drew again — every line of the feed table after it scrolls, every row of a new
thumbnail — becomes a new strip: padded, wrapped for tint and opacity, then passed
through the app's colour filter segment by segment, and cut at the screen's column
edges, each step once more per frame because the strip is new. For a widget without
border, outline, padding, hatch, tint or opacity none of those steps changes anything
but the filter, and its `render_line` already hands back strips it keeps (the feed
table's rows, the picture's rows, the detail text's lines): `DirectLines` returns those
strips, filtered through each strip's own filter cache, so a row drawn once costs a
dictionary lookup in every later frame — the scrolled table, and a picture shown again.
The widgets draw no links (no `@click` in their styles), so Textual's hover styling of
links has nothing to do either. A widget whose look is not plain (a theme or stylesheet
giving it a border, padding, tint or opacity) goes through Textual's own path, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    _WidgetMixin = Widget
else:
    # A plain mixin at run time: Textual follows a widget's first DOM-node base for its
    # default CSS, which must stay the widget's own (ScrollView's scrolling, for one).
    _WidgetMixin = object


def plain_styles(widget: Widget) -> bool:
    """Whether `widget`'s style adds nothing to its lines but their colours."""
    styles = widget.styles
    return bool(
        not any(styles.border.spacing)
        and not any(edge for edge, _ in styles.outline)
        and not any(styles.padding)
        and styles.tint.a == 0
        and styles.text_opacity == 1.0
        and (not styles.has_rule("hatch") or styles.hatch == "none")
    )


class DirectLines(_WidgetMixin):
    """A line-API widget whose kept strips go to the compositor as they are (see module).

    Mix in before the widget class: `class FeedTable(DirectLines, ScrollView)`.
    """

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in `crop`: this widget's own strips, filtered, cut to the crop."""
        # Checked every pass (a few lookups): inline styles change without notice, and
        # opacity is the ancestors' too (a fading container).
        if not plain_styles(self) or self.opacity != 1.0:
            return super().render_lines(crop)
        width = self.outer_size.width
        base_background, background = self.background_colors
        filters = self.get_line_filters()
        fill: Style | None = None
        strips: list[Strip] = []
        for y in crop.line_range:
            strip = self.render_line(y)
            if strip.cell_length != width:  # padded with the background, as Textual does
                fill = fill or Style(bgcolor=(base_background + background).rich_color)
                strip = strip.adjust_cell_length(width, fill)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips
