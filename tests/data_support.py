"""A cache with one of everything a person makes, and helpers to compare caches."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from momentum_tui import locations
from momentum_tui.ai import ledger
from momentum_tui.ai.queries import remember
from momentum_tui.models import Mark
from momentum_tui.recommend.prefs import add_keyword
from momentum_tui.records import VideoLabels
from momentum_tui.rules.spec import RuleSpec
from momentum_tui.rules.store import add_rule, update_rule
from momentum_tui.storage import Store
from momentum_tui.storage.channels import tag_channel
from momentum_tui.storage.marks import mark_video, undo_last
from tests.conftest import DEMO_NOW


def copy_cache(source: Path, target: Path) -> Path:
    """A private copy of a cache (SQLite's online backup API)."""
    locations.ensure_dir(target.parent)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


QUEUED_ELSEWHERE = "queuedElse1"
"""A queued video this cache hasn't synced (preference sync brings such entries)."""
ANNOUNCED_ELSEWHERE = "announcedEl"
"""An announced video this cache hasn't synced."""


def enrich(store: Store, now: int = DEMO_NOW) -> None:
    """Add marks with history (and undos), groups, keywords, rules, ledgers, a watch-later
    queue, playback positions and announcements to a cache."""
    with store.read() as conn:
        videos = [row[0] for row in conn.execute("SELECT id FROM videos ORDER BY id LIMIT 12")]
        channels = [
            row[0] for row in conn.execute("SELECT DISTINCT channel_id FROM videos ORDER BY 1")
        ]
    marks = [Mark.WATCHED, Mark.LIKED, Mark.SAVED, Mark.HIDDEN, Mark.DISLIKED, Mark.WATCHED]
    for i, (video, mark) in enumerate(zip(videos, marks, strict=False)):
        mark_video(store, video, mark, now=now - 5000 + i * 60)
    mark_video(store, videos[0], Mark.UNWATCHED, now=now - 4000)
    mark_video(store, videos[7], Mark.LIKED, now=now - 3900)
    undo_last(store, now=now - 3800)  # the like on videos[7] is undone
    mark_video(store, videos[8], Mark.SAVED, now=now - 3700)
    mark_video(store, videos[8], Mark.SAVED, now=now - 3700)  # the same second, twice
    tag_channel(store, channels[0], ["cooking", "weekend"])
    tag_channel(store, channels[1], ["tech"])
    with store.write() as db:
        add_keyword(db, "rust", 2.5, now=now - 100)
        add_keyword(db, "c++", -1.0, now=now - 90)
        add_rule(db, RuleSpec.model_validate({"action": "hide", "shorts": True}), text="no shorts",
                 now=now - 80)  # fmt: skip
        second = add_rule(
            db,
            RuleSpec.model_validate({"action": "boost", "title_words": ["rust"], "weight": 2}),
            source="claude",
            now=now - 70,
        )
        update_rule(db, second, enabled=False)
        db.conn.executemany(
            "INSERT INTO quota_ledger (at, day, method, units, status) VALUES (?, ?, ?, ?, ?)",
            [
                (now - 60, "2026-11-18", "channels.list", 1, None),
                (now - 60, "2026-11-18", "channels.list", 1, None),  # two calls, one second
                (now - 50, "2026-11-18", "playlistItems.list", 1, 500),
            ],
        )
        ledger.record(
            db, model="claude-haiku-5-5", kind="standard", videos=25,
            usage=ledger.Usage(input_tokens=1200, output_tokens=900, cache_read_tokens=300),
            usd=0.0057, request_id="req_1", now=now - 40,
        )  # fmt: skip
        label = VideoLabels.model_validate(
            {
                "topic": "tech", "mood": "calm", "format": "tutorial", "tags": ["rust"],
                "clickbait": 0.1, "plain_title": "Rust in 10 minutes", "summary": "A tour.",
                "source": "claude", "model": "claude-haiku-5-5", "content_hash": "abc123",
            }
        )  # fmt: skip
        remember(db, [label], "claude-haiku-5-5", now - 30)
    watch(store, videos, channels, now)


def watch(store: Store, videos: list[str], channels: list[str], now: int) -> None:
    """The queue (reordered, one entry not cached), positions, a notifying channel."""
    from momentum_tui.notify.queries import record_announced, set_channel_notify
    from momentum_tui.storage import playback, queue

    for video in videos[9:12]:
        queue.add(store, video, now=now - 20)
    queue.move(store, videos[11], 0)  # its position now sorts before the first one's
    with store.write() as db:
        db.conn.execute(
            "INSERT INTO queue (video_id, position, added_at) VALUES (?, 'a5', ?)",
            (QUEUED_ELSEWHERE, now - 19),
        )
    playback.save_position(store, videos[9], 754.4, 1800.5, now=now - 15)
    playback.save_position(store, videos[2], 61.0, None, now=now - 14)
    assert set_channel_notify(store, channels[0], True, now - 12)
    record_announced(store, [videos[10], ANNOUNCED_ELSEWHERE], now - 10)


def dump(path: Path) -> list[str]:
    """Every row of every table, as SQL (`iterdump`), for before/after comparisons."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())
