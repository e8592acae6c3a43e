"""The quota ledger: Pacific days, the budget, the warning, refusing, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from momentum_tui.config import YouTubeSettings
from momentum_tui.errors import QuotaExhaustedError
from momentum_tui.storage import Store
from momentum_tui.youtube.quota import QuotaLedger, describe_wait, quota_day, reset_at


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_the_day_is_the_pacific_calendar_date() -> None:
    assert quota_day(utc("2026-11-22T07:59:59")) == "2026-11-21"  # 23:59:59 PST
    assert quota_day(utc("2026-11-22T08:00:00")) == "2026-11-22"  # midnight PST
    assert quota_day(utc("2026-07-01T06:59:59")) == "2026-06-30"  # 23:59:59 PDT
    assert quota_day(utc("2026-07-01T07:00:00")) == "2026-07-01"


def test_reset_is_the_next_pacific_midnight_across_daylight_saving() -> None:
    assert reset_at(utc("2026-11-22T12:00:00")) == utc("2026-11-23T08:00:00")
    assert reset_at(utc("2026-07-01T12:00:00")) == utc("2026-07-02T07:00:00")
    # 2026-03-08 is 23 hours long in Los Angeles; 2026-11-01 is 25 hours long.
    assert reset_at(utc("2026-03-08T09:00:00")) == utc("2026-03-09T07:00:00")
    assert reset_at(utc("2026-11-01T08:00:00")) == utc("2026-11-02T08:00:00")


def test_describe_wait() -> None:
    assert describe_wait(5 * 3600 + 12 * 60 + 5) == "5 h 12 min"
    assert describe_wait(40 * 60) == "40 min"
    assert describe_wait(20) == "under a minute"


def test_spending_is_recorded_by_method_and_refused_before_the_budget(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    ledger = QuotaLedger(store, budget=5, warn_at=0.8, clock=lambda: now)
    for method in ("channels.list", "playlistItems.list", "playlistItems.list", "videos.list"):
        ledger.spend(method)
    status = ledger.status()
    assert status.by_method == {"channels.list": 1, "playlistItems.list": 2, "videos.list": 1}
    assert (status.used, status.remaining, status.warn) == (4, 1, True)
    ledger.spend("videos.list")
    with pytest.raises(QuotaExhaustedError) as refused:
        ledger.spend("videos.list")
    assert "5 of 5 units" in refused.value.title
    assert "midnight Pacific" in refused.value.hint
    assert ledger.status().used == 5  # the refused call was not recorded
    tomorrow = QuotaLedger(store, budget=5, clock=lambda: now + 86400)
    tomorrow.spend("videos.list")
    assert tomorrow.status().used == 1


def test_youtubes_own_quota_exceeded_closes_the_day(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    ledger = QuotaLedger(store, budget=10_000, clock=lambda: now)
    ledger.spend("videos.list")
    error = ledger.mark_exhausted()
    assert "YouTube says" in error.title
    with pytest.raises(QuotaExhaustedError):
        ledger.spend("videos.list")
    status = ledger.status()
    assert status.exhausted
    assert (status.remaining, status.fraction) == (0, 1.0)
    assert status.by_method == {"videos.list": 1}
    QuotaLedger(store, clock=lambda: now + 86400).spend("videos.list")  # a new day


def test_threads_and_two_processes_never_overspend_together(store: Store, tmp_path) -> None:
    other = Store.open(store.path)  # a second process's connection to the same cache
    ledgers = [QuotaLedger(store, budget=60), QuotaLedger(other, budget=60)]
    refused = []

    def spend(ledger: QuotaLedger) -> None:
        for _ in range(20):
            try:
                ledger.spend("playlistItems.list")
            except QuotaExhaustedError:
                refused.append(1)

    threads = [threading.Thread(target=spend, args=(ledgers[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledgers[0].status().used == 60
    assert len(refused) == 8 * 20 - 60
    other.close()


def test_history_and_failed_calls(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    ledger = QuotaLedger(store, clock=lambda: now)
    row = ledger.spend("videos.list")
    ledger.settle(row, 503)
    QuotaLedger(store, clock=lambda: now - 86400).spend("channels.list")
    assert ledger.history(7) == [
        ("2026-11-22", "videos.list", 1, 1),
        ("2026-11-21", "channels.list", 1, 1),
    ]
    with store.read() as conn:
        assert conn.execute("SELECT status FROM quota_ledger WHERE id = ?", (row,)).fetchone() == (
            503,
        )
    assert ledger.status().meter() == "quota 1/10,000 (0 %)"


def test_a_method_without_a_listed_price_costs_one_unit(store: Store) -> None:
    ledger = QuotaLedger(store, budget=10, clock=lambda: utc("2026-11-22T12:00:00"))
    ledger.spend("commentThreads.list")
    assert ledger.status().by_method == {"commentThreads.list": 1}
    assert ledger.spent == {"commentThreads.list": 1}


def test_the_ledger_object_tallies_what_it_spent_itself(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    mine, other = QuotaLedger(store, clock=lambda: now), QuotaLedger(store, clock=lambda: now)
    for method in ("videos.list", "videos.list", "channels.list"):
        mine.spend(method)
    other.spend("videos.list")  # another sync in the same cache: not this one's spending
    assert mine.spent == {"videos.list": 2, "channels.list": 1}
    assert mine.status().used == 4


def test_spending_the_whole_budget_leaves_nothing_and_warns(store: Store) -> None:
    ledger = QuotaLedger(store, budget=3, warn_at=0.8, clock=lambda: utc("2026-11-22T12:00:00"))
    for _ in range(3):
        ledger.spend("videos.list")
    status = ledger.status()
    assert (status.used, status.remaining, status.fraction, status.warn) == (3, 0, 1.0, True)
    assert not status.exhausted  # spent by us, not refused by YouTube
    assert status.meter() == "quota 3/3 (100 %)"


def test_a_budget_lowered_below_todays_use_shows_full_never_more(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    generous = QuotaLedger(store, budget=10, clock=lambda: now)
    for _ in range(6):
        generous.spend("videos.list")
    lowered = QuotaLedger(store, budget=4, clock=lambda: now).status()
    assert (lowered.used, lowered.remaining, lowered.fraction) == (6, 0, 1.0)
    assert lowered.meter() == "quota 6/4 (100 %)"
    assert lowered.reset_at == utc("2026-11-23T08:00:00")


def test_the_warning_starts_exactly_at_its_threshold(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    ledger = QuotaLedger(store, budget=10, warn_at=0.8, clock=lambda: now)
    for _ in range(7):
        ledger.spend("videos.list")
    assert not ledger.status().warn
    ledger.spend("videos.list")
    assert ledger.status().warn


def test_history_covers_today_and_the_six_quota_days_before(store: Store) -> None:
    # Just after midnight Pacific, so a day's length off by a few seconds shows.
    now = utc("2026-11-22T08:00:03")
    for back in range(9):
        QuotaLedger(store, clock=lambda back=back: now - back * 86400).spend("videos.list")
    days = [day for day, _, _, _ in QuotaLedger(store, clock=lambda: now).history()]
    assert days == [f"2026-11-{d}" for d in range(22, 15, -1)]  # 22nd back to the 16th
    assert [day for day, *_ in QuotaLedger(store, clock=lambda: now).history(2)] == [
        "2026-11-22", "2026-11-21",
    ]  # fmt: skip


def test_refusals_say_when_the_quota_resets(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")  # 04:00 Pacific: the reset is 20 hours away
    ledger = QuotaLedger(store, budget=1, clock=lambda: now)
    ledger.spend("videos.list")
    with pytest.raises(QuotaExhaustedError) as refused:
        ledger.spend("videos.list")
    assert "(in 20 h 0 min)" in refused.value.hint
    assert "1 of 1 units" in refused.value.title
    error = ledger.mark_exhausted()
    assert "(in 20 h 0 min)" in error.hint


def test_each_method_momentum_calls_costs_one_unit(store: Store) -> None:
    ledger = QuotaLedger(store, clock=lambda: utc("2026-11-22T12:00:00"))
    methods = ("channels.list", "playlistItems.list", "videos.list", "subscriptions.list")
    for method in methods:
        ledger.spend(method)
    assert ledger.status().by_method == dict.fromkeys(methods, 1)
    assert ledger.spent == dict.fromkeys(methods, 1)


def test_a_wait_of_a_minute_or_more_is_counted_and_a_past_reset_is_not() -> None:
    assert describe_wait(60) == "1 min"
    assert describe_wait(59) == "under a minute"
    # A status read just before the reset and shown just after it: never a negative wait.
    assert describe_wait(-90) == "under a minute"
    assert describe_wait(-7200) == "under a minute"


def test_a_ledger_without_settings_has_the_default_budget_and_warns_at_80_percent(
    store: Store,
) -> None:
    ledger = QuotaLedger(store, clock=lambda: utc("2026-11-22T12:00:00"))
    assert (ledger.status().budget, ledger.status().warn_at) == (10_000, 0.8)
    small = QuotaLedger(store, budget=10, clock=lambda: utc("2026-11-23T12:00:00"))
    for _ in range(7):
        small.spend("videos.list")
    assert not small.status().warn
    small.spend("videos.list")
    assert small.status().warn


def test_the_ledger_takes_its_budget_and_warning_from_the_settings(store: Store) -> None:
    settings = YouTubeSettings(daily_quota=4, warn_at=0.5)
    ledger = QuotaLedger.for_settings(store, settings, clock=lambda: utc("2026-11-22T12:00:00"))
    ledger.spend("videos.list")
    assert not ledger.status().warn
    ledger.spend("videos.list")
    assert ledger.status().warn
    ledger.spend("videos.list")
    ledger.spend("videos.list")
    with pytest.raises(QuotaExhaustedError, match="4 of 4 units"):
        ledger.spend("videos.list")


def test_a_call_that_never_reached_youtube_is_refunded_once(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    ledger = QuotaLedger(store, budget=2, clock=lambda: now)
    kept, refunded = ledger.spend("videos.list"), ledger.spend("videos.list")
    ledger.refund(refunded, "videos.list")
    assert (ledger.status().used, dict(ledger.spent)) == (1, {"videos.list": 1})
    ledger.refund(refunded, "videos.list")  # already taken back: nothing changes
    assert (ledger.status().used, dict(ledger.spent)) == (1, {"videos.list": 1})
    ledger.spend("channels.list")  # the refunded unit can be spent again
    ledger.refund(kept, "videos.list")
    # This sync's summary lists only what it spent: no method at zero units.
    assert dict(ledger.spent) == {"channels.list": 1}
    assert ledger.status().by_method == {"channels.list": 1}


def test_a_refund_of_a_method_without_a_listed_price_gives_back_one_unit(store: Store) -> None:
    ledger = QuotaLedger(store, clock=lambda: utc("2026-11-22T12:00:00"))
    first, second = ledger.spend("commentThreads.list"), ledger.spend("commentThreads.list")
    ledger.refund(first, "commentThreads.list")
    assert dict(ledger.spent) == {"commentThreads.list": 1}
    ledger.refund(second, "commentThreads.list")
    assert dict(ledger.spent) == {}
    assert ledger.status().used == 0


def test_a_refund_of_another_syncs_call_never_shows_as_negative_spending(store: Store) -> None:
    now = utc("2026-11-22T12:00:00")
    mine, other = QuotaLedger(store, clock=lambda: now), QuotaLedger(store, clock=lambda: now)
    row = other.spend("videos.list")
    mine.refund(row, "videos.list")
    assert dict(mine.spent) == {}
    assert mine.status().used == 0


def test_history_reaches_back_exactly_seven_quota_days_just_before_midnight(
    store: Store,
) -> None:
    now = utc("2026-11-23T07:59:55")  # 23:59:55 Pacific on the 22nd
    for back in range(8):
        QuotaLedger(store, clock=lambda back=back: now - back * 86400).spend("videos.list")
    days = [day for day, *_ in QuotaLedger(store, clock=lambda: now).history()]
    assert days == [f"2026-11-{d}" for d in range(22, 15, -1)]  # 22nd back to the 16th
