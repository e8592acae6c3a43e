"""The detail pane's pictures kept in memory: coming back shows the one decoded before,
but a new file for the same video shows the new picture, and a resize draws it again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from PIL import Image
from textual.pilot import Pilot

from momentum_tui import locations
from momentum_tui.storage import Store
from momentum_tui.tabs import SUBSCRIPTIONS
from momentum_tui.widgets.detail import DetailPane
from momentum_tui.widgets.thumbnail import Thumbnail
from tests.app_support import make_app, settle, until

RED = (220, 30, 30)
BLUE = (30, 30, 220)


def _newest(store: Store) -> str:
    with store.read() as conn:
        row = conn.execute("SELECT id FROM videos ORDER BY published_at DESC LIMIT 1").fetchone()
    return str(row[0])


def _keep_picture(video_id: str, colour: tuple[int, int, int]) -> None:
    """A solid picture in the thumbnail cache, as if fetched (the demo never fetches)."""
    folder = locations.thumbnail_dir()
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (320, 180), colour).save(folder / f"{video_id}.jpg", "JPEG")


@asynccontextmanager
async def _red_picture_kept(
    store: Store,
) -> AsyncIterator[tuple[Pilot[None], Thumbnail, str]]:
    """The app at 160×48 on Subscriptions, a red picture kept for its newest video (the
    first row), settled: the pilot, the thumbnail and that video's id."""
    first = _newest(store)
    _keep_picture(first, RED)
    app = make_app(store, start_view=SUBSCRIPTIONS)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        yield pilot, screen.query_one(Thumbnail), first


def _top_left(thumbnail: Thumbnail) -> tuple[int, int, int] | None:
    """The colour the box's first cell shows (None: no picture there)."""
    segment = next(iter(thumbnail.render_line(0)))
    if segment.text != "▀" or segment.style is None or segment.style.color is None:
        return None
    triplet = segment.style.color.triplet
    return (triplet.red, triplet.green, triplet.blue) if triplet else None


def _looks(colour: tuple[int, int, int] | None, like: tuple[int, int, int]) -> bool:
    return colour is not None and all(abs(a - b) < 40 for a, b in zip(colour, like, strict=True))


async def test_coming_back_shows_the_same_picture_without_decoding_again(
    demo_store: Store,
) -> None:
    async with _red_picture_kept(demo_store) as (pilot, thumbnail, first):
        await until(pilot, lambda: thumbnail.video_id == first, what="the picture")
        assert _looks(_top_left(thumbnail), RED)
        drawn = thumbnail.render_line(0)
        await pilot.press("j")
        await until(pilot, lambda: thumbnail.video_id is None, what="no picture for the next")
        await pilot.press("k")
        await until(pilot, lambda: thumbnail.video_id == first, what="the picture again")
        assert thumbnail.render_line(0) is drawn  # the row drawn before, not a new decode


async def test_a_new_picture_for_the_same_video_replaces_the_old_one(demo_store: Store) -> None:
    async with _red_picture_kept(demo_store) as (pilot, thumbnail, first):
        await until(pilot, lambda: _looks(_top_left(thumbnail), RED), what="the red picture")
        await pilot.press("j")
        await until(pilot, lambda: thumbnail.video_id is None, what="no picture for the next")
        _keep_picture(first, BLUE)  # fetched again after an eviction: another picture
        await pilot.press("k")
        await until(pilot, lambda: _looks(_top_left(thumbnail), BLUE), what="the new picture")


async def test_a_resize_draws_the_picture_again_at_its_new_size(demo_store: Store) -> None:
    async with _red_picture_kept(demo_store) as (pilot, thumbnail, first):
        await until(pilot, lambda: thumbnail.video_id == first, what="the picture")
        wide = thumbnail.box
        assert wide is not None
        await pilot.resize_terminal(80, 24)  # the picture moves beside the text, smaller
        await until(pilot, lambda: thumbnail.box != wide, what="the new box")
        box = thumbnail.box
        assert box is not None and box[0] < wide[0]

        def drawn_to_the_box() -> bool:
            row = thumbnail.render_line(0)
            cells = row.text.rstrip()  # the picture, aspect kept: at most the box's width
            return bool(
                row.cell_length == box[0]
                and cells == "▀" * len(cells)
                and box[0] - 2 <= len(cells) <= box[0]  # scaled again, not the old 32 cut
                and _looks(_top_left(thumbnail), RED)
            )

        await until(pilot, drawn_to_the_box, what="the picture at the new size")
        assert pilot.app.screen.query_one(DetailPane).has_class("-beside")
