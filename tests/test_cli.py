"""`momentum …` end to end in a private MOMENTUM_HOME: output shapes, exit codes, faults."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from momentum_tui import locations
from momentum_tui.demo.build import build_demo
from momentum_tui.storage import Store
from tests.conftest import DEMO_NOW, REPO
from tests.support.unwritable import unwritable_directory


@pytest.fixture
def cache(demo_template: Path) -> Path:
    """The user's cache, filled with the demo corpus."""
    target = locations.cache_db()
    locations.ensure_dir(target.parent)
    source, destination = sqlite3.connect(demo_template), sqlite3.connect(target)
    source.backup(destination)
    source.close()
    destination.close()
    return target


def test_feed_json_shape(run_cli, cache: Path) -> None:
    result = run_cli("feed", "--json", "--limit", "3", "--no-shorts")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == {"total", "count", "filters", "videos"}
    assert data["count"] == 3
    assert data["filters"] == ["no Shorts"]
    video = data["videos"][0]
    assert set(video) == {
        "id",
        "url",
        "title",
        "channel_id",
        "channel",
        "published_at",
        "duration_s",
        "is_short",
        "live",
        "views",
        "state",
        "labels",
    }
    assert video["url"].endswith(video["id"])
    assert video["published_at"].endswith("Z")
    assert set(video["state"]) == {"watched", "rating", "hidden", "saved"}
    assert not any(v["is_short"] for v in data["videos"])


def test_feed_table_and_filters(run_cli, cache: Path) -> None:
    result = run_cli("feed", "--limit", "5", "--min", "10m", "--max", "20m", "--sort", "views")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split()[:4] == ["id", "age", "length", "views"]
    assert len(lines) == 6
    assert "10:00–20:00" in result.err


def test_feed_bad_duration_is_a_usage_error(run_cli, cache: Path) -> None:
    result = run_cli("feed", "--min", "ten minutes")
    assert result.code == 2
    assert "not a length" in result.err


def test_search_finds_and_respects_limit(run_cli, cache: Path) -> None:
    result = run_cli("search", "official", "video", "--json", "--limit", "2")
    data = json.loads(result.out)
    assert data["total"] > 100
    assert data["count"] == 2
    assert all(
        "official" in v["title"].lower() or "video" in v["title"].lower() for v in data["videos"]
    )


def test_mark_undo_and_show(run_cli, cache: Path) -> None:
    first = json.loads(run_cli("feed", "--json", "--limit", "1").out)["videos"][0]["id"]
    result = run_cli("mark", first, "liked", "--json")
    assert result.code == 0
    assert json.loads(result.out)["state"]["rating"] == 1
    shown = json.loads(run_cli("show", first, "--json").out)
    assert shown["state"]["rating"] == 1
    assert shown["id"] == first
    assert run_cli("undo").code == 0
    assert json.loads(run_cli("show", first, "--json").out)["state"]["rating"] == 0
    hidden = run_cli("mark", first, "hidden")
    assert hidden.code == 0
    ids = [v["id"] for v in json.loads(run_cli("feed", "--json", "--limit", "5").out)["videos"]]
    assert first not in ids


def test_mark_unknown_video_is_exit_1_with_one_line(run_cli, cache: Path) -> None:
    result = run_cli("mark", "doesnotexist", "watched")
    assert result.code == 1
    assert result.err.startswith("momentum: No video 'doesnotexist'")
    assert "Traceback" not in result.err


def test_mark_unknown_verb_is_usage(run_cli, cache: Path) -> None:
    assert run_cli("mark", "x", "loved").code == 2


def test_keys_set_never_echoes_and_status_never_shows(run_cli) -> None:
    secret = "AIzaSyTOTALLY-SECRET-VALUE"
    result = run_cli("keys", "set", "youtube", "--stdin", stdin=secret + "\n")
    assert result.code == 0, result.err
    assert secret not in result.out + result.err
    status = run_cli("keys", "status", "--json")
    assert secret not in status.out
    keys = {k["name"]: k for k in json.loads(status.out)["keys"]}
    assert keys["youtube"]["set"] is True
    assert keys["youtube"]["source"] == "keyring"
    assert keys["anthropic"]["set"] is False


