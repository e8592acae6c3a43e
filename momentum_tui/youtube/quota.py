"""The quota ledger: every YouTube API call is recorded, by method, against today's budget.

YouTube's day starts at midnight Pacific time (America/Los_Angeles, so daylight saving
moves it). Every call is written to `quota_ledger` *before* it is sent — a call that
was sent has been paid for, even if the process dies before the answer — inside a
`BEGIN IMMEDIATE` transaction that also sums what today has spent, so two Momentum
processes cannot overspend together. A call that provably never reached YouTube (no
DNS, connection refused) is refunded. A call that would take today past the budget is
refused; after YouTube itself says `quotaExceeded` the rest of the day is refused too.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from momentum_tui.errors import QuotaExhaustedError
from momentum_tui.storage import Store
from momentum_tui.youtube import queries

if TYPE_CHECKING:
    from momentum_tui.config import YouTubeSettings

PACIFIC = ZoneInfo("America/Los_Angeles")

COSTS: dict[str, int] = {
    "channels.list": 1,
    "playlistItems.list": 1,
    "videos.list": 1,
    "subscriptions.list": 1,
}
"""Units per call of the methods Momentum uses. (`search.list`, 100 units, is never used.)"""

EXHAUSTED = "quotaExceeded"
"""Ledger `method` of the zero-unit row written when YouTube says the quota is spent."""


def quota_day(at: float) -> str:
    """The quota day (`YYYY-MM-DD`, Pacific) that the Unix time `at` falls in."""
    return datetime.fromtimestamp(at, PACIFIC).strftime("%Y-%m-%d")


def reset_at(at: float) -> int:
    """Unix time of the next quota reset (midnight Pacific) after `at`."""
    local = datetime.fromtimestamp(at, PACIFIC)
    midnight = datetime(local.year, local.month, local.day, tzinfo=PACIFIC) + timedelta(days=1)
    # Re-anchor on the calendar date so a daylight-saving day (23 or 25 hours) stays right.
    midnight = datetime(midnight.year, midnight.month, midnight.day, tzinfo=PACIFIC)
    return int(midnight.timestamp())


def describe_wait(seconds: float) -> str:
    """`5 h 12 min`, `40 min`, `under a minute`."""
    minutes = int(seconds // 60)
    if minutes <= 0:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@dataclass(frozen=True)
class QuotaStatus:
    """Today's use of the YouTube quota."""

    day: str
    used: int
    budget: int
    warn_at: float
    by_method: dict[str, int]
    exhausted: bool
    """YouTube itself said `quotaExceeded` today."""
    reset_at: int
    """Unix time of the next reset (midnight Pacific)."""

    @property
    def remaining(self) -> int:
        """Units left today (0 once YouTube said the quota is spent)."""
        return 0 if self.exhausted else max(0, self.budget - self.used)

    @property
    def fraction(self) -> float:
        """Share of the budget spent (1.0 once YouTube said it is spent)."""
        return 1.0 if self.exhausted else min(1.0, self.used / self.budget)

    @property
    def warn(self) -> bool:
        """At or past the warning threshold."""
        return self.fraction >= self.warn_at

    def meter(self) -> str:
        """`quota 1,234/10,000 (12 %)` for status bars."""
        return f"quota {self.used:,}/{self.budget:,} ({self.fraction:.0%})".replace("%)", " %)")


class QuotaLedger:
    """Records and polices the units every YouTube call costs (thread-safe)."""

    def __init__(
        self,
        store: Store,
        budget: int = 10_000,
        warn_at: float = 0.8,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.budget = budget
        self.warn_at = warn_at
        self.clock = clock
        self.spent: Counter[str] = Counter()
        """Units this ledger object recorded, by method (one sync's spending)."""

    @classmethod
    def for_settings(
        cls, store: Store, settings: YouTubeSettings, clock: Callable[[], float] = time.time
    ) -> QuotaLedger:
        """The ledger with the configured daily budget and warning level."""
        return cls(store, settings.daily_quota, settings.warn_at, clock)

    def status(self) -> QuotaStatus:
        """Today's use by method."""
        now = self.clock()
        day = quota_day(now)
        with self.store.read() as conn:
            rows = queries.quota_by_method(conn, day)
        by_method = {method: int(units) for method, units in rows if method != EXHAUSTED}
        return QuotaStatus(
            day=day,
            used=sum(by_method.values()),
            budget=self.budget,
            warn_at=self.warn_at,
            by_method=by_method,
            exhausted=any(method == EXHAUSTED for method, _ in rows),
            reset_at=reset_at(now),
        )

    def _refusal(self, used: int, exhausted: bool, now: float) -> QuotaExhaustedError:
        wait = describe_wait(reset_at(now) - now)
        if exhausted:
            title = "YouTube says today's API quota is spent, so no more calls were made."
        else:
            title = (
                f"Today's YouTube quota budget is spent ({used:,} of {self.budget:,} units); "
                "the next call would pass it, so it was not made."
            )
        return QuotaExhaustedError(
            title,
            f"Everything synced so far is kept. The quota resets at midnight Pacific time "
            f"(in {wait}); or raise `youtube.daily_quota` if your project has more.",
        )

    def spend(self, method: str) -> int:
        """Record one call of `method` before it is sent; raise `QuotaExhaustedError` instead."""
        units = COSTS.get(method, 1)
        now = self.clock()
        day = quota_day(now)
        # BEGIN IMMEDIATE makes the sum and the insert one step, across threads and processes.
        with self.store.write() as db:
            row, used, exhausted = queries.record_call(
                db, day, method, units, self.budget, int(now), EXHAUSTED
            )
        if not row:
            raise self._refusal(used, exhausted, now)
        self.spent[method] += units
        return row

    def settle(self, row_id: int, status: int) -> None:
        """Note the HTTP status of a call that did not succeed (`momentum quota` shows them)."""
        with self.store.write() as db:
            queries.settle_call(db, row_id, status)

    def refund(self, row_id: int, method: str) -> None:
        """Take back a call that never reached YouTube (no DNS, refused): it cost nothing."""
        with self.store.write() as db:
            deleted = queries.delete_call(db, row_id)
        if deleted:
            self.spent[method] -= COSTS.get(method, 1)
            if self.spent[method] <= 0:
                del self.spent[method]

    def mark_exhausted(self) -> QuotaExhaustedError:
        """YouTube said `quotaExceeded`: refuse calls until the reset; returns the error."""
        now = self.clock()
        with self.store.write() as db:
            queries.mark_day_exhausted(db, quota_day(now), int(now), EXHAUSTED)
        return self._refusal(0, True, now)

    def history(self, days: int = 7) -> list[tuple[str, str, int, int]]:
        """(day, method, calls, units) for the last `days` quota days, newest first."""
        since = quota_day(self.clock() - days * 86400)
        with self.store.read() as conn:
            return queries.quota_history(conn, since, EXHAUSTED)
