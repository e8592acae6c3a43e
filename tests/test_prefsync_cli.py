"""`momentum login|logout|devices|prefsync` as a person types them, against the real server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from momentum_tui import locations, secrets
from momentum_tui.storage import Store
from tests.factories import add, make_video
from tests.support.backend import PASSWORD, Backend


class Machines:
    """Switches MOMENTUM_HOME (cache, config, test keyring) between two machines."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.monkeypatch = monkeypatch

    def use(self, name: str) -> None:
        home = self.root / name
        home.mkdir(exist_ok=True)
        self.monkeypatch.setenv("MOMENTUM_HOME", str(home))


@pytest.fixture
def machines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machines:
    return Machines(tmp_path, monkeypatch)


def words_in(text: str) -> str:
    return " ".join(re.findall(r"\d+\. ([a-z]+)", text))


def login(run_cli, backend: Backend, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "login", "--server", backend.url, "--user", "alice", "--password-stdin", *extra,
        stdin=PASSWORD + "\n",
    )  # fmt: skip


def test_two_machines_signed_in_once_agree(run_cli, backend: Backend, machines: Machines) -> None:  # type: ignore[no-untyped-def]
    machines.use("laptop")
    with Store.open(locations.cache_db()) as store:
        add(store, make_video(1))
    made = login(run_cli, backend, "--new", "--device-name", "laptop")
    assert made.code == 0, made.err
    assert "Created the account and signed in" in made.out
    words = words_in(made.out)
    assert len(words.split()) == 24
    assert secrets.get_secret("backend") and secrets.get_secret("sync-key")
    assert run_cli("prefs", "keyword", "add", "rust", "2").code == 0
    assert run_cli("mark", make_video(1).id, "liked").code == 0
    pushed = run_cli("prefsync", "--json")
    assert pushed.code == 0, pushed.err
    assert json.loads(pushed.out)["pushed"] >= 3

    machines.use("desktop")
    with Store.open(locations.cache_db()) as store:
        add(store, make_video(1))
    joined = login(run_cli, backend, "--device-name", "desktop")
    assert joined.code == 0 and "already holds synced preferences" in joined.out
    no_key = run_cli("prefsync")
    assert no_key.code == 1 and "no sync key yet" in no_key.err
    assert "Traceback" not in no_key.err
    wrong = run_cli("prefsync", "key", "--set-stdin", stdin=SyncKeyWords.other())
    assert wrong.code == 0
    refused = run_cli("prefsync")
    assert refused.code == 1 and "not the one your account" in refused.err
    assert run_cli("prefsync", "key", "--set-stdin", stdin=words).code == 0
    pulled = run_cli("prefsync")
    assert pulled.code == 0 and "pulled" in pulled.out
    keywords = json.loads(run_cli("prefs", "keyword", "list", "--json").out)
    assert [k["keyword"] for k in keywords["keywords"]] == ["rust"]
    shown = run_cli("show", make_video(1).id, "--json")
    assert '"rating": 1' in shown.out

    listed = json.loads(run_cli("devices", "--json").out)
    assert sorted(d["name"] for d in listed) == ["desktop", "laptop"]
    laptop_id = next(d["device_id"] for d in listed if d["name"] == "laptop")
    assert run_cli("devices", "revoke", laptop_id).code == 0
    machines.use("laptop")
    revoked = run_cli("prefsync")
    assert revoked.code == 1 and "no longer accepts this device" in revoked.err
    status = json.loads(run_cli("prefsync", "status", "--json").out)
    assert status["last_outcome"]["ok"] is False
    out = run_cli("logout")
    assert out.code == 0 and "Signed out" in out.out
    assert secrets.get_secret("backend") is None
    assert run_cli("prefsync").err.count("isn't signed in") == 1


