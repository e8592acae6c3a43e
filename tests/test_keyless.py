"""Keyless mode: following and syncing with no YouTube API key anywhere, then adding one.

Everything runs against the loopback YouTube (feeds, channel pages, the Data API) through
the real clients. "No key" is checked on the wire: no Data API request is ever made and
no quota row is written.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from momentum_tui.sanitize import DESCRIPTION_MAX, TITLE_MAX, clean_line, clean_text
from momentum_tui.storage import Store
from momentum_tui.youtube.exporters import ExportedChannel, export
from momentum_tui.youtube.sync import DetailsBackfill, SyncEngine, SyncEvent, SyncOptions
from tests.emulators.youtube import API_KEY, YouTubeEmulator, follow_world
from tests.emulators.youtube_data import World

pytest_plugins = ("tests.emulators.youtube_fixtures",)

FEED_SIZE = 15


@pytest.fixture
def no_key(youtube: YouTubeEmulator, monkeypatch: pytest.MonkeyPatch) -> YouTubeEmulator:
    """The emulator, with no YouTube API key in the environment or the keyring."""
    monkeypatch.delenv("MOMENTUM_YOUTUBE_API_KEY")
    return youtube


def api_requests(emulator: YouTubeEmulator) -> list[str]:
    """Data API methods called (feeds and channel pages are free and not counted)."""
    return [r.method for r in emulator.requests if r.method not in ("feed", "page")]


def quota_rows(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute("SELECT count(*) FROM quota_ledger").fetchone()[0])


def feed_entries(world: World, channel_id: str) -> list[str]:
    """What the channel's feed lists: its 15 newest public uploads."""
    listed = world.listed_uploads(world.channels[channel_id])
    return [v.id for v in listed if v.privacy == "public"][:FEED_SIZE]


def cached(store: Store, channel_id: str) -> set[str]:
    with store.read() as conn:
        rows = conn.execute("SELECT id FROM videos WHERE channel_id = ?", (channel_id,))
        return {r[0] for r in rows}


def test_a_sync_without_a_key_stores_what_the_feeds_give(store, no_key, yt_settings) -> None:
    world = no_key.world
    ids = follow_world(store, world)  # by id only, as an import leaves them
    summary = SyncEngine(store, yt_settings).run()
    assert (summary.mode, summary.status) == ("keyless", "ok")
    assert summary.channels_ok == len(ids)
    assert api_requests(no_key) == []
    assert quota_rows(store) == 0
    assert summary.units == 0
    assert "no key, so no quota was used and lengths are unknown" in summary.message
    for channel_id in ids:
        assert cached(store, channel_id) == set(feed_entries(world, channel_id))
    with store.read() as conn:
        titles = dict(conn.execute("SELECT id, title FROM channels"))
        rows = conn.execute(
            "SELECT id, title, description, published_at, view_count, like_count, "
            "thumbnail_url, duration_s, is_short, live_state FROM videos"
        ).fetchall()
        ledger_runs = conn.execute("SELECT mode, units FROM sync_runs").fetchall()
    assert titles == {c.id: c.title for c in world.channels.values()}  # from the feeds
    assert ledger_runs == [("keyless", 0)]
    for video_id, title, description, published, views, likes, thumb, length, short, live in rows:
        source = world.videos[video_id]
        assert (title, published, views, likes) == (
            clean_line(source.title, TITLE_MAX),
            source.published_at,
            source.views,
            source.likes,
        )
        assert description == clean_text(source.description, DESCRIPTION_MAX)
        assert thumb == f"https://i2.ytimg.com/vi/{video_id}/hqdefault.jpg"
        assert length is None and live == "none"  # a feed does not say
        assert bool(short) == source.is_short  # the feed's /shorts/ link
    # New videos are labelled offline at once, and that work is part of the run.
    assert summary.videos_labelled == len(rows)
    assert f"{len(rows)} videos labelled offline" in summary.message


