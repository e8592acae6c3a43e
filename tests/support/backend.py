"""The real Momentum backend for tests: uvicorn on a loopback port, on SQLite or PostgreSQL.

A pytest plugin (registered in tests/conftest.py), for the server's tests and the
client's alike:

* `backend` — a running server on a fresh database, once per engine (the test runs on
  SQLite and on PostgreSQL); `backend_sqlite` / `backend_postgres` for one engine.
* `Backend.faults` — the server's injected faults (`push_412`, `push_drop`, `script`):
  set them from the test while the server runs (docs/sync-protocol.md, "Testing").
* `Backend.log_text()` — every log line the server wrote; `Backend.database_text()` —
  every row of its database as text (to check what the server keeps).
* `start_backend(database_url, …)` — the same, as a context manager, for other scopes.

PostgreSQL is a throwaway cluster per test session (tests/support/postgres.py). When
none can be started the PostgreSQL half is skipped with one line in the summary saying
why — unless `MOMENTUM_TEST_REQUIRE_POSTGRES=1` (CI), which makes that a failure.

The server runs in a thread of the test process, so the test shares its `Faults`
object; the code under test still talks to it over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from momentum_server.faults import Faults
    from momentum_server.settings import Settings
    from tests.support.postgres import PostgresCluster

REQUIRE_POSTGRES = os.environ.get("MOMENTUM_TEST_REQUIRE_POSTGRES") == "1"
"""Read at import, before any test's fixtures clear the MOMENTUM_* environment."""
SKIP_PREFIX = "PostgreSQL tests skipped"
PASSWORD = "correct horse battery"
"""The password `Backend.new_account` gives accounts."""


def server_settings(database_url: str, **overrides: Any) -> Settings:
    """Server settings for tests: cheap password hashing, roomy per-address limits.

    The per-address sign-in and registration buckets are widened because every test
    client comes from 127.0.0.1; tests of those limits pass their own `rates`.
    """
    from momentum_server.settings import PasswordHashing, RateLimits, Settings

    defaults: dict[str, Any] = {
        "database_url": database_url,
        "hashing": PasswordHashing(time_cost=1, memory_kib=8192, parallelism=1, concurrency=4),
        "rates": RateLimits(
            sign_in_per_minute=6000, sign_in_burst=1000, register_per_hour=60000,
            register_burst=1000,
        ),
    }  # fmt: skip
    return Settings(**{**defaults, **overrides})


@dataclass
class Backend:
    """A running server."""

    url: str
    """`http://127.0.0.1:PORT` (the API is under `/api/v1`)."""
    database_url: str
    kind: str
    """"sqlite" or "postgres"."""
    faults: Faults
    log_path: Path
    settings: Settings
    cluster: PostgresCluster | None = None
    _counter: list[int] = field(default_factory=lambda: [0])

    @property
    def api(self) -> str:
        """The API's base URL, `…/api/v1`."""
        return f"{self.url}/api/v1"

    def client(self, token: str | None = None) -> httpx.Client:
        """An httpx client for the API, with the bearer token if given."""
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.api, headers=headers, timeout=30)

    def new_account(self, username: str | None = None, device: str = "device") -> str:
        """Register an account (password `PASSWORD`) and sign in one device; its token."""
        self._counter[0] += 1
        username = username or f"user{self._counter[0]}"
        with self.client() as http:
            made = http.post("/accounts", json={"username": username, "password": PASSWORD})
            assert made.status_code == 201, made.text
        return self.sign_in(username, device)

    def sign_in(self, username: str, device: str = "device") -> str:
        """A new device token for an existing account."""
        with self.client() as http:
            body = {"username": username, "password": PASSWORD, "device_name": device}
            signed = http.post("/sessions", json=body)
            assert signed.status_code == 201, signed.text
            token: str = signed.json()["token"]
            return token

    def log_text(self) -> str:
        """Every line the server has logged so far (JSON lines)."""
        for handler in logging.getLogger("momentum_server").handlers:
            handler.flush()
        return self.log_path.read_text(encoding="utf-8") if self.log_path.exists() else ""

    def database_text(self) -> str:
        """Every row of the server's database as text, plus (SQLite) its raw files' bytes."""
        if self.cluster is not None:
            return self.cluster.dump(self.database_url)
        path = Path(self.database_url.removeprefix("sqlite:///"))
        rows: list[str] = []
        with contextlib.closing(sqlite3.connect(path)) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                rows += [f"{table}: {row!r}" for row in conn.execute(f'SELECT * FROM "{table}"')]
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        return "\n".join(rows) + "\n" + raw.decode("latin-1")


