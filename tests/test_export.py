"""`momentum export-data` / `import-data`: everything out, back in, the same document again."""

from __future__ import annotations

import gzip
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from momentum_tui import locations, secrets
from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.export_model import VERSION, ExportDocument, json_schema
from momentum_tui.storage.marks import mark_video, undo_last
from tests.conftest import REPO
from tests.data_support import copy_cache, dump, enrich

CONFIG = """\
# my settings
[ui]
theme = "textual-light"  # easier on the eyes

[feed]
hide_shorts = true

[keymap]
"video.like" = "l,+"
"""


@pytest.fixture
def rich(demo_template: Path) -> Path:
    """The person's cache with marks and their history, groups, rules, keywords, ledgers."""
    cache = copy_cache(demo_template, locations.cache_db())
    with Store.open(cache) as store:
        enrich(store)
    locations.config_file().write_text(CONFIG, encoding="utf-8")
    return cache


def move_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    """Point Momentum at a fresh, empty home (another machine)."""
    home = tmp_path / name
    home.mkdir()
    monkeypatch.setenv("MOMENTUM_HOME", str(home))
    return home


def without_time(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "exported_at"}


def export(run_cli, path: Path, *options: str) -> dict[str, Any]:
    result = run_cli("export-data", *options, str(path))
    assert result.code == 0, result.err
    assert "Exported" in result.err
    return json.loads(path.read_text(encoding="utf-8")) if path.suffix == ".json" else {}


