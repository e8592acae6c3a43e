"""The sync engine against the emulator, through the real client: what a person would notice."""

from __future__ import annotations

import math
import threading
import time

import pytest

from momentum_tui.models import LiveState
from momentum_tui.storage import Store
from momentum_tui.youtube import queries as state
from momentum_tui.youtube.errors import InvalidKeyError
from momentum_tui.youtube.sync import (
    ChannelSynced,
    QuotaWarning,
    SyncEngine,
    SyncEvent,
    SyncFinished,
    SyncOptions,
    SyncStarted,
)
from tests.emulators.youtube import API_KEY, YouTubeEmulator, follow_world
from tests.emulators.youtube_data import World

pytest_plugins = ("tests.emulators.youtube_fixtures",)


def engine(store: Store, settings, **kwargs) -> SyncEngine:  # type: ignore[no-untyped-def]
    return SyncEngine(store, settings, api_key=API_KEY, **kwargs)


def cached(store: Store, channel_id: str | None = None) -> set[str]:
    with store.read() as conn:
        if channel_id is None:
            return {r[0] for r in conn.execute("SELECT id FROM videos")}
        return {
            r[0] for r in conn.execute("SELECT id FROM videos WHERE channel_id = ?", (channel_id,))
        }


def expected(world: World, channel_id: str, depth: int) -> set[str]:
    """What a first sync with backfill `depth` should cache for a channel."""
    listed = world.listed_uploads(world.channels[channel_id])[:depth]
    return {v.id for v in listed if v.privacy == "public"}


