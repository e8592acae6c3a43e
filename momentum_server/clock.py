"""Time as the server stores it (milliseconds since the epoch) and shows it (ISO-8601 UTC)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_ms() -> int:
    """Milliseconds since the epoch, now."""
    return time.time_ns() // 1_000_000


def iso(ms: int) -> str:
    """`2026-11-20T09:15:02Z` for a time in milliseconds."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
