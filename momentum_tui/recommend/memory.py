"""What the app remembers between sessions: the top of the last For-you order, the last visit.

Both are small JSON values in the `preferences` table. This module is light on purpose
(no NumPy): the app reads the saved order before its first paint, while the ranker's
features are still loading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from momentum_tui.storage import Store

SAVED_ORDER_PREF = "recommend.app_order"
"""Preference key: the top of the last plain For-you ranking (JSON, see `SavedOrder`)."""
LAST_VISIT_PREF = "recommend.last_visit"
"""Preference key: Unix time the app was last opened (JSON int)."""
SAVED_ROWS = 100
"""How many picks are remembered for the next launch (one page of the feed table)."""


@dataclass
class SavedOrder:
    """The top of the last plain ranking, with each pick's reasons."""

    rowids: list[int]
    reasons: dict[int, tuple[str, ...]]

    def to_json(self) -> str:
        """`{"v": 1, "rows": [[rowid, [reason, …]], …]}`."""
        rows = [[rowid, list(self.reasons.get(rowid, ()))] for rowid in self.rowids]
        return json.dumps({"v": 1, "rows": rows}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> SavedOrder | None:
        """Parse a saved order; None when there is none or it is not one we wrote."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if data.get("v") != 1:
                return None
            rows = [(int(rowid), tuple(str(r) for r in reasons)) for rowid, reasons in data["rows"]]
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if not rows:
            return None
        return cls([rowid for rowid, _ in rows], dict(rows))


def load_saved_order(store: Store) -> SavedOrder | None:
    """The last session's top picks (one preferences read)."""
    return SavedOrder.from_json(store.get_pref(SAVED_ORDER_PREF))


def save_order(store: Store, order: SavedOrder) -> None:
    """Remember the top of a plain ranking for the next launch."""
    store.set_pref(SAVED_ORDER_PREF, order.to_json())


def _as_time(text: str | None) -> int | None:
    try:
        return int(json.loads(text)) if text else None
    except (ValueError, TypeError):
        return None


def last_visit(store: Store) -> int | None:
    """The recorded last visit, without changing it (the demo never records visits)."""
    return _as_time(store.get_pref(LAST_VISIT_PREF))


def record_visit(store: Store, now: int) -> int | None:
    """Store `now` as the last visit; return the previous one (where the digest starts)."""
    previous = last_visit(store)
    store.set_pref(LAST_VISIT_PREF, json.dumps(int(now)))
    return previous
