"""Playing in mpv (a fake one speaking its IPC protocol), resuming, auto-watched, the queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from momentum_tui.storage import Store
from momentum_tui.storage import queue as queue_store
from momentum_tui.storage.marks import current_state, mark_video
from momentum_tui.storage.playback import position_of
from tests.factories import add, make_video, video_id
from tests.support.players import FakePlayer, install_fake_player


@pytest.fixture
def cache(tmp_path: Path) -> Store:
    """The CLI's own cache (under the test's MOMENTUM_HOME) with five 10-minute videos."""
    from momentum_tui import locations

    store = Store.open(locations.cache_db())
    add(store, *[make_video(n, duration_s=600) for n in range(5)])
    return store


@pytest.fixture
def player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakePlayer:
    return install_fake_player(tmp_path, monkeypatch)


def test_quitting_mid_video_remembers_where_and_the_next_play_resumes(
    cache, player, run_cli
) -> None:  # type: ignore[no-untyped-def]
    vid = video_id(0)
    player.plan(duration=600, positions=[0, 3, 6, 9, 12, 300, 312], end="quit")
    first = run_cli("play", vid, "--json")
    assert first.code == 0, first.err
    outcome = json.loads(first.out)
    assert outcome["ended"] == "quit" and outcome["position_s"] == 312
    assert not outcome["marked_watched"]
    with cache.read() as conn:
        assert position_of(conn, vid).position_s == 312  # type: ignore[union-attr]
        assert current_state(conn, vid)["watched_at"] is None
    run = player.runs()[0]
    assert any(a.startswith("--input-ipc-server=") for a in run["args"])
    assert run["args"][-1] == f"https://www.youtube.com/watch?v={vid}"
    assert ["observe_property", 1, "time-pos"] in run["heard"]
    assert not any(a.startswith("--start") for a in run["args"])

    player.plan(duration=600, positions=[0, 10], end="quit")
    again = json.loads(run_cli("play", vid, "--json").out)
    assert "--start=+312" in player.runs()[1]["args"]
    assert again["resumed_from_s"] == 312 and again["position_s"] == 322
    assert "resumes there" in run_cli("play", vid).err

    player.plan(duration=600, positions=[0, 10], end="quit")
    run_cli("play", vid, "--from-start")
    assert not any(a.startswith("--start") for a in player.runs()[-1]["args"])


def test_playing_past_ninety_percent_marks_watched_like_any_mark(cache, player, run_cli) -> None:  # type: ignore[no-untyped-def]
    vid = video_id(1)
    player.plan(duration=600, positions=[0, 100, 539, 541, 600], end="eof")
    outcome = json.loads(run_cli("play", vid, "--json").out)
    assert outcome["ended"] == "eof" and outcome["marked_watched"]
    with cache.read() as conn:
        assert current_state(conn, vid)["watched_at"] is not None
        assert position_of(conn, vid) is None  # finished: the next play starts over
    undone = run_cli("undo", "--json")
    assert json.loads(undone.out) == {"id": vid, "undone": "watched"}


def test_a_threshold_is_a_setting(cache, player, run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MOMENTUM_PLAYER_WATCHED_AT", "0.5")
    player.plan(duration=600, positions=[0, 299], end="quit")
    assert not json.loads(run_cli("play", video_id(2), "--json").out)["marked_watched"]
    player.plan(duration=600, positions=[0, 301], end="quit")
    assert json.loads(run_cli("play", video_id(2), "--json").out)["marked_watched"]


def test_a_player_that_vanishes_keeps_what_it_said(cache, player, run_cli) -> None:  # type: ignore[no-untyped-def]
    player.plan(duration=600, positions=[0, 5, 10, 15, 200], end="vanish")
    assert run_cli("play", video_id(0)).code == 0
    with cache.read() as conn:
        assert position_of(conn, video_id(0)).position_s == 200  # type: ignore[union-attr]


def test_audio_only_asks_mpv_for_no_video(cache, player, run_cli) -> None:  # type: ignore[no-untyped-def]
    run_cli("play", video_id(0), "--audio")
    args = player.runs()[0]["args"]
    assert "--no-video" in args and "--ytdl-format=bestaudio/best" in args


def test_missing_mpv_or_yt_dlp_is_one_sentence(cache, tmp_path, monkeypatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    install_fake_player(tmp_path, monkeypatch, mpv=False)
    result = run_cli("play", video_id(0))
    assert result.code == 1
    assert "mpv is not installed" in result.err and "Traceback" not in result.err


def test_missing_yt_dlp_names_the_extra(cache, tmp_path, monkeypatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    import sys

    if (Path(sys.executable).parent / "yt-dlp").exists():
        pytest.skip("yt-dlp is installed beside this Python (the [watch] extra)")
    install_fake_player(tmp_path, monkeypatch, yt_dlp=False)
    result = run_cli("play", video_id(0))
    assert result.code == 1 and "momentum-tui[watch]" in result.err


def test_any_player_can_be_configured_with_url(cache, tmp_path, monkeypatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    player = install_fake_player(tmp_path, monkeypatch)
    seen = tmp_path / "seen.txt"
    script = player.bin_dir / "myplayer"
    script.write_text(f'#!/bin/sh\necho "$@" > {seen}\n')
    script.chmod(0o755)
    monkeypatch.setenv("MOMENTUM_PLAYER_COMMAND", "myplayer --fullscreen {url}")
    result = run_cli("play", video_id(3), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["followed"] is False
    assert seen.read_text().split() == [
        "--fullscreen",
        f"https://www.youtube.com/watch?v={video_id(3)}",
    ]
    monkeypatch.setenv("MOMENTUM_PLAYER_COMMAND", "nosuchplayer {url}")
    missing = run_cli("play", video_id(3))
    assert missing.code == 1 and "can't be found" in missing.err


def test_play_an_unknown_video_is_one_sentence(cache, player, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("play", "zzzzzzzzzzz")
    assert result.code == 1 and "No video 'zzzzzzzzzzz'" in result.err
    assert player.runs() == []


def test_queue_keeps_order_moves_and_lets_watched_videos_go(cache, run_cli) -> None:  # type: ignore[no-untyped-def]
    ids = [video_id(n) for n in range(4)]
    assert run_cli("queue", "add", *ids[:3]).code == 0
    run_cli("queue", "add", ids[3], "--first")
    order = lambda: [v["id"] for v in json.loads(run_cli("queue", "list", "--json").out)["videos"]]  # noqa: E731
    assert order() == [ids[3], ids[0], ids[1], ids[2]]
    run_cli("queue", "move", ids[3], "bottom")
    assert order() == [ids[0], ids[1], ids[2], ids[3]]
    run_cli("queue", "move", ids[2], "up")
    assert order() == [ids[0], ids[2], ids[1], ids[3]]
    moved = json.loads(run_cli("queue", "move", ids[3], "1", "--json").out)
    assert moved["place"] == 1 and order() == [ids[3], ids[0], ids[2], ids[1]]
    assert "queued already" in run_cli("queue", "add", ids[0]).out
    mark_video(cache, ids[0], "watched")  # from anywhere: the app, the CLI, a sync
    assert order() == [ids[3], ids[2], ids[1]]
    run_cli("queue", "rm", ids[2])
    assert order() == [ids[3], ids[1]]
    assert run_cli("queue", "move", ids[2], "up").code == 1
    assert run_cli("queue", "move", ids[1], "sideways").code == 2
    assert run_cli("queue", "add", "zzzzzzzzzzz").code == 1


def test_many_moves_between_the_same_neighbours_keep_order(cache) -> None:  # type: ignore[no-untyped-def]
    ids = [video_id(n) for n in range(3)]
    for vid in ids:
        queue_store.add(cache, vid)
    for _ in range(200):  # the fractional keys grow, never collide
        queue_store.move(cache, ids[2], 1)
        queue_store.move(cache, ids[1], 1)
    with cache.read() as conn:
        assert queue_store.queued_ids(conn)[0] == ids[0]
        assert sorted(queue_store.queued_ids(conn)) == sorted(ids)


def test_queue_play_moves_on_at_the_end_and_stops_when_you_quit(cache, player, run_cli) -> None:  # type: ignore[no-untyped-def]
    ids = [video_id(n) for n in range(3)]
    run_cli("queue", "add", *ids)
    player.plan(duration=600, positions=[0, 580, 600], end="eof")
    # Every video ends: the queue plays through, and each leaves it once watched.
    result = run_cli("queue", "play", "--json")
    assert result.code == 0, result.err
    played = json.loads(result.out)["played"]
    assert [p["id"] for p in played] == ids
    assert json.loads(run_cli("queue", "list", "--json").out)["count"] == 0
    assert "empty" in run_cli("queue", "play").err

    run_cli("queue", "add", ids[0], ids[1])
    for vid in ids[:2]:
        run_cli("mark", vid, "unwatched")
    run_cli("queue", "add", ids[0], ids[1])
    player.plan(duration=600, positions=[0, 30], end="quit")
    played = json.loads(run_cli("queue", "play", "--json").out)["played"]
    assert [p["id"] for p in played] == [ids[0]]  # quitting the player stops the queue