def test_first_sync_caches_every_channel_for_the_fewest_units(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    summary = engine(store, yt_settings).run()
    assert summary.status == "ok"
    assert (summary.channels_ok, summary.channels_failed) == (len(ids), 0)
    for channel_id in ids:
        assert cached(store, channel_id) == expected(world, channel_id, yt_settings.backfill)
    total = len(cached(store))
    assert summary.videos_new == total
    assert youtube.units == {
        "channels.list": math.ceil(len(ids) / 50),
        "playlistItems.list": len(ids),  # every channel fits in one page of 50
        "videos.list": math.ceil(total / 50),  # batched across channels
    }
    assert summary.units_by_method == dict(youtube.units)
    with store.read() as conn:
        titles = dict(conn.execute("SELECT id, title FROM channels"))
        statuses = {r[0] for r in conn.execute("SELECT status FROM sync_state")}
    assert titles == {c.id: c.title for c in world.channels.values()}
    assert statuses == {"ok"}
    # New videos are labelled offline straight away (Claude replaces those labels later).
    assert summary.videos_labelled == total
    with store.read() as conn:
        labels = conn.execute("SELECT count(*), min(source) FROM video_labels").fetchone()
    assert labels == (total, "local")


def test_incremental_sync_costs_one_unit_per_channel_plus_batches(
    store, youtube, yt_settings
) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    engine(store, yt_settings).run()
    youtube.reset_counters()
    new = [v for cid in ids[:5] for v in world.add_uploads(cid, 3)]
    summary = engine(store, yt_settings).run()
    assert summary.videos_new == len(new) == 15
    assert set(new) <= cached(store)
    assert summary.units <= len(ids) + math.ceil(len(new) / 50)
    assert youtube.units["playlistItems.list"] == len(ids)
    assert youtube.units["channels.list"] == 0  # details are fresh
    assert youtube.units.get("search.list", 0) == 0


def test_new_channel_reads_only_the_backfill_depth(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world, list(world.channels)[:4])
    summary = engine(store, yt_settings).run(SyncOptions(backfill=3))
    assert summary.status == "ok"
    for channel_id in ids:
        assert cached(store, channel_id) == expected(world, channel_id, 3)
    # Going back further later needs no special flag: new uploads still stop at the cache.
    world.add_uploads(ids[0], 1)
    engine(store, yt_settings).run()
    assert len(cached(store, ids[0])) == len(expected(world, ids[0], 3)) + 1


def test_deleted_private_and_empty(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world, list(world.channels)[:6])
    first, second, empty = ids[0], ids[1], ids[2]
    deleted = world.add_uploads(second, 1)[0]  # recent: its stats get refreshed
    engine(store, yt_settings).run()
    newest_private = world.channels[first].uploads[0]
    world.privatise_video(newest_private)
    world.delete_video(deleted)
    world.make_empty(empty)
    fresh = world.add_uploads(first, 1)[0]
    summary = engine(store, yt_settings, clock=lambda: time.time() + 7 * 3600).run()
    assert summary.status == "ok", summary.failures  # 404 playlistNotFound is not an error
    assert summary.channels_empty == 1
    with store.read() as conn:
        status = dict(
            conn.execute(
                "SELECT id, status FROM videos WHERE id IN (?, ?, ?)",
                (newest_private, deleted, fresh),
            )
        )
        empty_state = conn.execute(
            "SELECT status FROM sync_state WHERE channel_id = ?", (empty,)
        ).fetchone()[0]
    assert status == {newest_private: "private", deleted: "deleted", fresh: "ok"}
    assert empty_state == "empty"


def test_live_upcoming_and_shorts_are_recognised(store, youtube, yt_settings) -> None:
    world = youtube.world
    channel = next(iter(world.channels))
    follow_world(store, world, [channel])
    upcoming = world.add_uploads(channel, 1, live_state=LiveState.UPCOMING)[0]
    live = world.add_uploads(channel, 1, live_state=LiveState.LIVE)[0]
    engine(store, yt_settings).run()
    with store.read() as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT id, live_state, duration_s, scheduled_at, is_short FROM videos"
            )
        }
    assert rows[upcoming][0] == "upcoming"
    assert rows[upcoming][1] is None
    assert rows[upcoming][2]
    assert rows[live][0] == "live"
    assert rows[live][1] is None
    short_ones = long_ones = 0
    for video_id, (live_state, duration, _, is_short) in rows.items():
        video = world.videos[video_id]
        assert live_state == video.live_state
        if video.live_state == "none" and duration is not None and duration <= 60:
            assert is_short == 1
            short_ones += 1
        if duration is not None and duration > 180:
            assert is_short == 0
            long_ones += 1
    assert short_ones and long_ones  # both rules were put to the test
    # The stream ends: the next sync's refresh picks up its length and state.
    world.end_stream(live, 3600)
    soon = time.time() + 60
    engine(store, yt_settings, clock=lambda: soon).run(SyncOptions(force=True))
    with store.read() as conn:
        unchanged = conn.execute("SELECT live_state FROM videos WHERE id = ?", (live,)).fetchone()
    assert unchanged == ("live",)  # looked at a minute ago: not worth a unit yet
    later = time.time() + 20 * 60
    engine(store, yt_settings, clock=lambda: later).run(SyncOptions(force=True))
    with store.read() as conn:
        after = conn.execute(
            "SELECT live_state, duration_s FROM videos WHERE id = ?", (live,)
        ).fetchone()
    assert after == ("was_live", 3600)


