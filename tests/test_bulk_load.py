"""Bulk loading (storage/bulk.py): same cache as row-by-row writes, all or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from momentum_tui.records import Channel
from momentum_tui.storage import Store
from momentum_tui.storage.bulk import Batch, bulk_load, load_videos
from momentum_tui.storage.videos import upsert_videos
from tests.factories import add, channel_id, make_video


def index_sql(store: Store) -> list[tuple[str, str]]:
    with store.read() as conn:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY name"
        ).fetchall()


def matches(store: Store, query: str) -> int:
    with store.read() as conn:
        sql = "SELECT count(*) FROM videos_fts WHERE videos_fts MATCH ?"
        return int(conn.execute(sql, (query,)).fetchone()[0])


def batches(count: int, size: int, word: str = "zebra") -> Iterator[Batch]:
    for b in range(count):
        cid = channel_id(b + 1)
        channel = Channel(id=cid, title=f"Channel {b + 1}")
        videos = [
            make_video(b * size + i + 1, channel_id=cid, title=f"{word} {b} {i}")
            for i in range(size)
        ]
        yield [channel], videos


def test_a_bulk_load_matches_row_by_row_writes_indexes_and_search_included(store: Store) -> None:
    before = index_sql(store)
    add(store, make_video(0, title="already here giraffe"))
    with store.write() as db:
        result = load_videos(db, batches(3, 40), now=5)
    assert (result.new, result.updated) == (120, 0)
    assert index_sql(store) == before  # every index dropped for the load is back, unchanged
    assert matches(store, "zebra") == 120
    assert matches(store, "giraffe") == 1
    with store.read() as conn:
        assert conn.execute("SELECT deferred FROM fts_control").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM channels").fetchone()[0] == 4
        # The feed's covering index is really used again, not just declared.
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM videos ORDER BY published_at DESC LIMIT 5"
        ).fetchall()
        assert any("videos_feed_newest" in row[-1] for row in plan)
    with store.write() as db:
        db.execute("INSERT INTO videos_fts (videos_fts) VALUES ('integrity-check')")
    assert store.integrity_check() == ["ok"]


def test_changed_videos_in_a_bulk_load_are_reindexed(store: Store) -> None:
    add(store, make_video(1, title="old giraffe"))
    changed = make_video(1, title="new okapi")
    with store.write() as db, bulk_load(db):
        counts = upsert_videos(db, [changed, make_video(2, title="small okapi")])
    assert (counts.new, counts.updated) == (1, 1)
    assert matches(store, "okapi") == 2
    assert matches(store, "giraffe") == 0


def test_a_failed_load_leaves_the_cache_as_it_was(store: Store) -> None:
    add(store, make_video(0, title="keeper"))
    before = index_sql(store)

    def failing() -> Iterator[Batch]:
        yield from batches(1, 30)
        raise ValueError("the export ends halfway")

    with pytest.raises(ValueError, match="halfway"), store.write() as db:
        load_videos(db, failing(), now=5)
    assert index_sql(store) == before
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 1
        assert conn.execute("SELECT deferred FROM fts_control").fetchone()[0] == 0
    assert matches(store, "keeper") == 1
    assert matches(store, "zebra") == 0
    add(store, make_video(99, title="single zebra"))  # the triggers index one by one again
    assert matches(store, "zebra") == 1


def test_bulk_load_needs_a_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError, match=r"inside Store\.write"), bulk_load(store.db):
        pass
    assert index_sql(store)  # nothing was dropped


def test_the_full_text_buffer_is_back_to_its_default_after_a_load(store: Store) -> None:
    with store.write() as db:
        load_videos(db, batches(2, 10), now=5)
    with store.read() as conn:
        try:
            rows = dict(conn.execute("SELECT k, v FROM videos_fts_config").fetchall())
        except sqlite3.OperationalError:  # pragma: no cover - an FTS5 without a config table
            pytest.skip("this SQLite keeps no FTS5 config table")
    assert rows.get("hashsize", 1024 * 1024) == 1024 * 1024
