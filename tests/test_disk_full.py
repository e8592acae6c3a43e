"""A full disk during sync, classify, backup and import: one sentence, nothing half-written."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from momentum_tui import locations
from momentum_tui.storage import Store, db
from tests.data_support import dump
from tests.emulators.youtube import follow_world

pytest_plugins = ("tests.emulators.youtube_fixtures",)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Every cache connection may grow the file by `room` pages, no more (a nearly full disk)."""
    limit = {"room": -1}  # -1: not full yet
    real = db._connect

    def connect(path: Path, cache_kib: int) -> sqlite3.Connection:
        conn = real(path, cache_kib)
        if limit["room"] >= 0:
            pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
            conn.execute(f"PRAGMA max_page_count = {max(pages, 1) + limit['room']}")
        return conn

    monkeypatch.setattr(db, "_connect", connect)
    return limit


def _people_data(cache: Path) -> list[str]:
    """Everything but the bookkeeping of runs and calls (which must go on being written)."""
    return [line for line in dump(cache) if not line.startswith(
        ('INSERT INTO "sync_runs"', 'INSERT INTO "quota_ledger"', 'INSERT INTO "ai_ledger"')
    )]  # fmt: skip


def _integrity(cache: Path) -> str:
    with closing(sqlite3.connect(cache)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_sync_on_a_full_disk(run_cli, youtube, full_disk) -> None:
    cache = locations.cache_db()
    with Store.open(cache) as store:
        ids = follow_world(store, youtube.world)
    before = _people_data(cache)
    full_disk["room"] = 0
    result = run_cli("sync")
    assert result.code == 1
    assert "momentum: The disk is full, so the sync did not finish;" in result.err
    assert "Free some space" in result.err
    assert _people_data(cache) == before  # the channel being written left nothing behind
    assert _integrity(cache) == "ok"
    with closing(sqlite3.connect(cache)) as conn:
        recorded = conn.execute("SELECT coalesce(sum(units), 0) FROM quota_ledger").fetchone()[0]
        status = conn.execute("SELECT status FROM sync_runs ORDER BY id DESC").fetchone()
    assert recorded == sum(youtube.units.values())  # every call made is in the ledger
    assert status[0] in ("failed", "running")
    full_disk["room"] = -1  # space freed
    again = run_cli("sync", "--json")
    assert again.code == 0, again.err
    with closing(sqlite3.connect(cache)) as conn:
        synced = conn.execute("SELECT count(DISTINCT channel_id) FROM videos").fetchone()[0]
    assert synced == len(ids)


@pytest.fixture
def claude(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from tests.support.claude import running_claude

    for emulator in running_claude():
        monkeypatch.setenv("MOMENTUM_CLAUDE_BASE_URL", emulator.base_url)
        monkeypatch.setenv("MOMENTUM_CLAUDE_DAILY_BUDGET_USD", "100")
        yield emulator


def test_classify_on_a_full_disk_keeps_what_claude_was_paid(run_cli, claude, full_disk) -> None:
    from tests.support.claude import corpus_videos, seed

    cache = locations.cache_db()
    with Store.open(cache) as store:
        seed(store, corpus_videos()[:60])
    assert run_cli("classify", "--local").code == 0
    before = _people_data(cache)
    full_disk["room"] = 0
    result = run_cli("classify", "--limit", "50")
    assert result.code == 1
    assert "The disk is full, so the labels Claude made for" in result.err
    assert "Free some space" in result.err
    assert "Traceback" not in result.err
    assert _people_data(cache) == before  # no half-written labels
    assert _integrity(cache) == "ok"
    sent = len(claude.messages_received())
    assert sent >= 1
    with closing(sqlite3.connect(cache)) as conn:
        recorded = conn.execute("SELECT count(*) FROM ai_ledger").fetchone()[0]
    if "is in the ledger" in result.err:
        assert recorded == sent  # every paid request is counted
    else:
        assert "could not be added to the ledger" in result.err  # and says what it cost
    full_disk["room"] = -1
    assert run_cli("classify", "--limit", "50").code == 0
    with closing(sqlite3.connect(cache)) as conn:
        claude_labels = conn.execute(
            "SELECT count(*) FROM video_labels WHERE source = 'claude'"
        ).fetchone()[0]
    assert claude_labels == 50


def test_import_on_a_full_disk_imports_nothing(
    run_cli, full_disk, demo_template: Path, tmp_path: Path
) -> None:
    from tests.data_support import copy_cache, enrich

    source = copy_cache(demo_template, tmp_path / "other" / "momentum.db")
    with Store.open(source) as store:
        enrich(store)
    from momentum_tui.storage.export import write_json

    with Store.open(source) as store, store.read() as conn, (tmp_path / "x.json").open("w") as out:
        write_json(conn, {}, 1_800_000_000, out)
    cache = locations.cache_db()
    Store.open(cache).close()
    before = dump(cache)
    full_disk["room"] = 2
    result = run_cli("import-data", str(tmp_path / "x.json"))
    assert result.code == 1
    assert "The disk is full" in result.err
    assert dump(cache) == before  # one transaction: nothing of it
    assert _integrity(cache) == "ok"
    full_disk["room"] = -1
    assert run_cli("import-data", str(tmp_path / "x.json")).code == 0


class _SmallDisk:
    """A file that takes `room` bytes and then fails like a full disk (ENOSPC)."""

    def __init__(self, handle, room: int) -> None:  # type: ignore[no-untyped-def]
        self._handle, self._room = handle, room

    def write(self, data: bytes) -> int:
        import errno
        import os

        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return int(self._handle.write(data))

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._handle, name)


def test_backup_on_a_full_disk(
    run_cli, demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    from momentum_tui.storage import backup, files
    from tests.data_support import copy_cache

    cache = copy_cache(demo_template, locations.cache_db())
    target = tmp_path / "nightly.db.zst"
    assert run_cli("backup", str(target)).code == 0
    yesterday = target.read_bytes()
    before = dump(cache)
    real = files.atomic_output

    @contextmanager
    def small(path: Path):  # type: ignore[no-untyped-def]
        with real(path) as handle:
            yield _SmallDisk(handle, 100_000)

    monkeypatch.setattr(backup, "atomic_output", small)  # the compressed copy doesn't fit
    result = run_cli("backup", str(target))
    assert result.code == 1
    assert (
        "The disk is full, so the backup did not finish; your cache was not touched." in result.err
    )
    assert target.read_bytes() == yesterday  # the last good backup is still there, whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert dump(cache) == before
    monkeypatch.setattr(backup, "atomic_output", real)

    real_connect = sqlite3.connect

    def copy_on_a_full_disk(database, *args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real_connect(database, *args, **kwargs)
        if str(database).endswith(f".copy-{__import__('os').getpid()}"):
            conn.execute("PRAGMA max_page_count = 50")  # the uncompressed copy doesn't fit
        return conn

    monkeypatch.setattr(backup.sqlite3, "connect", copy_on_a_full_disk)
    result = run_cli("backup", str(target))
    assert result.code == 1
    assert "The disk is full, so the backup did not finish" in result.err
    assert target.read_bytes() == yesterday
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
