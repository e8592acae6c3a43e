"""Opening the database: SQLite (WAL, busy timeout, `BEGIN IMMEDIATE` for writes) or PostgreSQL.

Writers are serialised by the database, never by this process: on SQLite a write
transaction starts with `BEGIN IMMEDIATE` (one writer at a time across every process
that opens the file); on PostgreSQL a push locks its user's row (`SELECT … FOR UPDATE`).

On SQLite a process also queues its own writers on a lock before `BEGIN IMMEDIATE`.
That is for speed, not correctness: SQLite's busy handler makes a waiting writer sleep
and poll, so dozens of threads waiting on the file lock hand it on slowly (a convoy);
queued on a lock, the next one starts the moment the last one commits. Writers in other
processes still wait on the file lock, which is what keeps them apart.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite writer waits for the lock before the request fails with 503."""

WRITE = {"momentum_write": True}
"""Execution options of a connection that writes (SQLite: `BEGIN IMMEDIATE`)."""

_WRITER_QUEUES: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


class DatabaseUrlError(ValueError):
    """The database URL names an engine the server does not support, or is malformed."""


def normalise_url(url: str) -> str:
    """`sqlite:///path` and `postgresql://…` as SQLAlchemy URLs (psycopg 3 for PostgreSQL)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(
            f"{url!r} is not a database URL; use sqlite:///path or postgresql://user@host/db."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise DatabaseUrlError(
                "An in-memory SQLite database would vanish with the process; "
                "give a file: sqlite:///path/to/momentum-server.db."
            )
        return parsed.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise DatabaseUrlError(
        f"The server stores its data in SQLite or PostgreSQL, not {backend!r}; "
        "use sqlite:///path or postgresql://user@host/db."
    )


def flush_erased(engine: Engine) -> None:
    """SQLite: copy the WAL into the database and empty it, so pages from before an
    erase (the WAL keeps them until a checkpoint) leave the disk now. PostgreSQL frees
    the space by its own vacuum; nothing to do here. Best effort: a reader still in the
    WAL keeps it until the next checkpoint (the server checkpoints as it writes)."""
    if not is_sqlite(engine):
        return
    raw = engine.raw_connection()  # outside any transaction: a checkpoint can't run in one
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        raw.close()


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine is SQLite (pushes then take the database-wide write lock)."""
    return engine.dialect.name == "sqlite"


def open_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine for `url`, with the pragmas and transaction rules the server relies on."""
    full = normalise_url(url)
    if full.startswith("sqlite"):
        engine = create_engine(
            full,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _sqlite_rules(engine)
        _WRITER_QUEUES[engine] = threading.Lock()
        return engine
    return create_engine(
        full, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_timeout=30
    )


def _sqlite_rules(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; SQLAlchemy's transactions become our own BEGINs."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi: sqlite3.Connection, _record: Any) -> None:
        dbapi.isolation_level = None  # we issue BEGIN ourselves (below)
        dbapi.execute("PRAGMA journal_mode=WAL")
        dbapi.execute("PRAGMA foreign_keys=ON")
        dbapi.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # An acknowledged push must survive a power cut: sync the WAL on every commit.
        dbapi.execute("PRAGMA synchronous=FULL")
        # An erased account (or a replaced record) must not linger in freed pages.
        dbapi.execute("PRAGMA secure_delete=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writes = conn.get_execution_options().get("momentum_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed when the block ends, rolled back if it raises."""
    queue = _WRITER_QUEUES.get(engine)
    with (
        queue or contextlib.nullcontext(),
        engine.connect().execution_options(**WRITE) as conn,
        conn.begin(),
    ):
        yield conn


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read transaction: one consistent snapshot on both engines."""
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
