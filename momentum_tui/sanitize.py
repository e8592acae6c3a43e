"""The one place untrusted text is cleaned.

Titles, descriptions, channel names, tags — and Claude's own output — come from
strangers. They are cleaned once, on the way into the cache, so that nothing stored can
move the cursor, change colours, set the window title, reorder text (bidi overrides),
hide text (zero-width and tag characters) or break the table's column alignment.
Rendering still treats them as plain `Text`, never markup; this module is the other
half of that promise.
"""

from __future__ import annotations

import re
import unicodedata

# Whole terminal escape sequences go, not just their ESC byte, so no "[31m" debris is left.
# CSI (ESC [ … final byte), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC (ESC P|X|^|_ … ST),
# and two-byte ESC sequences. The 8-bit C1 forms (\x9b CSI, \x9d OSC …) too.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                    # CSI
    | (?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC
    | \x1b[ -/]*[0-~]?                                  # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Zero-width and invisible formatting characters. The zero-width joiner goes too: terminals
# disagree on the width of joined emoji, and it is how text hides inside other text.
# Variation selectors go because terminals and Rich disagree on the width they imply.
_INVISIBLES = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\ufe0e\ufe0f"
_DROP_TABLE = {ord(ch): None for ch in _BIDI_CONTROLS + _INVISIBLES}
# C0 controls except tab and newline, DEL, and the C1 range.
_DROP_TABLE.update({code: None for code in range(0x20) if code not in (0x09, 0x0A)})
_DROP_TABLE.update(dict.fromkeys(range(127, 160)))
# Unicode noncharacters: never meant for interchange, and XML (OPML exports) can't hold them.
_DROP_TABLE.update(dict.fromkeys(range(0xFDD0, 0xFDF0)))
_DROP_TABLE.update(
    dict.fromkeys(plane + low for plane in range(0, 0x110000, 0x10000) for low in (0xFFFE, 0xFFFF))
)

_TAG_CHARACTERS = re.compile("[\U000e0000-\U000e007f]")
# One search decides whether a string needs any work at all; most titles don't.
_NEEDS_WORK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufdd0-\ufdef\ufe0e\ufe0f\ufeff\ufffe\uffff"
    "\ud800-\udfff\U000e0000-\U000e007f"
    + "".join(
        f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
    )
    + "]"
    "|\n\n\n"
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")

TITLE_MAX = 200
"""Longest title kept (YouTube allows 100; headroom for other sources)."""
NAME_MAX = 120
"""Longest channel name kept."""
DESCRIPTION_MAX = 5000
"""Longest description kept (YouTube allows 5,000)."""
TAG_MAX = 60
"""Longest single tag kept."""


def clean_text(value: object, max_len: int = DESCRIPTION_MAX) -> str:
    """Return `value` as safe multi-line text: no escapes or controls, NFC, capped in length."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text:
        return ""
    if _NEEDS_WORK.search(text) is None and unicodedata.is_normalized("NFC", text):
        text = text.strip()
        return text if len(text) <= max_len else text[: max_len - 1].rstrip() + "…"
    text = _LONE_SURROGATE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _TAG_CHARACTERS.sub("", text)
    text = text.translate(_DROP_TABLE)
    text = unicodedata.normalize("NFC", text)
    text = _MANY_NEWLINES.sub("\n\n", text).strip()
    if len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text


def clean_line(value: object, max_len: int = TITLE_MAX) -> str:
    """Return `value` as safe single-line text (titles, names): whitespace runs become one space."""
    text = clean_text(value, max_len=max_len * 2)
    text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
    if len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text


def clean_tags(values: object, limit: int = 50) -> list[str]:
    """Return up to `limit` cleaned, de-duplicated, non-empty tags from a list (or `|` string)."""
    if values is None:
        return []
    if isinstance(values, str):
        items: list[object] = list(values.split("|"))
    elif isinstance(values, list | tuple):
        items = list(values)
    else:
        return []
    seen: set[str] = set()
    tags: list[str] = []
    for item in items:
        if len(tags) >= limit:  # before the first item too: a limit of 0 keeps none
            break
        tag = clean_line(item, max_len=TAG_MAX)
        key = tag.casefold()
        if tag and key not in seen and tag != "[None]":
            seen.add(key)
            tags.append(tag)
    return tags


def unsafe_characters(text: str) -> list[str]:
    """Return the characters in `text` that `clean_text` would never let through (for checks)."""
    found = [ch for ch in text if ord(ch) in _DROP_TABLE and ch not in "\t\n"]
    found += _TAG_CHARACTERS.findall(text) + _LONE_SURROGATE.findall(text)
    return found
