"""Marks, toggles and undo."""

from __future__ import annotations

import json
from typing import Any

import pytest

from momentum_tui.errors import NotFoundError
from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.marks import (
    HistoryEntry,
    MergedMarks,
    forget_marks,
    mark_video,
    merge_marks,
    toggle_mark,
    undo_last,
)
from tests.factories import add, channel_id, make_video, video_id


@pytest.fixture
def one(store: Store) -> Store:
    add(store, make_video(1))
    return store


def state(store: Store) -> tuple[object, ...]:
    with store.read() as conn:
        return conn.execute(
            "SELECT watched_at IS NOT NULL, rating, hidden_at IS NOT NULL, saved_at IS NOT NULL "
            "FROM video_state WHERE video_id = 'v0000000001'"
        ).fetchone()


def test_marks_set_state_and_keep_history(one: Store) -> None:
    mark_video(one, "v0000000001", Mark.WATCHED, now=10)
    mark_video(one, "v0000000001", Mark.LIKED, now=11)
    mark_video(one, "v0000000001", Mark.SAVED, now=12)
    assert state(one) == (1, 1, 0, 1)
    mark_video(one, "v0000000001", Mark.DISLIKED, now=13)
    assert state(one) == (1, -1, 0, 1)
    with one.read() as conn:
        history = [r[0] for r in conn.execute("SELECT mark FROM interactions ORDER BY id")]
    assert history == ["watched", "liked", "saved", "disliked"]


def test_undo_restores_the_previous_state_step_by_step(one: Store) -> None:
    mark_video(one, "v0000000001", Mark.WATCHED)
    mark_video(one, "v0000000001", Mark.HIDDEN)
    undone = undo_last(one)
    assert undone is not None
    assert undone.mark == "hidden"
    assert state(one) == (1, 0, 0, 0)
    undo_last(one)
    assert state(one) == (0, 0, 0, 0)
    assert undo_last(one) is None


def test_toggles_flip(one: Store) -> None:
    assert toggle_mark(one, "v0000000001", Mark.WATCHED).mark == "watched"
    assert toggle_mark(one, "v0000000001", Mark.WATCHED).mark == "unwatched"
    assert toggle_mark(one, "v0000000001", Mark.LIKED).mark == "liked"
    assert toggle_mark(one, "v0000000001", Mark.DISLIKED).mark == "disliked"
    assert toggle_mark(one, "v0000000001", Mark.DISLIKED).mark == "unrated"


def test_unknown_video_is_a_clear_error(one: Store) -> None:
    with pytest.raises(NotFoundError, match="No video 'nope'"):
        mark_video(one, "nope", Mark.WATCHED)


def full_state(store: Store) -> dict[str, object]:
    from momentum_tui.storage.marks import current_state

    with store.read() as conn:
        return current_state(conn, "v0000000001")


UNMARKED = {"watched_at": None, "rating": 0, "rated_at": None, "hidden_at": None, "saved_at": None}
# Each toggle, what it sets (at time 100), and the mark its second press records.
TOGGLES = [
    (Mark.WATCHED, {"watched_at": 100}, "unwatched"),
    (Mark.HIDDEN, {"hidden_at": 100}, "unhidden"),
    (Mark.LIKED, {"rating": 1, "rated_at": 100}, "unrated"),
    (Mark.DISLIKED, {"rating": -1, "rated_at": 100}, "unrated"),
    (Mark.SAVED, {"saved_at": 100}, "unsaved"),
]


@pytest.mark.parametrize(("mark", "sets", "second"), TOGGLES, ids=[t[0].value for t in TOGGLES])
def test_every_toggle_sets_then_clears_only_its_own_field(
    one: Store, mark: Mark, sets: dict[str, int], second: str
) -> None:
    first = toggle_mark(one, "v0000000001", mark, now=100)
    assert first.mark == mark.value
    assert full_state(one) == {**UNMARKED, **sets}
    again = toggle_mark(one, "v0000000001", mark, now=101)
    assert again.mark == second
    assert full_state(one) == UNMARKED
    third = toggle_mark(one, "v0000000001", mark, now=102)
    assert third.mark == mark.value
    assert full_state(one) == {**UNMARKED, **{k: (102 if v == 100 else v) for k, v in sets.items()}}


