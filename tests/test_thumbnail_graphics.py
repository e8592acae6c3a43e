"""Thumbnails in pixels: kitty graphics or Sixel through textual-image where the terminal
has them (or the setting says so), half-blocks everywhere else — and textual-image is
imported only then, before the app owns the terminal."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from momentum_tui.config import Settings
from momentum_tui.storage import Store
from momentum_tui.widgets.thumbnail import Thumbnail
from momentum_tui.widgets.thumbnail_graphics import (
    HALFBLOCKS,
    Graphics,
    fit_cells,
    prepare_graphics,
)
from tests.app_support import make_app, settle, until
from tests.test_app_watch import _cached_thumbnail

TGP_PLACEHOLDER = "\U0010eeee"
"""The character kitty replaces with the picture's cells (unicode placeholders)."""


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        ("auto", {"TERM": "xterm-kitty"}, "kitty"),
        ("auto", {"TERM": "foot"}, "sixel"),
        ("auto", {"TERM": "xterm-256color"}, HALFBLOCKS),
        ("auto", {"TERM": "xterm-kitty", "TMUX": "/tmp/t"}, HALFBLOCKS),
        ("sixel", {"TERM": "xterm-256color"}, "sixel"),
        ("halfblocks", {"TERM": "xterm-kitty"}, HALFBLOCKS),
    ],
)
def test_the_protocol_is_chosen_from_the_setting_then_the_terminal(
    setting: str, env: dict[str, str], expected: str
) -> None:
    assert prepare_graphics(setting, env) == Graphics(expected)


def test_half_blocks_never_import_textual_image() -> None:
    code = (
        "import sys\n"
        "from momentum_tui.widgets.thumbnail_graphics import prepare_graphics\n"
        "print(prepare_graphics('auto', {'TERM': 'xterm-256color'}).protocol,\n"
        "      any(name.startswith('textual_image') for name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["halfblocks", "False"], done.stderr


def test_without_textual_image_kitty_falls_back_to_half_blocks_with_a_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "textual_image.widget", None)  # as if not installed
    graphics = prepare_graphics("kitty", {})
    assert graphics.protocol == HALFBLOCKS
    assert graphics.problem is not None and "momentum-tui[thumbnails]" in graphics.problem


def test_a_picture_keeps_its_aspect_in_the_box() -> None:
    # textual-image's cell size when no terminal answers: 10 × 20 pixels.
    assert fit_cells((320, 180), (32, 9)) == (32, 9)
    columns, rows = fit_cells((480, 360), (32, 9))  # 4:3 is narrower than the box
    assert rows == 9 and columns < 32


def _forced(demo_store: Store, protocol: str) -> Any:
    defaults = Settings()
    ui = defaults.ui.replace(thumbnail_protocol=protocol)
    return make_app(demo_store, defaults.replace(ui=ui), start_view="subscriptions")


def _newest(store: Store) -> str:
    """The id of the newest video (the one highlighted when Subscriptions opens)."""
    with store.read() as conn:
        return str(
            conn.execute("SELECT id FROM videos ORDER BY published_at DESC LIMIT 1").fetchone()[0]
        )


async def test_kitty_draws_the_thumbnail_with_textual_image(demo_store: Store) -> None:
    from textual_image.widget import TGPImage

    first = _newest(demo_store)
    _cached_thumbnail(first)
    app = _forced(demo_store, "kitty")
    assert app.thumbnail_graphics == Graphics("kitty")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        thumbnail = screen.query_one(Thumbnail)
        await until(pilot, lambda: thumbnail.video_id == first, what="the thumbnail")
        picture = thumbnail.query_one("#picture")
        assert isinstance(picture, TGPImage)
        assert picture.image is not None and picture.image.size == (320, 180)
        await pilot.pause()
        assert picture.size == (32, 9)  # the box, filled: 16:9 at 10 × 20-pixel cells
        drawn = "".join(s.text for line in picture.render_lines(picture.size.region) for s in line)
        assert TGP_PLACEHOLDER in drawn  # kitty's placeholders, not half-blocks
        assert "▀" not in drawn
        await pilot.press("j")  # nothing cached for the next video: the box empties
        await until(pilot, lambda: thumbnail.video_id is None, what="no thumbnail")
        assert picture.image is None and thumbnail.size == (32, 9)  # the text stays put


async def test_sixel_draws_the_thumbnail_with_textual_image(demo_store: Store) -> None:
    from textual_image.widget import SixelImage

    first = _newest(demo_store)
    _cached_thumbnail(first)
    app = _forced(demo_store, "sixel")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot)
        thumbnail = screen.query_one(Thumbnail)
        await until(pilot, lambda: thumbnail.video_id == first, what="the thumbnail")
        picture = thumbnail.query_one("#picture")
        assert isinstance(picture, SixelImage)
        (drawer,) = picture.children  # textual-image's encoder got the picture, not a recompose
        assert drawer.image is picture.image and picture.image is not None
        await pilot.pause()
        drawn = "".join(s.text for line in drawer.render_lines(drawer.size.region) for s in line)
        assert "\x1bP" in drawn  # a Sixel sequence (DCS … ST), not half-blocks