def test_the_synced_settings_follow_and_comments_stay(  # type: ignore[no-untyped-def]
    run_cli, backend_sqlite: Backend, machines: Machines
) -> None:
    machines.use("laptop")
    login(run_cli, backend_sqlite, "--new")
    words = words_in(run_cli("prefsync", "key", "--show").out)
    locations.config_file().write_text(
        "[recommend]\nw_topic = 2.5\n\n[youtube]\ndaily_quota = 500\n", encoding="utf-8"
    )
    assert run_cli("prefsync").code == 0

    machines.use("desktop")
    locations.config_file().write_text("# my own notes\n[feed]\nsort = 'views'\n")
    login(run_cli, backend_sqlite)
    run_cli("prefsync", "key", "--set-stdin", stdin=words)
    assert run_cli("prefsync").code == 0, "first sync"
    desktop = locations.config_file().read_text(encoding="utf-8")
    assert "# my own notes" in desktop and "w_topic = 2.5" in desktop
    assert "daily_quota" not in desktop  # quotas are the machine's own
    shown = json.loads(run_cli("config", "show", "--json").out)
    assert shown["recommend"]["w_topic"] == 2.5

    machines.use("laptop")
    assert run_cli("prefsync").code == 0
    assert "sort = 'views'" in locations.config_file().read_text(encoding="utf-8").replace('"', "'")


class SyncKeyWords:
    """Words of a valid key that is not the account's."""

    @staticmethod
    def other() -> str:
        from momentum_tui.prefsync.crypto import SyncKey

        return SyncKey.generate().words()


def test_the_key_is_shown_once_and_then_on_request(run_cli) -> None:  # type: ignore[no-untyped-def]
    made = run_cli("prefsync", "key")
    assert len(words_in(made.out).split()) == 24 and "shown once" in made.out
    again = run_cli("prefsync", "key")
    assert words_in(again.out) == "" and "--show" in again.out
    assert words_in(run_cli("prefsync", "key", "--show").out) == words_in(made.out)
    typo = run_cli("prefsync", "key", "--set-stdin", stdin="abandon " * 23)
    assert typo.code == 1 and "24 words; 23" in typo.err
    with Store.open(locations.cache_db()) as store, store.read() as conn:
        dumped = "\n".join(conn.iterdump())
    key = secrets.get_secret("sync-key")
    assert key and key not in dumped and words_in(made.out) not in dumped  # never in SQLite


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ("http://sync.example.org", "won't sign in to sync.example.org over plain http"),
        ("ftp://x", "is not a server URL"),
        ("http://127.0.0.1:9", "did not answer"),
    ],
)
def test_bad_servers_get_one_sentence(run_cli, server: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "login", "--server", server, "--user", "alice", "--password-stdin", stdin="pw\n"
    )
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_wrong_password_and_taken_name(run_cli, backend_sqlite: Backend) -> None:  # type: ignore[no-untyped-def]
    backend_sqlite.new_account("alice")
    bad = run_cli(
        "login", "--server", backend_sqlite.url, "--user", "alice", "--password-stdin",
        stdin="not the password\n",
    )  # fmt: skip
    assert bad.code == 1 and "did not accept that username and password" in bad.err
    taken = login(run_cli, backend_sqlite, "--new")
    assert taken.code == 1 and "taken" in taken.err


def test_the_demo_profile_is_never_synced(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--demo", "prefsync")
    assert result.code == 1 and "never synced" in result.err


def test_a_device_id_that_starts_with_a_dash_is_an_argument() -> None:
    """One device id in 64 starts with `-`; `devices revoke` must not read it as options."""
    import click
    from click.testing import CliRunner

    from momentum_tui.commands.common import DeviceIdCommand

    @click.command(cls=DeviceIdCommand)
    @click.argument("device_id")
    @click.option("--json", "as_json", is_flag=True)
    def revoke(device_id: str, as_json: bool) -> None:
        click.echo(f"{device_id} {as_json}")

    runner = CliRunner()
    assert (
        runner.invoke(revoke, ["-ls1aewFeCk0xpl31iafGg"]).output == "-ls1aewFeCk0xpl31iafGg False\n"
    )
    assert runner.invoke(revoke, ["--json", "-ls1aewFeCk0xpl31iafGg"]).output.endswith("True\n")
    assert runner.invoke(revoke, ["-x"]).exit_code == 2  # a real unknown option still is one
