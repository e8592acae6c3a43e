"""A throwaway PostgreSQL cluster: `initdb` + `pg_ctl` in a temp dir, on a unix socket there.

PostgreSQL refuses to run as root, so when we are root its programs run as the
`postgres` OS user (`runuser -u postgres --`) and the temp dir is theirs. The cluster
listens on no TCP port at all: only on a socket in its own directory, so it can't
collide with anything else on the machine. Used by the tests (tests/support/backend.py)
and by the benchmark (bench/prefsync_server.py).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server can be started here (the reason is the message)."""


def find_bindir() -> Path:
    """The directory holding `initdb` and `pg_ctl` (newest installed version first)."""
    if configured := os.environ.get("MOMENTUM_TEST_PG_BINDIR"):
        return Path(configured)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name.split(".")[0] or 0),
        reverse=True,
    )
    if candidates:
        return Path(candidates[0]).parent
    if found := shutil.which("initdb"):
        return Path(found).resolve().parent
    raise PostgresUnavailableError(
        "initdb not found (install PostgreSQL: apt-get install -y postgresql, "
        "or set MOMENTUM_TEST_PG_BINDIR)"
    )


class PostgresCluster:
    """A private cluster; `start()` it, `create_database()` per test, `stop()` at the end."""

    def __init__(self, durable: bool = False) -> None:
        self.bindir = find_bindir()
        self.durable = durable
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            try:
                self._owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailableError(
                    "running as root but there is no `postgres` OS user to run PostgreSQL as"
                ) from None
            if not shutil.which("runuser"):
                raise PostgresUnavailableError("running as root but `runuser` is missing")
        # Directly under /tmp: the socket path must stay short, and postgres must reach it.
        self.root = Path(tempfile.mkdtemp(prefix="momentum-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self._count = 0
        self._started = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=120, cwd=self.root
        )

    def start(self) -> PostgresCluster:
        """initdb and start the server; PostgresUnavailableError with its own words if it can't."""
        if self._as_postgres:
            os.chown(self.root, self._owner.pw_uid, self._owner.pw_gid)
        init = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C", *([] if self.durable else ["--no-sync"]),
        )  # fmt: skip
        if init.returncode:
            raise PostgresUnavailableError(f"initdb failed: {_last_line(init)}")
        options = [
            "-c", "listen_addresses=''", "-c", f"unix_socket_directories={self.socket_dir}",
            "-c", "max_connections=200",
        ]  # fmt: skip
        if not self.durable:  # tests: a crash loses the cluster anyway
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            options += ["-c", "full_page_writes=off"]
        started = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
            "-t", "60", "-o", " ".join(options), "start",
        )  # fmt: skip
        if started.returncode:
            server_log = self.root / "server.log"
            log = server_log.read_text(errors="replace") if server_log.exists() else ""
            raise PostgresUnavailableError(
                f"pg_ctl start failed: {_last_line(started)} {log.strip()[-300:]}"
            )
        self._started = True
        return self

    def postmaster_pid(self) -> int:
        """The server's main process (its backends are its children)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for `database` over the cluster's socket."""
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def create_database(self, prefix: str = "test", template: str | None = None) -> str:
        """A new database's URL: empty, or a copy of the database named `template`."""
        import psycopg

        self._count += 1
        name = f"{prefix}_{os.getpid()}_{self._count}"
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with psycopg.connect(host=str(self.socket_dir), user="postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def dump(self, database_url: str) -> str:
        """Every row of every table of a database, as text (for grepping it)."""
        import psycopg

        name = database_url.split("?")[0].rsplit("/", 1)[1]
        out: list[str] = []
        with psycopg.connect(host=str(self.socket_dir), user="postgres", dbname=name) as conn:
            tables = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            for (table,) in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    out.append(f"{table}: {row!r}")
        return "\n".join(out)

    def stop(self) -> None:
        """Stop the server at once and delete its directory."""
        if self._started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    text = (done.stderr or done.stdout or "").strip().splitlines()
    return text[-1] if text else f"exit status {done.returncode}"
