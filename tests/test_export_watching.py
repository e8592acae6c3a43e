"""The watch-later queue, playback positions and announcements in export-data/import-data."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from momentum_tui import locations
from momentum_tui.models import Mark
from momentum_tui.storage import Store, playback, queue
from momentum_tui.storage.marks import mark_video
from tests.data_support import ANNOUNCED_ELSEWHERE, QUEUED_ELSEWHERE, copy_cache, enrich
from tests.factories import add, make_video
from tests.test_export import export, move_home

NOW = 1_800_000_000


@pytest.fixture
def rich(demo_template: Path) -> Path:
    cache = copy_cache(demo_template, locations.cache_db())
    with Store.open(cache) as store:
        enrich(store)
    return cache


def _rows(cache: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(cache)) as conn:
        return conn.execute(sql).fetchall()


def test_the_queue_is_exported_in_its_order_with_positions_and_announcements(
    run_cli, rich: Path, tmp_path: Path
) -> None:
    document = export(run_cli, tmp_path / "mine.json")
    in_order = [v for (v,) in _rows(rich, "SELECT video_id FROM queue ORDER BY position")]
    assert [q["video_id"] for q in document["queue"]] == in_order
    assert len(in_order) == 4 and QUEUED_ELSEWHERE in in_order
    moved_first = document["queue"][0]
    assert moved_first["position"] < document["queue"][1]["position"]
    positions = {p["video_id"]: p for p in document["playback"]}
    assert [(p["position_s"], p["duration_s"]) for p in positions.values()] in (
        [(754.0, 1800.5), (61.0, None)],
        [(61.0, None), (754.0, 1800.5)],
    )
    assert all(p["updated_at"].endswith("Z") for p in positions.values())
    assert ANNOUNCED_ELSEWHERE in {n["video_id"] for n in document["notified"]}
    (notifying,) = [c for c in document["channels"] if c["notify"]]
    assert notifying["notify"].endswith("Z")
    videos = {v["id"] for v in document["videos"]}
    assert set(in_order) - videos == {QUEUED_ELSEWHERE}  # queued videos travel with it


def test_a_fresh_home_gets_the_same_queue_positions_and_announcements(
    run_cli, rich: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {
        table: _rows(rich, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("queue", "playback", "notified")
    }
    notify = _rows(rich, "SELECT id, notify FROM channels WHERE notify > 0")
    export(run_cli, tmp_path / "mine.json")
    home = move_home(monkeypatch, tmp_path, "fresh")
    result = run_cli("import-data", str(tmp_path / "mine.json"))
    assert result.code == 0, result.err
    for words in ("4 queued videos", "2 playback positions", "2 announced videos",
                  "1 channels announcing new uploads"):  # fmt: skip
        assert words in result.out, words
    cache = home / "data" / "momentum.db"
    for table, rows in before.items():
        assert _rows(cache, f"SELECT * FROM {table} ORDER BY 1") == rows, table
    assert _rows(cache, "SELECT id, notify FROM channels WHERE notify > 0") == notify
    outbox = {n for (n,) in _rows(cache, "SELECT name FROM prefsync_outbox")}
    for video_id, *_ in before["queue"]:  # imported like any change: it goes to your machines
        assert f"video:{video_id}:queue" in outbox
    assert {f"notify:{channel}" for channel, _ in notify} <= outbox
    assert run_cli("queue", "list", "--json").code == 0
    again = run_cli("import-data", str(tmp_path / "mine.json"))
    assert "Imported nothing new" in again.out


def _document(**sections: Any) -> dict[str, Any]:
    return {"format": "momentum-export", "version": 2, "exported_at": "2027-01-01T00:00:00Z",
            **sections}  # fmt: skip


def _at(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_merging_into_a_queue_keeps_yours_and_every_position_distinct(
    run_cli, tmp_path: Path
) -> None:
    videos = [make_video(n) for n in range(1, 7)]
    with Store.open(locations.cache_db()) as store:
        add(store, *videos)
        for video in videos[:2]:
            queue.add(store, video.id, now=NOW)  # positions a0, a1
        mark_video(store, videos[5].id, Mark.WATCHED, now=NOW)
        playback.save_position(store, videos[0].id, 300, 600, now=NOW)
        playback.save_position(store, videos[1].id, 100, 600, now=NOW)
    (a0, a1) = [p for (p,) in _rows(locations.cache_db(), "SELECT position FROM queue ORDER BY 1")]
    file = tmp_path / "laptop.json"
    file.write_text(json.dumps(_document(
        queue=[
            {"video_id": videos[2].id, "position": a0, "added_at": _at(NOW)},  # a0 is taken
            {"video_id": videos[0].id, "position": "Zz", "added_at": _at(NOW)},  # queued here
            {"video_id": videos[3].id, "position": a1, "added_at": _at(NOW)},  # a1 is taken
            {"video_id": videos[5].id, "position": "a3", "added_at": _at(NOW)},  # watched here
            {"video_id": "notCachedYe", "position": "a4", "added_at": _at(NOW)},
        ],
        playback=[
            {"video_id": videos[0].id, "position_s": 10, "updated_at": _at(NOW - 60)},  # older
            {"video_id": videos[1].id, "position_s": 500, "duration_s": 600,
             "updated_at": _at(NOW + 60)},  # newer
        ],
    )))  # fmt: skip
    result = run_cli("import-data", str(file))
    assert result.code == 0, result.err
    order = _rows(locations.cache_db(), "SELECT video_id, position FROM queue ORDER BY position")
    assert [v for v, _ in order] == [
        videos[0].id, videos[2].id, videos[1].id, videos[3].id, "notCachedYe"
    ]  # fmt: skip
    assert len({p for _, p in order}) == len(order)  # no two share a place
    with Store.open(locations.cache_db()) as store:
        assert queue.move(store, videos[3].id, 1) == 1  # there is room between any two
    positions = dict(_rows(locations.cache_db(), "SELECT video_id, position_s FROM playback"))
    assert positions == {videos[0].id: 300.0, videos[1].id: 500.0}


def test_an_announcing_channel_is_switched_on_but_never_off(run_cli, tmp_path: Path) -> None:
    on, off = make_video(1), make_video(2)
    with Store.open(locations.cache_db()) as store:
        add(store, on, off)
        from momentum_tui.notify.queries import set_channel_notify

        assert set_channel_notify(store, off.channel_id, True, NOW)
    channels = [
        {"id": on.channel_id, "added_at": _at(NOW), "notify": _at(NOW - 100)},
        {"id": off.channel_id, "added_at": _at(NOW), "notify": None},
    ]
    file = tmp_path / "d.json"
    file.write_text(json.dumps(_document(channels=channels, notified=[
        {"video_id": on.id, "at": _at(NOW)}, {"video_id": on.id, "at": _at(NOW + 5)},
    ])))  # fmt: skip
    assert run_cli("import-data", str(file)).code == 0
    notify = dict(_rows(locations.cache_db(), "SELECT id, notify FROM channels"))
    assert notify == {on.channel_id: NOW - 100, off.channel_id: NOW}
    assert _rows(locations.cache_db(), "SELECT video_id, at FROM notified") == [(on.id, NOW)]


def test_a_version_1_file_still_imports(run_cli, tmp_path: Path) -> None:
    video = make_video(1)
    old = {
        "format": "momentum-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z",
        "channels": [{"id": video.channel_id, "added_at": "2026-01-01T00:00:00Z"}],
        "keywords": [{"keyword": "rust", "weight": 2, "created_at": "2026-01-01T00:00:00Z"}],
    }  # fmt: skip
    file = tmp_path / "old.json"
    file.write_text(json.dumps(old))
    result = run_cli("import-data", str(file))
    assert result.code == 0, result.err
    assert "1 channels, 1 keywords" in result.out


T = "2027-01-01T00:00:00Z"
V = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("section", "record", "sentence"),
    [
        ("queue", {"video_id": V, "position": "!!", "added_at": T}, "queue[0].position"),
        ("queue", {"video_id": V, "position": "a00", "added_at": T}, "not a queue position"),
        ("playback", {"video_id": V, "position_s": -1, "updated_at": T}, "playback[0].position_s"),
        ("notified", {"video_id": "short", "at": T}, "notified[0].video_id"),
    ],
    ids=["bad-position", "invalid-key", "negative-position", "bad-video-id"],
)  # fmt: skip
def test_bad_watch_records_are_named_and_nothing_is_imported(
    run_cli, tmp_path: Path, section: str, record: dict[str, Any], sentence: str
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(_document(**{section: [record]})))
    result = run_cli("import-data", str(file))
    assert result.code == 1
    assert sentence in result.err and "nothing was imported" in result.err


def test_preference_sync_bookkeeping_is_never_exported(run_cli, rich: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(rich)) as conn, conn:
        conn.execute(
            "UPDATE prefsync_state SET server = 'https://sync.example.org', username = "
            "'someone-private', server_device_id = 'device-id-secret'"
        )
        device = conn.execute("SELECT device FROM prefsync_state").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM prefsync_outbox").fetchone()[0] > 0
    document = export(run_cli, tmp_path / "mine.json")
    text = (tmp_path / "mine.json").read_text()
    for private in ("sync.example.org", "someone-private", "device-id-secret", device,
                    "prefsync", "hlc"):  # fmt: skip
        assert private not in text, private
    assert not any("prefsync" in key for key in document)
