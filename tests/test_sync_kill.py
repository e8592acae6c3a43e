"""A sync killed with SIGKILL at random moments loses nothing and the next one completes.

A real `momentum sync` runs in a subprocess against the emulator (in this process), and is
killed at seeded random moments while it is talking to YouTube. After each kill the cache
must pass `PRAGMA integrity_check`, and every channel must be either completely synced or
untouched — never half-written.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from momentum_tui import locations
from momentum_tui.storage import Store
from momentum_tui.youtube.sync import SyncEngine
from tests.conftest import REPO
from tests.emulators.youtube import API_KEY, YouTubeEmulator, follow_world
from tests.emulators.youtube_data import World

BACKFILL = 50


def expected(world: World, channel_id: str) -> set[str]:
    listed = world.listed_uploads(world.channels[channel_id])[:BACKFILL]
    return {v.id for v in listed if v.privacy == "public"}


def check_whole_channels(store: Store, world: World) -> int:
    """Every channel is fully synced or untouched; returns how many are synced."""
    with store.read() as conn:
        synced = {
            r[0] for r in conn.execute("SELECT channel_id FROM sync_state WHERE status = 'ok'")
        }
        cached: dict[str, set[str]] = {}
        for video_id, channel_id in conn.execute("SELECT id, channel_id FROM videos"):
            cached.setdefault(channel_id, set()).add(video_id)
    for channel_id in world.channels:
        if channel_id in synced:
            assert cached.get(channel_id, set()) == expected(world, channel_id), channel_id
        else:
            assert channel_id not in cached, f"{channel_id} has videos but is not marked synced"
    return len(synced)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World.from_corpus(channels=80, min_uploads=6)
    with YouTubeEmulator(world, latency=0.05) as youtube:
        env = {**os.environ, **youtube.settings_env(), "MOMENTUM_YOUTUBE_API_KEY": API_KEY,
               "MOMENTUM_YOUTUBE_CONCURRENCY": "2", "MOMENTUM_YOUTUBE_COOLDOWN_MINUTES": "60",
               "PYTHONPATH": str(REPO)}  # fmt: skip
        path = locations.cache_db()
        with Store.open(path) as store:
            follow_world(store, world)
        rng = random.Random(20261122)
        synced_counts = []
        for _ in range(4):
            calls_before = youtube.calls()
            child = subprocess.Popen(
                [sys.executable, "-m", "momentum_tui", "sync", "--json"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            deadline = time.monotonic() + 30
            while youtube.calls() == calls_before and child.poll() is None:
                assert time.monotonic() < deadline, "the sync never reached YouTube"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.5))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            with Store.open(path) as store:
                assert store.integrity_check() == ["ok"]
                synced_counts.append(check_whole_channels(store, world))
        print("synced after each kill:", synced_counts)
        assert synced_counts == sorted(synced_counts)  # progress is never undone
        assert synced_counts[-1] < len(world.channels), "the kills came too late to test anything"

        for name, value in {
            **youtube.settings_env(),
            "MOMENTUM_YOUTUBE_COOLDOWN_MINUTES": "60",
        }.items():
            monkeypatch.setenv(name, value)
        from momentum_tui.config import load_settings

        with Store.open(path) as store:
            summary = SyncEngine(store, load_settings().youtube, api_key=API_KEY).run()
            assert summary.status == "ok"
            # Channels finished before a kill are not fetched again (cooldown), the rest are.
            assert summary.channels_ok == len(world.channels) - synced_counts[-1]
            assert check_whole_channels(store, world) == len(world.channels)
            assert store.integrity_check() == ["ok"]
            with store.read() as conn:
                runs = [r[0] for r in conn.execute("SELECT status FROM sync_runs ORDER BY id")]
        assert runs[-1] == "ok"
        assert set(runs[:-1]) <= {"interrupted", "ok"}