@contextlib.contextmanager
def start_backend(
    database_url: str,
    log_path: Path,
    *,
    kind: str = "sqlite",
    faults: Faults | None = None,
    cluster: PostgresCluster | None = None,
    **settings: Any,
) -> Iterator[Backend]:
    """Migrate `database_url`, serve it on an ephemeral loopback port; stop it afterwards."""
    import uvicorn

    from momentum_server import migrate
    from momentum_server.app import create_app
    from momentum_server.db import open_engine
    from momentum_server.faults import Faults
    from momentum_server.logs import JsonFormatter

    config = server_settings(database_url, **settings)
    engine = open_engine(database_url, pool_size=config.pool_size)
    migrate.upgrade(engine)
    faults = faults or Faults()
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    server_logger = logging.getLogger("momentum_server")
    server_logger.addHandler(handler)
    server_logger.setLevel(logging.INFO)
    app = create_app(config, engine=engine, faults=faults)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_keep_alive=config.keep_alive_seconds,
        )
    )
    thread = threading.Thread(target=server.run, name="momentum-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Backend(
            f"http://127.0.0.1:{port}", database_url, kind, faults, log_path, config, cluster
        )
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        server_logger.removeHandler(handler)
        handler.close()
        engine.dispose()


class _PostgresSession:
    """The session's cluster and a migrated template database (new ones copy it)."""

    def __init__(self) -> None:
        from tests.support.postgres import PostgresCluster, PostgresUnavailableError

        self.cluster: PostgresCluster | None = None
        self.reason = ""
        try:
            self.cluster = PostgresCluster().start()
            self._template = self._migrated_template()
        except (PostgresUnavailableError, OSError) as exc:
            if self.cluster is not None:
                self.cluster.stop()
            self.cluster = None
            self.reason = str(exc)

    def _migrated_template(self) -> str:
        from momentum_server import migrate
        from momentum_server.db import open_engine

        assert self.cluster is not None
        url = self.cluster.create_database("template")
        engine = open_engine(url, pool_size=1)
        migrate.upgrade(engine)
        engine.dispose()
        return url.split("?")[0].rsplit("/", 1)[1]

    def cluster_or_skip(self) -> PostgresCluster:
        """The cluster; without one, skip the test (fail it when PostgreSQL is required)."""
        if self.cluster is None:
            message = f"{SKIP_PREFIX}: {self.reason}"
            if REQUIRE_POSTGRES:
                pytest.fail(f"{message} (MOMENTUM_TEST_REQUIRE_POSTGRES=1)", pytrace=False)
            pytest.skip(message)
        return self.cluster

    def database(self) -> str:
        """A fresh, migrated database (a copy of the template)."""
        return self.cluster_or_skip().create_database(template=self._template)


@pytest.fixture(scope="session")
def postgres_session() -> Iterator[_PostgresSession]:
    """The session's throwaway PostgreSQL (or the reason there is none)."""
    session = _PostgresSession()
    yield session
    if session.cluster is not None:
        session.cluster.stop()


@pytest.fixture
def postgres_url(postgres_session: _PostgresSession) -> str:
    """A fresh, migrated PostgreSQL database's URL (skips, or fails in CI, without one)."""
    return postgres_session.database()


@pytest.fixture
def backend_sqlite(tmp_path: Path) -> Iterator[Backend]:
    """The server on a fresh SQLite file."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with start_backend(url, tmp_path / "server.log", kind="sqlite") as running:
        yield running


@pytest.fixture
def backend_postgres(postgres_session: _PostgresSession, tmp_path: Path) -> Iterator[Backend]:
    """The server on a fresh PostgreSQL database."""
    url = postgres_session.database()
    with start_backend(
        url, tmp_path / "server.log", kind="postgres", cluster=postgres_session.cluster
    ) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The server, once on SQLite and once on PostgreSQL."""
    running: Backend = request.getfixturevalue(f"backend_{request.param}")
    return running


def with_settings(backend: Backend, **changes: Any) -> Settings:
    """The backend's settings with some fields changed (for a second server on its data)."""
    return dataclasses.replace(backend.settings, **changes)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line saying why the PostgreSQL tests were skipped, if they were."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        reason = reason.removeprefix("Skipped: ")
        if reason.startswith(SKIP_PREFIX):
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_line(f"{count} {reason} (MOMENTUM_TEST_REQUIRE_POSTGRES=1: fail)")
