"""Untrusted text is cleaned on the way in: nothing can reach the terminal as a control."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from momentum_tui import sanitize
from momentum_tui.records import Video

FIXTURES = Path(__file__).parent / "fixtures"


def blns() -> list[str]:
    text = (FIXTURES / "blns_minimaxir_blns.txt").read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line and not line.startswith("#")]


@pytest.mark.parametrize("line", blns())
def test_every_naughty_string_comes_out_clean(line: str) -> None:
    cleaned = sanitize.clean_text(line)
    assert sanitize.unsafe_characters(cleaned) == []
    assert "\x1b" not in cleaned
    assert sanitize.clean_text(cleaned) == cleaned  # idempotent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[31mred\x1b[0m title", "red title"),
        ("\x1b]0;pwned window title\x07Title", "Title"),
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),
        ("\x9b31mC1 CSI", "C1 CSI"),
        ("\x9d0;title\x9cafter", "after"),
        ("bell\x07 and backspace\x08", "bell and backspace"),
        ("\x1bPq#0;2;0;0;0#1;2;100;100;0\x1b\\sixel", "sixel"),
        ("\u202eevil\u202c reversed", "evil reversed"),
        ("zero\u200bwidth\u200djoin\ufeff", "zerowidthjoin"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("tag\U000e0069\U000e0067nored", "tagnored"),
        ("e\u0301", "é"),  # NFC
        ("[bold red]markup[/] stays literal", "[bold red]markup[/] stays literal"),
    ],
)
def test_known_attacks(raw: str, expected: str) -> None:
    assert sanitize.clean_text(raw) == expected


def test_single_line_fields_collapse_whitespace_and_cap_length() -> None:
    assert sanitize.clean_line("a\n\n b\t\tc\r\nd") == "a b c d"
    long = "x" * 500
    capped = sanitize.clean_line(long, max_len=100)
    assert len(capped) == 100
    assert capped.endswith("…")


def test_tags_are_cleaned_deduplicated_and_none_marker_dropped() -> None:
    assert sanitize.clean_tags("a|A|\x1b[2Jb|[None]| |c") == ["a", "b", "c"]
    assert sanitize.clean_tags(None) == []
    assert sanitize.clean_tags(42) == []


def test_models_clean_on_the_way_in() -> None:
    video = Video(
        id="abcdefghijk",
        channel_id="UC" + "x" * 22,
        channel_title="Chan\x1b[5mnel",
        title="\x1b]0;owned\x07Hello\u202e world",
        description="line1\r\nline2\x00",
        published_at=0,
        tags=["\u200bok", "ok"],
    )
    assert video.title == "Hello world"
    assert video.channel_title == "Channel"
    assert video.description == "line1\nline2"
    assert video.tags == ["ok"]


@given(st.text())
def test_clean_text_never_lets_unsafe_characters_through(text: str) -> None:
    cleaned = sanitize.clean_text(text)
    assert sanitize.unsafe_characters(cleaned) == []
    assert sanitize.clean_text(cleaned) == cleaned


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\x1b", "\x9b", "\n"])))
def test_clean_line_is_one_line(text: str) -> None:
    line = sanitize.clean_line(text)
    assert "\n" not in line
    assert "\x1b" not in line
    assert len(line) <= sanitize.TITLE_MAX


@pytest.mark.parametrize("nonchar", ["\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\U0010ffff"])
def test_noncharacters_are_dropped(nonchar: str) -> None:
    assert sanitize.clean_text(f"a{nonchar}b") == "ab"
    assert sanitize.unsafe_characters(f"a{nonchar}b") == [nonchar]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x7fb", "ab"),  # DEL: the first code point of the dropped C1 block
        ("\x7f", ""),
        ("tab\tkept", "tab\tkept"),
        ("a\x80b", "ab"),  # C1 controls that start no escape sequence
        ("a\x85b", "ab"),
        ("a\xa0b", "a\xa0b"),  # NO-BREAK SPACE, just past C1, is printable and stays
    ],
)
def test_del_and_every_c1_control_are_dropped_but_their_neighbours_stay(
    raw: str, expected: str
) -> None:
    assert sanitize.clean_text(raw) == expected
    # The checker used by the property tests must call them unsafe too.
    assert sanitize.unsafe_characters(raw) == [ch for ch in raw if ch in "\x7f\x80\x85"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\nb", "a\nb"),
        ("a\n\nb", "a\n\nb"),  # one blank line (a paragraph break) is kept
        ("a\n\n\nb", "a\n\nb"),  # three newlines are already a run: collapsed to two
        ("a\n\n\n\nb", "a\n\nb"),
        ("a\r\n\r\n\r\nb", "a\n\nb"),
        ("a" + "\n" * 40 + "b", "a\n\nb"),
    ],
)
def test_runs_of_three_or_more_newlines_become_one_blank_line(raw: str, expected: str) -> None:
    assert sanitize.clean_text(raw) == expected


@given(st.text(alphabet=st.sampled_from(["a", "\n", "\r", " "])))
def test_no_cleaned_text_has_two_blank_lines_in_a_row(text: str) -> None:
    assert "\n\n\n" not in sanitize.clean_text(text)


@pytest.mark.parametrize(
    ("clean", "cap"),
    [
        (sanitize.clean_line, sanitize.TITLE_MAX),
        (lambda text: sanitize.clean_line(text, max_len=sanitize.NAME_MAX), sanitize.NAME_MAX),
        (sanitize.clean_text, sanitize.DESCRIPTION_MAX),
    ],
    ids=["title", "name", "description"],
)
@pytest.mark.parametrize("noise", ["", "\x07"], ids=["clean", "needs-cleaning"])
def test_text_up_to_its_cap_is_kept_whole_and_longer_text_ends_in_an_ellipsis(
    clean: object, cap: int, noise: str
) -> None:
    assert callable(clean)
    assert clean(noise + "x" * cap) == "x" * cap
    cut = clean(noise + "x" * (cap + 1))
    assert cut == "x" * (cap - 1) + "…"


def test_the_caps_are_what_the_docs_promise() -> None:
    # YouTube allows 100-character titles and 5,000-character descriptions.
    assert (sanitize.TITLE_MAX, sanitize.NAME_MAX) == (200, 120)
    assert (sanitize.DESCRIPTION_MAX, sanitize.TAG_MAX) == (5000, 60)


def test_an_ellipsis_never_follows_a_space() -> None:
    assert sanitize.clean_line("word " * 60, max_len=11) == "word word…"


def test_tags_are_capped_in_length_and_in_number() -> None:
    assert sanitize.clean_tags(["y" * 60, "z" * 61]) == ["y" * 60, "z" * 59 + "…"]
    many = [f"tag{n}" for n in range(80)]
    assert sanitize.clean_tags(many) == many[:50]
    assert sanitize.clean_tags(many, limit=3) == many[:3]
    assert sanitize.clean_tags(("a", "b")) == ["a", "b"]  # tuples too
    assert sanitize.clean_tags(many, limit=0) == sanitize.clean_tags(many, limit=-1) == []
    lots = [f"tag{n}" for n in range(400)]  # past the integers Python keeps one copy of
    assert sanitize.clean_tags(lots, limit=300) == lots[:300]


def test_tags_keep_their_case_and_only_the_exact_none_marker_is_dropped() -> None:
    # Capitals sort before "[", lower case after: neither side of the marker is dropped.
    raw = ["Apple", "[None]", "Zebra", "apple", "[none]", "@home", "~tilde"]
    assert sanitize.clean_tags(raw) == ["Apple", "Zebra", "[none]", "@home", "~tilde"]


def test_values_that_are_not_text_are_read_as_their_text() -> None:
    # A JSON import can hold a number where a title belongs.
    assert sanitize.clean_text(2024) == "2024"
    assert sanitize.clean_line(3.5) == "3.5"
    assert sanitize.clean_text(0) == "0"


def test_a_line_padded_with_whitespace_keeps_its_words_when_they_fit() -> None:
    # Up to twice the cap is read before whitespace runs collapse to one space.
    assert sanitize.clean_line("a" + " " * 300 + "b") == "a b"
    assert sanitize.clean_line("a" + "\n" * 390 + "b") == "a b"
    assert sanitize.clean_line("one" + " " * 25 + "two", max_len=20) == "one two"


def test_a_line_is_read_no_further_than_twice_its_cap() -> None:
    # So a title padded with a megabyte of spaces costs what a short one does; it shows cut.
    assert sanitize.clean_line("a" + " " * 450 + "b") == "a…"
    assert sanitize.clean_line("a" + " " * 10**6 + "b") == "a…"
    assert sanitize.clean_line("one" + " " * 40 + "two", max_len=20) == "one…"


@pytest.mark.parametrize(
    "kept",
    ["\ufffd", "\ufdcf", "\ufdf0", "\U00010000", "\u00a0", " ", "~", "\U0010fffd"],
)
def test_characters_next_to_the_dropped_ranges_are_kept(kept: str) -> None:
    assert sanitize.clean_text(f"a{kept}b") == f"a{kept}b"
    assert sanitize.unsafe_characters(f"a{kept}b") == []


@pytest.mark.parametrize(
    "unsafe",
    ["\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x80", "\x9f", "\ufdd0", "\ufdef", "\ufffe",
     "\U0001ffff", "\U000e0001", "\u200b", "\u202e"],
)  # fmt: skip
def test_the_checker_names_every_kind_of_unsafe_character(unsafe: str) -> None:
    assert sanitize.unsafe_characters(f"a{unsafe}b") == [unsafe]
    assert unsafe not in sanitize.clean_text(f"a{unsafe}b")


def test_tab_and_newline_are_safe_and_kept() -> None:
    assert sanitize.unsafe_characters("a\tb\nc") == []
    assert sanitize.clean_text("a\tb\nc") == "a\tb\nc"
