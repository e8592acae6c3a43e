"""Indic titles measured as terminals draw them (momentum_tui/cells.py)."""

from __future__ import annotations

import unicodedata

import pytest
from rich.cells import cell_len

from momentum_tui.cells import count_spacing_marks, widen_spacing_marks
from momentum_tui.commands.common import emit_table
from momentum_tui.demo.corpus import load_records
from momentum_tui.storage import Store
from tests.app_support import make_app, settle
from tests.factories import add, make_video


def terminal_width(text: str) -> int:
    """Columns as glibc's wcwidth counts them (tmux, xterm, VTE): marks with no column
    (Mn, Me, Cf, or any combining class) are zero, East Asian wide two, the rest one."""
    total = 0
    for character in text:
        if unicodedata.combining(character) or unicodedata.category(character) in (
            "Mn",
            "Me",
            "Cf",
        ):
            continue
        total += 2 if unicodedata.east_asian_width(character) in "WF" else 1
    return total


def has_spacing_mark(text: str) -> bool:
    return any(unicodedata.category(c) == "Mc" for c in text)


def test_spacing_marks_leave_the_zero_ranges_and_nothing_else_does() -> None:
    # U+0900–U+0903: three non-spacing signs, then U+0903 DEVANAGARI SIGN VISARGA (Mc).
    # U+094D DEVANAGARI SIGN VIRAMA is Mn and stays zero; wide ranges are untouched.
    table = [(0x900, 0x903, 0), (0x94D, 0x94D, 0), (0x1100, 0x115F, 2)]
    assert widen_spacing_marks(table) == [(0x900, 0x902, 0), (0x94D, 0x94D, 0), (0x1100, 0x115F, 2)]
    assert widen_spacing_marks([(0x93E, 0x940, 0)]) == []  # three vowel signs, all Mc


def test_real_indic_titles_measure_as_the_terminal_draws_them() -> None:
    assert count_spacing_marks()
    texts = [
        text
        for record in load_records()
        for text in (record["title"], record["channel_title"])
        if has_spacing_mark(text) and "\u200d" not in text and "\ufe0f" not in text
    ]
    assert len(texts) > 50  # Hindi, Tamil, Malayalam, Telugu… titles in the trending sample
    assert [cell_len(t) for t in texts] == [terminal_width(t) for t in texts]
    assert cell_len("धोनी") == 4 and cell_len("क्त") == 2  # vowel signs count, viramas don't
    assert cell_len("日本") == 4 and cell_len("abc") == 3  # the rest as before


async def test_a_hindi_title_keeps_the_columns_after_it_in_place(store: Store) -> None:
    add(
        store,
        make_video(1, title="धोनी जैसा कोई नहीं, Thank You Dhoni | MS Dhoni Retirement"),
        make_video(2, title="An English title of about the same length as the other one"),
    )
    app = make_app(store, start_view="subscriptions")
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        table = app.screen.table
        lines = [table.render_line(y).text for y in range(table.size.height)]
        hindi = next(line for line in lines if "Dhoni" in line)
        english = next(line for line in lines if "English" in line)
        assert terminal_width(hindi) == terminal_width(english) == table.size.width
        # The channel column starts in the same terminal column on both rows.
        assert terminal_width(hindi[: hindi.index("Channel 0")]) == terminal_width(
            english[: english.index("Channel 0")]
        )


def test_the_command_line_table_lines_up_hindi_rows(capsys: pytest.CaptureFixture[str]) -> None:
    emit_table(
        ["title", "views"],
        [["धोनी जैसा कोई नहीं", "454K"], ["Thank you Dhoni", "1.2M"]],
    )
    lines = capsys.readouterr().out.splitlines()
    starts = [terminal_width(line[: line.rindex(" ") + 1]) for line in lines]
    assert len(set(starts)) == 1, lines  # the views column starts in one terminal column
