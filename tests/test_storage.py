"""The cache: schema, migrations, refusals, corruption handling, full-text index, upserts."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from momentum_tui.errors import CorruptCacheError, SchemaTooNewError
from momentum_tui.storage import Store
from momentum_tui.storage.db import move_aside
from momentum_tui.storage.migrations import known_names
from momentum_tui.storage.videos import upsert_videos
from tests.factories import add, channel_id, make_video


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_cache_has_every_table_and_pragmas(store: Store) -> None:
    tables = set(store.db.table_names())
    for name in (
        "channels",
        "videos",
        "video_state",
        "interactions",
        "video_labels",
        "sync_state",
        "quota_ledger",
        "ai_ledger",
        "rules",
        "keyword_prefs",
        "preferences",
        "videos_fts",
    ):
        assert name in tables
    with store.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert store.schema_version() == len(known_names())
    assert store.integrity_check() == ["ok"]


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Store.open(path).close()
    with Store.open(path) as again:
        assert again.schema_version() == len(known_names())


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store.open(path) as store:
        store.db["_sqlite_migrations"].insert(
            {"migration_set": "momentum", "name": "m999_from_the_future", "applied_at": "x"}
        )
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = digest(path)
    with pytest.raises(SchemaTooNewError, match="newer Momentum"):
        Store.open(path)
    assert digest(path) == before


def test_a_file_that_is_not_sqlite_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not a database at all, just text" * 100)
    with pytest.raises(CorruptCacheError, match="not a SQLite database") as raised:
        Store.open(path)
    assert "Nothing was deleted" in raised.value.hint
    assert path.exists()
    moved = move_aside(path)
    assert not path.exists()
    assert moved.exists()
    assert ".corrupt-" in moved.name
    Store.open(path).close()  # a fresh cache can now be made


def test_a_damaged_sqlite_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store.open(path) as store:
        add(store, *(make_video(i, description="x" * 2000) for i in range(200)))
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # smash the schema page after the header
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptCacheError) as raised:
        Store.open(path)
    assert raised.value.title == f"The cache {path} is damaged (database disk image is malformed)."
    assert "Nothing was deleted" in raised.value.hint and "--move-aside" in raised.value.hint
    assert path.read_bytes() == bytes(data)  # reported, never "repaired" or replaced


def test_full_text_index_follows_inserts_updates_and_deletes(store: Store) -> None:
    add(store, make_video(1, title="Learning Rust the hard way"))

    def hits(word: str) -> list[str]:
        with store.read() as conn:
            rows = conn.execute(
                "SELECT v.id FROM videos v JOIN videos_fts f ON f.rowid = v.rowid "
                "WHERE videos_fts MATCH ?",
                (word,),
            )
            return [r[0] for r in rows]

    assert hits("rust") == ["v0000000001"]
    add(store, make_video(1, title="Learning Go instead"))
    assert hits("rust") == []
    assert hits("go") == ["v0000000001"]
    with store.write() as db:
        db.execute("DELETE FROM videos WHERE id = 'v0000000001'")
    assert hits("go") == []


def test_renaming_a_channel_reaches_search(store: Store) -> None:
    add(store, make_video(1, channel_title="Old Name"))
    with store.write() as db:
        db.execute("UPDATE channels SET title = 'Fresh Banana' WHERE id = ?", (channel_id(0),))
    with store.read() as conn:
        found = conn.execute(
            "SELECT count(*) FROM videos_fts WHERE videos_fts MATCH 'banana'"
        ).fetchone()[0]
        title = conn.execute("SELECT channel_title FROM videos").fetchone()[0]
    assert found == 1
    assert title == "Fresh Banana"


def test_upsert_counts_new_and_changed_and_keeps_first_seen(store: Store) -> None:
    add(store, make_video(1), make_video(2), now=100)
    with store.write() as db:
        result = upsert_videos(
            db, [make_video(1), make_video(2, title="Renamed"), make_video(3)], now=200
        )
    assert (result.new, result.updated) == (1, 1)
    with store.read() as conn:
        seen = dict(conn.execute("SELECT id, first_seen_at FROM videos").fetchall())
    assert seen == {"v0000000001": 100, "v0000000002": 100, "v0000000003": 200}


def test_related_writes_share_one_transaction(store: Store) -> None:
    add(store, make_video(0))
    with pytest.raises(RuntimeError), store.write() as db:  # noqa: PT012 (a crash mid-write)
        upsert_videos(db, [make_video(1)])
        raise RuntimeError("killed halfway")
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 1


def test_a_video_needs_its_channel(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.write() as db:
        upsert_videos(db, [make_video(1, channel_id=channel_id(9))])


def test_readers_see_committed_data_while_writer_is_busy(store: Store) -> None:
    add(store, make_video(1))
    with store.write() as db:
        upsert_videos(db, [make_video(2)])
        with store.read() as conn:  # WAL: the reader sees the last commit
            assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 1
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 2


def test_readers_cannot_write(store: Store) -> None:
    with store.read() as conn, pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM videos")


def test_a_reader_still_lent_out_when_the_store_closes_is_given_back_quietly(
    tmp_path: Path,
) -> None:
    """The app quitting while a worker or the For-you ranker holds a reader: no error at exit."""
    store = Store.open(tmp_path / "cache.db")
    add(store, make_video(1))
    held = store.read()
    conn = held.__enter__()
    assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 1
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):  # closed with the store
        conn.execute("SELECT 1")
    held.__exit__(None, None, None)  # given back after the close: nothing raised
    with store.read() as fresh:  # and the pool never hands out the closed one
        assert fresh is not conn
        assert fresh.execute("SELECT count(*) FROM videos").fetchone()[0] == 1
    store.close()


def test_bulk_writes_are_indexed_like_single_ones(store: Store) -> None:
    from momentum_tui.storage.videos import BULK_INDEX_THRESHOLD

    add(store, make_video(0, title="seed"))
    many = [make_video(i, title=f"bulk {i} zebra") for i in range(1, BULK_INDEX_THRESHOLD + 50)]
    add(store, *many, make_video(0, title="seed renamed giraffe"))
    add(store, make_video(10_000, title="single zebra"))
    with store.read() as conn:
        zebras = conn.execute("SELECT count(*) FROM videos_fts WHERE videos_fts MATCH 'zebra'")
        assert zebras.fetchone()[0] == len(many) + 1
        giraffe = conn.execute("SELECT count(*) FROM videos_fts WHERE videos_fts MATCH 'giraffe'")
        assert giraffe.fetchone()[0] == 1
        assert conn.execute("SELECT deferred FROM fts_control").fetchone()[0] == 0
    with store.write() as db:
        db.execute("INSERT INTO videos_fts (videos_fts) VALUES ('integrity-check')")
    assert store.integrity_check() == ["ok"]
