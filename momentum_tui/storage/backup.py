"""Backups of the cache: a consistent, checked, compressed copy, made while others write.

A copy is taken with SQLite's online backup API in one step, which reads one snapshot
of the cache inside a single read transaction: a sync or the app committing meanwhile
(WAL) is neither blocked nor half-copied. The copy is switched to a rollback journal (so
it is one self-contained file), checked with `PRAGMA integrity_check`, compressed with
Zstandard and written atomically (temp file, fsync, rename). Nothing is said to be done
before all of that has happened.

Automatic copies — before every schema upgrade, and once a day when the app opens — go
to `backups/` next to the cache; the newest `backup.keep` of them are kept. Backups a
person makes (`momentum backup`) and the copy kept by a restore are never deleted.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from momentum_tui import locations
from momentum_tui.errors import BackupError, MomentumError
from momentum_tui.storage import compression, migrations
from momentum_tui.storage.files import atomic_output, disk_full, is_disk_full, sweep_stale

BACKUP_SUFFIX = ".db.zst"
DAILY = "daily"
BEFORE_RESTORE = "before-restore"
_BUSY_TIMEOUT_S = 30.0
_NAME = re.compile(r"^momentum-(\d{8})-(\d{6})(?:-\d+)?(?:-(.+))?\.db\.zst$")


@dataclass(frozen=True)
class BackupInfo:
    """A finished backup: where it is and how big (compressed, and the cache it holds)."""

    path: Path
    bytes: int
    cache_bytes: int
    seconds: float

    def as_json(self) -> dict[str, object]:
        """For `momentum backup --json`."""
        return {
            "path": str(self.path),
            "bytes": self.bytes,
            "cache_bytes": self.cache_bytes,
            "seconds": round(self.seconds, 3),
        }

    def sentence(self) -> str:
        """`Backed up the cache to … (3.7 MB; the cache is 11.1 MB). Checked: ok.`"""
        return (
            f"Backed up the cache to {self.path} ({human_bytes(self.bytes)}; the cache is "
            f"{human_bytes(self.cache_bytes)}). Integrity checked."
        )


def human_bytes(count: int) -> str:
    """`812 KB`, `3.7 MB`, `1.2 GB` (decimal units, as file managers show them)."""
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit in ("bytes", "KB") else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"  # pragma: no cover - the loop returns first


def backups_dir(cache: Path) -> Path:
    """Where automatic backups of `cache` go: `backups/` next to it, in the data directory."""
    return cache.parent / "backups"


def backup_name(kind: str = "", now: float | None = None) -> str:
    """`momentum-20261118-073525[-KIND].db.zst`, in local time (sorts by age)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    return f"momentum-{stamp}{'-' + kind if kind else ''}{BACKUP_SUFFIX}"


def _unused(path: Path) -> Path:
    """`path`, or `…-2.db.zst`, `…-3…` when a backup of that second already exists."""
    if not path.exists():
        return path
    stem = path.name.removesuffix(BACKUP_SUFFIX)
    stamp = stem[: len("momentum-YYYYMMDD-HHMMSS")]
    kind = stem[len(stamp) :]
    for n in range(2, 1000):
        candidate = path.with_name(f"{stamp}-{n}{kind}{BACKUP_SUFFIX}")
        if not candidate.exists():
            return candidate
    raise BackupError(f"Too many backups named {path.name}.", "Remove some old ones.")


def default_target(cache: Path, kind: str = "", now: float | None = None) -> Path:
    """A new file in `backups/` for a backup of `cache` made now."""
    return _unused(backups_dir(cache) / backup_name(kind, now))


