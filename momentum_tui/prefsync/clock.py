"""The hybrid logical clock that stamps every record: wall time that never runs backwards.

A reading is one integer, `physical milliseconds × 65536 + counter`. A local change
ticks the clock to `max(last + 1, now)`, so readings on one device strictly increase even
when the wall clock stalls or steps back; merging a record from another device moves the
clock up to that record's reading (`receive`), so whatever this device does next is
stamped later than everything it has seen. That is what makes "an older removal never
beats a newer re-add": a re-add made after seeing the removal always carries a larger
reading. Two readings that tie are ordered by device id (`records.Stamp`).

The SQL triggers tick the very same way (`storage/prefsync_schema.py`).
"""

from __future__ import annotations

import time

from momentum_tui.storage.prefsync_schema import COUNTER_SPAN


def now_ms() -> int:
    """Unix time in milliseconds."""
    return time.time_ns() // 1_000_000


def at_ms(milliseconds: int) -> int:
    """The smallest reading at a wall time in milliseconds."""
    return milliseconds * COUNTER_SPAN


def tick(last: int, wall_ms: int | None = None) -> int:
    """The reading for a local change after `last`: later than `last`, and not before now."""
    return max(last + 1, at_ms(now_ms() if wall_ms is None else wall_ms))


def receive(last: int, remote: int) -> int:
    """The clock after seeing a record stamped `remote`: never behind anything seen."""
    return max(last, remote)


def physical_ms(reading: int) -> int:
    """The wall-time part of a reading, in milliseconds."""
    return reading // COUNTER_SPAN
