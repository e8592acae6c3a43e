"""Marks, toggles and undo."""

from __future__ import annotations

import pytest

from momentum_tui.errors import NotFoundError
from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.marks import mark_video, toggle_mark, undo_last
from tests.factories import add, make_video


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
