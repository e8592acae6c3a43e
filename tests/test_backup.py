"""`momentum backup`: consistent while another process writes, compressed, checked, rotated."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from momentum_tui import locations
from momentum_tui.errors import BackupError
from momentum_tui.storage import Store, migrations
from momentum_tui.storage.backup import (
    daily_backup,
    daily_due,
    default_target,
    list_backups,
    make_backup,
    rotate,
)
from momentum_tui.storage.compression import decompress_into, file_format
from momentum_tui.storage.restore import check_backup
from tests.conftest import REPO
from tests.data_support import copy_cache, dump
from tests.factories import add, make_video


@pytest.fixture
def cache(demo_template: Path) -> Path:
    """The person's cache at its usual place, filled with the demo corpus."""
    return copy_cache(demo_template, locations.cache_db())


def unpack(backup: Path, into: Path) -> Path:
    """The SQLite file inside a backup (through restore's own checks)."""
    checked = check_backup(backup, into)
    return checked.copy


def raw(backup: Path, into: Path) -> Path:
    """A backup's SQLite file exactly as it was made (no checks, no upgrade)."""
    with into.open("wb") as out:
        decompress_into(backup, "zstd", out)
    return into


def test_backup_prints_where_and_how_big_and_holds_the_whole_cache(run_cli, cache: Path) -> None:
    result = run_cli("backup")
    assert result.code == 0, result.err
    [made] = list_backups(cache.parent / "backups")
    assert str(made) in result.out
    assert "MB" in result.out
    assert "Integrity checked" in result.out
    assert file_format(made) == "zstd"
    assert made.stat().st_size < cache.stat().st_size / 2  # compressed
    copy = unpack(made, cache.parent / "scratch" / "c.db")
    assert dump(copy) == dump(cache)
    # No temporary file is left behind.
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]


def test_backup_to_a_file_or_a_directory(run_cli, cache: Path, tmp_path: Path) -> None:
    result = run_cli("backup", str(tmp_path / "mine.db.zst"), "--json")
    assert result.code == 0, result.err
    assert (tmp_path / "mine.db.zst").exists()
    assert '"cache_bytes"' in result.out
    folder = tmp_path / "folder"
    folder.mkdir()
    assert run_cli("backup", str(folder)).code == 0
    assert len(list_backups(folder)) == 1


def _gone_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_what_a_killed_backup_or_restore_left_is_cleaned_up_next_time(
    run_cli, cache: Path, isolated_home: Path
) -> None:
    backups = cache.parent / "backups"
    backups.mkdir()
    dead = _gone_pid()
    stale = [
        backups / f".momentum-20261101-120000.db.zst.partial-{dead}",
        backups / f".momentum-20261101-120000.db.zst.copy-{dead}",
        backups / f".momentum-20261101-120000.db.zst.copy-{dead}-journal",
    ]
    unpacking = [cache.parent / f".momentum.db.restore-{dead}",
                 cache.parent / f"..momentum.db.restore-{dead}.partial-{dead}"]  # fmt: skip
    working = backups / f".momentum-20261101-120001.db.zst.partial-{os.getpid()}"  # alive
    for path in (*stale, *unpacking, working):
        path.write_bytes(b"half a file")
    assert run_cli("backup").code == 0
    assert [p for p in stale if p.exists()] == [] and working.exists()
    assert all(p.exists() for p in unpacking)  # the cache's folder is restore's to sweep
    (backup,) = list_backups(backups)
    forgetting = run_cli("forget")  # names them among what it would remove
    assert "2 unfinished temporary files" in forgetting.err
    assert run_cli("restore", str(backup), "--yes").code == 0
    assert [p for p in unpacking if p.exists()] == [] and working.exists()


def test_no_cache_and_an_unwritable_target_are_one_sentence(run_cli, tmp_path: Path) -> None:
    result = run_cli("backup")
    assert result.code == 1
    assert "There is no cache" in result.err
    assert "Traceback" not in result.err


def test_a_damaged_cache_is_not_backed_up_as_if_it_were_fine(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store.open(path) as store:
        add(store, *(make_video(i, description="x" * 3000) for i in range(300)))
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8192] = b"\x07" * 8192  # smash pages mid-file
    path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"could not be copied|integrity check"):
        make_backup(path, tmp_path / "b.db.zst")
    assert not (tmp_path / "b.db.zst").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


WRITER = """
import sys, time
from pathlib import Path
from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.marks import mark_video
store = Store.open(Path(sys.argv[1]))
stop = Path(sys.argv[2])
n = 0
while not stop.exists():
    n += 1
    mark_video(store, sys.argv[3], Mark.WATCHED if n % 2 else Mark.UNWATCHED, now=n)
print(n)
"""


def test_a_backup_taken_while_another_process_writes_is_one_consistent_moment(
    cache: Path, tmp_path: Path
) -> None:
    with closing(sqlite3.connect(cache)) as conn:
        video = conn.execute("SELECT id FROM videos LIMIT 1").fetchone()[0]
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(cache), str(stop), video],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        seen: list[int] = []
        for i in range(3):
            while _interactions(cache) <= (seen[-1] if seen else 0):
                time.sleep(0.01)  # wait for the writer to move on
            copy = unpack(make_backup(cache, tmp_path / f"b{i}.db.zst").path, tmp_path / f"{i}.db")
            with closing(sqlite3.connect(copy)) as conn:
                count, last_at, last_mark = conn.execute(
                    "SELECT count(*), max(at), (SELECT mark FROM interactions ORDER BY id DESC "
                    "LIMIT 1) FROM interactions"
                ).fetchone()
                watched_at, updated_at = conn.execute(
                    "SELECT watched_at, updated_at FROM video_state WHERE video_id = ?", (video,)
                ).fetchone()
            # The state and its history are from the same commit: never one without the other.
            assert count == last_at
            assert updated_at == last_at
            assert (watched_at is not None) == (last_mark == "watched")
            seen.append(count)
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=30)
    assert writer.returncode == 0
    assert seen == sorted(seen) and seen[0] > 0
    assert int(out) >= seen[-1]  # the writer was never blocked for the whole backup


