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
