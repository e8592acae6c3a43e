"""Writing files so that a crash or a full disk never leaves half of one behind.

Every file Momentum writes for keeps — backups, exports, a restored cache — is written
to a temporary name in the same directory, flushed to disk (`fsync`), and renamed over
its final name; the directory is flushed too, so the rename itself survives a power cut.
A kill at any moment leaves either the old file or the new one, never a mix — and,
after `kill -9` or a power cut, possibly the temporary file, which the next backup or
restore in that directory removes (`sweep_stale`) and `momentum forget` names.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from momentum_tui.errors import DiskFullError

TEMP_MARK = ".partial-"
"""Temporary files carry this in their name (and are cleaned up when a write fails)."""

_STALE = re.compile(r"^\..+\.(?:partial|copy|restore)-(\d+)(?:-journal|-wal|-shm)?$")
"""A temporary file's name, with the id of the process writing it (`temp_path`, and the
copies backups and restores make next to their targets)."""

_SQLITE_FULL = 13
_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (a rename or a new file) to disk; a no-op where unsupported."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open directories; its renames are durable enough
    try:
        with suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def temp_path(target: Path) -> Path:
    """A temporary name next to `target` (same directory, so the rename is atomic)."""
    return target.with_name(f".{target.name}{TEMP_MARK}{os.getpid()}")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: not ours to judge
    return True


def stale_files(directory: Path) -> list[Path]:
    """Temporary files in `directory` whose writer is gone (killed, or the machine crashed).

    A failing write removes its own temporary file; only a process that is killed outright
    (`kill -9`, a power cut) can't, and leaves one — never in place of a real file.
    """
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _STALE.match(path.name)
        if match and not _running(int(match.group(1))):
            found.append(path)
    return sorted(found)


def sweep_stale(directory: Path) -> int:
    """Remove `stale_files(directory)`; how many went."""
    removed = 0
    for path in stale_files(directory):
        with suppress(OSError):
            path.unlink()
            removed += 1
    return removed


@contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """Write `target` atomically: a temp file, fsync, rename, fsync of the directory.

    On any failure (a full disk, Ctrl-C) the temp file is removed and `target` — if it
    existed — is left exactly as it was.
    """
    partial = temp_path(target)
    try:
        with partial.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        with suppress(OSError):
            partial.unlink()
        raise
    fsync_dir(target.parent)


def replace_file(source: Path, target: Path) -> None:
    """Flush `source` and rename it over `target` (same directory), durably."""
    with source.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)
    fsync_dir(target.parent)


def is_disk_full(error: BaseException) -> bool:
    """True for SQLite's SQLITE_FULL and the OS's "no space left" / "quota exceeded"."""
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) == _SQLITE_FULL or (
            "database or disk is full" in str(error)
        )
    return isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS


def disk_full(what: str, kept: str) -> DiskFullError:
    """The one sentence for a full disk: what failed, what was kept, what to do."""
    return DiskFullError(
        f"The disk is full, so {what} did not finish; {kept}.",
        "Free some space and run it again.",
    )


def identity(path: Path) -> tuple[int, int] | None:
    """The file's (device, inode): it changes when another file is renamed over it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)