def test_export_import_export_into_a_fresh_home_is_the_same_document(
    run_cli, rich: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = export(run_cli, tmp_path / "first.json")
    ExportDocument.model_validate(first)  # and it follows its own schema
    assert first["version"] == VERSION
    for section in ("channels", "groups", "videos", "video_states", "marks", "queue",
                    "playback", "notified", "keywords", "rules", "labels", "label_cache",
                    "quota_ledger", "ai_ledger"):  # fmt: skip
        assert first[section], f"the rich cache has {section}"
    assert [c["id"] for c in first["channels"] if c["notify"]], "a channel announces uploads"
    move_home(monkeypatch, tmp_path, "fresh")
    result = run_cli("import-data", str(tmp_path / "first.json"))
    assert result.code == 0, result.err
    assert "Imported" in result.out
    assert "Settings: added 3" in result.out
    second = export(run_cli, tmp_path / "second.json")
    assert without_time(second) == without_time(first)


def test_the_csv_zip_and_compressed_json_carry_the_same_document(
    run_cli, rich: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = export(run_cli, tmp_path / "first.json")
    export(run_cli, tmp_path / "data.zip", "--format", "csv")
    export(run_cli, tmp_path / "data.json.zst")
    export(run_cli, tmp_path / "data.json.gz")
    assert json.loads(gzip.decompress((tmp_path / "data.json.gz").read_bytes()))["marks"]
    for name in ("data.zip", "data.json.zst"):
        move_home(monkeypatch, tmp_path, f"from-{name}")
        assert run_cli("import-data", str(tmp_path / name)).code == 0
        again = export(run_cli, tmp_path / f"again-{name}.json")
        assert without_time(again) == without_time(first), name


def test_importing_twice_or_into_the_same_cache_changes_nothing(
    run_cli, rich: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export(run_cli, tmp_path / "mine.json")
    before = dump(rich)
    result = run_cli("import-data", str(tmp_path / "mine.json"))
    assert result.code == 0, result.err
    assert "Imported nothing new" in result.out
    assert dump(rich) == before
    home = move_home(monkeypatch, tmp_path, "fresh")
    run_cli("import-data", str(tmp_path / "mine.json"))
    once = dump(home / "data" / "momentum.db")
    config = (home / "config.toml").read_text()
    assert run_cli("import-data", str(tmp_path / "mine.json")).code == 0
    assert dump(home / "data" / "momentum.db") == once
    assert (home / "config.toml").read_text() == config


def test_every_mark_is_exported_with_its_time_and_undos(
    run_cli, rich: Path, tmp_path: Path
) -> None:
    document = export(run_cli, tmp_path / "mine.json")
    with closing(sqlite3.connect(rich)) as conn:
        history = conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
    assert len(document["marks"]) == history  # history, not only the current state
    undone = [m for m in document["marks"] if m["undone_at"]]
    assert [m["mark"] for m in undone] == ["liked"]
    unwatched = [m for m in document["marks"] if m["mark"] == "unwatched"]
    assert unwatched[0]["previous"]["watched_at"] is not None  # what it replaced
    assert all(m["at"].endswith("Z") for m in document["marks"])
    twice = [m for m in document["marks"] if m["mark"] == "saved"]
    assert len(twice) == 3  # the same mark twice in one second is kept twice


def test_merging_into_a_cache_with_its_own_history(
    run_cli, rich: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_template: Path
) -> None:
    exported = export(run_cli, tmp_path / "laptop.json")
    liked = next(m["video_id"] for m in exported["marks"] if m["mark"] == "liked")
    home = move_home(monkeypatch, tmp_path, "desktop")
    desktop = copy_cache(demo_template, home / "data" / "momentum.db")
    with Store.open(desktop) as store:
        mark_video(store, liked, Mark.DISLIKED, now=1_900_000_000)  # newer than the laptop
        with store.write() as db:
            from momentum_tui.recommend.prefs import add_keyword

            add_keyword(db, "rust", -3.0, now=1)
    (home / "config.toml").write_text('[ui]\ntheme = "nord"\n')
    result = run_cli("import-data", str(tmp_path / "laptop.json"))
    assert result.code == 0, result.err
    assert "kept 1 you had set already" in result.out
    with Store.open(desktop) as store, store.read() as conn:
        rating = conn.execute("SELECT rating FROM video_state WHERE video_id = ?", (liked,))
        assert rating.fetchone()[0] == -1  # the newer state won
        weight = conn.execute("SELECT weight FROM keyword_prefs WHERE keyword = 'rust'")
        assert weight.fetchone()[0] == -3.0  # what the desktop had is kept
        assert conn.execute("SELECT count(*) FROM keyword_prefs").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM rules").fetchone()[0] == 2
        assert (
            conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
            == len(exported["marks"]) + 1
        )
        # Undo takes back the desktop's own last mark, never an imported one.
        undone = undo_last(store)
        assert undone is not None and undone.mark == "disliked"
        assert undo_last(store) is None
    config = (home / "config.toml").read_text()
    assert 'theme = "nord"' in config and "hide_shorts = true" in config


def test_no_secret_is_ever_exported(
    run_cli, rich: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {
        "youtube": "AIzaSy-secret-youtube-key-123",
        "anthropic": "sk-ant-secret-key-456",
        "youtube-oauth": "1//secret-refresh-token-789",
        "backend": "secret-device-token-abc",
    }
    for name, value in values.items():
        secrets.set_secret(name, value)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-the-environment")
    secrets.set_secret("youtube", "AIzaSy-in-the-file", allow_file=True)
    for kind, name in (("json", "d.json"), ("csv", "d.zip")):
        export(run_cli, tmp_path / name, "--format", kind)
        data = (tmp_path / name).read_bytes()
        if kind == "csv":
            import zipfile

            with zipfile.ZipFile(tmp_path / name) as archive:
                data = b"".join(archive.read(n) for n in archive.namelist())
        for value in [*values.values(), "sk-ant-from-the-environment", "AIzaSy-in-the-file"]:
            assert value.encode() not in data


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        ("just some notes", "is not a Momentum export"),
        ('{"hello": "world"}', "is not a Momentum export"),
        ('{"format": "momentum-export", "version": 99, "exported_at": "2026-01-01T00:00:00Z"}',
         "comes from a newer Momentum (export version 99"),
        ('{"format": "momentum-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z", '
         '"marks": [{"video_id": "dQw4w9WgXcQ", "mark": "watched", "at": "yesterday"}]}',
         "marks[0].at: value error, not a time like"),
        ('{"format": "momentum-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z", '
         '"channels": [{"id": "UC123", "added_at": "2026-01-01T00:00:00Z"}]}',
         "channels[0].id"),
        ('{"format": "momentum-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z", '
         '"keywords": [{"keyword": "x", "weight": 1, "created_at": "2026-01-01T00:00:00Z", '
         '"colour": "red"}]}', "keywords[0].colour: extra inputs"),
        ('{"format": "momentum-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z", '
         '"rules": [{"spec": {"action": "explode"}, "created_at": "2026-01-01T00:00:00Z"}]}',
         "The file's rule"),
        ('{"format": "momentum-export", "version": 1, "exported', "is damaged (not valid JSON"),
        (gzip.compress(b'{"format": "momentum-export"}' * 100, mtime=0)[:60], "is damaged"),
        (b"PK\x03\x04 not really a zip", "is damaged"),
    ],
    ids=["text", "other-json", "newer", "bad-time", "bad-channel-id", "unknown-field",
         "bad-rule", "cut-json", "cut-gzip", "bad-zip"],
)  # fmt: skip
def test_bad_files_are_one_sentence_and_import_nothing(
    run_cli, rich: Path, tmp_path: Path, content: str | bytes, sentence: str
) -> None:
    before = dump(rich)
    config = locations.config_file().read_text()
    result = run_cli("import-data", str(_write(tmp_path / "bad.json", content)))
    assert result.code == 1
    assert sentence in result.err
    assert "nothing was imported" in result.err
    assert "Traceback" not in result.err
    assert dump(rich) == before
    assert locations.config_file().read_text() == config


def test_hostile_text_is_cleaned_on_the_way_in(run_cli, tmp_path: Path) -> None:
    evil = "Evil\x1b[31m\x1b]8;;http://x\x07 Channel\u202e\u200b"
    document = {
        "format": "momentum-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z",
        "channels": [{"id": "UC" + "a" * 22, "title": evil, "added_at": "2026-01-01T00:00:00Z"}],
        "videos": [{"id": "dQw4w9WgXcQ", "channel_id": "UC" + "a" * 22, "title": evil,
                    "published_at": "2026-01-01T00:00:00Z",
                    "first_seen_at": "2026-01-01T00:00:00Z"}],
    }  # fmt: skip
    result = run_cli("import-data", str(_write(tmp_path / "evil.json", json.dumps(document))))
    assert result.code == 0, result.err
    with closing(sqlite3.connect(locations.cache_db())) as conn:
        titles = conn.execute("SELECT title FROM channels UNION ALL SELECT title FROM videos")
        for (title,) in titles:
            assert title == "Evil Channel"


def test_the_published_schema_is_the_one_the_code_reads() -> None:
    published = json.loads((REPO / "docs" / "export-format.schema.json").read_text())
    assert published == json_schema()


def test_exporting_to_standard_output(run_cli, rich: Path) -> None:
    result = run_cli("export-data")
    assert result.code == 0, result.err
    assert json.loads(result.out)["format"] == "momentum-export"
    assert "to standard output" in result.err


async def test_an_open_app_shows_what_was_imported_and_exports_keep_working(
    tmp_path: Path,
) -> None:
    from momentum_tui.config import Settings, UISettings
    from momentum_tui.owndata.importing import import_document
    from momentum_tui.storage.export import write_json
    from momentum_tui.storage.export_files import read_export
    from tests.app_support import make_app, settle
    from tests.factories import add, make_video
    from tests.test_outside_changes import shown_ids, wait_for

    laptop = tmp_path / "laptop.db"
    with Store.open(laptop) as store:
        add(store, *(make_video(n) for n in range(1, 6)))
        mark_video(store, make_video(3).id, Mark.HIDDEN, now=1_700_000_000)
        with store.read() as conn, (tmp_path / "laptop.json").open("w") as out:
            write_json(conn, {}, 1_700_000_100, out)
    path = tmp_path / "desktop.db"
    with Store.open(path) as setup:
        add(setup, *(make_video(n) for n in range(1, 6)))
    store = Store.open(path)
    app = make_app(store, Settings(ui=UISettings(watch_seconds=0.1)), start_view="subscriptions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert make_video(3).id in shown_ids(app)
        with Store.open(path) as terminal:  # `momentum import-data` in another terminal
            import_document(terminal, read_export(tmp_path / "laptop.json"))
        assert await wait_for(pilot, lambda: make_video(3).id not in shown_ids(app))
        with store.read() as conn, (tmp_path / "desktop.json").open("w") as out:
            write_json(conn, {}, 1_700_000_200, out)  # an export while the app runs
        await settle(pilot)
    store.close()
    desktop = json.loads((tmp_path / "desktop.json").read_text())
    assert [m["mark"] for m in desktop["marks"]] == ["hidden"]