@pytest.mark.parametrize(("mark", "sets", "second"), TOGGLES, ids=[t[0].value for t in TOGGLES])
def test_every_toggle_keeps_the_other_marks(
    one: Store, mark: Mark, sets: dict[str, int], second: str
) -> None:
    others = [m for m, _, _ in TOGGLES if m not in (mark, Mark.LIKED, Mark.DISLIKED)]
    for other in others:
        mark_video(one, "v0000000001", other, now=50)
    before = full_state(one)
    toggle_mark(one, "v0000000001", mark, now=100)
    toggle_mark(one, "v0000000001", mark, now=101)
    assert full_state(one) == before


@pytest.mark.parametrize(("mark", "sets", "second"), TOGGLES, ids=[t[0].value for t in TOGGLES])
def test_undo_reverses_each_toggle_press_in_turn(
    one: Store, mark: Mark, sets: dict[str, int], second: str
) -> None:
    toggle_mark(one, "v0000000001", mark, now=100)
    toggle_mark(one, "v0000000001", mark, now=101)
    undone = undo_last(one, now=102)
    assert undone is not None
    assert undone.mark == second
    assert full_state(one) == {**UNMARKED, **sets}
    undone = undo_last(one, now=103)
    assert undone is not None
    assert undone.mark == mark.value
    assert full_state(one) == UNMARKED
    assert undo_last(one, now=104) is None
    with one.read() as conn:
        rows = conn.execute("SELECT mark, undone_at FROM interactions ORDER BY id").fetchall()
    assert rows == [(mark.value, 103), (second, 102)]  # history is kept, marked undone


@pytest.mark.parametrize(
    ("mark", "field", "value"),
    [
        (Mark.UNWATCHED, "watched_at", None),
        (Mark.UNHIDDEN, "hidden_at", None),
        (Mark.UNRATED, "rating", 0),
        (Mark.UNSAVED, "saved_at", None),
    ],
)
def test_every_clearing_mark_clears_and_undo_brings_the_mark_back(
    one: Store, mark: Mark, field: str, value: object
) -> None:
    for setting in (Mark.WATCHED, Mark.HIDDEN, Mark.LIKED, Mark.SAVED):
        mark_video(one, "v0000000001", setting, now=10)
    marked = full_state(one)
    mark_video(one, "v0000000001", mark, now=20)
    cleared = full_state(one)
    assert cleared[field] == value
    assert {k: v for k, v in cleared.items() if k != field and k != "rated_at"} == {
        k: v for k, v in marked.items() if k != field and k != "rated_at"
    }
    undo_last(one, now=30)
    assert full_state(one) == marked


def test_a_toggle_of_a_hidden_video_shows_it_in_the_feed_again(one: Store) -> None:
    from momentum_tui.storage import feed as feed_queries

    def visible() -> list[str]:
        with one.read() as conn:
            return [r.id for r in feed_queries.feed_page(conn, feed_queries.Filters(), 50)]

    assert visible() == ["v0000000001"]
    toggle_mark(one, "v0000000001", Mark.HIDDEN)
    assert visible() == []
    toggle_mark(one, "v0000000001", Mark.HIDDEN)
    assert visible() == ["v0000000001"]


# Marks from elsewhere (`import-data`) and forgetting them (`forget`).

NOTHING = {"watched_at": None, "rating": 0, "rated_at": None, "hidden_at": None, "saved_at": None}


def interactions(store: Store) -> list[tuple[object, ...]]:
    with store.read() as conn:
        return conn.execute(
            "SELECT video_id, mark, at, previous, undone_at, origin FROM interactions "
            "ORDER BY video_id, at, id"
        ).fetchall()


def merge(store: Store, states: list[Any], history: list[HistoryEntry]) -> MergedMarks:
    with store.write() as db:
        return merge_marks(db, states, history)


def test_an_imported_state_wins_only_where_it_is_newer(store: Store) -> None:
    add(store, *(make_video(n) for n in range(1, 5)))
    for n in (2, 3, 4):  # the cache's own marks, all at time 100
        mark_video(store, video_id(n), Mark.WATCHED, now=100)
    liked = {**NOTHING, "rating": 1, "rated_at": 90}
    merged = merge(
        store,
        [
            (video_id(1), liked, 100),  # never marked here: taken
            (video_id(2), liked, 200),  # newer than the cache's: wins
            (video_id(3), liked, 100),  # a tie: the cache's own stays
            (video_id(4), liked, 50),  # older: the cache's own stays
        ],
        [],
    )
    assert merged == MergedMarks(states=2, history=0)
    with store.read() as conn:
        rows = conn.execute(
            "SELECT video_id, watched_at, rating, updated_at FROM video_state ORDER BY video_id"
        ).fetchall()
    assert rows == [
        (video_id(1), None, 1, 100),
        (video_id(2), None, 1, 200),
        (video_id(3), 100, 0, 100),
        (video_id(4), 100, 0, 100),
    ]