def test_a_key_set_later_fills_in_lengths_and_statistics(
    store, no_key, yt_settings, monkeypatch
) -> None:
    world = no_key.world
    follow_world(store, world)
    SyncEngine(store, yt_settings).run()
    with store.read() as conn:
        lacking = int(conn.execute("SELECT count(*) FROM videos").fetchone()[0])
    monkeypatch.setenv("MOMENTUM_YOUTUBE_API_KEY", API_KEY)
    no_key.reset_counters()
    events: list[SyncEvent] = []
    summary = SyncEngine(store, yt_settings, on_event=events.append).run(SyncOptions(force=True))
    assert summary.status == "ok", summary.failures
    announced = [e for e in events if isinstance(e, DetailsBackfill)]
    assert [(e.videos, e.units) for e in announced] == [(lacking, math.ceil(lacking / 50))]
    assert no_key.units["videos.list"] == math.ceil(lacking / 50)  # 50 ids a call
    assert summary.videos_detailed == lacking
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id, duration_s, live_state, like_count, comment_count FROM videos"
        ).fetchall()
    for video_id, length, live, likes, comments in rows:
        source = world.videos[video_id]
        assert live == source.live_state
        if source.live_state in ("none", "was_live"):
            assert length == source.duration_s
        upcoming = source.live_state == "upcoming"  # counts are "0" until it airs
        assert likes == (None if source.likes_hidden else 0 if upcoming else source.likes)
        assert comments == (
            None if source.comments_disabled else 0 if upcoming else source.comments
        )
    # Nothing is left to fill in: the next sync asks for none of them again.
    no_key.reset_counters()
    SyncEngine(store, yt_settings).run(SyncOptions(force=True))
    assert no_key.units.get("videos.list", 0) == 0


def test_details_are_filled_in_even_when_every_channel_is_cooling_down(
    store, no_key, yt_settings, monkeypatch
) -> None:
    settings = yt_settings.replace(cooldown_minutes=60)
    follow_world(store, no_key.world, list(no_key.world.channels)[:3])
    SyncEngine(store, settings).run()
    monkeypatch.setenv("MOMENTUM_YOUTUBE_API_KEY", API_KEY)
    summary = SyncEngine(store, settings).run()
    assert summary.channels_skipped == 3
    assert summary.videos_detailed > 0
    assert "Lengths and statistics filled in" in summary.message


def test_free_mode_with_a_key_starts_new_channels_from_their_feeds(
    store, youtube, yt_settings
) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    for channel_id in ids[:3]:  # more uploads than a feed shows: still no playlist read
        world.add_uploads(channel_id, 25, at=1_700_000_000)
    summary = SyncEngine(store, yt_settings, api_key=API_KEY).run(SyncOptions(rss=True))
    assert summary.status == "ok", summary.failures
    for channel_id in ids:
        assert cached(store, channel_id) == set(feed_entries(world, channel_id))
    # ⌈channels/50⌉ for their details + ⌈new videos/50⌉, and no uploads playlist at all.
    assert dict(youtube.units) == {
        "channels.list": math.ceil(len(ids) / 50),
        "videos.list": math.ceil(summary.videos_new / 50),
    }


def test_free_mode_reads_the_playlist_only_for_a_deeper_backfill(
    store, youtube, yt_settings
) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    deep = ids[:3]
    for channel_id in deep:
        world.add_uploads(channel_id, 25, at=1_700_000_000)
    summary = SyncEngine(store, yt_settings, api_key=API_KEY).run(
        SyncOptions(rss=True, backfill=30)
    )
    assert summary.status == "ok", summary.failures
    assert youtube.units["playlistItems.list"] == len(deep)
    for channel_id in deep:
        listed = world.listed_uploads(world.channels[channel_id])[:30]
        assert cached(store, channel_id) == {v.id for v in listed if v.privacy == "public"}


def test_a_failing_feed_fails_only_its_channel_without_a_key(store, no_key, yt_settings) -> None:
    ids = follow_world(store, no_key.world)
    no_key.inject("feed", "feed_down", count=1)
    summary = SyncEngine(store, yt_settings.replace(concurrency=1)).run()
    assert summary.status == "partial"
    assert (summary.channels_ok, summary.channels_failed) == (len(ids) - 1, 1)
    assert summary.failures[0]["error"] == "The channel feed answered 500."
    assert api_requests(no_key) == []  # no fallback to an API it has no key for