def make_backup(cache: Path, target: Path, *, level: int = compression.ZSTD_LEVEL) -> BackupInfo:
    """Copy `cache` consistently into `target` (compressed, checked, written atomically)."""
    started = time.perf_counter()
    if not cache.exists():
        raise BackupError(
            f"There is no cache at {cache} to back up yet.",
            "Follow some channels and sync first (see `momentum channels add`).",
        )
    locations.ensure_dir(target.parent)
    sweep_stale(target.parent)  # what a killed backup left behind
    copy = target.with_name(f".{target.name}.copy-{os.getpid()}")
    try:
        cache_bytes = _snapshot(cache, copy)
        with atomic_output(target) as out:
            compression.compress_into(copy, out, level)
    except (OSError, sqlite3.Error) as error:
        if is_disk_full(error):
            raise disk_full("the backup", "your cache was not touched") from error
        if isinstance(error, sqlite3.Error):
            raise BackupError(
                f"The cache {cache} could not be copied ({error}); nothing was written.",
                "Run `momentum doctor` to check it.",
            ) from error
        raise BackupError(
            f"The backup could not be written to {target} ({error.strerror or error}).",
            "Check that the directory exists and that you can write to it.",
        ) from error
    finally:
        for leftover in (copy, copy.with_name(copy.name + "-journal")):
            with suppress(OSError):
                leftover.unlink()
    return BackupInfo(target, target.stat().st_size, cache_bytes, time.perf_counter() - started)


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that can't change `path` — nor, closing, remove its WAL (a damaged
    cache keeps every byte it had)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_S)


def _snapshot(cache: Path, copy: Path) -> int:
    """One consistent page copy of `cache` into `copy`, made self-contained and checked."""
    with closing(open_read_only(cache)) as source, closing(sqlite3.connect(copy)) as target:
        # pages=-1 (the default): the whole copy in one step, so one read transaction
        # and one snapshot, however much is being written meanwhile.
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        problems = [row[0] for row in target.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(
                f"The copy of the cache failed its integrity check ({problems[0]}); "
                "nothing was written.",
                "The cache itself may be damaged: run `momentum doctor`.",
            )
        if not migrations.applied_names(target):
            raise BackupError(
                f"{cache} is not a Momentum cache; nothing was written.",
                "Point MOMENTUM_HOME at the right directory.",
            )
    return copy.stat().st_size


def list_backups(directory: Path) -> list[Path]:
    """Momentum's backups in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _NAME.match(p.name))


def backup_kind(path: Path) -> str:
    """`daily`, `before-m040_…`, `before-restore`, or '' for one a person made."""
    match = _NAME.match(path.name)
    return (match.group(3) or "") if match else ""


def is_automatic(path: Path) -> bool:
    """Automatic backups are rotated; a person's own and a restore's copy never are."""
    kind = backup_kind(path)
    return kind == DAILY or (kind.startswith("before-") and kind != BEFORE_RESTORE)


def rotate(directory: Path, keep: int) -> list[Path]:
    """Delete automatic backups beyond the newest `keep`; returns what was deleted."""
    automatic = [p for p in list_backups(directory) if is_automatic(p)]
    doomed = automatic[: max(0, len(automatic) - keep)]
    for path in doomed:
        with suppress(FileNotFoundError):
            path.unlink()
    return doomed


def daily_due(cache: Path, now: float | None = None) -> bool:
    """True when no backup of `cache` was made today (local date), by anyone."""
    today = time.strftime("%Y%m%d", time.localtime(time.time() if now is None else now))
    for path in list_backups(backups_dir(cache)):
        match = _NAME.match(path.name)
        if match and match.group(1) == today:
            return False
    return cache.exists()


def automatic_backup(
    cache: Path, kind: str, keep: int, now: float | None = None
) -> BackupInfo | None:
    """Make an automatic backup and rotate the old ones; None when `keep` is 0 (off)."""
    if keep <= 0:
        return None
    info = make_backup(cache, default_target(cache, kind, now))
    rotate(backups_dir(cache), keep)
    return info


def daily_backup(cache: Path, keep: int, now: float | None = None) -> BackupInfo | None:
    """The app's once-a-day copy (run it in a worker): made only when due and enabled."""
    if keep <= 0 or not daily_due(cache, now):
        return None
    return automatic_backup(cache, DAILY, keep, now)


def before_upgrade(cache: Path, pending: list[str], keep: int) -> BackupInfo | None:
    """The copy made before a schema upgrade, named after the first step to apply."""
    try:
        return automatic_backup(cache, f"before-{pending[0]}", keep)
    except MomentumError as error:
        raise BackupError(
            f"This Momentum needs to upgrade the cache and could not back it up first: "
            f"{error.title[0].lower()}{error.title[1:]}",
            error.hint or "Nothing was changed.",
        ) from error
