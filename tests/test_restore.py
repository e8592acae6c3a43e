"""`momentum restore`: refusals in one sentence, the old cache kept, an open app following."""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from momentum_tui import locations
from momentum_tui.config import Settings, UISettings
from momentum_tui.models import Mark
from momentum_tui.storage import Store, migrations
from momentum_tui.storage.backup import list_backups, make_backup
from momentum_tui.storage.marks import mark_video
from momentum_tui.storage.restore import check_backup, restore
from tests.app_support import make_app, settle
from tests.conftest import REPO
from tests.data_support import copy_cache, dump
from tests.factories import add, make_video
from tests.terminal import Terminal, home_env
from tests.test_outside_changes import shown_ids, wait_for


@pytest.fixture
def cache(demo_template: Path) -> Path:
    """The person's cache at its usual place, filled with the demo corpus."""
    return copy_cache(demo_template, locations.cache_db())


def first_video(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT id FROM videos ORDER BY id LIMIT 1").fetchone()[0])


def leftovers(directory: Path) -> list[str]:
    """Temporary files a failed or finished restore must not leave behind."""
    return [p.name for p in directory.iterdir() if p.name.startswith(".")]


def test_restore_puts_the_backup_back_and_keeps_what_was_there(
    run_cli, cache: Path, tmp_path: Path
) -> None:
    saved = make_backup(cache, tmp_path / "saved.db.zst").path
    at_backup = dump(cache)
    with Store.open(cache) as store:  # life goes on after the backup
        mark_video(store, first_video(cache), Mark.LIKED, now=1)
    after_backup = dump(cache)
    result = run_cli("restore", str(saved), "--yes")
    assert result.code == 0, result.err
    assert "Restored" in result.out
    assert dump(cache) == at_backup
    [kept] = [p for p in list_backups(cache.parent / "backups") if "before-restore" in p.name]
    assert str(kept) in result.out
    # What was there is in the kept copy, and restoring that goes back.
    assert run_cli("restore", str(kept), "--yes").code == 0
    assert dump(cache) == after_backup
    assert leftovers(cache.parent) == []


def test_an_older_backup_is_upgraded_on_the_way_in(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_step = list(migrations._STEPS)
    monkeypatch.setattr(migrations, "_STEPS", every_step[:-1])
    old = tmp_path / "old.db"
    with Store.open(old) as store:
        add(store, make_video(7, title="From an older Momentum"))
    monkeypatch.setattr(migrations, "_STEPS", every_step)
    gzip_copy = tmp_path / "old.db.gz"  # compressed by hand: recognised by its bytes
    gzip_copy.write_bytes(gzip.compress(old.read_bytes()))
    result = run_cli("restore", str(gzip_copy), "--yes")
    assert result.code == 0, result.err
    assert "upgraded" in result.out
    with Store.open(locations.cache_db()) as store, store.read() as conn:
        assert migrations.applied_names(conn) == migrations.known_names()
        assert conn.execute("SELECT title FROM videos").fetchone()[0] == "From an older Momentum"


def _not_sqlite(path: Path) -> Path:
    path.write_text("just some notes\n" * 50)
    return path


def _foreign_sqlite(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE bookmarks (url TEXT)")
        conn.commit()
    return path


def _cut_short(path: Path, backup: Path) -> Path:
    path.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return path


def _damaged_pages(path: Path, source: Path) -> Path:
    data = bytearray(source.read_bytes())
    data[4096 * 40 : 4096 * 44] = b"\x00garbage" * 2048
    path.write_bytes(bytes(data))
    return path


def _newer(path: Path, source: Path) -> Path:
    copy_cache(source, path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('momentum', 'm999_from_the_future', 'x')"
        )
        conn.commit()
    return path


@pytest.mark.parametrize(
    ("make", "sentence"),
    [
        ("not_sqlite", "is not a Momentum backup (neither a SQLite database"),
        ("foreign", "is a SQLite database but not a Momentum backup"),
        ("cut_short", "is damaged (its compressed data is cut short or corrupt)"),
        ("damaged_pages", "is damaged ("),
        ("newer", "comes from a newer Momentum"),
        ("missing", "There is no file"),
        ("directory", "is a directory, not a backup file"),
    ],
)
def test_unusable_files_are_refused_in_one_sentence_and_change_nothing(
    run_cli, cache: Path, tmp_path: Path, demo_template: Path, make: str, sentence: str
) -> None:
    backup = make_backup(cache, tmp_path / "good.db.zst").path
    given = {
        "not_sqlite": lambda: _not_sqlite(tmp_path / "notes.db.zst"),
        "foreign": lambda: _foreign_sqlite(tmp_path / "bookmarks.db"),
        "cut_short": lambda: _cut_short(tmp_path / "half.db.zst", backup),
        "damaged_pages": lambda: _damaged_pages(tmp_path / "bad.db", demo_template),
        "newer": lambda: _newer(tmp_path / "newer.db", demo_template),
        "missing": lambda: tmp_path / "nowhere.db.zst",
        "directory": lambda: tmp_path,
    }[make]()
    before = dump(cache)
    result = run_cli("restore", str(given), "--yes")
    assert result.code == 1
    assert sentence in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert "Traceback" not in result.err
    assert dump(cache) == before
    assert leftovers(cache.parent) == []
    assert not (cache.parent / "backups").exists()


def test_without_a_terminal_or_yes_nothing_is_restored(
    run_cli, cache: Path, tmp_path: Path
) -> None:
    backup = make_backup(cache, tmp_path / "b.db.zst").path
    with Store.open(cache) as store:
        mark_video(store, first_video(cache), Mark.SAVED, now=1)
    before = dump(cache)
    result = run_cli("restore", str(backup))
    assert result.code == 1
    assert "nothing was changed" in result.err
    assert "--yes" in result.err
    assert dump(cache) == before


def test_the_prompt_on_a_terminal_both_answers(cache: Path, tmp_path: Path) -> None:
    backup = make_backup(cache, tmp_path / "b.db.zst").path
    with Store.open(cache) as store:
        mark_video(store, first_video(cache), Mark.SAVED, now=1)
    changed = dump(cache)
    env = home_env(locations.home_override() or tmp_path)
    no = Terminal("restore", str(backup), env=env)
    no.expect("Restore it? [y/N]")
    no.send("n\r")
    assert no.wait() == 1
    assert "Nothing was changed." in no.text()
    assert dump(cache) == changed
    yes = Terminal("restore", str(backup), env=env)
    assert "3,136 videos" in yes.expect("Restore it? [y/N]")
    yes.send("y\r")
    assert yes.wait() == 0
    assert "The cache you had is kept at" in yes.text()
    assert dump(cache) != changed


def test_a_damaged_cache_is_moved_aside_whole_and_replaced(
    run_cli, cache: Path, tmp_path: Path
) -> None:
    backup = make_backup(cache, tmp_path / "b.db.zst").path
    good = dump(cache)
    damaged = b"SQLite format 3\x00" + b"\x13" * 40_000
    cache.write_bytes(damaged)
    wal = cache.with_name(cache.name + "-wal")
    wal.write_bytes(b"an old WAL that must never meet the new file")
    result = run_cli("restore", str(backup), "--yes")
    assert result.code == 0, result.err
    [aside] = cache.parent.glob("momentum.db.before-restore-*[0-9]")
    assert aside.read_bytes() == damaged
    assert aside.with_name(aside.name + "-wal").exists()
    assert not wal.exists() or wal.read_bytes() != b"an old WAL that must never meet the new file"
    assert str(aside) in result.out
    assert dump(cache) == good


WRITER = """
import sys
from pathlib import Path
from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.marks import mark_video
store = Store.open(Path(sys.argv[1]))
stop = Path(sys.argv[2])
n = 0
while not stop.exists():
    n += 1
    mark_video(store, sys.argv[3], Mark.SAVED if n % 2 else Mark.UNSAVED, now=n)
"""


def test_a_restore_while_another_process_writes_lands_whole(cache: Path, tmp_path: Path) -> None:
    backup = make_backup(cache, tmp_path / "b.db.zst").path
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(cache), str(stop), first_video(cache)], cwd=REPO
    )
    try:
        deadline = time.monotonic() + 30
        while _count(cache, "interactions") < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        result = restore(check_backup(backup, cache), cache)
    finally:
        stop.touch()
        writer.wait(timeout=30)
    assert writer.returncode == 0  # the writer waited its turn, never failed
    assert result.in_place and result.kept is not None
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The restored cache had no marks: what is there now came after it, whole.
        rows = conn.execute("SELECT count(*), coalesce(min(at), 0) FROM interactions").fetchone()
        last_mark = conn.execute(
            "SELECT mark FROM interactions ORDER BY id DESC LIMIT 1"
        ).fetchone()
        saved = conn.execute("SELECT saved_at FROM video_state WHERE video_id = ?",
                             (first_video(cache),)).fetchone()  # fmt: skip
    if rows[0]:
        assert (saved[0] is not None) == (last_mark[0] == "saved")
    kept = check_backup(result.kept, tmp_path / "scratch" / "k.db")
    assert kept.counts["marked"] >= 1  # the writer's work before the restore is kept
    kept.discard()


def _count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path, timeout=10)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_an_open_app_shows_the_restored_cache(tmp_path: Path) -> None:
    path = tmp_path / "momentum.db"
    with Store.open(path) as setup:
        add(setup, *(make_video(n, title=f"Video {n}") for n in range(1, 6)))
    backup = make_backup(path, tmp_path / "b.db.zst").path
    store = Store.open(path)
    add(store, make_video(99, title="Added after the backup", published_at=1_800_000_000))
    app = make_app(store, Settings(ui=UISettings(watch_seconds=0.1)), start_view="subscriptions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert shown_ids(app)[0] == make_video(99).id
        restore(check_backup(backup, path), path)  # `momentum restore` in another terminal
        assert await wait_for(pilot, lambda: make_video(99).id not in shown_ids(app))
        await settle(pilot)
        assert len(shown_ids(app)) == 5
        await pilot.press("w")  # and the app writes to the restored cache
        await settle(pilot)
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM video_state").fetchone()[0] == 1


async def test_an_open_app_follows_a_file_renamed_over_its_cache(tmp_path: Path) -> None:
    path = tmp_path / "momentum.db"
    with Store.open(path) as setup:
        add(setup, *(make_video(n, title=f"Old {n}") for n in range(1, 4)))
    other = tmp_path / "other.db"
    with Store.open(other) as setup:
        add(setup, *(make_video(n, title=f"New {n}") for n in range(50, 58)))
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    store = Store.open(path)
    app = make_app(store, Settings(ui=UISettings(watch_seconds=0.1)), start_view="subscriptions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(shown_ids(app)) == 3
        for suffix in ("-wal", "-shm"):  # what restore does to a damaged cache
            os.replace(f"{path}{suffix}", f"{path}.aside{suffix}")
        os.replace(other, path)
        assert await wait_for(pilot, lambda: len(shown_ids(app)) == 8)
        await settle(pilot)
        assert shown_ids(app)[0] == make_video(57).id
        highlighted = app.screen.table.current_row  # the shown tab's (each tab has one)
        assert highlighted is not None and highlighted.id.startswith("v000000005")
        await pilot.press("w")  # writes reach the new file, not the old one
        await settle(pilot)
        assert store.generation == 1
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT video_id FROM video_state").fetchall() == [(highlighted.id,)]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
