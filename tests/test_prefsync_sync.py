"""The real sync client against the real server over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from momentum_tui.models import Mark
from momentum_tui.prefsync.client import BackendAuthError, BackendClient, BackendUnreachableError
from momentum_tui.prefsync.crypto import KEY_CHECK_HASH, SyncKey
from momentum_tui.prefsync.engine import SyncEngine, WrongKeyError
from momentum_tui.prefsync.rotate import rotate_key
from momentum_tui.recommend.prefs import add_keyword, remove_keyword
from momentum_tui.rules import store as stored_rules
from momentum_tui.rules.spec import RuleAction, RuleSpec
from momentum_tui.storage.channels import tag_channel
from momentum_tui.storage.marks import mark_video
from momentum_tui.youtube.channels import remove_channel
from tests.factories import channel_id, make_video
from tests.prefsync_devices import Machine, open_machine
from tests.support.backend import Backend


@pytest.fixture
def pair(backend: Backend, tmp_path: Path) -> Iterator[tuple[Machine, Machine]]:
    """A laptop and a desktop signed in to one account, sharing one key."""
    key = SyncKey.generate()
    token = backend.new_account("alice", "laptop")
    laptop = open_machine(tmp_path, "laptop", backend, token, key)
    desktop = open_machine(tmp_path, "desktop", backend, backend.sign_in("alice", "desktop"), key)
    yield laptop, desktop
    laptop.store.close()
    desktop.store.close()


def server_names(machine: Machine) -> set[str]:
    with machine.backend.client(machine.token) as http:
        return {r["name"] for r in http.get("/export").json()["records"]}


def later() -> None:
    """Let the wall clock pass a millisecond: edits within one are concurrent (ties by device)."""
    start = time.time_ns() // 1_000_000
    while time.time_ns() // 1_000_000 <= start + 1:
        time.sleep(0.001)


def video(n: int) -> str:
    return make_video(n).id


def test_what_one_machine_sets_the_other_gets(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    mark_video(laptop.store, video(1), Mark.WATCHED)
    mark_video(laptop.store, video(2), Mark.LIKED)
    mark_video(laptop.store, video(3), Mark.HIDDEN)
    mark_video(laptop.store, video(4), Mark.SAVED)
    tag_channel(laptop.store, channel_id(1), ["music"])
    with laptop.store.write() as db:
        add_keyword(db, "rust", 2)
        stored_rules.add_rule(db, RuleSpec(action=RuleAction.HIDE, title_words=("unboxing",)))
    remove_channel(laptop.store, channel_id(2))
    first = laptop.sync()
    assert first.pushed > 0 and first.revision > 0
    second = desktop.sync()
    assert second.pulled >= first.pushed
    assert desktop.preferences() == laptop.preferences()
    after = desktop.preferences()
    assert after["follows"] == [channel_id(0), channel_id(1)]
    assert after["keywords"] == [("rust", 2.0)]
    again = laptop.sync()
    assert again.pushed == 0


def test_offline_edits_on_both_machines_converge(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    with laptop.store.write() as db:
        add_keyword(db, "rust", 1)
    laptop.sync()
    desktop.sync()
    # Both offline: the laptop removes the keyword, then the desktop re-weighs it (later).
    with laptop.store.write() as db:
        remove_keyword(db, "rust")
        add_keyword(db, "zig", 3)
    later()
    with desktop.store.write() as db:
        add_keyword(db, "rust", -2)
    mark_video(desktop.store, video(5), Mark.WATCHED)
    report = laptop.sync()
    assert report.conflicts == 0
    report = desktop.sync()  # pushed after the laptop: a 412-free pull, merge, push
    assert report.conflicts == 1
    laptop.sync()
    assert laptop.preferences() == desktop.preferences()
    assert sorted(laptop.preferences()["keywords"]) == [("rust", -2.0), ("zig", 3.0)]  # type: ignore[type-var]


def test_an_older_removal_never_beats_a_newer_re_add(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    mark_video(laptop.store, video(1), Mark.SAVED)
    laptop.sync()
    desktop.sync()
    mark_video(desktop.store, video(1), Mark.UNSAVED)  # removed first …
    later()
    # … saved again afterwards, offline (a later second: a mark is stamped to the second,
    # and saving what is saved within the same second changes nothing to sync).
    mark_video(laptop.store, video(1), Mark.SAVED, now=int(time.time()) + 2)
    laptop.sync()
    desktop.sync()
    laptop.sync()
    for machine in pair:
        assert (video(1), 0, 0, 0, 1) in machine.preferences()["marks"]  # type: ignore[operator]


def test_a_412_and_a_dropped_answer_lose_nothing(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    laptop.backend.faults.script.extend(["412", "drop"])
    with laptop.store.write() as db:
        add_keyword(db, "rust", 1)
    report = laptop.sync()
    assert report.retries_412 >= 1
    assert laptop.backend.faults.injected == {"412": 1, "drop": 1}
    desktop.sync()
    assert ("rust", 1.0) in desktop.preferences()["keywords"]  # type: ignore[operator]
    assert laptop.sync().pushed == 0  # the dropped push was stored: nothing is sent twice


def test_pushes_and_pulls_are_paged(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    with laptop.store.write() as db:
        for n in range(1200):
            add_keyword(db, f"word{n}", 1 + n % 4)
    pushed = laptop.sync()
    assert pushed.push_pages >= 3  # 500 records at most per push
    pulled = desktop.sync(pull_limit=500)
    assert pulled.pull_pages >= 3
    assert len(desktop.preferences()["keywords"]) == 1200  # type: ignore[arg-type]


def test_a_wrong_key_is_caught_before_anything_changes(
    pair: tuple[Machine, Machine], tmp_path: Path
) -> None:
    laptop, desktop = pair
    with laptop.store.write() as db:
        add_keyword(db, "rust", 1)
    laptop.sync()
    desktop.key = SyncKey.generate()
    before = desktop.preferences()
    with pytest.raises(WrongKeyError, match="not the one your account"):
        desktop.sync()
    assert desktop.preferences() == before


def test_rotating_the_key_re_encrypts_everything(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    with laptop.store.write() as db:
        for n in range(600):  # more than one push: a staged upload
            add_keyword(db, f"word{n}", 1)
    laptop.sync()
    desktop.sync()
    old_names = server_names(laptop)
    with laptop.client() as client:
        new_key, count = rotate_key(SyncEngine(laptop.store, client, laptop.key))
    laptop.key = new_key
    assert count >= 600
    new_names = server_names(laptop)
    assert old_names & new_names == {KEY_CHECK_HASH}  # every other name was a keyed hash
    with pytest.raises(WrongKeyError, match="rotated"):
        desktop.sync()
    desktop.key = new_key
    with desktop.store.write() as db:
        add_keyword(db, "after-rotation", 2)
    desktop.sync()
    laptop.sync()
    assert laptop.preferences() == desktop.preferences()


def test_a_revoked_device_gets_one_sentence_and_keeps_its_changes(
    pair: tuple[Machine, Machine],
) -> None:
    laptop, desktop = pair
    with desktop.client() as client:
        mine = next(d for d in client.devices() if d.current)
    with laptop.client() as client:
        client.revoke(mine.device_id)
    with desktop.store.write() as db:
        add_keyword(db, "kept", 1)
    with pytest.raises(BackendAuthError, match="no longer accepts this device"):
        desktop.sync()
    assert "kw:kept" in desktop.records() or ("kept", 1.0) in desktop.preferences()["keywords"]  # type: ignore[operator]
    assert not desktop.records()["kw:kept"].synced


def test_an_unreachable_server_gets_one_sentence(tmp_path: Path, backend_sqlite: Backend) -> None:
    machine = open_machine(tmp_path, "away", backend_sqlite, "mt1.x.y", SyncKey.generate())
    machine.backend = backend_sqlite
    dead = BackendClient("http://127.0.0.1:9", "token", timeout=2, retries=1, backoff=0.01)
    with pytest.raises(BackendUnreachableError, match="nothing was lost"):
        SyncEngine(machine.store, dead, machine.key).sync()
    with machine.store.read() as conn:
        unsent = conn.execute("SELECT count(*) FROM prefsync_records WHERE synced = 0").fetchone()
    assert unsent[0] > 0  # the follows it started with wait for the next sync
    machine.store.close()


def test_the_server_never_sees_a_preference_in_clear(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    mark_video(laptop.store, video(7), Mark.WATCHED)
    tag_channel(laptop.store, channel_id(1), ["secret-group"])
    with laptop.store.write() as db:
        add_keyword(db, "embarrassing hobby", 4)
        stored_rules.add_rule(
            db, RuleSpec(action=RuleAction.BURY, title_words=("tellingword",)), text="tellingword"
        )
    laptop.sync()
    desktop.sync()
    seen = laptop.backend.database_text() + laptop.backend.log_text()
    for plain in (video(7), channel_id(1), "secret-group", "embarrassing", "tellingword", "kw:"):
        assert plain not in seen


def test_a_lost_key_starts_over_from_one_machine(pair: tuple[Machine, Machine]) -> None:
    laptop, desktop = pair
    with laptop.store.write() as db:
        add_keyword(db, "from-laptop", 1)
    laptop.sync()
    with desktop.store.write() as db:
        add_keyword(db, "from-desktop", 2)
    with desktop.client() as client:  # nobody has the laptop's key any more
        new_key, _ = rotate_key(SyncEngine(desktop.store, client, SyncKey.generate()), lost=True)
    laptop.key = desktop.key = new_key
    laptop.sync()
    desktop.sync()
    assert laptop.preferences() == desktop.preferences()
    assert {k for k, _ in laptop.preferences()["keywords"]} == {"from-laptop", "from-desktop"}  # type: ignore[union-attr]


def test_a_rotation_cut_short_is_settled_at_the_next_sync(pair: tuple[Machine, Machine]) -> None:
    from momentum_tui import secrets
    from momentum_tui.prefsync.crypto import Cipher
    from momentum_tui.prefsync.rotate import _replace, settle

    laptop, _ = pair
    laptop.sync()
    new_key = SyncKey.generate()
    secrets.set_secret("sync-key", laptop.key.to_secret())
    secrets.set_secret("sync-key-next", new_key.to_secret())
    with laptop.client() as client:  # the replace reached the server, then the process died
        revision = client.account()["revision"]
        _replace(client, [Cipher(new_key).key_check()], revision)
        assert settle(laptop.store, client, laptop.key) == new_key
    assert secrets.get_secret("sync-key") == new_key.to_secret()
    assert secrets.get_secret("sync-key-next") is None
