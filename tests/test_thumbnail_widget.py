"""Thumbnails as half-blocks: the right colours in the right cells, aspect kept, junk refused;
and the drawing protocol chosen from the environment, never by asking the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from momentum_tui.widgets.thumbnail import graphics_protocol, load_halfblocks


def _image(path: Path, size: tuple[int, int], top: tuple[int, int, int],
           bottom: tuple[int, int, int]) -> Path:  # fmt: skip
    image = Image.new("RGB", size, top)
    image.paste(bottom, (0, size[1] // 2, size[0], size[1]))
    image.save(path, "PNG")
    return path


def test_half_blocks_hold_two_pixels_per_cell(tmp_path: Path) -> None:
    path = _image(tmp_path / "t.png", (320, 180), (255, 0, 0), (0, 0, 255))
    blocks = load_halfblocks(path, columns=32, rows=9)
    assert blocks is not None
    assert blocks.width == 32 and len(blocks.rows) == 9  # 32×18 pixels: 16:9 kept
    assert blocks.rows[0][0] == ((255, 0, 0), (255, 0, 0))
    assert blocks.rows[-1][-1] == ((0, 0, 255), (0, 0, 255))


def test_a_tall_box_keeps_the_aspect_ratio(tmp_path: Path) -> None:
    path = _image(tmp_path / "t.png", (320, 180), (1, 2, 3), (1, 2, 3))
    blocks = load_halfblocks(path, columns=16, rows=40)
    assert blocks is not None and blocks.width == 16 and len(blocks.rows) == 4


def test_something_that_isnt_an_image_is_no_thumbnail(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"<html>not an image</html>")
    assert load_halfblocks(junk, 32, 9) is None
    assert load_halfblocks(tmp_path / "missing.jpg", 32, 9) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TERM": "xterm-kitty"}, "kitty"),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}, "kitty"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "sixel"),
        ({"TERM": "foot"}, "sixel"),
        ({"TERM": "xterm-256color"}, "halfblocks"),
        ({"TERM": "tmux-256color", "KITTY_WINDOW_ID": "1", "TMUX": "/tmp/t"}, "halfblocks"),
        ({}, "halfblocks"),
    ],
)
def test_the_protocol_comes_from_the_environment(env: dict[str, str], expected: str) -> None:
    assert graphics_protocol("auto", env) == expected


def test_a_protocol_setting_wins() -> None:
    assert graphics_protocol("halfblocks", {"TERM": "xterm-kitty"}) == "halfblocks"
