"""What a mark or a tab switch reads again, and what it doesn't.

A like changes no unwatched count and moves no row of Subscriptions: the channel list
and the Subscriptions feed are not queried again (at 100,000 videos that was a second of
work per like). Watched and hidden move one channel's count by one, in place, to the
figure a fresh count gives. A switch back to a tab whose data hasn't changed shows it as
it was; after a change it shows the new data. Asserted through the SQL the app runs and
what its widgets show, never through timing.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from momentum_tui.config import Settings, UISettings
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.channels import channel_list_counts
from momentum_tui.tabs import FOR_YOU, SUBSCRIPTIONS
from momentum_tui.widgets.channel_list import ChannelList
from momentum_tui.widgets.feed_table import FeedTable
from tests.app_support import make_app, painting, settle, state_of, until
from tests.factories import add, make_video


class Statements:
    """Every SQL statement the app's read connections run while recording."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: list[str] = []
        self._read = store.read

    @contextlib.contextmanager
    def _recording_read(self) -> Iterator[sqlite3.Connection]:
        with self._read() as conn:
            conn.set_trace_callback(self.seen.append)
            try:
                yield conn
            finally:
                conn.set_trace_callback(None)

    def __enter__(self) -> Statements:
        self.store.read = self._recording_read  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.read = self._read  # type: ignore[method-assign]

    def unrecorded(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A read connection whose statements are not recorded (the test's own)."""
        return self._read()

    def of(self, query: Callable[[sqlite3.Connection], Any]) -> set[str]:
        """The statements `query` runs (to look for them among those the app ran)."""
        found: list[str] = []
        with self._read() as conn:
            conn.set_trace_callback(found.append)
            query(conn)
            conn.set_trace_callback(None)
        return set(found)

    def ran(self, query: Callable[[sqlite3.Connection], Any]) -> bool:
        """Whether the app ran `query`'s statements since recording started."""
        return bool(self.of(query) & set(self.seen))


def counts(channels: ChannelList) -> dict[str, int]:
    """What the channel list shows: entry id → number."""
    return {entry.id: entry.number for entry in channels.entries if entry.id}


def fresh_counts(statements: Statements) -> tuple[dict[str, int], int]:
    """Each channel's unwatched count and all unwatched videos, counted afresh (by the
    test, so not among the app's statements)."""
    with statements.unrecorded() as conn:
        summaries = {f"ch:{c.id}": c.unwatched for c in queries.channel_summaries(conn)}
        assert summaries == {f"ch:{id}": n for id, _, n in channel_list_counts(conn)}
        return summaries, queries.totals(conn).unwatched


def in_list_order(channels: ChannelList) -> bool:
    """The channels are most unwatched first (as a fresh load orders them)."""
    numbers = [entry.number for entry in channels.entries if entry.id.startswith("ch:")]
    return numbers == sorted(numbers, reverse=True)


async def test_a_like_counts_nothing_again_and_watched_moves_one_count(demo_store: Store) -> None:
    app = make_app(demo_store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        channels = screen.query_one(ChannelList)
        await until(pilot, lambda: channels.loaded and len(channels.entries) > 3)
        row = screen.table.current_row
        assert row is not None and not row.watched
        channel = f"ch:{row.channel_id}"
        before = counts(channels)
        with Statements(demo_store) as statements:
            await pilot.press("l")
            await settle(pilot)
            assert state_of(demo_store, row.id) == (0, 1, 0, 0)
            assert counts(channels) == before
            await pilot.press("w")
            await settle(pilot)
            assert state_of(demo_store, row.id) == (1, 1, 0, 0)
            after = counts(channels)
            assert after[channel] == before[channel] - 1
            assert after["all"] == before["all"] - 1
            summaries, unwatched = fresh_counts(statements)
            assert after[channel] == summaries[channel] and after["all"] == unwatched
            assert in_list_order(channels)
            await pilot.press("u")  # undo the watched mark: the count comes back
            await settle(pilot)
            assert counts(channels) == before
            assert in_list_order(channels)
            assert not statements.ran(channel_list_counts)


async def test_a_like_shows_in_subscriptions_without_querying_it_again(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)  # opens on For you; Subscriptions loads in the background
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        subscriptions = screen.tabs[SUBSCRIPTIONS]
        await until(pilot, lambda: subscriptions.complete)
        feed_ids = lambda conn: queries.feed_ids(conn, screen.filters)  # noqa: E731
        with Statements(demo_store) as statements:
            # Nothing changed: each tab comes back as it was.
            shown = {tab: screen.tabs[tab].table.source for tab in (FOR_YOU, SUBSCRIPTIONS)}
            await pilot.press("2")
            await settle(pilot)
            await pilot.press("1")
            await settle(pilot)
            assert {tab: screen.tabs[tab].table.source for tab in shown} == shown
            # A like in For you: Subscriptions shows the heart on that row, same feed.
            screen.table.cursor = on_both(screen)
            await pilot.pause()
            liked = screen.table.current_row
            assert liked is not None and liked.rating == 0
            await pilot.press("l")
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            assert screen.tabs[SUBSCRIPTIONS].table.source is shown[SUBSCRIPTIONS]
            index = screen.table.source.index_of(liked.rowid)
            assert index is not None
            row = screen.table.source.row(index)
            assert row is not None and row.rating == 1
            assert not statements.ran(feed_ids)
            # Hiding one in Subscriptions: For you (re-ranked in memory) leaves it out.
            hidden = screen.table.current_row
            assert hidden is not None and screen.for_you.table.source.index_of(hidden.rowid)
            await pilot.press("x")
            await settle(pilot)
            await pilot.press("1")
            await settle(pilot)
            assert screen.for_you.table.source.index_of(hidden.rowid) is None


def on_both(screen: FeedScreen) -> int:
    """A For-you row (its index) that the Subscriptions tab has loaded too, not yet liked."""
    mine, other = screen.for_you.table.source, screen.tabs[SUBSCRIPTIONS].table.source
    for index in range(len(mine)):
        row = mine.row(index)
        there = other.index_of(row.rowid) if row is not None and row.rating == 0 else None
        if there is not None and other.row(there) is not None:
            return index
    raise AssertionError("no For-you row is loaded in Subscriptions")


async def test_a_switch_back_after_an_outside_change_shows_the_new_data(store: Store) -> None:
    add(store, *(make_video(n, title=f"Video {n}") for n in range(1, 6)))
    settings = Settings(ui=UISettings(watch_seconds=0.1))
    app = make_app(store, settings, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await settle(pilot)
        for_you = screen.tabs[FOR_YOU]
        await until(pilot, lambda: for_you.complete)
        fresh = make_video(99, title="Fresh from cron", published_at=1_800_000_000)
        with Store.open(store.path) as cron:  # a sync in another process
            add(cron, fresh)
        # The shown tab takes it as soon as the app notices; For you when shown.
        await until(pilot, lambda: screen.table.source.index_of(rowid_of(store, fresh.id)) == 0)
        await pilot.press("1")
        await until(pilot, lambda: for_you.complete and rowid_of(store, fresh.id) in ids(for_you))


def rowid_of(store: Store, video_id: str) -> int:
    with store.read() as conn:
        return int(conn.execute("SELECT rowid FROM videos WHERE id = ?", (video_id,)).fetchone()[0])


def ids(tab: Any) -> list[int]:
    return list(tab.table.source.ids)


async def test_a_switch_back_redraws_no_row_but_a_new_theme_redraws_them(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        table = screen.for_you.table
        painted = painting(table)
        first = styles_of(table, 2)  # the first video's line, under the cursor
        await pilot.press("2")
        await settle(pilot)
        painted.clear()
        await pilot.press("1")
        await settle(pilot)
        await pilot.pause()
        assert painted == []  # every line on screen was drawn before, in this look
        assert styles_of(table, 2) == first
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        await settle(pilot)
        assert painted  # the look changed: the rows are drawn again…
        focused = styles_of(table, 2)
        assert focused != first  # …in the new colours
        screen.query_one("#search").focus()  # the cursor's row turns its blurred colour
        await pilot.pause()
        assert styles_of(table, 2) != focused


def styles_of(table: FeedTable, y: int) -> list[str]:
    """The styles of line `y` as drawn (what the terminal would be told)."""
    return [str(segment.style) for segment in table.render_line(y)]


async def test_launch_objects_are_frozen_once_everything_loaded_and_given_back_at_exit(
    demo_store: Store,
) -> None:
    gc.unfreeze()
    app = make_app(demo_store)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        channels = screen.query_one(ChannelList)
        await until(pilot, lambda: gc.get_freeze_count() > 0)
        # Not before every tab and the channel list were in.
        assert channels.loaded and all(tab.complete for tab in screen.tabs.values())
    assert gc.get_freeze_count() == 0
