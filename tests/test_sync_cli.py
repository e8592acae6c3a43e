"""`momentum sync|quota|import|export|channels` end to end, in-process, against the emulator."""

from __future__ import annotations

import json
import math

import pytest

from momentum_tui.youtube.exporters import ExportedChannel, export
from tests.emulators.youtube import YouTubeEmulator

pytest_plugins = ("tests.emulators.youtube_fixtures",)


@pytest.fixture
def subscribed(youtube: YouTubeEmulator, tmp_path, run_cli):  # type: ignore[no-untyped-def]
    """The emulator's channels imported from a Takeout CSV, as a person would start."""
    rows = [ExportedChannel(c.id, c.title) for c in youtube.world.channels.values()]
    path = tmp_path / "subscriptions.csv"
    path.write_text(export(rows, "csv"), encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.code == 0, result.err
    assert f"Imported {len(rows)} new channels from a Takeout CSV list" in result.out
    return path


def test_sync_json_summary(youtube, subscribed, run_cli) -> None:
    result = run_cli("sync", "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    channels = len(youtube.world.channels)
    assert summary["status"] == "ok"
    assert summary["mode"] == "api"
    assert summary["channels"] == {
        "total": channels,
        "ok": channels,
        "failed": 0,
        "skipped": 0,
        "empty": 0,
    }
    assert summary["videos"]["new"] > channels
    assert summary["quota"]["by_method"] == dict(sorted(youtube.units.items()))
    assert summary["quota"]["units"] == youtube.total_units()
    assert summary["quota"]["budget"] == 10_000
    assert summary["quota"]["resets_at"].endswith(("T07:00:00Z", "T08:00:00Z"))
    assert summary["requests"]["api"] == youtube.calls()
    assert summary["failures"] == []
    assert isinstance(summary["seconds"], float)
    assert set(summary) == {
        "run_id",
        "mode",
        "status",
        "started_at",
        "seconds",
        "channels",
        "videos",
        "quota",
        "requests",
        "failures",
        "message",
    }


def test_incremental_free_mode_from_the_command_line(youtube, subscribed, run_cli) -> None:
    assert run_cli("sync").code == 0
    first = next(iter(youtube.world.channels))
    youtube.world.add_uploads(first, 2)
    youtube.reset_counters()
    result = run_cli("sync", "--rss", "--json")
    summary = json.loads(result.out)
    assert summary["mode"] == "rss"
    assert summary["videos"]["new"] == 2
    assert summary["quota"]["units"] == 1
    assert summary["requests"]["feeds"] == len(youtube.world.channels)


def test_human_summary_and_quota_command(youtube, subscribed, run_cli) -> None:
    result = run_cli("sync")
    assert result.code == 0
    assert (
        f"{len(youtube.world.channels)} of {len(youtube.world.channels)} channels synced"
        in result.out
    )
    assert "quota units" in result.out
    quota = json.loads(run_cli("quota", "--json").out)
    assert quota["used"] == youtube.total_units()
    assert quota["by_method"] == dict(sorted(youtube.units.items()))
    assert quota["remaining"] == 10_000 - quota["used"]
    text = run_cli("quota").out
    assert "playlistItems.list" in text
    assert "Resets in" in text


def test_api_mode_without_a_key_is_one_sentence(youtube, subscribed, run_cli, monkeypatch) -> None:
    monkeypatch.delenv("MOMENTUM_YOUTUBE_API_KEY")
    result = run_cli("sync", "--api")
    assert result.code == 1
    assert "`--api` needs a YouTube API key" in result.err
    assert "momentum keys set youtube" in result.err
    assert "Traceback" not in result.err
    assert youtube.calls() == 0


def test_invalid_key_is_one_sentence_and_never_printed(
    youtube, subscribed, run_cli, monkeypatch
) -> None:
    monkeypatch.setenv("MOMENTUM_YOUTUBE_API_KEY", "AIzaSy-this-is-not-valid")
    result = run_cli("sync", "--json")
    assert result.code == 1
    assert json.loads(result.out)["status"] == "failed"
    assert "YouTube says the API key is not valid" in result.err
    assert "momentum keys set youtube" in result.err
    assert "AIzaSy-this-is-not-valid" not in result.out + result.err


def test_quota_stop_says_what_was_kept_and_when_it_resets(
    youtube, subscribed, run_cli, monkeypatch
) -> None:
    monkeypatch.setenv("MOMENTUM_YOUTUBE_DAILY_QUOTA", "12")
    result = run_cli("sync")
    assert result.code == 1
    assert "Stopped before passing today's YouTube quota" in result.out
    assert "Everything fetched is kept" in result.out
    assert "resets at midnight Pacific" in result.err


def test_demo_profile_is_never_synced(run_cli) -> None:
    result = run_cli("--demo", "sync")
    assert result.code == 1
    assert "never synced" in result.err


def test_channel_option_rejects_unknown_channels(youtube, subscribed, run_cli) -> None:
    result = run_cli("sync", "--channel", "UC" + "z" * 22)
    assert result.code == 1
    assert "not followed" in result.err


def test_channels_add_list_tag_remove(youtube: YouTubeEmulator, run_cli) -> None:
    channels = list(youtube.world.channels.values())
    by_handle, by_url, by_id = channels[0], channels[1], channels[2]
    result = run_cli(
        "channels",
        "add",
        by_handle.handle,
        f"https://www.youtube.com/channel/{by_url.id}/videos",
        by_id.id,
        "--json",
    )
    assert result.code == 0, result.err
    added = json.loads(result.out)["channels"]
    assert [a["id"] for a in added] == [by_handle.id, by_url.id, by_id.id]
    assert all(a["new"] for a in added)
    assert youtube.units == {"channels.list": 3}  # one call each
    assert run_cli("channels", "add", by_id.id).out.startswith("Already following")
    missing = run_cli("channels", "add", "@nobody-has-this-handle")
    assert missing.code == 1
    assert "YouTube has no channel @nobody-has-this-handle" in missing.err
    not_a_channel = run_cli("channels", "add", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert not_a_channel.code == 1
    assert "video or playlist link" in not_a_channel.err

    assert run_cli("channels", "tag", by_handle.handle, "Science", "deep dives").code == 0
    listed = json.loads(run_cli("channels", "list", "--json").out)["channels"]
    assert {c["id"]: c["tags"] for c in listed}[by_handle.id] == ["deep-dives", "science"]
    only = json.loads(run_cli("channels", "list", "--tag", "science", "--json").out)["channels"]
    assert [c["id"] for c in only] == [by_handle.id]
    assert run_cli("channels", "tag", by_handle.id, "science", "--remove").code == 0

    removed = run_cli("channels", "remove", by_url.title)
    assert removed.code == 0
    assert f"Stopped following {by_url.title}" in removed.out
    listed = json.loads(run_cli("channels", "list", "--json").out)["channels"]
    assert by_url.id not in [c["id"] for c in listed]
    everything = json.loads(run_cli("channels", "list", "--all", "--json").out)["channels"]
    assert {c["id"]: c["followed"] for c in everything}[by_url.id] is False


def test_export_writes_a_file_that_imports_back(youtube, subscribed, run_cli, tmp_path) -> None:
    for fmt in ("opml", "newpipe", "csv"):
        target = tmp_path / f"out.{fmt}"
        result = run_cli("export", "--format", fmt, str(target))
        assert result.code == 0, result.err
        assert f"Exported {len(youtube.world.channels)} channels" in result.err
        again = run_cli("import", str(target), "--json")
        assert json.loads(again.out)["already"] == len(youtube.world.channels)
    assert run_cli("export").out.startswith('<?xml version="1.0"')


def test_import_of_a_bad_file_names_the_line(run_cli, tmp_path) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text("Channel Id,Channel Url,Channel Title\nUC123,x,y\n", encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.code == 1
    assert "Nothing could be imported from subscriptions.csv: line 2:" in result.err
    assert "Traceback" not in result.err


def test_units_scale_with_batches_not_videos(youtube, subscribed, run_cli) -> None:
    summary = json.loads(run_cli("sync", "--json").out)
    videos = summary["videos"]["new"]
    assert summary["quota"]["by_method"]["videos.list"] == math.ceil(videos / 50)


def test_a_user_url_is_resolved_through_for_username_with_a_key(youtube, run_cli) -> None:
    channel = next(c for c in youtube.world.channels.values() if c.username)
    result = run_cli(
        "channels", "add", "--json", f"https://www.youtube.com/user/{channel.username}"
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["channels"][0]["id"] == channel.id
    lookups = [r.params for r in youtube.requests if r.method == "channels.list"]
    assert [p.get("forUsername") for p in lookups] == [channel.username]
    assert youtube.units == {"channels.list": 1}
    missing = run_cli("channels", "add", "https://www.youtube.com/user/nobody-at-all")
    assert missing.code == 1
    assert "YouTube has no channel nobody-at-all." in missing.err
