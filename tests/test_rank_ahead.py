"""A like on For you is ranked with in the worker that wrote it, and only once.

The mark's worker ranks right after posting the mark; the load the mark causes finds that
ranking ready (`LiveRecommender.rank` gives the same listing for the same filters when
nothing changed, and a mark noted twice changes nothing the second time).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.worker import get_current_worker

from momentum_tui.config import RecommendSettings
from momentum_tui.models import Filters, Mark
from momentum_tui.recommend.ranker import Ranker
from momentum_tui.recommend.session import LiveRecommender
from momentum_tui.storage import Store
from momentum_tui.storage.marks import mark_video
from tests.app_support import make_app, settle
from tests.conftest import DEMO_NOW


def test_the_same_filters_and_nothing_new_give_the_same_listing(demo_store: Store) -> None:
    live = LiveRecommender(demo_store, RecommendSettings(), lambda: DEMO_NOW)
    first = live.rank()
    assert live.rank() is first
    narrowed = live.rank(Filters(hide_shorts=True))
    assert narrowed is not first and live.rank(Filters(hide_shorts=True)) is narrowed
    with demo_store.read() as conn:
        top = conn.execute("SELECT id FROM videos WHERE rowid = ?", (narrowed.rowids[0],))
        video_id = top.fetchone()[0]
    result = mark_video(demo_store, video_id, Mark.HIDDEN, now=DEMO_NOW)
    live.note_mark(result.video_id, result.state)
    hidden = live.rank(Filters(hide_shorts=True))
    assert narrowed.rowids[0] not in hidden.rowids
    live.note_mark(result.video_id, result.state)  # noted again: nothing changes
    assert live.rank(Filters(hide_shorts=True)) is hidden
    live.close()


async def test_a_like_is_ranked_once_by_the_worker_that_wrote_it(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await settle(pilot)
        row = screen.table.current_row
        assert row is not None
        calls: list[str] = []
        rank = Ranker.rank

        def counted(self: Ranker, *args: Any, **kwargs: Any) -> Any:
            calls.append(get_current_worker().group)  # which worker ranks
            return rank(self, *args, **kwargs)

        monkeypatch.setattr(Ranker, "rank", counted)
        await pilot.press("l")
        await settle(pilot)
        assert calls == ["marks"]  # the mark's worker ranked; the load that followed reused it
        assert screen.table.current_row is not None
        assert screen.table.current_row.id == row.id and screen.table.current_row.rating == 1
        fresh = LiveRecommender(demo_store, RecommendSettings(), lambda: DEMO_NOW)
        monkeypatch.setattr(Ranker, "rank", rank)
        assert list(screen.table.source.ids) == list(
            fresh.rank(screen.for_you.request.filters).rowids
        )
        fresh.close()
