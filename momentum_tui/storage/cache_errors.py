"""What to tell a person when SQLite fails on the cache: damaged, or unusable right now.

The difference decides what is offered: only a damaged cache is ever moved aside (by the
app's prompt or `momentum doctor --move-aside`) or swapped out by `momentum restore`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from momentum_tui.errors import CacheError, CacheUnavailableError, CorruptCacheError


def corrupt_hint(path: Path) -> str:
    """What to do about a corrupt cache (shared by the CLI and the app)."""
    return (
        f"Nothing was deleted. Run `momentum doctor --move-aside` to move it to "
        f"{path.name}.corrupt-<time> and start with a fresh cache."
    )


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite judged the file's own bytes bad ("not a database", "malformed")."""
    code = getattr(error, "sqlite_errorcode", -1) & 0xFF
    return code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)


def open_error(path: Path, error: sqlite3.Error, doing: str = "") -> CacheError:
    """The sentence for SQLite failing on the cache: damaged, or only unusable right now.

    Only SQLite's own verdict on the file's bytes — "not a database", "malformed" — makes
    it damaged (and offered to be moved aside). A disk I/O error, a lock held too long, a
    full disk or a permission problem says nothing about the file: the cache is kept as
    it is and the person is told to try again.
    """
    code = getattr(error, "sqlite_errorcode", -1) & 0xFF
    if code == sqlite3.SQLITE_NOTADB:
        return CorruptCacheError(
            f"The cache {path} {doing or 'is'} not a SQLite database.",
            corrupt_hint(path),
            path=str(path),
        )
    if code == sqlite3.SQLITE_CORRUPT:
        return CorruptCacheError(
            f"The cache {path} {doing or 'is'} damaged ({error}).",
            corrupt_hint(path),
            path=str(path),
        )
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return CacheUnavailableError(
            f"The cache {path} is busy: another program kept it locked ({error}); "
            "nothing was changed.",
            "Wait for it to finish (a sync or an import), then try again.",
        )
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY):
        if path.is_dir():
            return CacheUnavailableError(
                f"The cache {path} can't be opened (it is a directory); nothing was changed.",
                "Move that directory away, or point MOMENTUM_HOME at another directory.",
            )
        return CacheUnavailableError(
            f"The cache {path} can't be opened ({error}); nothing was changed.",
            "Fix the permissions of the file and its folder, or point MOMENTUM_HOME at "
            "another directory.",
        )
    if code == sqlite3.SQLITE_FULL:
        return CacheUnavailableError(
            f"The disk is full, so the cache {path} could not be opened; nothing was changed.",
            "Free some space and run it again.",
        )
    return CacheUnavailableError(
        f"The cache {path} can't be read right now ({error}); nothing was changed.",
        "It is not damaged as far as Momentum can tell: try again, and if it keeps "
        "happening run `momentum doctor` (it checks the cache from a fresh start).",
    )
