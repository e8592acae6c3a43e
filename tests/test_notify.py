"""New-upload announcements after `momentum sync`: chosen channels only, recent uploads
only, once each, grouped, through `notify.command` or a desktop notification."""

from __future__ import annotations

import json

from momentum_tui.notify.deliver import summary
from momentum_tui.notify.queries import NewUpload

pytest_plugins = ("tests.emulators.youtube_fixtures", "tests.notify_support")


def test_only_chosen_channels_new_uploads_are_announced_once(
    youtube, followed, notifier, run_cli
) -> None:  # type: ignore[no-untyped-def]
    _, calls = notifier
    chosen, other = followed[0], followed[1]
    switched = run_cli("channels", "notify", chosen, "on")
    assert switched.code == 0 and "will be announced" in switched.out
    listed = json.loads(run_cli("channels", "notify", "--json").out)
    assert [c["id"] for c in listed["channels"]] == [chosen]

    new = youtube.world.add_uploads(chosen, 2)
    youtube.world.add_uploads(other, 1)
    result = run_cli("sync")
    assert result.code == 0, result.err
    assert "Announced 2 new uploads (command)" in result.err
    assert len(calls()) == 1  # one announcement for the lot, never one per video
    videos = calls()[0]["videos"]
    assert sorted(v["id"] for v in videos) == sorted(new)
    assert set(videos[0]) == {"id", "url", "title", "channel", "channel_id", "published_at",
                              "duration_s", "is_short", "why", "rule_id"}  # fmt: skip
    assert all(v["channel_id"] == chosen for v in videos)

    assert run_cli("sync", "--force").code == 0
    assert len(calls()) == 1  # nothing new: nothing said again

    run_cli("channels", "notify", chosen, "off")
    youtube.world.add_uploads(chosen, 1)
    run_cli("sync", "--force")
    assert len(calls()) == 1


def test_a_new_channels_back_catalogue_is_not_announced(
    youtube, tmp_path, notifier, run_cli
) -> None:  # type: ignore[no-untyped-def]
    _, calls = notifier
    channel = next(iter(youtube.world.channels.values()))
    assert run_cli("channels", "add", channel.id).code == 0
    run_cli("channels", "notify", channel.id, "on")
    assert run_cli("sync").code == 0
    assert calls() == []  # its uploads are old news, however new to this cache


def test_a_failed_delivery_is_one_line_and_is_tried_again(
    youtube, followed, notifier, run_cli
) -> None:  # type: ignore[no-untyped-def]
    use, calls = notifier
    run_cli("channels", "notify", followed[0], "on")
    youtube.world.add_uploads(followed[0], 1)
    use(exit_code=3)
    failed = run_cli("sync")
    assert failed.code == 0  # the sync itself went well
    assert "were not announced" in failed.err and "exit 3" in failed.err
    use()
    run_cli("sync", "--force")
    assert len(calls()) == 2 and len(calls()[-1]["videos"]) == 1


def test_without_a_notification_service_the_sync_says_so(
    youtube, followed, run_cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    monkeypatch.delenv("MOMENTUM_NOTIFY_COMMAND", raising=False)
    run_cli("channels", "notify", followed[0], "on")
    youtube.world.add_uploads(followed[0], 1)
    result = run_cli("sync")
    assert result.code == 0
    assert "No desktop notification service answered" in result.err
    assert "Traceback" not in result.err


def test_notify_names_an_unknown_channel(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("channels", "notify", "UCxxxxxxxxxxxxxxxxxxxxxx", "on")
    assert result.code == 1 and "Traceback" not in result.err
    assert run_cli("channels", "notify", "UCxxxxxxxxxxxxxxxxxxxxxx").code == 2


def _upload(n: int, channel: str) -> NewUpload:
    return NewUpload(f"v{n}", f"Title {n}", f"UC{channel}", channel, 0, 60, False)


def test_summaries_group_by_channel() -> None:
    assert summary([_upload(1, "A")]) == ("New from A", "Title 1")
    title, body = summary([_upload(1, "A"), _upload(2, "A")])
    assert title == "2 new videos from A" and body == "Title 1\nTitle 2"
    title, body = summary([_upload(n, c) for n, c in enumerate("ABCDE")])
    assert title == "5 new videos from A, B and 3 more"
    assert body.splitlines() == ["A: Title 0", "B: Title 1", "C: Title 2", "…and 2 more"]
