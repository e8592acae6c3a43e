"""Opening the cache: pragmas, health checks, migrations, one writer, pooled readers.

One process writes through one connection, serialised by a lock, inside `BEGIN
IMMEDIATE` transactions so that related writes land together or not at all. Readers
borrow their own connections from a small pool, so the UI can read while a sync
writes (WAL). Every connection waits up to `BUSY_TIMEOUT_MS` for another process.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING
from urllib.parse import quote

from momentum_tui import locations
from momentum_tui.errors import CacheError
from momentum_tui.storage import migrations
from momentum_tui.storage.cache_errors import open_error
from momentum_tui.storage.files import identity

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for another writer before giving up."""

WRITER_CACHE_KIB = 32_000
"""SQLite's page cache for the one writer (bulk loads and syncs index a lot at once)."""
READER_CACHE_KIB = 8_000
"""Page cache per reader. The app holds several readers (the feed, For you, pages, the
channel list); at 32 MB each they added about 60 MB at 100,000 videos for no measurable
speed, since pages they miss still come from the operating system's file cache."""


def _is_database(path: Path) -> bool:
    """Whether `path` reads as a SQLite database, asked of SQLite itself.

    Never with a descriptor of our own: closing one drops every POSIX lock this process
    holds on the file, its SQLite connections' included, after which another process
    quitting takes itself for the last one and deletes the `-wal` and `-shm` in use here.
    A read-only connection can't write, and closing it never removes the log.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def _connect(path: Path, cache_kib: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = -{cache_kib}")
    except BaseException:
        # Closed here, not whenever the traceback that holds it goes: an open connection
        # keeps this process's hold on the file (its locks, its view of the -shm).
        conn.close()
        raise
    return conn


class Store:
    """The cache: one SQLite file, one serialised writer, a pool of readers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.RLock()
        self._readers: SimpleQueue[sqlite3.Connection] = SimpleQueue()
        self._all: list[sqlite3.Connection] = []
        self._lend_lock = threading.Lock()
        self._epoch = 0
        """Bumped by `close()`: a reader lent out before it was closed with the store."""
        self._writer: Database | None = None
        self._writer_conn: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._identity: tuple[int, int] | None = None
        self._gone = False
        self.generation = 0
        """Bumped when the store reopens on a replaced file (held readers re-borrow)."""
        self._reader_generation: dict[int, int] = {}

    @classmethod
    def open(cls, path: Path | None = None, *, migrate: bool = True, backups: int = 0) -> Store:
        """Open (creating if needed) and upgrade the cache at `path`; raise clear errors.

        `backups` > 0: before upgrading an existing cache's schema, back it up (keeping
        that many automatic backups; `backup.keep`).
        """
        path = path or locations.cache_db()
        locations.ensure_dir(path.parent)
        # No look at the file before SQLite's: a descriptor of our own, closed, would drop
        # the locks of any connection this process already has on it (see `_is_database`).
        store = cls(path)
        try:
            with store._write_lock:
                store._open_file(migrate=migrate, backups=backups)
        except sqlite3.DatabaseError as error:
            store.close()
            raise open_error(path, error) from error
        except BaseException:
            store.close()
            raise
        return store

    def _open_file(self, *, migrate: bool, backups: int) -> None:
        """Open the writer on the file at `path` and bring its schema up to date."""
        conn = self._writer_connection()
        self._identity = identity(self.path)
        self._gone = False
        conn.execute("PRAGMA journal_mode = WAL")
        pending = migrations.check_not_newer(conn)
        log.debug(
            "opened %s (sqlite %s); pending migrations: %s",
            self.path,
            sqlite3.sqlite_version,
            pending or "none",
        )
        if migrate and pending:
            if backups > 0 and migrations.applied_names(conn):
                from momentum_tui.storage.backup import before_upgrade

                before_upgrade(self.path, pending, backups)
            migrations.upgrade(self.db)

    def _writer_connection(self) -> sqlite3.Connection:
        if self._writer_conn is None:
            self._writer_conn = _connect(self.path, WRITER_CACHE_KIB)
            self._all.append(self._writer_conn)
        return self._writer_conn

    @property
    def db(self) -> Database:
        """The writer connection wrapped by sqlite-utils (use `write()` for transactions)."""
        if self._writer is None:
            from sqlite_utils import Database  # only writers pay for importing it

            self._writer = Database(self._writer_connection(), execute_plugins=False)
        return self._writer

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction (`BEGIN IMMEDIATE` … `COMMIT`), serialised within this process."""
        with self.transaction():
            yield self.db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """`write()` on the plain writer connection, for writes that are only SQL.

        The same transaction and lock as `write()` (either may nest in the other); it
        spares a small write such as `momentum mark` importing sqlite-utils and NumPy.
        """
        with self._write_lock:
            conn = self._writer_connection()
            if conn.in_transaction:  # nested: join the outer transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Borrow a read connection (safe from any thread while it is borrowed).

        One still lent out when the store closes (a worker or a ranker outliving the app)
        was closed with it: giving it back then is a no-op, never an error at exit, and
        a closed connection never returns to the pool.
        """
        epoch = self._epoch
        try:
            conn = self._readers.get_nowait()
        except Empty:
            conn = _connect(self.path, READER_CACHE_KIB)
            conn.execute("PRAGMA query_only = ON")
            self._all.append(conn)
            self._reader_generation[id(conn)] = self.generation
        try:
            yield conn
        finally:
            with self._lend_lock:
                if epoch == self._epoch:
                    if conn.in_transaction:
                        conn.rollback()
                    if self._reader_generation.get(id(conn)) == self.generation:
                        self._readers.put(conn)
                    else:  # borrowed before the file was replaced: it reads the old file
                        self._forget(conn)

    def changed_elsewhere(self) -> bool | None:
        """Whether another process has committed to the cache since the last call.

        A cron `momentum sync`, or `momentum mark` in another terminal. SQLite's
        `data_version` on the writer connection moves only for commits made by other
        connections, and this process writes through that one connection only, so its
        own writes never count. The first call sets the baseline (False); None means the
        writer is busy right now (ask again later) — never blocks.

        A file renamed over the cache (`momentum restore` over a damaged cache, a copy
        put there by hand) is a change too: the store reopens on the new file (raising
        `CacheError` when that file can't be used) and this says True.
        """
        if not self._write_lock.acquire(blocking=False):
            return None
        try:
            if self._replaced():
                self._reopen()
                return True
            row = self._writer_connection().execute("PRAGMA data_version").fetchone()
        finally:
            self._write_lock.release()
        version = int(row[0])
        previous, self._data_version = self._data_version, version
        return previous is not None and version != previous

    def _replaced(self) -> bool:
        """Another file now has the cache's name (and looks like a database: not mid-swap).

        A cache that is gone (`momentum forget`) raises `CacheError`, once.
        """
        if self._identity is None:
            return False
        now = identity(self.path)
        if now is None:
            if not self._gone:
                self._gone = True
                raise CacheError(
                    f"The cache {self.path} was removed while the app was open (`momentum "
                    "forget`?); what you do now is not saved.",
                    "Quit, and start Momentum again for a fresh cache.",
                )
            return False
        if now == self._identity:
            return False
        # Being written, or not a database: the next real read says so.
        return _is_database(self.path)

    def _reopen(self) -> None:
        """Close every connection to the old file and open the new one (write lock held)."""
        log.info("the cache file %s was replaced; reopening it", self.path)
        self.generation += 1
        self._writer = None
        if self._writer_conn is not None:
            self._forget(self._writer_conn)
            self._writer_conn = None
        while True:
            try:
                self._forget(self._readers.get_nowait())
            except Empty:
                break
        self._data_version = None
        try:
            self._open_file(migrate=True, backups=0)
        except sqlite3.DatabaseError as error:
            raise open_error(self.path, error, "was replaced by a file that is") from error
        row = self._writer_connection().execute("PRAGMA data_version").fetchone()
        self._data_version = int(row[0])

    def _forget(self, conn: sqlite3.Connection) -> None:
        with suppress(sqlite3.Error):
            conn.close()
        self._reader_generation.pop(id(conn), None)
        with suppress(ValueError):
            self._all.remove(conn)

    def get_pref(self, key: str, default: str | None = None) -> str | None:
        """A small named value from the `preferences` table."""
        with self.read() as conn:
            row = conn.execute("SELECT value FROM preferences WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_pref(self, key: str, value: str) -> None:
        """Store a small named value in the `preferences` table."""
        with self.transaction() as conn:  # plain SQL: no sqlite-utils at launch
            conn.execute(
                "INSERT INTO preferences(key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (key, value, int(time.time())),
            )

    def schema_version(self) -> int:
        """How many migrations the cache has applied."""
        with self.read() as conn:
            return migrations.schema_version(conn)

    def integrity_check(self) -> list[str]:
        """`PRAGMA integrity_check` lines; `['ok']` when healthy."""
        with self.read() as conn:
            return [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]

    def close(self) -> None:
        """Close every connection (readers still lent out included; see `read`)."""
        with self._lend_lock:
            self._epoch += 1
            for conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
            self._reader_generation.clear()
            self._writer = None
            self._writer_conn = None
            self._readers = SimpleQueue()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def move_aside(path: Path) -> Path:
    """Rename a damaged cache (and its WAL files) out of the way; never deletes anything."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            sidecar.rename(target.with_name(target.name + suffix))
    return target