def test_no_network_without_a_key_is_offline_and_costs_nothing(store, no_key, yt_settings) -> None:
    with YouTubeEmulator(World.from_corpus(channels=1)) as gone:
        root = gone.feed_root  # nothing listens there once it stops
    follow_world(store, no_key.world)
    settings = yt_settings.replace(feed_root=root, concurrency=1)
    summary = SyncEngine(store, settings).run()
    assert summary.status == "offline"
    assert "could not be reached" in summary.message
    assert quota_rows(store) == 0


# --- the command line, from a fresh home with no key --------------------------------


@pytest.fixture
def imported(no_key: YouTubeEmulator, tmp_path: Path, run_cli):  # type: ignore[no-untyped-def]
    rows = [ExportedChannel(c.id, "") for c in no_key.world.channels.values()]
    path = tmp_path / "subscriptions.opml"
    path.write_text(export(rows, "opml"), encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.code == 0, result.err
    return no_key


def test_import_sync_feed_mark_and_for_you_with_no_key(imported, run_cli) -> None:
    result = run_cli("sync", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert (report["mode"], report["status"], report["quota"]["units"]) == ("keyless", "ok", 0)
    assert report["videos"]["new"] == report["videos"]["labelled"] > 0
    listed = json.loads(run_cli("feed", "--json", "--limit", "500").out)
    assert listed["count"] > 0
    assert {v["duration_s"] for v in listed["videos"]} == {None}
    table = run_cli("feed", "--limit", "5").out.splitlines()
    assert all(" — " in line for line in table[2:7])  # the length column says unknown
    first = listed["videos"][0]
    assert run_cli("mark", first["id"], "liked").code == 0
    shown = json.loads(run_cli("show", first["id"], "--json").out)
    assert shown["state"]["rating"] == 1
    picks = json.loads(run_cli("recommend", "--json").out)
    assert picks["count"] > 0
    # The like taught For you about the channel: its other videos carry that reason.
    liked_channel = [p for p in picks["videos"] if p["channel_id"] == first["channel_id"]]
    assert liked_channel
    assert api_requests(imported) == []
    quota = json.loads(run_cli("quota", "--json").out)
    assert quota["used"] == 0 and quota["by_method"] == {}


def test_length_filters_and_smart_feeds_say_what_they_left_out(imported, run_cli) -> None:
    run_cli("sync")
    total = json.loads(run_cli("feed", "--json").out)["total"]
    result = run_cli("feed", "--min", "5m")
    assert f"{total:,} videos of unknown length were left out by the length filter" in result.err
    smart = json.loads(run_cli("recommend", "--minutes", "30", "--json").out)
    assert smart["count"] == 0
    assert any("videos of unknown length were left out" in note for note in smart["notes"])


def test_human_sync_summary_without_a_key_has_no_quota_line(imported, run_cli) -> None:
    result = run_cli("sync")
    assert result.code == 0
    assert "synced from their feeds" in result.out
    assert "Quota:" not in result.err


def test_api_mode_needs_a_key(imported, run_cli) -> None:
    result = run_cli("sync", "--api")
    assert result.code == 1
    assert "`--api` needs a YouTube API key" in result.err
    assert imported.calls() == 0


# --- channels add without a key -----------------------------------------------------


def test_channels_add_by_id_url_handle_and_user_name_without_a_key(no_key, run_cli) -> None:
    channels = list(no_key.world.channels.values())
    by_name = next(c for c in channels if c.username)
    others = [c for c in channels if c is not by_name]
    refs = [
        others[0].id,
        f"https://www.youtube.com/channel/{others[1].id}",
        others[2].handle,
        f"https://www.youtube.com/{others[3].handle}",
        f"https://www.youtube.com/user/{by_name.username}",
    ]
    result = run_cli("channels", "add", "--json", *refs)
    assert result.code == 0, result.err
    added = json.loads(result.out)["channels"]
    expected = [others[0], others[1], others[2], others[3], by_name]
    assert [(a["id"], a["title"], a["new"]) for a in added] == [
        (c.id, c.title, True) for c in expected
    ]
    assert api_requests(no_key) == []
    listed = json.loads(run_cli("channels", "list", "--json").out)["channels"]
    assert {c["id"] for c in listed} == {c.id for c in expected}
    # The page is asked once per name; ids need only their feed (for the title).
    methods = [r.method for r in no_key.requests]
    assert methods.count("page") == 3


def test_channels_add_without_a_key_says_what_went_wrong_in_one_sentence(no_key, run_cli) -> None:
    result = run_cli("channels", "add", "@nobodyhasthishandle")
    assert result.code == 1
    assert "YouTube has no channel @nobodyhasthishandle." in result.err
    assert "Traceback" not in result.err
    missing = "UC" + "x" * 22
    result = run_cli("channels", "add", missing)
    assert result.code == 1
    assert f"YouTube has no channel {missing}" in result.err
    no_key.inject("page", "consent")
    channel = next(iter(no_key.world.channels.values()))
    result = run_cli("channels", "add", channel.handle)
    assert result.code == 1
    assert "cookie-consent page" in result.err
    assert "/channel/UC" in result.err  # what to use instead
    assert api_requests(no_key) == []


def test_the_cost_of_filling_in_details_is_said_before_it_starts_when_over_100_units(
    capsys,
) -> None:
    from momentum_tui.commands.sync import ProgressLine
    from momentum_tui.youtube.sync import Progress

    line = ProgressLine(enabled=False)
    line(DetailsBackfill(Progress(0, 10, 0, 0), videos=4_000, units=80))
    assert capsys.readouterr().err == ""
    line(DetailsBackfill(Progress(0, 10, 0, 0), videos=6_120, units=123))
    assert capsys.readouterr().err == (
        "Filling in lengths and statistics of 6,120 videos synced without a key: "
        "123 quota units (50 videos a unit).\n"
    )


def test_the_run_ends_only_after_its_offline_labels_are_written(store, no_key, yt_settings) -> None:
    """The labelling is part of the run: done when the run says it ended, and counted."""
    from momentum_tui.youtube.sync import SyncFinished

    follow_world(store, no_key.world, list(no_key.world.channels)[:4])
    labelled_when_finished: list[int] = []

    def on_event(event: SyncEvent) -> None:
        if isinstance(event, SyncFinished):
            with store.read() as conn:
                count = conn.execute("SELECT count(*) FROM video_labels").fetchone()[0]
            labelled_when_finished.append(int(count))

    summary = SyncEngine(store, yt_settings, on_event=on_event).run()
    assert summary.videos_labelled == summary.videos_new > 0
    assert labelled_when_finished == [summary.videos_labelled]


def test_a_real_captured_feed_becomes_videos_with_what_it_says() -> None:
    from momentum_tui.youtube.rss import parse_feed, video_from_entry
    from tests.conftest import FIXTURES

    feed = parse_feed((FIXTURES / "yt_atom_feed_dyeray_podtube_youtube.xml").read_bytes())
    assert (feed.channel_id, feed.title) == (
        "UCk195x4zYdMx4LhqEwhcPng",
        "Instituto de Física Teórica IFT",
    )
    assert len(feed.entries) == FEED_SIZE
    first = video_from_entry(feed.entries[0], feed, now=1_700_000_000)
    assert first is not None
    assert first.id == "Elewn679CZI"
    assert first.title.startswith("El Brillante Futuro de la Física")
    assert first.description.startswith("Álvaro de Rújula, referente a nivel mundial")
    assert "CERN" in first.description  # the whole multi-line description
    assert (first.view_count, first.like_count) == (33036, 1424)
    assert first.thumbnail_url == "https://i2.ytimg.com/vi/Elewn679CZI/hqdefault.jpg"
    assert first.published_at == 1_639_922_411  # 2021-12-19T14:00:11+00:00
    assert first.duration_s is None and not first.is_short
    assert first.channel_title == feed.title
