"""`momentum-server` as a person runs it: migrate, serve, several workers, bad settings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.server.helpers import pull_all, push
from tests.support.backend import PASSWORD
from tests.support.server_process import command, server_process

SERVER_ENV = {
    # Cheap hashing and roomy per-address limits: every client here is 127.0.0.1.
    "MOMENTUM_SERVER_MEMORY_KIB": "8192",
    "MOMENTUM_SERVER_TIME_COST": "1",
    "MOMENTUM_SERVER_SIGN_IN_BURST": "100",
    "MOMENTUM_SERVER_REGISTER_BURST": "100",
}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args), capture_output=True, text=True, timeout=120, env=env, check=False
    )


def sign_up(api: str, username: str, device: str) -> str:
    with httpx.Client(base_url=api, timeout=30) as http:
        http.post("/accounts", json={"username": username, "password": PASSWORD})
        body = {"username": username, "password": PASSWORD, "device_name": device}
        answer = http.post("/sessions", json=body)
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["token"]
        return token


def test_migrate_brings_a_new_database_to_the_schema_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    first = run("migrate", "--database", url)
    again = run("migrate", "--database", url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "The database is at schema 0001."
    assert again.stdout.strip() == "The database is at schema 0001 (unchanged)."


@pytest.mark.parametrize(
    ("database", "says"),
    [
        ("mysql://root@localhost/x", "SQLite or PostgreSQL, not 'mysql'"),
        ("sqlite://", "in-memory SQLite database would vanish"),
        ("not a url", "is not a database URL"),
        ("postgresql://nobody@/db?host=/nonexistent-dir", "could not open the database"),
    ],
)
def test_a_bad_database_gets_one_sentence_and_no_traceback(database: str, says: str) -> None:
    done = run("migrate", "--database", database)
    assert done.returncode != 0
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_migrate_refuses_an_old_schema_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    done = run("serve", "--no-migrate", "--database", f"sqlite:///{path}", "--port", "0")
    assert done.returncode != 0
    assert "run `momentum-server migrate` first" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_setting_in_the_environment_is_named(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "MOMENTUM_SERVER_QUOTA_RECORDS": "lots"}
    done = run("migrate", "--database", f"sqlite:///{tmp_path / 's.db'}", env=env)
    assert done.returncode != 0
    assert "MOMENTUM_SERVER_QUOTA_RECORDS='lots' is not a valid int" in done.stderr


def test_the_command_serves_sqlite_and_logs_json_without_secrets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with server_process(["--database", url], tmp_path / "server.log", SERVER_ENV) as server:
        api = f"{server.url}/api/v1"
        assert httpx.get(f"{api}/health").json()["status"] == "ok"
        token = sign_up(api, "frank", "laptop")
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}) as http:
            assert push(http, 0, {"kw:rust": "+1"}).json() == {"revision": 1}
        wanted = {"/api/v1/records", "/api/v1/sessions"}
        lines = server.log_lines_once(lambda lines: routes_logged(lines) >= wanted)
    assert routes_logged(lines) >= wanted
    text = (tmp_path / "server.log").read_text()
    assert token not in text and PASSWORD not in text and "frank" not in text


def test_two_workers_share_one_postgresql(postgres_url: str, tmp_path: Path) -> None:
    args = ["serve", "--database", postgres_url, "--workers", "2"]
    with server_process(args, tmp_path / "server.log", SERVER_ENV) as server:
        api = f"{server.url}/api/v1"
        laptop, desktop = sign_up(api, "gina", "laptop"), sign_up(api, "gina", "desktop")
        revision = 0
        for step in range(6):  # alternate devices; new connections spread across workers
            token = (laptop, desktop)[step % 2]
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}) as h:
                answer = push(h, revision, {f"k{step}": str(step)})
                assert answer.status_code == 200, answer.text
                revision = answer.json()["revision"]
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {laptop}"}) as h:
            assert len(pull_all(h)["records"]) == 6
        metrics = httpx.get(f"{server.url}/metrics").text
        workers = {line.get("message") for line in server.log_lines()}
    assert sum("Started server process" in str(m) for m in workers) >= 1
    pushes = [
        line
        for line in metrics.splitlines()
        if line.startswith("momentum_requests_total{")
        and 'route="/api/v1/records"' in line
        and 'method="POST"' in line
    ]
    # Multi-process metrics: whichever worker answered counted every worker's pushes.
    assert sum(float(line.rsplit(" ", 1)[1]) for line in pushes) == 6


def routes_logged(lines: list[dict[str, object]]) -> set[object]:
    """The routes of the requests in the server's log."""
    return {line["route"] for line in lines if line.get("message") == "request"}
