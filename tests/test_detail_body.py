"""The detail pane's fixed-size text: it wraps at its width, says when there is more below,
scrolls with the mouse wheel within its ends, and the thumbnail box fits the pane."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult

from momentum_tui.widgets.detail import THUMB_SIZE, thumbnail_box
from momentum_tui.widgets.detail_body import MORE_BELOW, DetailBody


class BodyApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DetailBody(id="body")


def screen_text(body: DetailBody) -> list[str]:
    return ["".join(s.text for s in body.render_line(y)).rstrip() for y in range(body.size.height)]


async def test_long_text_says_more_below_and_the_wheel_reads_on() -> None:
    app = BodyApp()
    async with app.run_test(size=(40, 10)) as pilot:
        body = app.query_one(DetailBody)
        body.update(Text("\n".join(f"line {n}" for n in range(30))))
        await pilot.pause()
        shown = screen_text(body)
        assert shown[0] == "line 0" and shown[-1] == MORE_BELOW
        for _ in range(3):  # three notches of the wheel over the text
            body.post_message(_wheel(body, down=True))
        await pilot.pause()
        assert screen_text(body)[0] == "line 6"
        body.post_message(_wheel(body, down=False))
        await pilot.pause()
        assert screen_text(body)[0] == "line 4"
        body.scroll_lines(1_000)  # to the end: the last line shows, and no hint
        assert screen_text(body)[-1] == "line 29"
        body.scroll_lines(-1_000)
        assert screen_text(body)[0] == "line 0"
        body.update(Text("short"))  # a new video starts at its top, with no hint
        await pilot.pause()
        assert screen_text(body)[0] == "short" and MORE_BELOW not in screen_text(body)


async def test_text_wraps_at_the_widget_width() -> None:
    app = BodyApp()
    async with app.run_test(size=(20, 5)) as pilot:
        body = app.query_one(DetailBody)
        body.update(Text("alpha beta gamma delta epsilon"))
        await pilot.pause()
        assert screen_text(body)[:2] == ["alpha beta gamma", "delta epsilon"]


def _wheel(body: DetailBody, *, down: bool) -> events.MouseEvent:
    kind = events.MouseScrollDown if down else events.MouseScrollUp
    return kind(body, 1, 1, 0, 1 if down else -1, 0, False, False, False)


def test_the_thumbnail_box_fits_the_pane() -> None:
    assert thumbnail_box(38, 44, beside=False) == THUMB_SIZE  # above the text, wide layout
    assert thumbnail_box(20, 44, beside=False) == (20, 6)  # a narrow pane: smaller, 16:9
    columns, rows = thumbnail_box(78, 8, beside=True)  # the 80×24 layout: beside the text
    assert rows <= 8 and columns <= 78 // 3
    assert abs(columns / rows - THUMB_SIZE[0] / THUMB_SIZE[1]) < 0.4


async def test_parts_drawn_before_keep_their_lines_and_the_same_content_draws_nothing() -> None:
    app = BodyApp()
    async with app.run_test(size=(30, 5)) as pilot:
        body = app.query_one(DetailBody)
        description = Text("a long description " * 8, style="dim")
        body.update(Group(Text("Title", style="bold"), Text("♥ liked"), description))
        await pilot.pause()
        first = list(body.lines)
        whole = app.console.render_lines(
            Group(Text("Title", style="bold"), Text("♥ liked"), description),
            app.console_options.update(width=30, height=None, highlight=False),
            style=body.rich_style,
            pad=True,
        )
        assert [s.text for s in first] == ["".join(seg.text for seg in line) for line in whole]
        # A mark: only the flags line differs, so only it is laid out again.
        copy = Text(description.plain, style="dim")  # the same words: the same part
        body.update(Group(Text("Title", style="bold"), Text("★ saved"), copy))
        await pilot.pause()
        again = body.lines
        assert again[0] is first[0] and again[2:] == first[2:]
        assert all(a is b for a, b in zip(again[2:], first[2:], strict=True))
        assert "★ saved" in again[1].text and again[1] is not first[1]
        # Scrolled down, the same content again (a reload that found nothing new) keeps
        # the place and draws nothing.
        body.scroll_lines(2)
        body.update(Group(Text("Title", style="bold"), Text("★ saved"), description))
        assert body.top_line == 2 and body.lines is again
        body.update(Group(Text("Another video", style="bold"), description))  # starts at the top
        assert body.top_line == 0 and "Another video" in body.lines[0].text
