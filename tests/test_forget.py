"""`momentum forget`: everything named first, only Momentum's own files removed."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import keyring
import pytest

from momentum_tui import locations, secrets
from momentum_tui.config import Settings, UISettings
from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.backup import make_backup
from momentum_tui.storage.marks import mark_video
from tests.app_support import make_app, settle
from tests.data_support import copy_cache, enrich
from tests.factories import add, make_video
from tests.terminal import Terminal, home_env
from tests.test_outside_changes import shown_ids, wait_for


@pytest.fixture
def lived_in(demo_template: Path, isolated_home: Path) -> Path:
    """A home with a cache, backups, a demo profile, config, keys — and a stranger's file."""
    cache = copy_cache(demo_template, locations.cache_db())
    with Store.open(cache) as store:
        enrich(store)
    make_backup(cache, cache.parent / "backups" / "momentum-20261101-120000-daily.db.zst")
    make_backup(cache, cache.parent / "backups" / "momentum-20261102-120000.db.zst")
    copy_cache(demo_template, locations.demo_db())
    locations.config_file().write_text('[ui]\ntheme = "nord"\n')
    (locations.config_dir() / "client_secret.json").write_text("{}")
    secrets.set_secret("youtube", "AIza-key")
    secrets.set_secret("anthropic", "sk-ant-key")
    secrets.set_secret("youtube-oauth", "refresh", allow_file=True)
    (cache.parent / "notes.txt").write_text("mine, not Momentum's")
    return isolated_home


def test_forget_names_everything_and_removes_only_momentums_files(run_cli, lived_in: Path) -> None:
    result = run_cli("forget", "--yes")
    assert result.code == 0, result.err
    said = result.out
    for thing in ("the cache (", "2 backups", "the demo profile", "the config file",
                  "your Google OAuth client file", "the YouTube Data API key",
                  "the Anthropic (Claude) API key", "the YouTube sign-in (refresh token)",
                  "the secrets file"):  # fmt: skip
        assert thing in said, thing
    assert said.startswith("Removed ") and said.strip().endswith(".")
    left = sorted(str(p.relative_to(lived_in)) for p in lived_in.rglob("*"))
    left.remove("test-keyring.json")  # the test keyring's own storage
    assert left == ["data", "data/notes.txt"]  # the stranger's file, and its folder
    assert keyring.get_password(secrets.SERVICE, "youtube") is None
    assert keyring.get_password(secrets.SERVICE, "anthropic") is None
    assert secrets.secret_source("youtube-oauth") is None
    again = run_cli("forget", "--yes")
    assert "keeps nothing on this machine" in again.out


def test_without_a_terminal_or_yes_nothing_goes(run_cli, lived_in: Path) -> None:
    before = sorted(lived_in.rglob("*"))
    result = run_cli("forget")
    assert result.code == 1
    assert "Forgetting would remove the cache" in result.err
    assert "nothing was changed" in result.err
    assert sorted(lived_in.rglob("*")) == before
    assert secrets.get_secret("youtube") == "AIza-key"


