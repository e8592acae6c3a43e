"""Fixtures and helpers for the Claude tests: the emulator, settings pointed at it, seeding."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from momentum_tui import secrets
from momentum_tui.ai.claude import Classifier
from momentum_tui.ai.transport import make_client
from momentum_tui.config import ClaudeSettings
from momentum_tui.demo.corpus import iter_corpus
from momentum_tui.records import Channel, Video
from momentum_tui.storage import Store
from momentum_tui.storage.videos import upsert_channels, upsert_videos
from tests.emulators.claude import TEST_KEY, ClaudeEmulator


def running_claude() -> Iterator[ClaudeEmulator]:
    """A running Claude emulator, with its test key stored in the (test) keyring.

    Test modules wrap it in their own `claude` fixture (`yield from running_claude()`).
    """
    emulator = ClaudeEmulator().start()
    secrets.set_secret("anthropic", TEST_KEY)
    try:
        yield emulator
    finally:
        emulator.stop()


def settings_for(emulator: ClaudeEmulator, **overrides: Any) -> ClaudeSettings:
    """Claude settings pointed at `emulator`, with generous budgets unless overridden."""
    values: dict[str, Any] = {
        "base_url": emulator.base_url,
        "daily_budget_usd": 100.0,
        "monthly_budget_usd": 1000.0,
        "concurrency": 1,
    }
    values.update(overrides)
    return ClaudeSettings(**values)


class Sleeps(list[float]):
    """A stand-in for `time.sleep` that records what it was asked to wait (and never waits)."""

    def __call__(self, seconds: float) -> None:
        self.append(round(seconds, 3))


def classifier(store: Store, emulator: ClaudeEmulator, sleeps: Sleeps | None = None,
               **overrides: Any) -> Classifier:  # fmt: skip
    """A `Classifier` on `store` talking to `emulator` through the real SDK."""
    settings = settings_for(emulator, **overrides)
    return Classifier(
        store, settings, make_client(settings), sleep=sleeps if sleeps is not None else Sleeps()
    )


@cache
def corpus_videos() -> tuple[Video, ...]:
    """The real trending corpus as `Video`s."""
    return tuple(item.video for item in iter_corpus())


def seed(store: Store, videos: list[Video] | tuple[Video, ...]) -> list[Video]:
    """Put `videos` (and their channels, followed) into `store`."""
    channels = {v.channel_id: Channel(id=v.channel_id, title=v.channel_title) for v in videos}
    with store.write() as db:
        upsert_channels(db, channels.values(), source="test", now=1)
        upsert_videos(db, videos, now=1)
    return list(videos)


def labels_by_video(store: Store) -> dict[str, tuple[str, ...]]:
    """video id → (source, topic, content_hash) of every stored label."""
    with store.read() as conn:
        rows = conn.execute("SELECT video_id, source, topic, content_hash FROM video_labels")
        return {row[0]: tuple(row[1:]) for row in rows}


def ledger_rows(store: Store) -> list[dict[str, Any]]:
    """Every AI ledger row as a dict."""
    with store.read() as conn:
        cursor = conn.execute("SELECT * FROM ai_ledger ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


def videos_in_request(body: dict[str, Any]) -> int:
    """How many video lines a `/v1/messages` body carried."""
    text = body["messages"][0]["content"]
    block = text.split("\n<videos>\n", 1)[1].split("\n</videos>", 1)[0]
    return len(block.splitlines())