def test_free_mode_spends_units_only_on_channels_with_news(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    engine(store, yt_settings).run()
    youtube.reset_counters()
    changed = ids[:3]
    new = [v for cid in changed for v in world.add_uploads(cid, 2)]
    summary = engine(store, yt_settings).run(SyncOptions(rss=True))
    assert summary.status == "ok"
    assert set(new) <= cached(store)
    assert youtube.calls("feed") == len(ids)
    # The feeds named the new videos, so no playlist reads at all: ⌈6 / 50⌉ = 1 unit.
    assert youtube.units == {"videos.list": 1}
    assert summary.units <= len(changed) + math.ceil(len(new) / 50)


def test_free_mode_falls_back_to_the_api_when_a_feed_fails(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    engine(store, yt_settings).run()
    youtube.reset_counters()
    new = world.add_uploads(ids[0], 2) + world.add_uploads(ids[1], 1)
    youtube.inject("feed", "feed_down", count=2)
    youtube.inject("feed", "malformed", count=1)
    summary = engine(store, yt_settings).run(SyncOptions(rss=True))
    assert summary.status == "ok"
    assert set(new) <= cached(store)
    assert summary.feeds_failed == 3
    assert youtube.units["playlistItems.list"] == 3  # only the channels whose feed failed


def test_free_mode_reads_the_playlist_when_more_than_a_feed_is_new(
    store, youtube, yt_settings
) -> None:
    world = youtube.world
    channel = next(iter(world.channels))
    follow_world(store, world, [channel])
    engine(store, yt_settings).run()
    new = world.add_uploads(channel, 20)
    engine(store, yt_settings).run(SyncOptions(rss=True))
    assert set(new) <= cached(store)  # the feed shows 15; the playlist filled in the rest


def test_quota_budget_stops_before_passing_and_resumes_after_reset(
    store, youtube, yt_settings
) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    settings = yt_settings.replace(daily_quota=20, concurrency=2)
    now = time.time()
    summary = engine(store, settings, clock=lambda: now).run()
    assert summary.status == "quota"
    assert summary.units <= 20
    assert youtube.total_units() <= 20
    assert "resets at midnight Pacific" in summary.message
    synced = [cid for cid in ids if cached(store, cid)]
    assert 0 < summary.channels_ok < len(ids)
    for channel_id in synced:  # what was fetched is kept, whole
        assert cached(store, channel_id) == expected(world, channel_id, settings.backfill)
    # The next Pacific day: the rest completes, and nothing is fetched twice.
    tomorrow = now + 86400
    before = len(cached(store))
    after = engine(store, settings.replace(daily_quota=10_000), clock=lambda: tomorrow).run()
    assert after.status == "ok"
    for channel_id in ids:
        assert cached(store, channel_id) == expected(world, channel_id, settings.backfill)
    assert after.videos_new == len(cached(store)) - before


def test_quota_exceeded_from_youtube_stops_cleanly(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    youtube.quota_limit = 25
    summary = engine(store, yt_settings.replace(concurrency=1)).run()
    assert summary.status == "quota"
    assert "YouTube says today's API quota is spent" in summary.error.title
    kept = [cid for cid in ids if cached(store, cid)]
    assert kept
    assert len(kept) < len(ids)
    # The rest of the day is refused without asking YouTube again.
    calls = youtube.calls()
    again = engine(store, yt_settings).run()
    assert again.status == "quota"
    assert youtube.calls() == calls


def test_quota_warning_event_fires_once(store, youtube, yt_settings) -> None:
    follow_world(store, youtube.world)
    events: list[SyncEvent] = []
    settings = yt_settings.replace(daily_quota=200, warn_at=0.1)
    engine(store, settings, on_event=events.append).run()
    warnings = [e for e in events if isinstance(e, QuotaWarning)]
    assert len(warnings) == 1
    assert warnings[0].used >= 20


def test_rate_limits_and_server_errors_are_retried(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    youtube.inject("playlistItems.list", "rate_limit", count=2)
    youtube.inject("playlistItems.list", "rate_limit_429", count=1)
    youtube.inject("videos.list", "user_rate_limit", count=1)
    youtube.inject("channels.list", "backend_503", count=1)
    youtube.inject("videos.list", "backend_500", count=1)
    summary = engine(store, yt_settings).run()
    assert summary.status == "ok", summary.failures
    assert all(cached(store, cid) == expected(world, cid, 50) for cid in ids)


def test_persistent_failures_fail_only_their_channel(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    youtube.hang_seconds = 5
    # One at a time, so each fault lands on a known attempt: a timeout then a reset fail
    # one channel (1 retry), three good calls, then two cut-short answers fail another.
    settings = yt_settings.replace(timeout=0.3, retries=1, concurrency=1)
    engine(store, settings).run()  # first sync, clean
    bad = ids[0]
    world.add_uploads(bad, 1)
    youtube.inject("playlistItems.list", "hang", count=1)
    youtube.inject("playlistItems.list", "reset", count=1)
    youtube.inject("playlistItems.list", "truncated", count=2, after=3)
    summary = engine(store, settings).run()
    assert summary.status == "partial"
    assert summary.channels_failed == 2
    assert summary.channels_ok + summary.channels_failed == len(ids)
    with store.read() as conn:
        failed = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT channel_id, error FROM sync_state WHERE status = 'failed'"
            )
        }
    assert len(failed) == summary.channels_failed
    assert all("YouTube" in error for error in failed.values())
    # The next sync retries them and completes.
    again = engine(store, settings).run()
    assert again.status == "ok"
    assert cached(store, bad) == expected(world, bad, 50)


def test_malformed_answers_never_crash_the_sync(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    settings = yt_settings.replace(retries=1)
    youtube.inject("playlistItems.list", "malformed", count=1)
    youtube.inject("playlistItems.list", "wrong_shape", count=2, after=2)
    youtube.inject("videos.list", "html", count=1)
    summary = engine(store, settings).run()
    assert summary.status in ("ok", "partial")
    assert summary.channels_ok + summary.channels_failed == len(ids)
    assert engine(store, settings).run().status == "ok"
    assert all(cached(store, cid) == expected(world, cid, 50) for cid in ids)


def test_an_invalid_key_stops_the_run_with_a_sentence(store, youtube, yt_settings) -> None:
    follow_world(store, youtube.world)
    summary = SyncEngine(store, yt_settings, api_key="not-the-key").run()
    assert summary.status == "failed"
    assert isinstance(summary.error, InvalidKeyError)
    assert "momentum keys set youtube" in summary.error.hint
    assert "not-the-key" not in summary.message + summary.error.title + summary.error.hint


def test_no_network_is_reported_as_offline(store, yt_settings) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens here: connection refused
    follow_world(store, World.from_corpus(channels=12))
    settings = yt_settings.replace(
        api_root=f"http://127.0.0.1:{port}", retries=1, backoff=0.01, channel_refresh_days=0
    )
    with store.write() as db:  # details known, so listing is the first call
        db.conn.execute("UPDATE channels SET uploads_playlist = 'UU' || substr(id, 3)")
        db.conn.execute(
            "INSERT INTO sync_state (channel_id, details_at) SELECT id, 1 FROM channels"
        )
    summary = SyncEngine(store, settings, api_key=API_KEY).run()
    assert summary.status == "offline"
    assert summary.channels_ok == 0
    assert summary.channels_failed < 12
    with store.read() as conn:
        line = state.sync_status(conn, time.time())
    assert line.offline
    assert store.get_pref("network.offline") == "1"  # the feed's "offline" badge
    assert "offline" in line.text(time.time())
    # Nothing reached YouTube, so nothing was paid: no unit spent, no ledger row left.
    assert summary.units == 0
    assert summary.quota is not None and summary.quota.used == 0
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM quota_ledger").fetchone()[0] == 0


def test_cancel_keeps_finished_channels(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    youtube.latency = 0.02
    cancel = threading.Event()
    done: list[str] = []

    def on_event(event: SyncEvent) -> None:
        if isinstance(event, ChannelSynced):
            done.append(event.channel_id)
            if len(done) == 5:
                cancel.set()

    settings = yt_settings.replace(concurrency=2)
    summary = engine(store, settings, cancel=cancel, on_event=on_event).run()
    assert summary.status == "cancelled"
    assert 5 <= summary.channels_ok < len(ids)
    for channel_id in done:
        assert cached(store, channel_id) == expected(world, channel_id, 50)
    assert engine(store, settings).run().status == "ok"


def test_cooldown_skips_recently_synced_channels(store, youtube, yt_settings) -> None:
    follow_world(store, youtube.world)
    settings = yt_settings.replace(cooldown_minutes=10)
    engine(store, settings).run()
    youtube.reset_counters()
    again = engine(store, settings).run()
    assert again.channels_total == 0
    assert again.channels_skipped == len(youtube.world.channels)
    assert youtube.calls() == 0
    assert "--force" in again.message
    forced = engine(store, settings).run(SyncOptions(force=True))
    assert forced.channels_ok == len(youtube.world.channels)


def test_view_counts_of_recent_videos_are_refreshed_in_batches(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    for channel_id in ids[:8]:
        world.add_uploads(channel_id, 9, at=int(time.time()) - 86400)
    engine(store, yt_settings).run()
    with store.read() as conn:
        recent = [
            r[0]
            for r in conn.execute(  # premieres show no views until they start
                "SELECT id FROM videos WHERE published_at > ? AND live_state != 'upcoming'",
                (time.time() - 3 * 86400,),
            )
        ]
    assert len(recent) >= 65
    for video_id in recent:
        world.set_views(video_id, 123_456_789)
    youtube.reset_counters()
    later = time.time() + 7 * 3600  # past stats_max_age_hours
    summary = engine(store, yt_settings, clock=lambda: later).run()
    assert summary.videos_updated >= min(len(recent), yt_settings.stats_refresh_max)
    extra = math.ceil(min(len(recent), yt_settings.stats_refresh_max) / 50)
    assert youtube.units["videos.list"] <= extra
    assert youtube.units["playlistItems.list"] == len(ids)
    with store.read() as conn:
        refreshed = conn.execute(
            "SELECT count(*) FROM videos WHERE view_count = 123456789"
        ).fetchone()[0]
    assert refreshed >= min(len(recent), yt_settings.stats_refresh_max)


def test_a_channel_that_no_longer_exists_is_reported(store, youtube, yt_settings) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    gone = ids[0]
    del world.channels[gone]
    summary = engine(store, yt_settings).run()
    assert summary.status == "partial"
    assert [f["channel_id"] for f in summary.failures] == [gone]
    assert "no channel with this id" in summary.failures[0]["error"]


def test_runs_are_recorded_and_events_tell_the_story(store, youtube, yt_settings) -> None:
    follow_world(store, youtube.world)
    events: list[SyncEvent] = []
    summary = engine(store, yt_settings, on_event=events.append).run()
    assert isinstance(events[0], SyncStarted)
    assert isinstance(events[-1], SyncFinished)
    synced = [e for e in events if isinstance(e, ChannelSynced)]
    assert len(synced) == summary.channels_ok
    assert [e.progress.done for e in synced] == list(range(1, len(synced) + 1))
    assert synced[-1].progress.videos_new == summary.videos_new
    with store.read() as conn:
        row = conn.execute(
            "SELECT status, channels_ok, videos_new, units, finished_at "
            "FROM sync_runs WHERE id = ?",
            (summary.run_id,),
        ).fetchone()
        line = state.sync_status(conn, time.time() + 300)
    assert row[:4] == ("ok", summary.channels_ok, summary.videos_new, summary.units)
    assert row[4] is not None
    assert line.text(time.time() + 300) == "last sync 5 min ago"


@pytest.mark.parametrize("concurrency", [1, 8])
def test_concurrency_does_not_change_the_result(store, youtube, yt_settings, concurrency) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    summary = engine(store, yt_settings.replace(concurrency=concurrency)).run()
    assert summary.status == "ok"
    assert all(cached(store, cid) == expected(world, cid, 50) for cid in ids)
    assert youtube.units["videos.list"] == math.ceil(summary.videos_new / 50)


def test_channel_option_syncs_only_those(store, youtube, yt_settings) -> None:
    ids = follow_world(store, youtube.world)
    summary = engine(store, yt_settings).run(SyncOptions(channel_ids=(ids[3],)))
    assert summary.channels_ok == 1
    assert set(cached(store)) == expected(youtube.world, ids[3], 50)


def test_emulator_fixture_isolation(youtube: YouTubeEmulator) -> None:
    # Each test gets its own world; edits above must not leak here.
    assert all(v.privacy == "public" and not v.deleted for v in youtube.world.videos.values())


def test_free_mode_refreshes_view_counts_from_the_feeds_for_free(
    store, youtube, yt_settings
) -> None:
    world = youtube.world
    ids = follow_world(store, world)
    engine(store, yt_settings).run()
    video_id = world.channels[ids[0]].uploads[0]
    world.set_views(video_id, 987_654_321)
    youtube.reset_counters()
    summary = engine(store, yt_settings).run(SyncOptions(rss=True))
    assert summary.units == 0
    with store.read() as conn:
        views = conn.execute("SELECT view_count FROM videos WHERE id = ?", (video_id,)).fetchone()
    assert views == (987_654_321,)


def test_an_error_body_with_http_200_never_marks_channels_deleted(
    store, youtube, yt_settings
) -> None:
    """A proxy that passes YouTube's error body on as a success is still an error."""
    ids = follow_world(store, youtube.world)
    youtube.inject("channels.list", "error_200", count=100)
    settings = yt_settings.replace(retries=1)
    summary = engine(store, settings).run()
    assert not [f for f in summary.failures if "no channel with this id" in f["error"]]
    with store.read() as conn:
        states = dict(conn.execute("SELECT channel_id, error FROM sync_state"))
        followed = conn.execute("SELECT count(*) FROM channels WHERE followed = 1").fetchone()[0]
    assert followed == len(ids)
    assert not any("no channel with this id" in error for error in states.values())
