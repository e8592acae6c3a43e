"""Survivors of bench/mutation.py judged equivalent: no behaviour can tell them apart.

Keyed by module short name, then by the mutant's diff (the `-`/`+` lines exactly as the
run prints them), so a judgement follows the code when lines move and lapses when the
code changes. Each reason is one line a reviewer can check against the code.
"""

from __future__ import annotations

_KEY = '    return (record.stamp.hlc, record.stamp.device, {} if text is None else {}, text or "")'
_KIND_REDUNDANT = (
    "the removal-below-value rank is redundant with the next element: a removal's text is "
    '"" and a value\'s canonical JSON is never empty, so the order is unchanged'
)
_RATING = "a stored rating is only ever -1, 0 or 1 (every writer checks), so the two agree"

_PLANE = "a plane start is a multiple of 0x10000 and the offset is below 0x10000, so `|` adds"
_PLANE_XOR = "no bit of the offset is set in a plane start, so `^` adds too"
_RANGE_END = "the last plane starts at 0x100000, so an end of 0x110000 ± 1 yields the same planes"
_FLAGS = "the two flags are distinct bits, so `+` and `^` combine them as `|` does"
_NONCHARACTERS = (
    "    dict.fromkeys(plane {} low for plane in range(0, 0x110000, 0x10000) "
    "for low in (0xFFFE, 0xFFFF))"
)
_PLANE_TAIL = (
    '        f"{{chr(plane {} 0xFFFE)}}{{chr(plane {} 0xFFFF)}}" '
    "for plane in range(0x10000, 0x110000, 0x10000)"
)

EQUIVALENT: dict[str, dict[tuple[str, ...], str]] = {
    "sanitize": {
        ("-" + _NONCHARACTERS.format("+"), "+" + _NONCHARACTERS.format("|")): _PLANE,
        ("-" + _PLANE_TAIL.format("+", "+"), "+" + _PLANE_TAIL.format("|", "+")): _PLANE,
        ("-" + _PLANE_TAIL.format("+", "+"), "+" + _PLANE_TAIL.format("+", "|")): _PLANE,
        ("-" + _NONCHARACTERS.format("+"), "+" + _NONCHARACTERS.format("^")): _PLANE_XOR,
        ("-" + _PLANE_TAIL.format("+", "+"), "+" + _PLANE_TAIL.format("^", "+")): _PLANE_XOR,
        ("-" + _PLANE_TAIL.format("+", "+"), "+" + _PLANE_TAIL.format("+", "^")): _PLANE_XOR,
        (
            "-" + _NONCHARACTERS.format("+"),
            "+" + _NONCHARACTERS.format("+").replace("0x110000", "1114113"),
        ): _RANGE_END,
        (
            "-" + _NONCHARACTERS.format("+"),
            "+" + _NONCHARACTERS.format("+").replace("0x110000", "1114111"),
        ): _RANGE_END,
        (
            "-" + _PLANE_TAIL.format("+", "+"),
            "+" + _PLANE_TAIL.format("+", "+").replace("0x110000", "1114111"),
        ): _RANGE_END,
        ("-    re.VERBOSE | re.DOTALL,", "+    re.VERBOSE + re.DOTALL,"): _FLAGS,
        ("-    re.VERBOSE | re.DOTALL,", "+    re.VERBOSE ^ re.DOTALL,"): _FLAGS,
    },
    "prefsync_merge": {
        (
            "-    return a if _key(a) >= _key(b) else b",
            "+    return a if _key(a) > _key(b) else b",
        ): "equal keys mean equal records (same name, stamp and canonical value), so "
        "returning either of the two equal records is the same",
        **{
            ("-" + _KEY.format(0, 1), "+" + _KEY.format(*ranks)): _KIND_REDUNDANT
            for ranks in ((1, 1), (-1, 1), (0, 2), (0, 0))
        },
    },
    "marks": {
        (
            '-            Mark.LIKED: (state["rating"] == 1, Mark.UNRATED),',
            '+            Mark.LIKED: (state["rating"] >= 1, Mark.UNRATED),',
        ): _RATING,
        (
            '-            Mark.DISLIKED: (state["rating"] == -1, Mark.UNRATED),',
            '+            Mark.DISLIKED: (state["rating"] <= -1, Mark.UNRATED),',
        ): _RATING,
        (
            '-            Mark.DISLIKED: (state["rating"] == -1, Mark.UNRATED),',
            '+            Mark.DISLIKED: (state["rating"] is -1, Mark.UNRATED),',
        ): "CPython keeps one object for each small integer, so `is -1` and `== -1` agree "
        "for the int SQLite returns",
        (
            "-        is_set, undo_mark = opposite.get(mark, (False, mark))",
            "+        is_set, undo_mark = opposite.get(mark, (True, mark))",
        ): "for a mark without an opposite both branches choose the mark itself",
        (
            "-    return dict(zip(_STATE_FIELDS, row, strict=True))",
            "+    return dict(zip(_STATE_FIELDS, row, strict=False))",
        ): "the row comes from a SELECT of exactly _STATE_FIELDS, so the lengths always match",
    },
    "quota": {
        (
            "-        wait = describe_wait(reset_at(now) - now)",
            "+        wait = describe_wait(reset_at(now) % now)",
        ): "the reset is less than a day after `now`, and `now` is decades after the epoch, "
        "so the remainder equals the difference",
        (
            "-    minutes = int(seconds // 60)",
            "+    minutes = int(seconds / 60)",
        ): "int() floors a non-negative quotient too, and any negative wait gives minutes "
        "<= 0 either way (under a minute)",
    },
}
"""Module → (diff lines) → why no test can (or should) kill it."""