def test_a_key_in_the_environment_is_named_as_left_in_place(
    run_cli, lived_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env")
    result = run_cli("forget", "--yes")
    assert result.code == 0
    assert "ANTHROPIC_API_KEY (set in your environment)" in result.err


def test_the_question_on_a_terminal_both_answers(lived_in: Path) -> None:
    no = Terminal("forget", env=home_env(lived_in))
    shown = no.expect("Forget all of it? [y/N]")
    assert "This removes, for good:" in shown and "  - the cache (" in shown
    no.send("n\r")
    assert no.wait() == 1
    assert "Nothing was changed." in no.text()
    assert locations.cache_db().exists()
    yes = Terminal("forget", env=home_env(lived_in))
    yes.expect("Forget all of it? [y/N]")
    yes.send("y\r")
    assert yes.wait() == 0
    assert "Removed the cache (" in yes.text()
    assert not locations.cache_db().exists()


def test_forget_history_keeps_everything_else(run_cli, lived_in: Path) -> None:
    cache = locations.cache_db()
    counts_before = _counts(cache)
    result = run_cli("forget", "--history", "--yes")
    assert result.code == 0, result.err
    assert "Removed your marks on" in result.out
    after = _counts(cache)
    assert after["video_state"] == 0 and after["interactions"] == 0
    assert counts_before["playback"] > 0 and after["playback"] == 0  # watch history too
    for table in ("videos", "channels", "video_labels", "rules", "keyword_prefs", "channel_tags",
                  "queue", "notified"):  # fmt: skip
        assert after[table] == counts_before[table], table
    with closing(sqlite3.connect(cache)) as conn:  # nor does preference sync's copy say it
        for table in ("prefsync_outbox", "prefsync_records"):
            names = [n for (n,) in conn.execute(f"SELECT name FROM {table}")]
            marks = ("watched", "rating", "hidden", "saved", "position")
            assert not [n for n in names if n.startswith("video:") and n[18:] in marks], table
            kept = {n[18:] for n in names if n.startswith("video:")}
            assert table == "prefsync_records" or kept == {"queue", "notified"}, kept
        outbox = conn.execute("SELECT count(*) FROM prefsync_outbox").fetchone()[0]
        assert outbox > 0  # follows, groups, keywords and rules still wait to be sent
    assert secrets.get_secret("youtube") == "AIza-key"
    assert "Backups made before now still hold them" in result.err


def test_forget_one_channel(run_cli, lived_in: Path) -> None:
    cache = locations.cache_db()
    with closing(sqlite3.connect(cache)) as conn:
        channel, title = conn.execute(
            "SELECT c.id, c.title FROM channels c JOIN video_state s JOIN videos v "
            "ON v.id = s.video_id AND v.channel_id = c.id LIMIT 1"
        ).fetchone()
        theirs = conn.execute("SELECT count(*) FROM videos WHERE channel_id = ?", (channel,))
        theirs = theirs.fetchone()[0]
        ids = [v for (v,) in conn.execute("SELECT id FROM videos WHERE channel_id = ?", (channel,))]
        conn.execute("INSERT INTO playback VALUES (?, 60, 600, 1)", (ids[0],))
        conn.execute("INSERT INTO queue VALUES (?, 'a9', 1)", (ids[-1],))
        conn.commit()
    before = _counts(cache)
    result = run_cli("forget", "--channel", channel, "--yes")
    assert result.code == 0, result.err
    assert f"of {title}" in result.out
    after = _counts(cache)
    assert after["videos"] == before["videos"] - theirs
    assert after["video_state"] < before["video_state"]
    assert after["channels"] == before["channels"]  # still followed
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("SELECT count(*) FROM videos WHERE channel_id = ?",
                            (channel,)).fetchone()[0] == 0  # fmt: skip
        marks = ",".join("?" for _ in ids)
        for table in ("playback", "queue"):
            left = conn.execute(f"SELECT count(*) FROM {table} WHERE video_id IN ({marks})", ids)
            assert left.fetchone()[0] == 0, table
        synced = conn.execute("SELECT name FROM prefsync_outbox WHERE name LIKE 'video:%'")
        assert not [n for (n,) in synced if n[6:17] in ids and not n.endswith(":notified")]
        fts = conn.execute("INSERT INTO videos_fts(videos_fts) VALUES ('integrity-check')")
        assert fts is not None  # the full-text index still matches the videos
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "You still follow it" in result.err


def test_bad_options_and_an_unknown_channel(run_cli, lived_in: Path) -> None:
    assert run_cli("forget", "--history", "--channel", "x").code == 2
    result = run_cli("forget", "--channel", "Nobody at all", "--yes")
    assert result.code == 1
    assert "No channel 'Nobody at all' is in the cache." in result.err


def _counts(cache: Path) -> dict[str, int]:
    tables = ("videos", "channels", "video_state", "interactions", "video_labels", "rules",
              "keyword_prefs", "channel_tags", "queue", "playback", "notified")  # fmt: skip
    with closing(sqlite3.connect(cache)) as conn:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}


def _notes(app: Any) -> list[str]:
    notes: list[str] = []
    original = app.notify

    def notify(message: str, **options: Any) -> None:
        notes.append(message)
        original(message, **options)

    app.notify = notify
    return notes


async def test_an_open_app_follows_forget_history_and_says_when_the_cache_is_gone(
    tmp_path: Path,
) -> None:
    from momentum_tui.owndata.forget import REMEMBERED_HISTORY, carry_out, plan
    from momentum_tui.storage.erase import erase_history

    path = tmp_path / "momentum.db"
    with Store.open(path) as setup:
        add(setup, *(make_video(n) for n in range(1, 6)))
        mark_video(setup, make_video(2).id, Mark.HIDDEN)
    store = Store.open(path)
    app = make_app(store, Settings(ui=UISettings(watch_seconds=0.1)), start_view="subscriptions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        notes = _notes(app)
        assert make_video(2).id not in shown_ids(app)
        with Store.open(path) as terminal:  # `momentum forget --history` elsewhere
            erase_history(terminal, REMEMBERED_HISTORY)
        assert await wait_for(pilot, lambda: make_video(2).id in shown_ids(app))
        carry_out(plan(path))  # `momentum forget --yes` elsewhere
        assert await wait_for(pilot, lambda: any("was removed" in n for n in notes))
        await settle(pilot)  # no worker still reading when the store closes
    store.close()
    assert not path.exists()