def test_imported_history_is_merged_as_a_multiset_and_never_undone(store: Store) -> None:
    add(store, make_video(1), make_video(2))
    one, two = video_id(1), video_id(2)
    mark_video(store, one, Mark.WATCHED, now=10)  # the cache has this entry twice
    undo_last(store, now=11)
    mark_video(store, one, Mark.WATCHED, now=10)
    here = interactions(store)
    # The state an entry replaced is compared field by field; a field left out is unset.
    watched = HistoryEntry(one, "watched", 10, {"rating": 0})
    saved = HistoryEntry(two, "saved", 20, {"watched_at": 5}, undone_at=30)
    hidden = HistoryEntry(two, "hidden", 40, {})
    history = [watched] * 3 + [saved] * 2 + [hidden]
    merged = merge(store, [], history)
    assert merged == MergedMarks(states=0, history=4)  # one more watched, two saved, hidden
    unmarked, unset = json.dumps(NOTHING), json.dumps(dict.fromkeys(NOTHING))
    was_watched = json.dumps({**dict.fromkeys(NOTHING), "watched_at": 5})
    assert interactions(store) == [
        *here,
        (one, "watched", 10, unmarked, None, "import"),
        (two, "saved", 20, was_watched, 30, "import"),
        (two, "saved", 20, was_watched, 30, "import"),
        (two, "hidden", 40, unset, None, "import"),
    ]
    assert merge(store, [], history) == MergedMarks()  # the same file again: nothing new
    assert len(interactions(store)) == len(here) + 4
    undone = undo_last(store, now=50)  # undo takes back what was done here, not the import
    assert undone is not None
    assert (undone.video_id, undone.mark) == (one, "watched")


def test_forget_removes_all_marks_or_one_channels_and_says_how_many(store: Store) -> None:
    add(store, make_video(1), make_video(2, channel_id=channel_id(7), channel_title="Seven"))
    with store.write() as db:
        assert forget_marks(db) == 0  # nothing marked yet: nothing forgotten
    for n in (1, 2):
        mark_video(store, video_id(n), Mark.WATCHED, now=10)
        mark_video(store, video_id(n), Mark.SAVED, now=11)
    with store.write() as db:
        assert forget_marks(db, channel_id(7)) == 2
    with store.read() as conn:
        assert conn.execute("SELECT video_id FROM video_state").fetchall() == [(video_id(1),)]
    assert {row[0] for row in interactions(store)} == {video_id(1)}
    with store.write() as db:
        assert forget_marks(db) == 2
    assert interactions(store) == []
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM video_state").fetchone() == (0,)


def test_a_result_says_what_it_changed_and_how_it_moved_the_unwatched_count(one: Store) -> None:
    video = "v0000000001"
    liked = toggle_mark(one, video, Mark.LIKED)
    assert liked.channel_id == make_video(1).channel_id
    assert liked.changed("rating") and not liked.changed("watched_at")
    assert liked.unwatched_change == 0  # a like moves no unwatched count
    watched = toggle_mark(one, video, Mark.WATCHED)
    assert watched.unwatched_change == -1
    assert toggle_mark(one, video, Mark.HIDDEN).unwatched_change == 0  # already not unwatched
    assert toggle_mark(one, video, Mark.WATCHED).unwatched_change == 0  # still hidden
    undone = undo_last(one)
    assert undone is not None and undone.unwatched_change == 0
    assert undone.changed("watched_at") and not undone.changed("hidden_at")
    toggle_mark(one, video, Mark.HIDDEN)  # shown again, but watched
    assert toggle_mark(one, video, Mark.WATCHED).unwatched_change == 1


def test_an_unlisted_video_moves_no_count(one: Store) -> None:
    with one.transaction() as conn:
        conn.execute("UPDATE videos SET status = 'private' WHERE id = 'v0000000001'")
    result = toggle_mark(one, "v0000000001", Mark.WATCHED)
    assert result.channel_id is None and result.unwatched_change == 0
