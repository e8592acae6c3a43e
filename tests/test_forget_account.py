"""`momentum forget` on a machine signed in to the Momentum backend: the account goes first.

The real server (tests/support/backend.py) over loopback, as the preference-sync tests
use it; the account is deleted with its delete-account call, and when that can't be
done — a wrong password, a revoked device, a server that doesn't answer, no way to ask
for the password — nothing on this machine is removed either.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from momentum_tui import locations, secrets
from momentum_tui.storage import Store
from tests.factories import add, make_video
from tests.support.backend import PASSWORD, Backend
from tests.terminal import Terminal, home_env

USER = "forgetful"


def signed_in(run_cli, backend: Backend) -> None:  # type: ignore[no-untyped-def]
    """A machine with a cache, a new account on `backend`, its token and sync key."""
    with Store.open(locations.cache_db()) as store:
        add(store, make_video(1))
    made = run_cli(
        "login", "--server", backend.url, "--user", USER, "--new", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert made.code == 0, made.err
    assert run_cli("mark", make_video(1).id, "liked").code == 0
    assert run_cli("prefsync").code == 0  # the server holds a record of this person
    assert secrets.get_secret("backend") and secrets.get_secret("sync-key")


def can_sign_in(backend: Backend) -> bool:
    """Whether the account still exists on the server (its password still signs in)."""
    with backend.client() as http:
        body = {"username": USER, "password": PASSWORD, "device_name": "check"}
        return http.post("/sessions", json=body).status_code == 201


def account_rows(backend: Backend) -> list[str]:
    """The server's rows of accounts and what they own (one account in a fresh database)."""
    owned = ("users: (", "devices: (", "records: (", "uploads: (", "upload_records: (")
    return [line for line in backend.database_text().splitlines() if line.startswith(owned)]


def nothing_removed() -> None:
    assert locations.cache_db().exists()
    assert secrets.get_secret("backend") and secrets.get_secret("sync-key")


