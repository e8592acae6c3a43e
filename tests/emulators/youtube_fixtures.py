"""Pytest fixtures for the YouTube emulator (load with `pytest_plugins` in a test module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.youtube import YouTubeEmulator
from tests.emulators.youtube_data import World


@pytest.fixture(scope="session")
def youtube_world_template() -> World:
    """A 40-channel world built once; tests get their own copy through `youtube`."""
    return World.from_corpus(channels=40, min_uploads=8)


@pytest.fixture
def youtube(
    youtube_world_template: World, monkeypatch: pytest.MonkeyPatch
) -> Iterator[YouTubeEmulator]:
    """A running emulator with its own world, and Momentum's settings pointed at it."""
    import copy

    world = copy.deepcopy(youtube_world_template)
    with YouTubeEmulator(world) as emulator:
        for name, value in emulator.settings_env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("MOMENTUM_YOUTUBE_API_KEY", "test-youtube-key")
        # Fast, still exponential, still jittered: tests must not sleep for seconds.
        monkeypatch.setenv("MOMENTUM_YOUTUBE_BACKOFF", "0.01")
        monkeypatch.setenv("MOMENTUM_YOUTUBE_TIMEOUT", "2")
        monkeypatch.setenv("MOMENTUM_YOUTUBE_COOLDOWN_MINUTES", "0")
        yield emulator


@pytest.fixture
def yt_settings(youtube: YouTubeEmulator):  # type: ignore[no-untyped-def]
    """YouTube settings pointed at the emulator (what `load_settings()` gives under `youtube`)."""
    from momentum_tui.config import load_settings

    return load_settings().youtube
