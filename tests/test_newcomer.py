"""What a newcomer met on the command line: `-` ids, a home that is a file or can't be
written, a cache from a newer Momentum, a broken config file, the keyring in words."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from momentum_tui import locations
from momentum_tui.records import Channel, Video
from momentum_tui.storage import Store
from momentum_tui.storage.migrations import MIGRATION_SET, MIGRATIONS_TABLE
from momentum_tui.storage.videos import upsert_channels, upsert_videos

CHANNEL = "UC" + "d" * 22
DASHED = ("-IwITvJlWbo", "--abcdefghi")
"""Real ids can start with `-` (7 of 601 in one cache), even with two."""


@pytest.fixture
def dashed_cache() -> Path:
    """A cache holding videos whose ids start with `-`."""
    path = locations.cache_db()
    with Store.open(path) as store, store.write() as db:
        upsert_channels(db, [Channel(id=CHANNEL, title="Dashes")])
        upsert_videos(
            db,
            [
                Video(
                    id=video_id,
                    channel_id=CHANNEL,
                    channel_title="Dashes",
                    title=f"Video {n}",
                    published_at=1_700_000_000 + n,
                    duration_s=300,
                )
                for n, video_id in enumerate(DASHED)
            ],
        )
    return path


@pytest.mark.parametrize("video_id", DASHED)
def test_ids_that_start_with_a_dash_need_no_double_dash(dashed_cache, run_cli, video_id) -> None:
    marked = run_cli("mark", video_id, "liked")
    assert marked.code == 0, marked.err
    assert marked.out == f"{video_id}: liked.\n"
    shown = run_cli("show", video_id, "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["state"]["rating"] == 1
    assert run_cli("show", "--json", video_id).code == 0  # options before the id, too
    why = run_cli("why", video_id)
    assert why.code == 0, why.err
    assert why.out.startswith(f"Video {DASHED.index(video_id)}")
    assert run_cli("mark", "--", video_id, "unrated").code == 0  # the old way still works


def test_options_and_usage_errors_still_work_beside_dashed_ids(dashed_cache, run_cli) -> None:
    assert run_cli("mark", "-x", "watched").code == 2  # an unknown option is still one
    missing = run_cli("mark", DASHED[0])
    assert missing.code == 2
    assert "Missing argument" in missing.err
    as_json = run_cli("mark", "--json", DASHED[0], "saved")
    assert json.loads(as_json.out)["mark"] == "saved"


def test_a_home_that_is_a_file_says_so(run_cli, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    monkeypatch.setenv("MOMENTUM_HOME", str(blocker))
    for command in (["feed"], ["doctor"], ["config", "show"], ["sync"]):
        result = run_cli(*command)
        assert result.code == 1, command
        assert result.err.splitlines()[0] == (
            f"momentum: MOMENTUM_HOME points at {blocker}, which is a file, not a directory."
        )
        assert "config" not in result.err.splitlines()[0]  # not a config-permission message


def test_doctor_fails_in_one_sentence_for_a_home_it_cannot_write(
    run_cli, tmp_path: Path, monkeypatch
) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    monkeypatch.setenv("MOMENTUM_HOME", str(blocker / "home"))  # even root can't make this
    result = run_cli("doctor")
    assert result.code == 1
    assert result.out == ""
    assert result.err.splitlines() == [
        f"momentum: Momentum can't write its files: {blocker} is a file, not a directory.",
        "  Fix its permissions, or point MOMENTUM_HOME at a directory you can write.",
    ]


def test_doctor_never_moves_a_healthy_cache_from_a_newer_momentum(run_cli) -> None:
    path = locations.cache_db()
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) VALUES (?, ?, ?)",
            (MIGRATION_SET, "m999_from_the_future", "2030-01-01"),
        )
    before = path.read_bytes()
    for args in (["doctor"], ["doctor", "--move-aside"]):
        result = run_cli(*args)
        assert result.code == 1
        assert "written by a newer Momentum" in result.err
        assert "`--move-aside` leaves it alone" in result.err
        assert "Upgrade Momentum" in result.err
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.corrupt-*"))


def test_config_show_still_works_with_a_broken_file_and_points_at_the_line(
    run_cli, isolated_home: Path
) -> None:
    config = isolated_home / "config.toml"
    config.write_text("[feed]\nsort = 'views'\n[youtube\nbackfill = 3\n")
    result = run_cli("config", "show")
    assert result.code == 1
    assert "youtube.backfill" in result.out  # every setting is still listed
    assert "at line 3" in result.err
    assert "the config file was not used" in result.err
    config.write_text("[feed]\nsort = 'views'\n\n[youtube]\nbackfil = 3\n")
    result = run_cli("config", "show", "--json")
    assert result.code == 1
    assert json.loads(result.out)["youtube"]["backfill"] == 50
    assert "config.toml, line 5: unknown setting `youtube.backfil`" in result.err


def test_a_bad_value_names_its_line(run_cli, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text("[ui]\ntheme = 'x'\nwatch_seconds = -4\n")
    result = run_cli("feed")
    assert result.code == 1
    assert "config.toml, line 3: `ui.watch_seconds`" in result.err


def test_doctor_names_the_keyring_in_words(run_cli, monkeypatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        report = json.loads(run_cli("doctor", "--json").out)
        text = run_cli("doctor").out
    finally:
        keyring.set_keyring(previous)
    assert report["keyring"]["name"] == "none: no keyring on this machine"
    assert "keyring        none: no keyring on this machine" in text
    assert "keyring.backends" not in text
