"""One-line texts that keep what they drew (widgets/kept_static.py, widgets/tab_line.py).

The status bar and the tab's note are given a text on every tab switch, and a switch
back and forth alternates between the same texts: a text drawn before is not drawn
again, the same text again repaints nothing, a new look draws anew. Asserted through
what the widgets draw and what Textual was asked to do, never timing.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from momentum_tui.widgets.kept_static import KeptStatic
from momentum_tui.widgets.tab_line import TabLine


class NoteApp(App[None]):
    """A kept text and a tab line, as the main screen has them."""

    CSS = "KeptStatic { height: 1; padding: 0 1; color: $text-muted; }"

    def compose(self) -> ComposeResult:
        yield KeptStatic(Text("For you: 1,024 picks", style="bold"))
        yield TabLine({"a": "For you", "b": "Subscriptions"}, active="a")


def looks(lines: list[Strip]) -> list[list[tuple[str, str]]]:
    """Lines as the terminal is told them."""
    return [[(segment.text, str(segment.style)) for segment in line] for line in lines]


def drawn(widget: Widget) -> list[list[tuple[str, str]]]:
    """What `widget` draws for its whole region now."""
    return looks(widget.render_lines(Region(0, 0, *widget.size)))


def drawing(calls: list[Widget]) -> Any:
    """Record each drawing through Textual's own path (until the returned undo)."""
    render_lines = Widget.render_lines

    def recording(self: Widget, crop: Region) -> list[Strip]:
        calls.append(self)
        return render_lines(self, crop)

    Widget.render_lines = recording  # type: ignore[method-assign]
    return lambda: setattr(Widget, "render_lines", render_lines)


async def test_a_text_shown_before_is_not_drawn_again_and_the_same_text_repaints_nothing() -> None:
    app = NoteApp()
    async with app.run_test(size=(60, 4)) as pilot:
        note = app.query_one(KeptStatic)
        first = drawn(note)
        assert "For you: 1,024 picks" in "".join(text for text, _ in first[0])
        note.update(Text("Subscriptions: 100,352 videos"))
        await pilot.pause()
        second = drawn(note)
        assert second != first
        calls: list[Widget] = []
        undo = drawing(calls)
        try:
            note.update(Text("For you: 1,024 picks", style="bold"))  # back: kept
            await pilot.pause()
            assert drawn(note) == first and note not in calls
            repaints: list[Any] = []
            refresh = note.refresh

            def recording(*args: Any, **kwargs: Any) -> Any:
                repaints.append(args)
                return refresh(*args, **kwargs)

            note.refresh = recording  # type: ignore[method-assign]
            note.update(Text("For you: 1,024 picks", style="bold"))  # the same: nothing
            assert repaints == []
            note.update("For you: [b]markup[/b]")  # a string may be markup: drawn each time
            await pilot.pause()
            assert "For you: markup" in "".join(text for text, _ in drawn(note)[0])
            assert repaints and note in calls
        finally:
            undo()


async def test_a_new_look_draws_the_kept_texts_and_titles_again() -> None:
    app = NoteApp()
    async with app.run_test(size=(60, 4)) as pilot:
        note, line = app.query_one(KeptStatic), app.query_one(TabLine)
        before = drawn(note), drawn(line)
        line.active = "b"
        await pilot.pause()
        assert drawn(line) != before[1]
        line.active = "a"  # back: the line kept for it, as a fresh drawing has it
        await pilot.pause()
        assert drawn(line) == before[1]
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        after = drawn(note), drawn(line)
        assert after[0] != before[0] and after[1] != before[1]  # the new colours
        words = [[text for text, _ in row] for row in after[0]]
        assert words == [[text for text, _ in row] for row in before[0]]  # the same words
