"""The For-you tab with Pilot: first and default, reasons, marks re-rank, why, smart feeds,
the digest, tab switching, launch from the remembered order, clean-up on the channels screen."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from textual.widgets import OptionList, Select, Static

from momentum_tui.app import MomentumApp
from momentum_tui.bindings import AI as AI_KEYS
from momentum_tui.bindings import (
    ALL_KEYS,
    APP,
    CHANNELS,
    DIGEST,
    FILTERS,
    NAVIGATION,
    SYNC,
    VIDEO,
    VIEWS,
)
from momentum_tui.config import Settings
from momentum_tui.messages import FeedLoaded
from momentum_tui.models import FeedRow
from momentum_tui.recommend.feeds import MOOD_NEIGHBOURS
from momentum_tui.recommend.memory import LAST_VISIT_PREF, SAVED_ORDER_PREF, SavedOrder
from momentum_tui.recommend.ranker import rank_ids
from momentum_tui.screens.channels import ChannelsScreen
from momentum_tui.screens.digest import DigestScreen
from momentum_tui.screens.feed import FeedScreen
from momentum_tui.screens.smart_feed import SmartFeedScreen
from momentum_tui.screens.why import WhyScreen
from momentum_tui.storage import Store
from momentum_tui.tabs import FOR_YOU, QUEUE, SUBSCRIPTIONS
from momentum_tui.widgets.feed_table import FeedTable
from momentum_tui.widgets.tab_line import TabLine
from tests.app_support import make_app, settle, state_of, until, wait_for_screen
from tests.conftest import DEMO_NOW
from tests.factories import add, channel_id, make_video

SEEDED_TOPICS = {"cooking", "tech", "education", "news"}
"""Topics the demo build already likes, saves or dislikes."""


def line(table: FeedTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


def rows(table: FeedTable, count: int) -> list[FeedRow]:
    found = [table.source.row(i) for i in range(min(count, len(table.source)))]
    return [row for row in found if row is not None]


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (rich renderables included)."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def status(screen: FeedScreen) -> str:
    return str(screen.query_one("#status", Static).render())


async def test_for_you_is_the_first_tab_and_shows_the_ranking_with_reasons(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        tabs = screen.query_one(TabLine)
        assert tabs.tab_ids == [FOR_YOU, SUBSCRIPTIONS, QUEUE]
        assert tabs.active == FOR_YOU and screen.view == FOR_YOU
        assert table.reasons and table is screen.for_you.table
        with demo_store.read() as conn:
            expected = list(rank_ids(conn, Settings().recommend, DEMO_NOW, limit=20))
        assert [row.id for row in rows(table, 20)] == expected
        first = rows(table, 1)[0]
        assert first.reasons
        # Two lines per video: the row, then its reasons under the title.
        assert first.title[:10] in line(table, 1)
        assert first.reasons[0] in line(table, 2)
        shown = rows(table, 100)
        assert any(r.startswith("You liked") for row in shown for r in row.reasons)
        assert not any(row.watched or row.hidden or row.rating < 0 for row in shown)
        assert "picks of" in status(screen) and "ranked for you" in status(screen)


async def test_wide_terminals_show_more_reasons_on_the_line(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        row = next(r for r in rows(table, 100) if len(r.reasons) == 3)
        wide = table.painter(focused=True).paint_reasons(row, 160, False).plain
        narrow = table.painter(focused=True).paint_reasons(row, 60, False).plain
        assert all(reason in wide for reason in row.reasons)
        assert row.reasons[0] in narrow and row.reasons[2] not in narrow
        assert len(narrow.rstrip()) <= 60


async def test_tabs_switch_and_each_keeps_its_cursor(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        await pilot.press("j", "j")
        picked = table.current_row
        assert picked is not None
        await pilot.press("2")
        await settle(pilot)
        assert screen.view == SUBSCRIPTIONS and screen.query_one(TabLine).active == SUBSCRIPTIONS
        table = screen.table  # each tab has its own table
        assert not table.reasons
        assert app.focused is table
        assert len(table.source) == 3136
        published = [row.published_at for row in rows(table, 30)]
        assert published == sorted(published, reverse=True)
        await pilot.press("j", "j", "j")
        assert table.cursor == 3
        await pilot.press("1")
        await settle(pilot)
        assert screen.view == FOR_YOU and screen.table.current_row == picked
        await pilot.press("2")
        await settle(pilot)
        assert screen.table.cursor == 3
        await pilot.click(TabLine, offset=(2, 0))  # on the words "For you"
        await settle(pilot)
        assert screen.view == FOR_YOU


async def test_a_like_lifts_similar_videos_and_the_cursor_stays_on_it(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        before = rows(table, 100)
        index, target = next(
            (i, row)
            for i, row in enumerate(before)
            if i >= 1 and row.topic and row.topic not in SEEDED_TOPICS | {"other"}
        )
        table.cursor = index
        await pilot.press("l")
        await settle(pilot)
        assert state_of(demo_store, target.id) == (0, 1, 0, 0)
        after = rows(table, 100)
        assert table.current_row is not None and table.current_row.id == target.id
        assert after.index(table.current_row) <= index  # it rose (or held) with its topic
        topic = target.topic
        assert sum(r.topic == topic for r in after) > sum(r.topic == topic for r in before)
        assert any(f"about {topic}" in r for row in after for r in row.reasons)


async def test_watching_drops_the_video_and_the_next_one_takes_its_place(
    demo_store: Store,
) -> None:
    async with make_app(demo_store).run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        await pilot.press("j", "j", "j")
        watched = table.current_row
        assert watched is not None
        await pilot.press("w")
        await settle(pilot)
        assert table.cursor == 3
        assert table.current_row is not None and table.current_row.id != watched.id
        assert table.source.index_of(watched.rowid) is None
        await pilot.press("u")  # undo brings it back into the ranking
        await settle(pilot)
        assert table.source.index_of(watched.rowid) is not None


async def test_why_shows_every_term_adding_up_to_the_score(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 36)) as pilot:
        screen = await settle(pilot)
        row = screen.table.current_row
        assert row is not None
        await pilot.press("e")
        why = await wait_for_screen(pilot, WhyScreen)
        explanation = why.explanation
        assert explanation.video_id == row.id
        assert explanation.position == 0
        assert explanation.total == pytest.approx(explanation.score, abs=1e-9)
        assert len(explanation.terms) == 14
        shown = text_of(why.query_one("#why-body", Static))
        assert f"{explanation.score:+.3f}" in shown
        assert "total" in shown and "#1 in For you" in shown
        for term, sentence in explanation.terms:
            if abs(term.contribution) > 1e-9:
                assert term.label in shown and sentence.split()[0] in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FeedScreen)


async def test_why_on_a_watched_video_says_it_is_not_in_for_you(demo_store: Store) -> None:
    async with make_app(demo_store, start_view=SUBSCRIPTIONS).run_test(size=(100, 36)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        with demo_store.read() as conn:
            rowid = conn.execute(
                "SELECT v.rowid FROM videos v JOIN video_state s ON s.video_id = v.id "
                "WHERE s.watched_at IS NOT NULL AND s.rating = 0 ORDER BY v.published_at DESC"
            ).fetchone()[0]
        index = table.source.index_of(rowid)
        assert index is not None
        table.cursor = index
        await settle(pilot)
        await pilot.press("e")
        why = await wait_for_screen(pilot, WhyScreen)
        assert why.explanation.position is None
        assert why.explanation.excluded == "watched"
        assert "not in For you (watched)" in text_of(why.query_one("#why-body", Static))


async def test_a_smart_feed_fits_the_minutes_and_escape_returns(demo_store: Store) -> None:
    async with make_app(demo_store, start_view=SUBSCRIPTIONS).run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        picker = await wait_for_screen(pilot, SmartFeedScreen)
        picker.query_one("#mood", Select).value = "upbeat"
        await pilot.press(*"45", "enter")
        screen = await settle(pilot)
        table = screen.table
        assert screen.view == FOR_YOU and screen.for_you.smart is not None
        picks = rows(table, len(table.source))
        assert len(picks) == len(table.source) >= 2
        total = sum(row.duration_s or 0 for row in picks)
        assert 0 < total <= 45 * 60
        assert all(row.duration_s for row in picks)
        allowed = {"upbeat", *MOOD_NEIGHBOURS["upbeat"]}
        assert {row.mood for row in picks} <= allowed
        assert "smart feed: upbeat · 45 min" in status(screen)
        assert "Esc returns" in str(screen.query_one("#view-note", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert screen.for_you.smart is None
        assert len(table.source) > 100
        assert "smart feed" not in status(screen)


async def test_the_smart_picker_refuses_nonsense_minutes(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        picker = await wait_for_screen(pilot, SmartFeedScreen)
        await pilot.press(*"lots", "enter")
        await pilot.pause()
        assert pilot.app.screen is picker
        assert "whole number" in str(picker.query_one("#error", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FeedScreen) and pilot.app.screen.for_you.smart is None


async def test_the_digest_lists_topics_since_the_last_visit_and_jumps_to_a_pick(
    demo_store: Store,
) -> None:
    async with make_app(demo_store).run_test(size=(100, 36)) as pilot:
        screen = await settle(pilot)
        assert screen.visit_since == DEMO_NOW - 36 * 3600  # seeded by the demo build
        await pilot.press("D")
        digest_screen = await wait_for_screen(pilot, DigestScreen)
        await settle(pilot)
        digest = digest_screen.digest
        assert digest is not None and digest.since == DEMO_NOW - 36 * 3600
        assert len(digest.groups) >= 2
        assert sum(group.count for group in digest.groups) == digest.total
        options = digest_screen.query_one(OptionList)
        assert options.option_count == len(digest.groups)
        title = str(digest_screen.query_one("#digest-title", Static).render())
        assert "your last visit" in title and f"{digest.total:,} new videos" in title
        first_prompt = str(options.get_option_at_index(0).prompt)
        assert digest.groups[0].topic in first_prompt
        assert digest.groups[0].best.title in first_prompt
        await pilot.press("s")  # the last day
        await settle(pilot)
        assert digest_screen.digest is not None
        assert digest_screen.digest.since == DEMO_NOW - 86400
        await pilot.press("down", "enter")
        chosen = digest_screen.digest.groups[1].best.video_id
        screen = await settle(pilot)
        assert isinstance(pilot.app.screen, FeedScreen)
        current = screen.table.current_row
        assert current is not None and current.id == chosen


async def test_the_app_records_the_visit_and_the_digest_starts_from_the_previous_one(
    store: Store,
) -> None:
    add(store, *(make_video(n, published_at=DEMO_NOW - n * 3600) for n in range(1, 30)))
    store.set_pref(LAST_VISIT_PREF, json.dumps(DEMO_NOW - 5 * 3600))
    app = MomentumApp(store, Settings(), now=DEMO_NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        assert screen.visit_since == DEMO_NOW - 5 * 3600
        assert store.get_pref(LAST_VISIT_PREF) == str(DEMO_NOW)
        await pilot.press("D")
        digest_screen = await wait_for_screen(pilot, DigestScreen)
        await settle(pilot)
        assert digest_screen.digest is not None
        assert digest_screen.digest.total == 5  # published 1…5 hours ago


async def test_filters_narrow_for_you_and_search_moves_to_subscriptions(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        assert any(row.is_short for row in rows(table, 200))
        await pilot.press("S")
        await settle(pilot)
        assert screen.view == FOR_YOU
        assert not any(row.is_short for row in rows(table, 200))
        assert "no Shorts" in status(screen)
        await pilot.press("O")
        await pilot.pause()
        assert screen.filters.sort.value == "newest"  # For you keeps its order
        await pilot.press("slash", *"dynamite")
        await until(pilot, lambda: screen.filters.search == "dynamite")
        await settle(pilot)
        assert screen.view == SUBSCRIPTIONS
        assert 0 < len(screen.table.source) < 20
        assert "by relevance" in status(screen)


async def test_launch_shows_the_remembered_order_first(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        ranked = [row.rowid for row in rows(screen.table, 100)]
    saved = SavedOrder.from_json(demo_store.get_pref(SAVED_ORDER_PREF))
    assert saved is not None and saved.rowids == ranked
    assert all(saved.reasons[rowid] for rowid in ranked)

    seen: list[FeedLoaded] = []

    def hook(message: object) -> None:
        if isinstance(message, FeedLoaded) and message.view == FOR_YOU:
            seen.append(message)

    async with make_app(demo_store).run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(pilot)
    first = seen[0]
    assert first.totals is None and not first.source.complete  # shown before any ranking
    assert list(first.source.ids) == ranked
    assert first.source.row(0) is not None and first.source.row(0).reasons  # type: ignore[union-attr]
    assert seen[-1].source.complete


async def test_an_empty_cache_says_what_to_do_on_for_you(store: Store) -> None:
    async with make_app(store).run_test(size=(100, 20)) as pilot:
        screen = await settle(pilot)
        assert screen.view == FOR_YOU
        assert "momentum import" in line(screen.table, 2)


async def test_channels_screen_lists_clean_up_suggestions(store: Store) -> None:
    day = 86400
    recent = [
        make_video(n, channel_id=channel_id(1), published_at=DEMO_NOW - n * day)
        for n in range(1, 6)
    ]
    quiet = make_video(9, channel_id=channel_id(2), published_at=DEMO_NOW - 400 * day)
    add(store, *recent, quiet, now=DEMO_NOW - 200 * day)
    async with make_app(store).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        channels = await wait_for_screen(pilot, ChannelsScreen)
        await settle(pilot)
        assert len(channels.rows) == 2
        await pilot.press("s")
        await settle(pilot)
        assert channels.suggestions is not None
        kinds = {row.id: channels.suggestions[row.id].kind for row in channels.rows}
        assert kinds == {channel_id(1): "unwatched", channel_id(2): "dormant"}
        table = channels.table
        assert [column.label for column in table.columns] == [
            "Channel", "Kind", "Why", "Videos",
        ]  # fmt: skip
        assert "No upload in 13 months" in str(table.row_cells(0)[2])
        assert "clean-up suggestions" in str(channels.query_one("#channels-title").render())
        await pilot.press("s")
        await pilot.pause()
        assert channels.suggestions is None
        assert [column.label for column in table.columns] == [
            "Channel", "Handle", "Groups", "Unwatched", "Videos", "Synced", "State",
        ]  # fmt: skip


def test_every_key_is_unique_on_its_screen() -> None:
    screens = {
        "feed": [*NAVIGATION, *VIDEO, *FILTERS, *AI_KEYS, *APP, *VIEWS, *SYNC],
        "channels": [*CHANNELS, *APP, *SYNC],
        "digest": [*DIGEST, *APP, *SYNC],
    }
    for name, keys in screens.items():
        pressed = [part.strip() for key in keys for part in key.keys.split(",")]
        duplicates = {k for k in pressed if pressed.count(k) > 1}
        assert not duplicates, (name, duplicates)
    ids = [key.id for key in ALL_KEYS]
    assert len(ids) == len(set(ids))
    assert {"video.why", "view.for_you", "view.subscriptions", "view.smart", "view.digest"} <= set(
        ids
    )


async def test_after_a_sync_for_you_ranks_the_new_videos(demo_store: Store) -> None:
    async with make_app(demo_store).run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot)
        table = screen.table
        before = [row.id for row in rows(table, 30)]
        fresh = make_video(
            900_001, channel_id=channel_id(77), channel_title="Fresh", published_at=DEMO_NOW - 60
        )
        add(demo_store, fresh, now=DEMO_NOW)
        pilot.app.cache_changed()  # what a sync (or a rule, or labels) ends with
        await settle(pilot)
        with demo_store.read() as conn:
            expected = list(rank_ids(conn, Settings().recommend, DEMO_NOW, limit=30))
        # The new upload is ranked among the old ones (a minute old, it ranks near the
        # top), not appended after them, and the tab shows exactly the new ranking.
        assert fresh.id in expected
        assert fresh.id not in before
        shown = [row.id for row in rows(table, 30)]
        assert shown == expected
        assert shown.index(fresh.id) < len(shown) - 1
