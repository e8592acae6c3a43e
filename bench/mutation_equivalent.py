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

_FROZEN = ("-@dataclass(frozen=True)", "+@dataclass(frozen=False)")
_TYPE_CHECKING = ("-if TYPE_CHECKING:", "+if not TYPE_CHECKING:")
_ROW_CELLS = "a row gets here only with a non-empty cell, so it has one cell at least"
_CHAR = "CPython keeps one object for each one-character Latin-1 string, and indexing returns it"

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
        ("-            break", "+            continue"): "clean_tags checks its limit before "
        "any work on an item, so `continue` passes over each later item as `break` stops at "
        "it: the same tags",
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
        _FROZEN: "nothing assigns to a HistoryEntry (and its dict field makes it unhashable "
        "either way), so frozen changes nothing",
        (
            "-        if row is None or updated_at > row[0]:",
            "+        if row is None or updated_at > row[ -1]:",
        ): "the SELECT returns one column, so row[-1] is row[0]",
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
    "importers": {
        _FROZEN: "nothing assigns to an ImportedChannel or an InvalidEntry, or hashes one "
        "(the import and its report only read their fields), so frozen changes nothing",
        (
            "-    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)",
            "+    _index: dict[str, int] = field(default_factory=dict, repr=True, compare=False)",
        ): "no ImportedList is ever shown by its repr (every sentence is built from its fields)",
        (
            "-    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)",
            "+    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=True)",
        ): "the index is derived from `channels` (add() writes both), so equal channels mean "
        "equal indexes",
        (
            '-    if value is None or value == "":',
            '+    if value is None or value is "":',
        ): "CPython keeps one empty string, and every empty str (csv, json, strip) is that one",
        (
            '-                or "youtube.com/" in (cells[1] if len(cells) > 1 else "")',
            '+                or "youtube.com/" in (cells[1] if len(cells) != 1 else "")',
        ): _ROW_CELLS,
        (
            "-                channel_id_in(cells[1]) if len(cells) > 1 else None",
            "+                channel_id_in(cells[1]) if len(cells) != 1 else None",
        ): _ROW_CELLS,
        (
            "-            if not any_document and line_number == 1:",
            "+            if not any_document and line_number <= 1:",
        ): "line numbers start at 1 (enumerate(start=1)), so `<= 1` is `== 1`",
        (
            '-        if stripped[0] == "{":',
            '+        if stripped[0] >= "{":',
        ): 'here the text starts with "[" or "{", and "[" sorts before "{"',
        ('-        if stripped[0] == "{":', '+        if stripped[0] is "{":'): _CHAR,
    },
    "quota": {
        _TYPE_CHECKING: "quota.py is loaded only by code that has loaded momentum_tui.config "
        "first (every ledger is built from the settings), so importing it at run time too "
        "loads nothing new",
        _FROZEN: "nothing assigns to a QuotaStatus (and its dict field makes it unhashable "
        "either way), so frozen changes nothing",
        (
            "-        return self._refusal(0, True, now)",
            "+        return self._refusal( 1, True, now)",
        ): "when YouTube said the quota is spent, the refusal's sentence doesn't use `used`",
        (
            "-        return self._refusal(0, True, now)",
            "+        return self._refusal( -1, True, now)",
        ): "when YouTube said the quota is spent, the refusal's sentence doesn't use `used`",
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
