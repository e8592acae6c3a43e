"""The API client through the real google-api-python-client, and response parsing."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentum_tui.errors import QuotaExhaustedError
from momentum_tui.models import LiveState
from momentum_tui.storage import Store
from momentum_tui.youtube import parse
from momentum_tui.youtube.api import YouTubeClient
from momentum_tui.youtube.errors import (
    BadResponseError,
    InvalidKeyError,
    RateLimitedError,
    ServerError,
    SyncCancelledError,
    YouTubeNetworkError,
)
from momentum_tui.youtube.quota import QuotaLedger
from tests.conftest import FIXTURES
from tests.emulators.youtube import API_KEY, YouTubeEmulator

pytest_plugins = ("tests.emulators.youtube_fixtures",)


@pytest.fixture
def client(store: Store, yt_settings) -> YouTubeClient:  # type: ignore[no-untyped-def]
    return YouTubeClient(yt_settings.replace(retries=2), QuotaLedger(store), api_key=API_KEY)


def some_video(youtube: YouTubeEmulator) -> str:
    return next(iter(youtube.world.videos))


@pytest.mark.parametrize(
    "fault",
    [
        "rate_limit",
        "user_rate_limit",
        "rate_limit_429",
        "backend_500",
        "backend_503",
        "reset",
        "truncated",
        "malformed",
        "wrong_shape",
        "html",
    ],
)
def test_passing_trouble_is_retried(client, youtube, fault) -> None:
    youtube.inject("videos.list", fault, count=2)
    videos, missing = client.videos([some_video(youtube)], now=0)
    assert len(videos) == 1
    assert missing == []
    assert client.ledger.status().by_method == {"videos.list": 3}  # every attempt is paid for


@pytest.mark.parametrize(("fault", "error", "words"), [
    ("rate_limit", RateLimitedError, "kept rate-limiting videos.list"),
    ("backend_503", ServerError, "server error (503)"),
    ("reset", YouTubeNetworkError, "dropped the connection"),
    ("malformed", BadResponseError, "not the JSON expected"),
])  # fmt: skip
def test_retries_are_bounded(client, youtube, fault, error, words) -> None:
    youtube.inject("videos.list", fault, count=10)
    with pytest.raises(error) as raised:
        client.videos([some_video(youtube)], now=0)
    assert words in raised.value.title
    assert youtube.calls("videos.list") == 3  # 1 + retries


def test_a_hung_request_times_out(store, youtube, yt_settings) -> None:
    youtube.hang_seconds = 5
    client = YouTubeClient(
        yt_settings.replace(timeout=0.3, retries=0),
        QuotaLedger(store),
        api_key=API_KEY,
    )
    youtube.inject("videos.list", "hang")
    started = time.monotonic()
    with pytest.raises(YouTubeNetworkError, match="did not answer in time"):
        client.videos([some_video(youtube)], now=0)
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("fault", ["key_invalid", "key_invalid_new", "key_blocked", "forbidden"])
def test_key_problems_point_at_keys_set(client, youtube, fault) -> None:
    youtube.inject("videos.list", fault)
    with pytest.raises(InvalidKeyError) as raised:
        client.videos([some_video(youtube)], now=0)
    assert "momentum keys set youtube" in raised.value.hint
    assert youtube.calls("videos.list") == 1  # not retried
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_quota_exceeded_is_not_retried_and_closes_the_day(client, youtube) -> None:
    youtube.inject("videos.list", "quota")
    with pytest.raises(QuotaExhaustedError):
        client.videos([some_video(youtube)], now=0)
    with pytest.raises(QuotaExhaustedError):
        client.channels([next(iter(youtube.world.channels))])
    assert youtube.calls() == 1


def test_an_empty_channel_is_none_not_an_error(client, youtube) -> None:
    channel = next(iter(youtube.world.channels.values()))
    youtube.world.make_empty(channel.id)
    assert client.playlist_page(channel.uploads_playlist) is None


def test_at_most_fifty_ids_per_call(client, youtube) -> None:
    with pytest.raises(ValueError, match="at most 50"):
        client.videos(list(youtube.world.videos)[:51], now=0)
    channels = list(youtube.world.channels)
    found = client.channels(channels[:40] + channels[:15])  # 55 ids: two calls
    assert len(found) == 55
    assert youtube.units == {"channels.list": 2}


def test_the_key_never_reaches_the_logs(client, youtube, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    youtube.inject("videos.list", "backend_500")
    client.videos([some_video(youtube)], now=0)
    assert "key=<redacted>" in caplog.text
    assert API_KEY not in caplog.text


def test_cancel_interrupts_a_backoff(store, youtube, yt_settings) -> None:
    cancel = threading.Event()
    client = YouTubeClient(
        yt_settings.replace(backoff=30.0, retries=3),
        QuotaLedger(store),
        api_key=API_KEY,
        cancel=cancel,
    )
    youtube.inject("videos.list", "backend_503", count=5)
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(SyncCancelledError):
        client.videos([some_video(youtube)], now=0)
    assert time.monotonic() - started < 5


# --- parsing the real captured responses -------------------------------------------------


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_real_videos_list_response() -> None:
    body = load("ytapi_videos_list_python-youtube_video_api_response.json")
    [item] = parse.items_of(body, "videos.list")
    video = parse.video_from_item(item, now=1)
    assert video is not None
    assert (video.id, video.duration_s, video.category_id) == ("D-lhorsDlUQ", 21 * 60 + 7, 28)
    assert (video.view_count, video.like_count, video.comment_count) == (7920, 190, 32)
    assert video.live_state == LiveState.NONE
    assert not video.is_short
    assert video.thumbnail_url == "https://i.ytimg.com/vi/D-lhorsDlUQ/mqdefault.jpg"
    assert "Actions on Google" in video.tags


def test_real_channels_list_response() -> None:
    body = load("ytapi_channels_list_python-youtube_info_multiple.json")
    channels = [parse.channel_from_item(i) for i in parse.items_of(body, "channels")]
    assert [(c.id, c.handle, c.uploads_playlist) for c in channels if c] == [
        ("UCK8sQmJBp8GCxrOtXWBpyEA", "@google", "UUK8sQmJBp8GCxrOtXWBpyEA"),
        ("UC_x5XG1OV2P6uZZ5FSM9Ttw", "@googledevelopers", "UU_x5XG1OV2P6uZZ5FSM9Ttw"),
    ]


def test_real_playlist_items_response_without_content_details() -> None:
    page = parse.playlist_page(
        load("ytapi_playlistitems_list_python-youtube_playlist_items_paged_1.json")
    )
    assert len(page.entries) == 10
    assert page.entries[0].video_id == "CvTApw9X8aA"
    assert page.next_token == "CAoQAA"
    assert not any(e.private for e in page.entries)


def test_real_subscriptions_response() -> None:
    body = load("ytapi_subscriptions_list_python-youtube_subscriptions_by_mine_p1.json")
    channels = [parse.subscription_channel(i) for i in parse.items_of(body, "subscriptions")]
    assert channels[0] is not None
    assert channels[0].id == "UC_x5XG1OV2P6uZZ5FSM9Ttw"
    assert parse.next_page(body) == "CAoQAA"


def test_durations_and_live_states() -> None:
    assert [parse.duration_seconds(d) for d in ("PT1H2M3S", "PT45S", "P0D", "PT4M", "P1DT1S",
                                                 "", "nonsense", None, 12)] == [
        3723, 45, 0, 240, 86401, None, None, None, None]  # fmt: skip
    item = {"id": "abcdefghijk", "snippet": {"publishedAt": "2026-01-01T00:00:00Z",
            "channelId": "UC" + "a" * 22, "liveBroadcastContent": "none",
            "title": "Quick one #shorts"}, "contentDetails": {"duration": "PT2M30S"}}  # fmt: skip
    short = parse.video_from_item(item, now=0)
    assert short is not None
    assert short.is_short
    item["snippet"]["title"] = "Quick one"
    assert not parse.video_from_item(item, now=0).is_short  # type: ignore[union-attr]
    assert parse.video_from_item(item, now=0, short_hint=True).is_short  # type: ignore[union-attr]
    item["liveStreamingDetails"] = {"actualEndTime": "2026-01-01T02:00:00Z"}
    assert parse.video_from_item(item, now=0).live_state == LiveState.WAS_LIVE  # type: ignore[union-attr]


_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "items", "snippet", "contentDetails", "statistics", "status",
                         "liveStreamingDetails", "publishedAt", "channelId", "title", "duration",
                         "viewCount", "tags", "resourceId", "videoId", "videoPublishedAt",
                         "nextPageToken", "thumbnails", "liveBroadcastContent", "categoryId"]),
        children, max_size=5),
    max_leaves=25,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_value)
def test_any_response_shape_is_read_or_refused_never_crashes(body: object) -> None:
    for read in (
        lambda b: parse.playlist_page(b),
        lambda b: [parse.video_from_item(i, 0) for i in parse.items_of(b, "v")],
        lambda b: [parse.channel_from_item(i) for i in parse.items_of(b, "c")],
        lambda b: [parse.subscription_channel(i) for i in parse.items_of(b, "s")],
    ):
        with contextlib.suppress(BadResponseError):
            read(body)


def test_an_error_body_with_http_200_is_the_error_it_describes(client, youtube) -> None:
    channel = next(iter(youtube.world.channels))
    youtube.inject("channels.list", "error_200", count=10)
    with pytest.raises(ServerError, match="server error"):
        client.channels([channel])  # not an empty list: the channel is not "gone"


def test_a_call_that_never_reached_youtube_costs_nothing(store, yt_settings) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # connection refused: the request never left this machine
    ledger = QuotaLedger(store)
    client = YouTubeClient(
        yt_settings.replace(api_root=f"http://127.0.0.1:{port}", retries=2),
        ledger,
        api_key=API_KEY,
    )
    with pytest.raises(YouTubeNetworkError, match="refused the connection"):
        client.channels(["UC" + "a" * 22])
    assert client.requests >= 2  # it did try, and retried
    assert ledger.status().used == 0
    assert dict(ledger.spent) == {}


def test_a_rejection_reaches_people_as_words_with_a_hint(client, youtube) -> None:
    from momentum_tui.youtube.errors import RequestRejectedError

    youtube.inject("channels.list", "playlist_not_found")
    with pytest.raises(RequestRejectedError) as caught:
        client.channels([next(iter(youtube.world.channels))])
    assert caught.value.title == (
        "YouTube says the channel's uploads playlist does not exist "
        "(channels.list, playlistNotFound)."
    )
    assert "(404:" not in caught.value.title
    assert caught.value.hint


def test_retry_after_is_honoured(client, youtube) -> None:
    youtube.retry_after = "1"
    youtube.inject("videos.list", "rate_limit_429")
    videos, _ = client.videos([some_video(youtube)], 0)
    assert len(videos) == 1
    first, second = [r for r in youtube.requests if r.method == "videos.list"]
    assert first.status == 429
    assert second.at - first.at >= 1.0  # never sooner than YouTube asked


def test_a_retry_after_longer_than_a_minute_is_not_waited_out_and_says_so(client, youtube) -> None:
    youtube.retry_after = "600"
    youtube.inject("videos.list", "rate_limit_429", count=5)
    with pytest.raises(RateLimitedError) as limited:
        client.videos([some_video(youtube)], 0)
    assert limited.value.title == (
        "YouTube asked Momentum to wait 10 min before calling videos.list again, so this "
        "channel was left for later."
    )
    assert youtube.calls("videos.list") == 1  # no retry inside the wait it asked for


def test_a_429_without_retry_after_backs_off_as_usual(client, youtube) -> None:
    youtube.retry_after = ""
    youtube.inject("videos.list", "rate_limit_429")
    videos, _ = client.videos([some_video(youtube)], 0)
    assert len(videos) == 1
    assert youtube.calls("videos.list") == 2
