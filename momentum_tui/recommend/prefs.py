"""Keyword preferences (`momentum prefs keyword add rust 1.5`): the `keyword_prefs` table.

A keyword matches a video when it appears, case-folded, as a whole word (or phrase) in
its title, its plain title or its label tags. Positive weights lift matching videos,
negative ones push them down; `recommend.w_keyword` scales them all. The table's SQL
is in `queries`.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from momentum_tui import sanitize
from momentum_tui.errors import MomentumError, NotFoundError
from momentum_tui.models import iso_utc
from momentum_tui.recommend import queries

if TYPE_CHECKING:
    from sqlite_utils import Database

WEIGHT_LIMIT = 5.0
"""Keyword weights lie in -5…5."""


class KeywordError(MomentumError):
    """A keyword preference that can't be stored (empty, or an out-of-range weight)."""


@dataclass(frozen=True)
class KeywordPref:
    """One keyword and how much it matters."""

    keyword: str
    weight: float
    created_at: int

    def as_json(self) -> dict[str, object]:
        """Stable JSON for `momentum prefs keyword list --json`."""
        return {
            "keyword": self.keyword,
            "weight": self.weight,
            "created_at": iso_utc(self.created_at),
        }


def normalise_keyword(text: str) -> str:
    """Clean, case-fold and single-space a keyword; raise `KeywordError` when nothing is left."""
    keyword = " ".join(sanitize.clean_line(text, max_len=80).casefold().split())
    if not keyword:
        raise KeywordError("That keyword is empty.", "Give a word or a short phrase, e.g. rust.")
    return keyword


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A case-folded whole-word pattern for `keyword` (`c++` and `c#` work too)."""
    return re.compile(r"(?<!\w)" + re.escape(keyword) + r"(?!\w)")


def list_keywords(conn: sqlite3.Connection) -> list[KeywordPref]:
    """Every keyword preference, strongest first."""
    return [KeywordPref(str(r[0]), float(r[1]), int(r[2])) for r in queries.keywords(conn)]


def add_keyword(db: Database, keyword: str, weight: float, now: int | None = None) -> KeywordPref:
    """Add or re-weigh a keyword preference."""
    if not -WEIGHT_LIMIT <= weight <= WEIGHT_LIMIT or weight == 0:
        raise KeywordError(
            f"The weight {weight:g} is out of range.",
            "Use a number between -5 and 5 other than 0 (negative pushes videos down).",
        )
    keyword = normalise_keyword(keyword)
    now = int(time.time()) if now is None else now
    queries.upsert_keyword(db, keyword, float(weight), now)
    stored = queries.keyword(db.conn, keyword)
    assert stored is not None  # written just above, in the same transaction
    return KeywordPref(*stored)


def remove_keyword(db: Database, keyword: str) -> KeywordPref:
    """Remove a keyword preference; `NotFoundError` when there is none."""
    keyword = normalise_keyword(keyword)
    stored = queries.keyword(db.conn, keyword)
    if stored is None:
        raise NotFoundError(
            f"There is no keyword preference {keyword!r}.", "See `momentum prefs keyword list`."
        )
    queries.delete_keyword(db, keyword)
    return KeywordPref(*stored)
