"""Merge and clock laws: any order of syncs, any repeats, one outcome."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentum_tui.prefsync import clock
from momentum_tui.prefsync.merge import merge, merge_all, winner, wins
from momentum_tui.prefsync.records import Record, Stamp
from momentum_tui.storage.prefsync_schema import COUNTER_SPAN

NAMES = st.sampled_from(["kw:rust", "channel:UC1", "video:v1:watched", "rule:a:on"])
VALUES = st.one_of(st.none(), st.fixed_dictionaries({"weight": st.integers(-5, 5)}))
STAMPS = st.builds(Stamp, st.integers(0, 50), st.sampled_from(["a", "b", "c"]))
RECORDS = st.builds(Record, NAMES, VALUES, STAMPS)
SETS = st.lists(RECORDS, max_size=12).map(merge_all)
# The machine is shared: timing checks would fail on a busy moment, not on a wrong merge.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(SETS, SETS)
def test_merge_is_commutative(a: dict[str, Record], b: dict[str, Record]) -> None:
    assert merge(a, b) == merge(b, a)


@relaxed
@given(SETS, SETS, SETS)
def test_merge_is_associative(
    a: dict[str, Record], b: dict[str, Record], c: dict[str, Record]
) -> None:
    assert merge(merge(a, b), c) == merge(a, merge(b, c))


@relaxed
@given(SETS, SETS)
def test_merge_is_idempotent(a: dict[str, Record], b: dict[str, Record]) -> None:
    once = merge(a, b)
    assert merge(once, b) == once
    assert merge(once, once) == once


@relaxed
@given(st.lists(RECORDS, max_size=20), st.randoms())
def test_any_order_of_arrival_converges(records: list[Record], rnd: object) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge_all(records) == merge_all(shuffled + records[:3])


@relaxed
@given(STAMPS, STAMPS, VALUES)
def test_the_later_stamp_wins_whatever_the_values(a: Stamp, b: Stamp, value: object) -> None:
    older, newer = sorted([a, b])
    removal = Record("kw:rust", None, older)
    re_add = Record("kw:rust", {"weight": 1}, newer)
    if older != newer:
        assert winner(removal, re_add) is re_add
        assert winner(re_add, removal) is re_add
        assert not wins(removal, re_add)


def test_a_record_replaces_nothing_or_an_older_record_but_never_an_equal_one() -> None:
    older = Record("kw:rust", {"weight": 1}, Stamp(5, "a"))
    newer = Record("kw:rust", {"weight": 2}, Stamp(6, "a"))
    assert wins(older, None)  # a name seen for the first time is taken as it is
    assert wins(newer, older)
    assert not wins(older, newer)
    # The same record arriving again (a repeated pull) is not a change to apply.
    assert not wins(older, Record("kw:rust", {"weight": 1}, Stamp(5, "a")))


def test_at_the_very_same_stamp_a_value_beats_a_removal() -> None:
    stamp = Stamp(7, "a")  # only possible when a cache was copied to a second machine
    value = Record("kw:rust", {"weight": 1}, stamp)
    removal = Record("kw:rust", None, stamp)
    assert winner(value, removal) is value
    assert winner(removal, value) is value
    assert wins(value, removal)
    assert not wins(removal, value)


def test_merge_all_keeps_the_latest_record_of_each_name() -> None:
    first = Record("kw:rust", {"weight": 1}, Stamp(1, "a"))
    removed = Record("kw:rust", None, Stamp(3, "b"))
    channel = Record("channel:UC1", {"title": "One"}, Stamp(2, "a"))
    assert merge_all([first, channel, removed]) == {"kw:rust": removed, "channel:UC1": channel}
    assert merge_all([removed, first]) == {"kw:rust": removed}


@relaxed
@given(st.integers(0, 2**40), st.integers(0, 2**30))
def test_ticks_strictly_increase_even_when_the_wall_clock_steps_back(
    last: int, wall_ms: int
) -> None:
    first = clock.tick(last, wall_ms)
    second = clock.tick(first, wall_ms - 1000)
    assert last < first < second
    assert clock.physical_ms(first) >= wall_ms


@relaxed
@given(st.integers(0, 2**50), st.integers(0, 2**50), st.integers(0, 2**24))
def test_after_receiving_a_record_every_tick_is_later(last: int, remote: int, wall: int) -> None:
    moved = clock.receive(last, remote)
    assert clock.tick(moved, wall) > remote
    assert clock.receive(moved, remote) == moved  # receiving twice changes nothing


@relaxed
@given(st.integers(0, 2**44))
def test_a_reading_is_its_millisecond_times_the_counter_span(wall_ms: int) -> None:
    # The SQL triggers compute `now_ms * COUNTER_SPAN` too: both sides must agree exactly.
    reading = clock.at_ms(wall_ms)
    assert reading == wall_ms * COUNTER_SPAN
    assert clock.physical_ms(reading) == wall_ms
    # Changes within one millisecond count up inside it, one at a time.
    assert clock.tick(reading, wall_ms) == reading + 1
    assert clock.physical_ms(clock.tick(reading + 5, wall_ms)) == wall_ms
    # A change at a later millisecond starts at that millisecond.
    assert clock.tick(reading + 5, wall_ms + 1) == clock.at_ms(wall_ms + 1)


def test_a_tick_without_a_wall_time_is_now_as_an_exact_integer() -> None:
    before = clock.now_ms()
    reading = clock.tick(0)
    after = clock.now_ms()
    # An integer: a float reading (2^16 × ms ≈ 10^17) would lose the counter to rounding.
    assert isinstance(before, int)
    assert isinstance(reading, int)
    assert before <= clock.physical_ms(reading) <= after


def test_the_sql_clock_ticks_like_the_python_one(store) -> None:  # type: ignore[no-untyped-def]
    from momentum_tui.recommend.prefs import add_keyword

    before = clock.now_ms()
    with store.write() as db:
        add_keyword(db, "rust", 1)
    with store.read() as conn:
        (reading,) = conn.execute("SELECT hlc FROM prefsync_outbox").fetchone()
    assert before - 5 <= clock.physical_ms(reading) <= clock.now_ms() + 5
