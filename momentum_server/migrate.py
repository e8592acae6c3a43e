"""Alembic migrations, run programmatically (at start-up or by `momentum-server migrate`).

Several processes may start at once against one PostgreSQL: the upgrade runs under a
session advisory lock, so one migrates and the others wait and then find nothing to do.
On SQLite the upgrade runs inside `BEGIN IMMEDIATE`, which serialises it the same way.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from momentum_server.db import is_sqlite, writing

_LOCK_KEY = 0x4D6F6D656E74  # "Moment": the advisory lock every migrating process takes


def _config() -> Config:
    config = Config()
    location = resources.files("momentum_server") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def head() -> str:
    """The newest revision this server's code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Bring the database to `head()`; whether anything had to be done."""
    config = _config()
    if is_sqlite(engine):
        with writing(engine) as conn:
            before = MigrationContext.configure(conn).get_current_revision()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        return before != head()
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
        conn.commit()
        try:
            before = MigrationContext.configure(conn).get_current_revision()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
            conn.commit()
    return before != head()
