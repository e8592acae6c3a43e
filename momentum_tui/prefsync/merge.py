"""Merging records: per record, the last writer wins by (clock, device); removals are records.

`winner` is a total order, so merging is a join: commutative (`merge(a, b) == merge(b,
a)`), associative and idempotent — any order of syncs, any number of repeats, lands every
device on the same records. A removal is an ordinary record with no value, so an older
removal loses to a newer re-add like any older write. Stamps never tie between two
different values in practice (each device stamps strictly increasing readings); if they
ever did (a cache copied to a second machine), the canonical value decides, so devices
still agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from momentum_tui.prefsync.records import Record


def _key(record: Record) -> tuple[int, str, int, str]:
    # A removal sorts below any value at the same stamp; values compare as canonical JSON.
    text = record.value_json()
    return (record.stamp.hlc, record.stamp.device, 0 if text is None else 1, text or "")


def wins(candidate: Record, current: Record | None) -> bool:
    """True when `candidate` should replace `current` (the later writer)."""
    return current is None or _key(candidate) > _key(current)


def winner(a: Record, b: Record) -> Record:
    """The record that survives when `a` and `b` (same name) meet."""
    return a if _key(a) >= _key(b) else b


def merge(a: Mapping[str, Record], b: Mapping[str, Record]) -> dict[str, Record]:
    """Two sets of records merged per name."""
    merged = dict(a)
    for name, record in b.items():
        current = merged.get(name)
        merged[name] = record if current is None else winner(current, record)
    return merged


def merge_all(records: Iterable[Record]) -> dict[str, Record]:
    """Many records (any order, repeats allowed) merged per name."""
    merged: dict[str, Record] = {}
    for record in records:
        current = merged.get(record.name)
        merged[record.name] = record if current is None else winner(current, record)
    return merged
