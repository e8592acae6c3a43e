"""Feed filters, sorts and search, as the app and `momentum feed` use them."""

from __future__ import annotations

import pytest

from momentum_tui.models import Filters, LiveState, Mark, Sort
from momentum_tui.storage import Store
from momentum_tui.storage import feed as q
from momentum_tui.storage.channels import tag_channel, unwatched_by_channel
from momentum_tui.storage.marks import mark_video
from tests.factories import add, channel_id, make_video


@pytest.fixture
def filled(store: Store) -> Store:
    add(
        store,
        make_video(1, title="Rust async explained", duration_s=1800, view_count=10),
        make_video(2, title="A quick short", duration_s=40, is_short=True, view_count=500),
        make_video(3, title="Live now", duration_s=None, live_state=LiveState.LIVE, view_count=5),
        make_video(
            4,
            title="Cooking pasta",
            duration_s=600,
            view_count=2000,
            channel_id=channel_id(1),
            channel_title="Kitchen",
        ),
        make_video(
            5,
            title="東京の散歩 walking tour",
            duration_s=3600,
            view_count=300,
            channel_id=channel_id(1),
            channel_title="Kitchen",
        ),
    )
    return store


def ids(store: Store, **filters: object) -> list[str]:
    with store.read() as conn:
        return [row.id[-1] for row in q.feed_page(conn, Filters(**filters), limit=100)]


def test_newest_first_by_default(filled: Store) -> None:
    assert ids(filled) == ["5", "4", "3", "2", "1"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (Sort.VIEWS, ["4", "2", "5", "1", "3"]),
        (Sort.LONGEST, ["5", "1", "4", "2", "3"]),
        (Sort.SHORTEST, ["2", "4", "1", "5", "3"]),
        (Sort.CHANNEL, ["3", "2", "1", "5", "4"]),
    ],
)
def test_sorts(filled: Store, sort: Sort, expected: list[str]) -> None:
    assert ids(filled, sort=sort) == expected


def test_hide_shorts_and_live(filled: Store) -> None:
    assert ids(filled, hide_shorts=True) == ["5", "4", "3", "1"]
    assert ids(filled, hide_live=True) == ["5", "4", "2", "1"]


def test_duration_range(filled: Store) -> None:
    assert ids(filled, min_seconds=600, max_seconds=1800) == ["4", "1"]


def test_one_channel_and_a_channel_tag(filled: Store) -> None:
    assert ids(filled, channel_id=channel_id(1)) == ["5", "4"]
    tag_channel(filled, channel_id(1), ["Food Stuff"])
    assert ids(filled, channel_tag="food-stuff") == ["5", "4"]


def test_unwatched_hidden_saved(filled: Store) -> None:
    mark_video(filled, "v0000000004", Mark.WATCHED)
    mark_video(filled, "v0000000002", Mark.HIDDEN)
    mark_video(filled, "v0000000001", Mark.SAVED)
    assert ids(filled) == ["5", "4", "3", "1"]
    assert ids(filled, unwatched_only=True) == ["5", "3", "1"]
    assert ids(filled, include_hidden=True) == ["5", "4", "3", "2", "1"]
    assert ids(filled, saved_only=True) == ["1"]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"unwatched_only": True},
        {"include_hidden": True},
        {"include_hidden": True, "unwatched_only": True},
        {"saved_only": True},
        {"hide_shorts": True, "unwatched_only": True},
        {"min_seconds": 500, "unwatched_only": True},
        {"channel_id": channel_id(1)},
        {"search": "walking"},
    ],
)
def test_the_count_is_the_number_of_rows_listed(filled: Store, filters: dict[str, object]) -> None:
    # Watched and hidden (and both, and a hidden video of a hidden-only filter) are
    # counted apart from the rest: the count must still be what the feed lists.
    mark_video(filled, "v0000000004", Mark.WATCHED)
    mark_video(filled, "v0000000005", Mark.WATCHED)
    mark_video(filled, "v0000000005", Mark.HIDDEN)
    mark_video(filled, "v0000000002", Mark.HIDDEN)
    mark_video(filled, "v0000000001", Mark.SAVED)
    with filled.read() as conn:
        assert q.feed_count(conn, Filters(**filters)) == len(ids(filled, **filters))


def test_unfollowed_channels_leave_the_feed(filled: Store) -> None:
    with filled.write() as db:
        db.execute("UPDATE channels SET followed = 0 WHERE id = ?", (channel_id(1),))
    assert ids(filled) == ["3", "2", "1"]


def test_search_prefix_matches_and_ranks_titles(filled: Store) -> None:
    assert ids(filled, search="rus") == ["1"]
    assert sorted(ids(filled, search="kitchen")) == ["4", "5"]  # channel names are searched
    assert ids(filled, search='"unbalanced (quote') == []  # never an FTS syntax error


def test_search_cjk_by_substring(filled: Store) -> None:
    assert ids(filled, search="散歩") == ["5"]


def test_ids_and_rows_by_rowid_keep_order(filled: Store) -> None:
    with filled.read() as conn:
        order = q.feed_ids(conn, Filters(sort=Sort.VIEWS))
        rows = q.rows_by_rowid(conn, list(reversed(order)))
        assert [r.rowid for r in rows] == list(reversed(order))
        assert q.feed_count(conn, Filters(hide_shorts=True)) == 4


def test_channel_summaries_count_unwatched(filled: Store) -> None:
    mark_video(filled, "v0000000005", Mark.WATCHED)
    with filled.read() as conn:
        summary = {c.id: (c.total, c.unwatched) for c in q.channel_summaries(conn)}
    assert summary == {channel_id(0): (3, 3), channel_id(1): (2, 1)}


def test_unwatched_by_channel_leaves_out_watched_and_hidden(filled: Store) -> None:
    mark_video(filled, "v0000000005", Mark.WATCHED)
    mark_video(filled, "v0000000001", Mark.HIDDEN)
    with filled.read() as conn:
        counted = unwatched_by_channel(conn)
        summaries = {c.id: c.unwatched for c in q.channel_summaries(conn) if c.unwatched}
    assert counted == summaries == {channel_id(0): 2, channel_id(1): 1}


def test_video_detail(filled: Store) -> None:
    mark_video(filled, "v0000000001", Mark.LIKED)
    with filled.read() as conn:
        detail = q.video_detail(conn, "v0000000001")
        assert q.video_detail(conn, "nope") is None
    assert detail is not None
    assert detail.video["title"] == "Rust async explained"
    assert detail.state["rating"] == 1
    assert detail.labels is None


@pytest.mark.parametrize(
    ("typed", "query"),
    [("rust async", '"rust"* "async"*'), ("  ", None), ("c++ -x", '"c"* "x"*')],
)
def test_fts_query_is_always_safe(typed: str, query: str | None) -> None:
    assert q.fts_query(typed) == query


def test_broad_searches_list_newest_first_narrow_ones_by_relevance(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(
        store,
        make_video(1, title="zebra zebra zebra stripes", published_at=1_000),
        make_video(2, title="a film that mentions a zebra once among words", published_at=2_000),
        make_video(3, title="zebra", published_at=3_000),
    )  # fmt: skip
    assert ids(store, search="zebra")[-1] == "2"  # relevance: the long, diluted title is last
    monkeypatch.setattr(q, "RELEVANCE_LIMIT", 2)
    with store.read() as conn:
        broad = [r.id[-1] for r in q.feed_page(conn, Filters(search="zebra"), limit=10)]
    assert broad == ["3", "2", "1"]  # too many matches to rank: newest first
