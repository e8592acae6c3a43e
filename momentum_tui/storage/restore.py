"""Restoring a backup: check the file first, keep the cache you had, swap atomically.

A file is refused — in one sentence, with nothing changed — when it is not a Momentum
backup, is damaged (a cut-short or corrupt compressed stream, a failed integrity
check), or was written by a newer Momentum. An older backup is upgraded on its copy
before it goes in.

How it goes in depends on the cache it replaces:

- A healthy cache is first copied aside (a `before-restore` backup, never deleted), then
  overwritten in place through SQLite's backup API. That is one write transaction on
  the cache, so it lands whole or not at all, and an open app or a running sync sees it
  as one more commit (the app reloads, as after any outside change).
- A damaged (or missing) cache can't take part in a transaction: it is renamed aside
  with its WAL files (`momentum.db.before-restore-<time>`), and the checked copy is
  renamed over it (temp file, fsync, rename). An open app notices the file changed
  identity and reopens it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

from momentum_tui import locations
from momentum_tui.errors import BackupError, SchemaTooNewError
from momentum_tui.storage import migrations
from momentum_tui.storage.backup import (
    BEFORE_RESTORE,
    default_target,
    make_backup,
    open_read_only,
)
from momentum_tui.storage.cache_errors import is_damage
from momentum_tui.storage.compression import (
    DamagedStreamError,
    decompress_into,
    file_format,
    sniff,
)
from momentum_tui.storage.files import (
    atomic_output,
    disk_full,
    fsync_dir,
    is_disk_full,
    replace_file,
    sweep_stale,
)

_BUSY_TIMEOUT_S = 30.0
_COUNTED = {
    "channels": "SELECT count(*) FROM channels WHERE followed = 1",
    "videos": "SELECT count(*) FROM videos",
    "marked": "SELECT count(*) FROM video_state",
    "labels": "SELECT count(*) FROM video_labels",
    "rules": "SELECT count(*) FROM rules",
}


@dataclass
class CheckedBackup:
    """A backup decompressed next to the cache, checked, and upgraded to this schema."""

    source: Path
    copy: Path
    format: str
    schema: list[str]
    upgraded: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """`3,136 videos from 2,407 followed channels, 246 marked, 3,136 labelled, 0 rules`."""
        c = self.counts
        return (
            f"{c.get('videos', 0):,} videos from {c.get('channels', 0):,} followed channels, "
            f"{c.get('marked', 0):,} marked, {c.get('labels', 0):,} labelled, "
            f"{c.get('rules', 0):,} rules"
        )

    def discard(self) -> None:
        """Remove the temporary copy (when the restore is cancelled or fails)."""
        for path in (self.copy, *_sidecars(self.copy)):
            with suppress(OSError):
                path.unlink()


@dataclass(frozen=True)
class RestoreResult:
    """Where the cache you had went, and how the backup went in."""

    kept: Path | None
    in_place: bool


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]


def _refuse(source: Path, why: str, hint: str = "") -> BackupError:
    return BackupError(f"{source} {why}; nothing was changed.", hint)


def check_backup(source: Path, cache: Path) -> CheckedBackup:
    """Decompress `source` next to `cache` and check it; raise one sentence when unusable."""
    try:
        kind = file_format(source)
    except IsADirectoryError:
        raise _refuse(source, "is a directory, not a backup file") from None
    except FileNotFoundError:
        raise BackupError(f"There is no file {source}.", "Check the name and try again.") from None
    except OSError as error:
        raise _refuse(source, f"can't be read ({error.strerror or error})") from error
    if kind not in ("zstd", "gzip", "xz", "sqlite"):
        raise _refuse(
            source,
            "is not a Momentum backup (neither a SQLite database nor a zstd, gzip or xz file)",
            "Give a file made by `momentum backup`, or a copy of a momentum.db.",
        )
    locations.ensure_dir(cache.parent)
    sweep_stale(cache.parent)  # what a killed restore left behind
    copy = cache.with_name(f".{cache.name}.restore-{os.getpid()}")
    checked = CheckedBackup(source, copy, kind, [])
    try:
        with atomic_output(copy) as out:
            decompress_into(source, kind, out)
        _verify(checked)
    except DamagedStreamError:
        checked.discard()
        raise _refuse(source, "is damaged (its compressed data is cut short or corrupt)") from None
    except (OSError, sqlite3.Error) as error:
        checked.discard()
        if is_disk_full(error):
            raise disk_full("the restore", "your cache was not touched") from error
        if isinstance(error, sqlite3.Error):
            raise _refuse(source, f"is damaged ({error})") from error
        raise BackupError(
            f"{source} could not be unpacked next to the cache ({error.strerror or error}); "
            "nothing was changed.",
            f"Check that you can write to {cache.parent}.",
        ) from error
    except BaseException:
        checked.discard()
        raise
    return checked


def _verify(checked: CheckedBackup) -> None:
    source, copy = checked.source, checked.copy
    with copy.open("rb") as handle:
        if sniff(handle.read(16)) != "sqlite":
            raise _refuse(source, "is not a Momentum backup (it holds no SQLite database)")
    with closing(sqlite3.connect(copy)) as conn:
        try:
            checked.schema = migrations.applied_names(conn)
        except sqlite3.DatabaseError as error:
            raise _refuse(source, f"is damaged ({error})") from error
        if not checked.schema:
            raise _refuse(source, "is a SQLite database but not a Momentum backup")
        try:
            migrations.check_not_newer(conn)
        except SchemaTooNewError:
            unknown = [n for n in checked.schema if n not in migrations.known_names()]
            raise _refuse(
                source,
                f"comes from a newer Momentum (its schema step {unknown[-1]!r} is unknown to "
                "this version)",
                "Upgrade Momentum (`pip install -U momentum-tui`) to restore it.",
            ) from None
        # A copy of a cache in WAL mode has no WAL next to it: make it self-contained.
        conn.execute("PRAGMA journal_mode = DELETE")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise _refuse(source, f"is damaged (integrity check: {problems[0]})")
    _upgrade(checked)
    with closing(sqlite3.connect(copy)) as conn:
        checked.counts = {
            name: int(conn.execute(sql).fetchone()[0]) for name, sql in _COUNTED.items()
        }


def _upgrade(checked: CheckedBackup) -> None:
    """Bring an older backup's copy to this version's schema (before it goes in)."""
    from momentum_tui.storage.db import Store

    with closing(sqlite3.connect(checked.copy)) as conn:
        pending = migrations.check_not_newer(conn)
    if not pending:
        return
    with Store.open(checked.copy):
        pass
    with closing(sqlite3.connect(checked.copy)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    checked.upgraded = pending


def restore(checked: CheckedBackup, cache: Path, now: float | None = None) -> RestoreResult:
    """Put a checked backup in place of `cache`, keeping the cache you had."""
    try:
        if _healthy(cache):
            return _restore_in_place(checked, cache)
        return _swap(checked, cache, time.time() if now is None else now)
    except (OSError, sqlite3.Error) as error:
        if is_disk_full(error):
            raise disk_full("the restore", "your cache is as it was") from error
        raise BackupError(
            f"The backup could not be put in place ({error}); your cache is as it was.",
            "Run `momentum doctor` to check it.",
        ) from error
    finally:
        checked.discard()


def _healthy(cache: Path) -> bool:
    """A cache that exists, opens, and passes SQLite's quick check.

    Only SQLite's verdict on its bytes makes it unhealthy (and swapped out): one that
    can't be read right now — a disk I/O error, a lock — raises, and nothing is changed.
    """
    if not cache.exists():
        return False
    try:
        with cache.open("rb") as handle:  # this process holds no connection to it yet
            if sniff(handle.read(16)) != "sqlite":
                return False
        with closing(open_read_only(cache)) as conn:
            return [row[0] for row in conn.execute("PRAGMA quick_check")] == ["ok"]
    except sqlite3.DatabaseError as error:
        if is_damage(error):
            return False
        raise


def _restore_in_place(checked: CheckedBackup, cache: Path) -> RestoreResult:
    kept = make_backup(cache, default_target(cache, BEFORE_RESTORE)).path
    with closing(sqlite3.connect(cache, timeout=_BUSY_TIMEOUT_S)) as target:
        page_size = int(target.execute("PRAGMA page_size").fetchone()[0])
        with closing(sqlite3.connect(checked.copy)) as source:
            if int(source.execute("PRAGMA page_size").fetchone()[0]) != page_size:
                # A WAL database only takes pages of its own size.
                source.execute(f"PRAGMA page_size = {page_size}")
                source.execute("VACUUM")
            # One step: the whole backup in one write transaction on the cache.
            source.backup(target)
    return RestoreResult(kept, in_place=True)


def _swap(checked: CheckedBackup, cache: Path, now: float) -> RestoreResult:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    aside = cache.with_name(f"{cache.name}.{BEFORE_RESTORE}-{stamp}")
    kept: Path | None = None
    if cache.exists():
        try:
            os.link(cache, aside)  # the old file keeps its name until the new one replaces it
        except OSError:
            os.replace(cache, aside)
        kept = aside
    for old, new in zip(_sidecars(cache)[:2], _sidecars(aside)[:2], strict=True):
        if old.exists():
            os.replace(old, new)  # never let the new file meet the old one's WAL
    replace_file(checked.copy, cache)
    fsync_dir(cache.parent)
    return RestoreResult(kept, in_place=False)
