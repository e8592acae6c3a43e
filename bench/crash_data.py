"""Crash proofs for `momentum backup` and `momentum restore` (kill -9 at random moments).

What "acknowledged" means, and what must hold after every kill:

* backup (`momentum backup FILE` of a ~12,500-video cache): the sentence `Backed up …`.
  The cache is never touched (whole, every row as before). FILE is either absent or a
  complete backup holding exactly the cache — never a cut-short file under its name —
  and after the sentence it is there. A rerun writes the same backup.
* restore (`momentum restore FILE --yes` over a healthy cache): the sentence
  `Restored …`. The cache is whole and is either the cache you had or the backup, never
  a mix; whenever it is the backup, a complete before-restore backup holding the cache
  you had exists (the cache you had is never lost); after the sentence it is the backup.
* restore-swap (the same over a damaged cache, which is renamed aside, not written):
  the cache file is either the damaged one, byte for byte, or the backup; whenever it is
  the backup, the damaged file is kept aside byte for byte.

Each rerun must complete, end where the uninterrupted run ended, and leave no temporary
file behind (a killed run's are swept by the next backup or restore). The temporary
files each kill left are counted (`temp_files_left`): a process killed outright can't
remove its own — what matters is that none replaces a real file and the next run
removes them.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from bench.crash import Check, output_of
from bench.crash_ai import copy_db, finish, integrity, momentum, timed_window
from bench.crash_bulk import INGEST_NOW, MIGRATION_COPIES, _batches

MARKED = 400
"""Videos marked in the cache (the backup a restore puts back has other marks)."""


def build_cache(path: Path, marks_from: int = 0) -> None:
    """~12,500 demo-corpus videos with offline labels, `MARKED` marks, a keyword, a group."""
    from momentum_tui.ai.local import label_store
    from momentum_tui.demo.corpus import iter_corpus, newest_published
    from momentum_tui.models import Mark
    from momentum_tui.recommend.prefs import add_keyword
    from momentum_tui.storage import Store
    from momentum_tui.storage.bulk import load_videos
    from momentum_tui.storage.marks import mark_video

    with Store.open(path) as store:
        with store.write() as db:
            items = iter_corpus(shift=INGEST_NOW - newest_published(), copies=MIGRATION_COPIES)
            load_videos(db, _batches(items), INGEST_NOW)
        label_store(store, now=INGEST_NOW)
        with store.read() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM videos ORDER BY id")]
        kinds = (Mark.WATCHED, Mark.LIKED, Mark.SAVED, Mark.HIDDEN)
        for n, video in enumerate(ids[marks_from : marks_from + MARKED]):
            mark_video(store, video, kinds[n % len(kinds)], now=INGEST_NOW + n)
        with store.write() as db:
            add_keyword(db, f"keyword{marks_from}", 2.0, now=INGEST_NOW)


def digest(db: Path) -> str:
    """Every row of every table (the full-text index's too), as one hash."""
    hashed = hashlib.sha256()
    with closing(sqlite3.connect(db)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in tables:
            hashed.update(table.encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                hashed.update(repr(row).encode())
    return hashed.hexdigest()


def backup_digest(path: Path, scratch: Path) -> str | None:
    """The digest of the cache inside a backup file, or None when it isn't a whole one."""
    from momentum_tui.storage.compression import DamagedStreamError, decompress_into

    unpacked = scratch / f"unpacked-{path.name}.db"
    try:
        with unpacked.open("wb") as out:
            decompress_into(path, "zstd", out)
        if not integrity(unpacked):
            return None
        return digest(unpacked)
    except (DamagedStreamError, OSError, sqlite3.DatabaseError):
        return None
    finally:
        unpacked.unlink(missing_ok=True)


def temp_files(*directories: Path) -> list[Path]:
    """Temporary files Momentum writes before renaming them (`storage/files.py`)."""
    from momentum_tui.storage.files import _STALE

    return [p for d in directories if d.is_dir() for p in d.iterdir() if _STALE.match(p.name)]


def appeared(directory: Path, prefix: str) -> Callable[[], bool]:
    """True once a file whose name starts with `prefix` is in `directory` (work began)."""

    def seen() -> bool:
        return directory.is_dir() and any(p.name.startswith(prefix) for p in directory.iterdir())

    return seen


class Backup:
    """`momentum backup FILE` of a healthy cache."""

    name = "backup"

    def __init__(self) -> None:
        self.window = 0.0
        self.work = Path()
        self.source = ""

    def db(self, home: Path) -> Path:
        """The cache being backed up."""
        return home / "data" / "momentum.db"

    def target(self, home: Path) -> Path:
        """Where the backup goes."""
        return home / "out" / "mine.db.zst"

    def setup(self, work: Path) -> None:
        """The cache, then one uninterrupted backup (the window)."""
        self.work = work
        self.template = work / "cache.db"
        build_cache(self.template)
        self.source = digest(self.template)
        home = work / "reference"
        child, started = self.launch(home)
        self.window = timed_window(child, started)
        assert child.returncode == 0, output_of(home)
        assert backup_digest(self.target(home), work) == self.source

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """The real `momentum backup FILE` on a copy of the cache."""
        copy_db(self.template, self.db(home))
        return (
            momentum(home, {}, "backup", str(self.target(home))),
            appeared(self.target(home).parent, "."),
        )

    def check(self, home: Path, output: str) -> Check:
        """The cache untouched; FILE absent or whole (and there once acknowledged)."""
        db, target = self.db(home), self.target(home)
        result = Check(integrity_ok=integrity(db))
        result.counts["temp_files_left"] = len(temp_files(target.parent))
        if digest(db) != self.source:
            result.lost += 1
            result.notes.append("the backup changed the cache it copied")
        if target.exists() and backup_digest(target, home) != self.source:
            result.integrity_ok = False
            result.notes.append("a backup file that isn't a whole copy of the cache")
        if "Backed up" in output and not target.exists():
            result.lost += 1
            result.notes.append("the backup was said done but its file is missing")
        code, err = finish(home, {}, "backup", str(target))
        result.rerun_ok = code == 0 and not temp_files(target.parent)
        if not result.rerun_ok:
            result.notes.append(f"rerun: exit {code}, {temp_files(target.parent)} {err[-300:]}")
        result.equal = backup_digest(target, home) == self.source
        return result

    def teardown(self) -> None:
        """Nothing to stop."""


class Restore(Backup):
    """`momentum restore FILE --yes` over a healthy cache (written in place)."""

    name = "restore"

    def setup(self, work: Path) -> None:
        """The cache you have, a backup of another one, one uninterrupted restore."""
        from momentum_tui.storage.backup import make_backup

        self.work = work
        self.template = work / "cache.db"
        build_cache(self.template)
        self.source = digest(self.template)
        other = work / "other.db"
        build_cache(other, marks_from=MARKED)
        self.restored = digest(other)
        assert self.restored != self.source
        self.backup = work / "other.db.zst"
        make_backup(other, self.backup)
        home = work / "reference"
        child, started = self.launch(home)
        self.window = timed_window(child, started)
        assert child.returncode == 0, output_of(home)
        assert digest(self.db(home)) == self.restored

    def prepare(self, home: Path) -> None:
        """The cache this restore replaces."""
        copy_db(self.template, self.db(home))

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """The real `momentum restore FILE --yes`."""
        self.prepare(home)
        return (
            momentum(home, {}, "restore", str(self.backup), "--yes"),
            appeared(self.db(home).parent, "."),
        )

    def kept(self, home: Path) -> bool:
        """Whether the cache you had is kept (a whole before-restore backup holds it)."""
        from momentum_tui.storage.backup import backups_dir, list_backups

        return any(
            backup_digest(path, home) == self.source
            for path in list_backups(backups_dir(self.db(home)))
            if "before-restore" in path.name
        )

    def state(self, home: Path) -> str:
        """`old`, `new`, or `mixed`: what the cache is now."""
        now = digest(self.db(home))
        return {self.source: "old", self.restored: "new"}.get(now, "mixed")

    def whole(self, home: Path) -> bool:
        """The cache passes its integrity check."""
        return integrity(self.db(home))

    def check(self, home: Path, output: str) -> Check:
        """Old or new, never mixed; new only with the old one kept; a rerun lands new."""
        db = self.db(home)
        result = Check(integrity_ok=self.whole(home))
        result.counts["temp_files_left"] = len(temp_files(db.parent, db.parent / "backups"))
        state = self.state(home)
        if state == "mixed":
            result.lost += 1
            result.notes.append("the cache is neither the one you had nor the backup")
        if state == "new" and not self.kept(home):
            result.lost += 1
            result.notes.append("the cache you had is gone")
        if "Restored" in output and state != "new":
            result.lost += 1
            result.notes.append("the restore was said done but the cache is not the backup")
        code, err = finish(home, {}, "restore", str(self.backup), "--yes")
        left = temp_files(db.parent, db.parent / "backups")
        result.rerun_ok = code == 0 and not left
        if not result.rerun_ok:
            result.notes.append(f"rerun: exit {code}, left {left}, {err[-300:]}")
        result.equal = self.state(home) == "new" and self.kept(home)
        if not result.equal:
            result.notes.append("after the rerun: not the backup, or the cache you had is gone")
        return result


DAMAGED = b"SQLite format 3\x00" + b"\x13" * 4096 * 8
"""A cache file whose first bytes say SQLite and whose pages are garbage."""


class RestoreSwap(Restore):
    """`momentum restore FILE --yes` over a damaged cache (renamed aside, copy swapped in)."""

    name = "restore-swap"

    def prepare(self, home: Path) -> None:
        """A damaged cache where the cache should be."""
        self.db(home).parent.mkdir(parents=True, exist_ok=True)
        self.db(home).write_bytes(DAMAGED)

    def kept(self, home: Path) -> bool:
        """The damaged file is kept aside, byte for byte."""
        db = self.db(home)
        return any(
            p.read_bytes() == DAMAGED
            for p in db.parent.iterdir()
            if p.name.startswith(f"{db.name}.before-restore-") and p.is_file()
        )

    def state(self, home: Path) -> str:
        """`old` (the damaged bytes), `new` (the backup), or `mixed`."""
        db = self.db(home)
        if db.exists() and db.read_bytes() == DAMAGED:
            return "old"
        try:
            return "new" if integrity(db) and digest(db) == self.restored else "mixed"
        except sqlite3.DatabaseError:
            return "mixed"

    def whole(self, home: Path) -> bool:
        """The damaged file as it was (not ours to mend), or a backup that passes its check."""
        return self.state(home) != "mixed"


WRITERS: dict[str, Callable[[], Any]] = {w.name: w for w in (Backup, Restore, RestoreSwap)}