def test_forget_deletes_the_server_account_and_every_key(run_cli, backend: Backend) -> None:  # type: ignore[no-untyped-def]
    signed_in(run_cli, backend)
    rows = account_rows(backend)
    assert any(USER in row for row in rows) and any(r.startswith("records: ") for r in rows)
    result = run_cli("forget", "--yes", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.code == 0, result.err
    said = result.out
    assert said.startswith(f"Removed your account {USER} on {backend.url}, ")
    for thing in ("the cache (", "the sync server's device token", "the preference-sync key"):
        assert thing in said, thing
    assert not can_sign_in(backend)
    assert account_rows(backend) == []  # the account's row and everything it owned
    for name in ("backend", "sync-key", "sync-key-next"):
        assert secrets.get_secret(name) is None, name
    assert not locations.cache_db().exists()
    assert "keeps nothing on this machine" in run_cli("forget", "--yes").out


def test_a_wrong_password_removes_nothing_here_or_there(
    run_cli,  # type: ignore[no-untyped-def]
    backend_sqlite: Backend,
) -> None:
    signed_in(run_cli, backend_sqlite)
    result = run_cli("forget", "--yes", "--password-stdin", stdin="not it\n")
    assert result.code == 1
    assert "did not accept that password" in result.err
    assert "--local-only" in result.err and "Traceback" not in result.err
    nothing_removed()
    assert can_sign_in(backend_sqlite)


def test_without_a_way_to_ask_for_the_password_nothing_goes(
    run_cli,  # type: ignore[no-untyped-def]
    backend_sqlite: Backend,
) -> None:
    signed_in(run_cli, backend_sqlite)
    result = run_cli("forget", "--yes")
    assert result.code == 1
    assert f"Deleting your account {USER} on {backend_sqlite.url} needs its password" in result.err
    assert "--password-stdin" in result.err
    nothing_removed()
    assert can_sign_in(backend_sqlite)


def test_a_server_that_does_not_answer_stops_everything(run_cli, backend_sqlite: Backend) -> None:  # type: ignore[no-untyped-def]
    signed_in(run_cli, backend_sqlite)
    gone = "http://127.0.0.1:9"  # the discard port: nothing listens there
    with closing(sqlite3.connect(locations.cache_db())) as conn, conn:
        conn.execute("UPDATE prefsync_state SET server = ?", (gone,))
    result = run_cli("forget", "--yes", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.code == 1
    assert f"The sync server {gone} could not be reached" in result.err
    assert "nothing was removed here" in result.err
    nothing_removed()
    assert can_sign_in(backend_sqlite)


def test_a_revoked_device_cannot_delete_the_account(run_cli, backend_sqlite: Backend) -> None:  # type: ignore[no-untyped-def]
    signed_in(run_cli, backend_sqlite)
    other = backend_sqlite.sign_in(USER, "desktop")
    with backend_sqlite.client(other) as http:
        devices = http.get("/devices").json()["devices"]
        mine = next(d["device_id"] for d in devices if not d["current"])
        assert http.delete(f"/devices/{mine}").status_code in (200, 204)
    result = run_cli("forget", "--yes", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.code == 1
    assert "no longer accepts this device" in result.err
    nothing_removed()
    assert can_sign_in(backend_sqlite)


def test_local_only_keeps_the_account(run_cli, backend_sqlite: Backend) -> None:  # type: ignore[no-untyped-def]
    signed_in(run_cli, backend_sqlite)
    result = run_cli("forget", "--yes", "--local-only")
    assert result.code == 0, result.err
    assert "your account" not in result.out
    assert "the sync server's device token" in result.out
    assert secrets.get_secret("backend") is None and secrets.get_secret("sync-key") is None
    assert not locations.cache_db().exists()
    assert can_sign_in(backend_sqlite)


def test_a_token_without_a_readable_cache_is_named_as_left(run_cli) -> None:  # type: ignore[no-untyped-def]
    secrets.set_secret("backend", "a-token")
    locations.ensure_dir(locations.cache_db().parent)
    locations.cache_db().write_bytes(b"not a database at all, just bytes" * 100)
    result = run_cli("forget", "--yes")
    assert result.code == 0, result.err
    assert "the cache (" in result.out and "the sync server's device token" in result.out
    assert "your sync account, if you have one" in result.err
    assert secrets.get_secret("backend") is None


def test_on_a_terminal_it_names_the_account_then_asks_for_its_password(
    run_cli,  # type: ignore[no-untyped-def]
    backend_sqlite: Backend,
    isolated_home: Path,
) -> None:
    signed_in(run_cli, backend_sqlite)
    person = Terminal("forget", env=home_env(isolated_home))
    shown = person.expect("Forget all of it? [y/N]")
    assert f"  - your account {USER} on {backend_sqlite.url}, with everything it stores" in shown
    person.send("y\r")
    person.expect(f"Password of {USER} on {backend_sqlite.url}:")
    person.send(PASSWORD + "\r")
    assert person.wait() == 0, person.text()
    assert PASSWORD not in person.text()  # typed unseen
    assert f"Removed your account {USER} on {backend_sqlite.url}" in person.text()
    assert not can_sign_in(backend_sqlite)
    assert not locations.cache_db().exists()


def test_forgetting_history_here_says_the_server_keeps_its_copy(
    run_cli,  # type: ignore[no-untyped-def]
    backend_sqlite: Backend,
) -> None:
    signed_in(run_cli, backend_sqlite)
    result = run_cli("forget", "--history", "--yes")
    assert result.code == 0, result.err
    assert f"the sync server {backend_sqlite.url} keep theirs" in result.err
    with closing(sqlite3.connect(locations.cache_db())) as conn:
        synced = conn.execute("SELECT count(*) FROM prefsync_records WHERE name LIKE 'video:%'")
        assert synced.fetchone()[0] == 0  # the like that was synced is gone from here
    assert run_cli("prefsync").code == 0  # and syncing again doesn't bring it back
    shown = run_cli("show", make_video(1).id, "--json")
    assert '"rating": 1' not in shown.out
    assert can_sign_in(backend_sqlite)