def test_doctor_reports_health_without_secrets(run_cli, cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-very-secret")
    result = run_cli("doctor", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["cache"]["integrity"] == ["ok"]
    assert report["cache"]["schema_version"] == report["cache"]["schema_known"]
    assert report["keys"]["anthropic"] == "env"
    assert "sk-ant-very-secret" not in result.out
    text = run_cli("doctor")
    assert "integrity" in text.out


def test_corrupt_cache_is_reported_kept_and_can_be_moved_aside(run_cli) -> None:
    path = locations.cache_db()
    locations.ensure_dir(path.parent)
    path.write_bytes(b"garbage" * 1000)
    result = run_cli("feed")
    assert result.code == 1
    assert "not a SQLite database" in result.err
    assert "doctor --move-aside" in result.err
    assert path.read_bytes() == b"garbage" * 1000
    doctor = run_cli("doctor")
    assert doctor.code == 1
    moved = run_cli("doctor", "--move-aside")
    assert moved.code == 0
    assert "Moved the damaged cache" in moved.out
    assert not path.exists()
    assert list(path.parent.glob("momentum.db.corrupt-*"))
    assert run_cli("feed").code == 0


def test_malformed_config_is_one_sentence(run_cli, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text("[feed\nsort = 'newest'\n")
    result = run_cli("feed")
    assert result.code == 1
    assert "is not valid TOML" in result.err
    assert "Traceback" not in result.err


def test_unknown_config_key(run_cli, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text("[feed]\nsrot = 'views'\n")
    result = run_cli("config", "show")
    assert result.code == 1
    assert "unknown setting `feed.srot`" in result.err


def test_unwritable_home_is_one_sentence(run_cli, tmp_path: Path, monkeypatch) -> None:
    with unwritable_directory(tmp_path) as locked:
        monkeypatch.setenv("MOMENTUM_HOME", str(locked))
        result = run_cli("feed")
        assert not (locked / "data").exists()
    assert result.code == 1
    assert result.err.startswith(
        f"momentum: Momentum can't create the directory {locked / 'data'} ("
    )
    assert "point MOMENTUM_HOME at a directory you can write" in result.err
    assert "Traceback" not in result.err


def test_home_that_is_a_file_is_one_sentence(run_cli, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    monkeypatch.setenv("MOMENTUM_HOME", str(blocker))
    result = run_cli("feed")
    assert result.code == 1
    assert result.err.startswith("momentum: ")
    assert "Traceback" not in result.err


def test_data_dir_that_cannot_be_made_is_one_sentence(run_cli, isolated_home: Path) -> None:
    (isolated_home / "data").write_text("a file where the data directory should be")
    result = run_cli("feed")
    assert result.code == 1
    assert "can't create the directory" in result.err
    assert "MOMENTUM_HOME" in result.err


def test_config_path_and_show(run_cli, isolated_home: Path) -> None:
    assert run_cli("config", "path").out.strip() == str(isolated_home / "config.toml")
    shown = json.loads(run_cli("config", "show", "--json").out)
    assert shown["youtube"]["daily_quota"] == 10_000


def test_demo_flag_uses_the_demo_profile_and_not_the_cache(run_cli) -> None:
    result = run_cli("--demo", "feed", "--json", "--limit", "1")
    assert result.code == 0
    assert json.loads(result.out)["total"] > 2000
    assert not locations.cache_db().exists()
    assert locations.demo_db().exists()


def test_python_dash_m_and_version_in_a_real_process(isolated_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "momentum_tui", "--version"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0
    assert "momentum, version" in done.stdout


def test_home_flag(run_cli, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    result = run_cli("--home", str(other), "config", "path")
    assert result.out.strip() == str(other.resolve() / "config.toml")


def test_build_demo_is_idempotent(store: Store) -> None:
    build_demo(store, now=DEMO_NOW)
    build_demo(store, now=DEMO_NOW)
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 3136


def test_a_damaged_demo_profile_is_moved_aside_and_rebuilt(run_cli) -> None:
    path = locations.demo_db()
    locations.ensure_dir(path.parent)
    path.write_bytes(b"not sqlite" * 100)
    result = run_cli("--demo", "feed", "--limit", "1", "--json")
    assert result.code == 0, result.err
    assert "moved to" in result.err
    assert json.loads(result.out)["total"] > 2000
    assert list(path.parent.glob("momentum-demo.db.corrupt-*"))