def _interactions(path: Path) -> int:
    with closing(sqlite3.connect(path, timeout=10)) as conn:
        return int(conn.execute("SELECT count(*) FROM interactions").fetchone()[0])


def test_automatic_backups_keep_the_newest_and_never_a_persons_own(tmp_path: Path) -> None:
    cache = tmp_path / "momentum.db"
    Store.open(cache).close()
    day = 86400
    start = time.mktime((2026, 11, 1, 12, 0, 0, 0, 0, -1))
    mine = make_backup(cache, default_target(cache, now=start - day)).path
    for n in range(5):
        assert daily_backup(cache, keep=3, now=start + n * day) is not None
    assert daily_backup(cache, keep=3, now=start + 4 * day + 3600) is None  # once a day
    names = [p.name for p in list_backups(cache.parent / "backups")]
    assert mine.name in names
    assert [n for n in names if "daily" in n] == [
        "momentum-20261103-120000-daily.db.zst",
        "momentum-20261104-120000-daily.db.zst",
        "momentum-20261105-120000-daily.db.zst",
    ]
    assert rotate(cache.parent / "backups", keep=1)
    assert daily_backup(cache, keep=0, now=start + 9 * day) is None  # 0: off
    assert daily_due(cache, now=start + 9 * day)


def test_an_upgrade_backs_the_old_cache_up_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "momentum.db"
    every_step = list(migrations._STEPS)
    monkeypatch.setattr(migrations, "_STEPS", every_step[:-1])  # an older Momentum
    with Store.open(cache) as old:
        add(old, make_video(1, title="Made by an older Momentum"))
    before = dump(cache)
    monkeypatch.setattr(migrations, "_STEPS", every_step)
    Store.open(cache, backups=3).close()
    [made] = list_backups(tmp_path / "backups")
    assert made.name.endswith(f"-before-{every_step[-1][0]}.db.zst")
    old_copy = raw(made, tmp_path / "old.db")
    with closing(sqlite3.connect(old_copy)) as conn:
        assert migrations.applied_names(conn) == [name for name, _ in every_step[:-1]]
    assert dump(old_copy) == before
    assert dump(cache) != before  # upgraded
    # A new, empty cache has nothing to back up.
    Store.open(tmp_path / "fresh" / "momentum.db", backups=3).close()
    assert not (tmp_path / "fresh" / "backups").exists()


def test_the_upgrade_waits_when_its_backup_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "momentum.db"
    every_step = list(migrations._STEPS)
    monkeypatch.setattr(migrations, "_STEPS", every_step[:-1])
    Store.open(cache).close()
    before = dump(cache)
    monkeypatch.setattr(migrations, "_STEPS", every_step)
    (tmp_path / "backups").write_text("a file where the folder should be")
    with pytest.raises(BackupError, match="needs to upgrade the cache and could not back it up"):
        Store.open(cache, backups=3)
    assert dump(cache) == before  # not upgraded without its backup


def test_the_backup_command_in_a_real_process(cache: Path, isolated_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "momentum_tui", "backup", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"path"' in done.stdout


async def test_the_app_makes_one_backup_a_day_after_the_feed_is_up(tmp_path: Path) -> None:
    from momentum_tui.app import MomentumApp
    from momentum_tui.config import BackupSettings, Settings
    from tests.app_support import settle

    cache = tmp_path / "momentum.db"
    with Store.open(cache) as setup:
        add(setup, *(make_video(n) for n in range(1, 6)))
    settings = Settings(backup=BackupSettings(keep=2))
    for _ in range(2):  # opened twice the same day
        with Store.open(cache) as store:
            app = MomentumApp(store, settings)
            app.DAILY_BACKUP_DELAY_S = 0.05
            async with app.run_test(size=(120, 30)) as pilot:
                await settle(pilot)
                for _ in range(400):
                    await pilot.pause(0.05)
                    if list_backups(tmp_path / "backups") and not app.workers._workers:
                        break
    [made] = list_backups(tmp_path / "backups")
    assert made.name.endswith("-daily.db.zst")
    with closing(sqlite3.connect(unpack(made, tmp_path / "scratch" / "x.db"))) as conn:
        assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 5


async def test_the_demo_and_keep_0_make_no_backup(tmp_path: Path) -> None:
    from momentum_tui.app import MomentumApp
    from momentum_tui.config import BackupSettings, Settings
    from tests.app_support import settle

    cache = tmp_path / "momentum.db"
    with Store.open(cache) as setup:
        add(setup, *(make_video(n) for n in range(1, 6)))
    for demo, keep in ((True, 7), (False, 0)):
        with Store.open(cache) as store:
            app = MomentumApp(store, Settings(backup=BackupSettings(keep=keep)), demo=demo)
            app.DAILY_BACKUP_DELAY_S = 0.0
            async with app.run_test(size=(120, 30)) as pilot:
                await settle(pilot)
                await pilot.pause(0.2)
                await settle(pilot)
    assert not (tmp_path / "backups").exists()
