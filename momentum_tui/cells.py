"""Cell widths that agree with the terminal for Indic and other abugida scripts.

A spacing vowel sign (Unicode category Mc, such as U+093E DEVANAGARI VOWEL SIGN AA)
takes a column of its own in a terminal — glibc's `wcwidth`, and so tmux, xterm and
VTE, give it one, as do current releases of the wcwidth and go-runewidth libraries.
Rich's width tables, which Textual measures everything with, give it none, so a Hindi
or Tamil title pushes every column after it to the right. `count_spacing_marks()`
widens those marks in Rich's table; the app and the command line's tables call it
before they measure anything. Marks with a combining class (viramas written as Mc)
stay zero-width, as they are drawn on the letters around them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text


def _is_spacing_mark(codepoint: int) -> bool:
    character = chr(codepoint)
    return unicodedata.category(character) == "Mc" and unicodedata.combining(character) == 0


def widen_spacing_marks(widths: Any) -> list[tuple[int, int, int]]:
    """Rich's `(start, end, cells)` ranges with spacing marks taken out of the zero ranges.

    A code point in no range counts as one cell, so removing a mark makes it one wide.
    """
    widened: list[tuple[int, int, int]] = []
    for start, end, cells in widths:
        if cells != 0:
            widened.append((start, end, cells))
            continue
        run_start: int | None = None
        for codepoint in range(start, end + 1):
            if _is_spacing_mark(codepoint):
                if run_start is not None:
                    widened.append((run_start, codepoint - 1, 0))
                    run_start = None
            elif run_start is None:
                run_start = codepoint
        if run_start is not None:
            widened.append((run_start, end, 0))
    return widened


@cache
def count_spacing_marks() -> bool:
    """Make Rich (and Textual) give spacing marks one cell; False if Rich has no such table.

    Runs once per process; measurements cached before it are dropped.
    """
    import rich.cells as rich_cells

    original: Callable[..., Any] | None = getattr(rich_cells, "load_cell_table", None)
    if original is None or not hasattr(original("latest"), "widths"):
        return False  # a Rich release that measures differently: leave it alone

    @cache
    def load(unicode_version: str = "auto") -> Any:
        table = original(unicode_version)
        return table._replace(widths=widen_spacing_marks(table.widths))

    rich_cells.load_cell_table = load  # type: ignore[attr-defined]
    for cached in ("get_character_cell_size", "cached_cell_len"):
        clear = getattr(getattr(rich_cells, cached, None), "cache_clear", None)
        if clear is not None:
            clear()
    return True


def fit(text: Text, width: int) -> Text:
    """Cut `text` to `width` terminal cells with an ellipsis, never splitting a wide character."""
    from rich.cells import cell_len, get_character_cell_size
    from rich.text import Text

    if width <= 0:
        return Text("")
    plain = text.plain
    if cell_len(plain) <= width:
        return text
    used, cut = 0, 0
    for index, ch in enumerate(plain):
        size = get_character_cell_size(ch)
        if used + size > width - 1:
            break
        used += size
        cut = index + 1
    return text[:cut] + Text("…")
