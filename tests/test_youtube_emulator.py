"""The emulator speaks the real wire: the real client reads it, shapes match real captures."""

from __future__ import annotations

import json
import urllib.request

import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from tests.conftest import FIXTURES
from tests.emulators.youtube import API_KEY, YouTubeEmulator
from tests.emulators.youtube_data import page_offset, page_token

pytest_plugins = ("tests.emulators.youtube_fixtures",)


def _client(emulator: YouTubeEmulator, key: str = API_KEY):  # type: ignore[no-untyped-def]
    return build(
        "youtube",
        "v3",
        developerKey=key,
        static_discovery=True,
        client_options={"api_endpoint": emulator.api_root},
        http=httplib2.Http(timeout=5),
    )


def _keys(value: object) -> object:
    """The nested key structure of a JSON value (lists reduced to their first element)."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(value[0])] if value else []
    return type(value).__name__


def _subset(ours: object, real: object, path: str = "") -> list[str]:
    """Keys in the real capture's structure that ours lacks (or types that differ)."""
    missing: list[str] = []
    if isinstance(real, dict):
        if not isinstance(ours, dict):
            return [f"{path}: not an object"]
        for key, value in real.items():
            if key not in ours:
                missing.append(f"{path}.{key}")
            else:
                missing += _subset(ours[key], value, f"{path}.{key}")
    elif isinstance(real, list) and real:
        if not isinstance(ours, list) or not ours:
            return [f"{path}: not a list"]
        missing += _subset(ours[0], real[0], f"{path}[0]")
    elif real != ours:
        missing.append(f"{path}: {ours} != {real}")
    return missing


def test_page_tokens_look_like_the_apis() -> None:
    assert page_token(10) == "CAoQAA"  # the real token in the playlistItems capture
    assert [page_offset(page_token(n)) for n in (0, 5, 50, 300, 10_000)] == [0, 5, 50, 300, 10_000]
    assert page_offset("not a token!") is None


def test_channels_list_matches_the_real_shape(youtube: YouTubeEmulator) -> None:
    real = json.loads(
        (FIXTURES / "ytapi_channels_list_python-youtube_info_multiple.json").read_text()
    )
    ids = list(youtube.world.channels)[:2]
    ours = (
        _client(youtube)
        .channels()
        .list(id=",".join(ids), part="snippet,contentDetails,statistics")
        .execute()
    )
    real_item = {k: v for k, v in real["items"][0].items() if k != "brandingSettings"}
    assert _subset(_keys(ours["items"][0]), _keys(real_item)) == []
    assert ours["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + ids[0][2:]
    assert [item["id"] for item in ours["items"]] == ids


def test_unknown_channel_lookup_has_no_items_key(youtube: YouTubeEmulator) -> None:
    answer = _client(youtube).channels().list(id="UC" + "x" * 22, part="snippet").execute()
    assert "items" not in answer
    assert answer["pageInfo"]["totalResults"] == 0


def test_playlist_items_match_the_real_shape_and_page(youtube: YouTubeEmulator) -> None:
    real = json.loads(
        (
            FIXTURES / "ytapi_playlistitems_list_python-youtube_playlist_items_paged_1.json"
        ).read_text()
    )
    channel = next(c for c in youtube.world.channels.values() if len(c.uploads) >= 8)
    client = _client(youtube)
    first = (
        client.playlistItems()
        .list(playlistId=channel.uploads_playlist, maxResults=5, part="snippet,contentDetails")
        .execute()
    )
    real_item = real["items"][0]
    assert _subset(_keys(first["items"][0]), _keys(real_item)) == []
    assert first["kind"] == real["kind"]
    assert set(first["items"][0]["contentDetails"]) == {"videoId", "videoPublishedAt"}
    second = (
        client.playlistItems()
        .list(
            playlistId=channel.uploads_playlist,
            maxResults=5,
            pageToken=first["nextPageToken"],
            part="snippet",
        )
        .execute()
    )
    ids = [i["snippet"]["resourceId"]["videoId"] for i in first["items"] + second["items"]]
    assert ids == channel.uploads[:10]
    published = [i["contentDetails"]["videoPublishedAt"] for i in first["items"]]
    assert published == sorted(published, reverse=True)  # newest first


def test_videos_list_matches_the_real_shape(youtube: YouTubeEmulator) -> None:
    real = json.loads(
        (FIXTURES / "ytapi_videos_list_python-youtube_video_api_response.json").read_text()
    )
    video_id = next(
        v.id for v in youtube.world.videos.values() if v.live_state == "none" and v.tags
    )
    ours = (
        _client(youtube)
        .videos()
        .list(id=video_id, part="snippet,contentDetails,status,statistics")
        .execute()
    )
    real_item = real["items"][0]
    real_item["snippet"].pop("defaultLanguage")
    real_item["snippet"].pop("defaultAudioLanguage")
    real_item["statistics"].pop("dislikeCount")  # retired by YouTube in 2021
    assert _subset(_keys(ours["items"][0]), _keys(real_item)) == []


def test_upcoming_videos_have_no_duration_and_a_schedule(youtube: YouTubeEmulator) -> None:
    channel = next(iter(youtube.world.channels.values()))
    from momentum_tui.models import LiveState

    [video_id] = youtube.world.add_uploads(channel.id, live_state=LiveState.UPCOMING)
    item = (
        _client(youtube)
        .videos()
        .list(id=video_id, part="snippet,contentDetails,liveStreamingDetails")
        .execute()["items"][0]
    )
    assert item["snippet"]["liveBroadcastContent"] == "upcoming"
    assert "duration" not in item["contentDetails"]
    assert "scheduledStartTime" in item["liveStreamingDetails"]


def test_deleted_and_private_videos_are_absent_from_videos_list(youtube: YouTubeEmulator) -> None:
    channel = next(c for c in youtube.world.channels.values() if len(c.uploads) >= 3)
    gone, hidden, kept = channel.uploads[:3]
    youtube.world.delete_video(gone)
    youtube.world.privatise_video(hidden)
    client = _client(youtube)
    found = client.videos().list(id=f"{gone},{hidden},{kept}", part="snippet").execute()
    assert [i["id"] for i in found["items"]] == [kept]
    listed = (
        client.playlistItems()
        .list(playlistId=channel.uploads_playlist, maxResults=3, part="snippet,contentDetails")
        .execute()["items"]
    )
    assert [i["contentDetails"]["videoId"] for i in listed][:2] == [hidden, kept]
    assert listed[0]["snippet"]["title"] == "Private video"
    assert "videoPublishedAt" not in listed[0]["contentDetails"]


def test_error_bodies_are_the_apis(youtube: YouTubeEmulator) -> None:
    real = json.loads((FIXTURES / "ytapi_error_python-youtube_error_response.json").read_text())
    with pytest.raises(HttpError) as bad_key:
        _client(youtube, key="wrong").videos().list(id="x", part="snippet").execute()
    assert bad_key.value.resp.status == 400
    assert json.loads(bad_key.value.content) == real
    youtube.inject("videos.list", "quota")
    with pytest.raises(HttpError) as quota:
        _client(youtube).videos().list(id="x", part="snippet").execute()
    detail = json.loads(quota.value.content)["error"]["errors"][0]
    assert (quota.value.resp.status, detail["domain"], detail["reason"]) == (
        403,
        "youtube.quota",
        "quotaExceeded",
    )
    channel = next(iter(youtube.world.channels.values()))
    youtube.world.make_empty(channel.id)
    with pytest.raises(HttpError) as empty:
        _client(youtube).playlistItems().list(
            playlistId=channel.uploads_playlist, part="snippet"
        ).execute()
    assert empty.value.resp.status == 404
    assert json.loads(empty.value.content)["error"]["errors"][0]["reason"] == "playlistNotFound"


def test_units_are_counted_per_method_and_the_limit_holds(youtube: YouTubeEmulator) -> None:
    client = _client(youtube)
    youtube.quota_limit = 2
    client.videos().list(id="x", part="snippet").execute()
    client.channels().list(id="x", part="snippet").execute()
    with pytest.raises(HttpError):
        client.videos().list(id="x", part="snippet").execute()
    assert youtube.units == {"videos.list": 1, "channels.list": 1}
    assert [r.status for r in youtube.requests] == [200, 200, 403]
    assert all("key" not in r.params for r in youtube.requests)


def test_faults_wait_their_turn_and_run_out(youtube: YouTubeEmulator) -> None:
    client = _client(youtube)
    youtube.inject("videos.list", "backend_503", count=2, after=1)
    statuses = []
    for _ in range(4):
        try:
            client.videos().list(id="x", part="snippet").execute()
            statuses.append(200)
        except HttpError as error:
            statuses.append(error.resp.status)
    assert statuses == [200, 503, 503, 200]


def test_the_feed_is_atom_with_fifteen_newest_entries(youtube: YouTubeEmulator) -> None:
    from defusedxml import ElementTree

    channel = next(c for c in youtube.world.channels.values() if len(c.uploads) >= 8)
    youtube.world.add_uploads(channel.id, 10)
    with urllib.request.urlopen(f"{youtube.feed_root}?channel_id={channel.id}") as response:
        root = ElementTree.fromstring(response.read())
    atom = "{http://www.w3.org/2005/Atom}"
    ids = [
        e.findtext("{http://www.youtube.com/xml/schemas/2015}videoId")
        for e in root.findall(f"{atom}entry")
    ]
    assert ids == channel.uploads[:15]
    real = ElementTree.parse(FIXTURES / "yt_atom_feed_dyeray_podtube_youtube.xml").getroot()
    real_tags = [child.tag for child in real.find(f"{atom}entry")]
    assert [child.tag for child in root.find(f"{atom}entry")] == real_tags


# --- no laxer than YouTube ------------------------------------------------------------


def test_channels_list_answers_for_username(youtube: YouTubeEmulator) -> None:
    channel = next(c for c in youtube.world.channels.values() if c.username)
    body = (
        _client(youtube)
        .channels()
        .list(forUsername=channel.username.upper(), part="snippet,contentDetails")
        .execute()
    )
    assert [item["id"] for item in body["items"]] == [channel.id]
    nobody = _client(youtube).channels().list(forUsername="nobody-at-all", part="id").execute()
    assert "items" not in nobody  # as YouTube: no match, no items key


def test_channels_list_mine_needs_a_sign_in(youtube: YouTubeEmulator) -> None:
    with pytest.raises(HttpError) as anonymous:
        _client(youtube).channels().list(mine=True, part="snippet").execute()
    assert anonymous.value.resp.status == 401
    token = "ya29.test-token"
    youtube.oauth.access_tokens.add(token)
    request = urllib.request.Request(
        f"{youtube.api_root}/youtube/v3/channels?part=snippet&mine=true",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        body = json.loads(answer.read())
    assert [item["id"] for item in body["items"]] == [youtube.oauth.account_channel]
    assert len(youtube.oauth.account_channel) == 24  # a real channel id's length


def test_two_channel_filters_at_once_are_refused(youtube: YouTubeEmulator) -> None:
    channel = next(iter(youtube.world.channels.values()))
    with pytest.raises(HttpError) as both:
        _client(youtube).channels().list(
            id=channel.id, forHandle=channel.handle, part="id"
        ).execute()
    assert json.loads(both.value.content)["error"]["errors"][0]["reason"] == (
        "incompatibleParameters"
    )


def test_a_page_token_youtube_did_not_issue_is_invalid_page_token(
    youtube: YouTubeEmulator,
) -> None:
    channel = next(iter(youtube.world.channels.values()))
    with pytest.raises(HttpError) as bad:
        _client(youtube).playlistItems().list(
            playlistId=channel.uploads_playlist, part="snippet", pageToken="not-a-token"
        ).execute()
    detail = json.loads(bad.value.content)["error"]["errors"][0]
    assert (bad.value.resp.status, detail["reason"], detail["location"]) == (
        400,
        "invalidPageToken",
        "pageToken",
    )


def test_hidden_likes_and_disabled_comments_are_absent_not_zero(youtube: YouTubeEmulator) -> None:
    videos = [v for v in youtube.world.videos.values() if v.visible and v.live_state == "none"]
    hidden = next(v for v in videos if v.likes_hidden and not v.comments_disabled)
    silent = next(v for v in videos if v.comments_disabled and not v.likes_hidden)
    plain = next(v for v in videos if not v.likes_hidden and not v.comments_disabled)
    ids = ",".join(v.id for v in (hidden, silent, plain))
    body = _client(youtube).videos().list(id=ids, part="statistics").execute()
    stats = {item["id"]: item["statistics"] for item in body["items"]}
    assert "likeCount" not in stats[hidden.id] and "commentCount" in stats[hidden.id]
    assert "commentCount" not in stats[silent.id] and "likeCount" in stats[silent.id]
    assert stats[plain.id]["likeCount"] == str(plain.likes)


def test_a_429_carries_retry_after(youtube: YouTubeEmulator) -> None:
    youtube.inject("videos.list", "rate_limit_429")
    with pytest.raises(HttpError) as limited:
        _client(youtube).videos().list(id="x", part="id").execute(num_retries=0)
    assert limited.value.resp.status == 429
    assert limited.value.resp["retry-after"] == youtube.retry_after == "1"


def test_channel_pages_name_the_channel_id_where_youtube_does(youtube: YouTubeEmulator) -> None:
    from momentum_tui.youtube.pages import parse_channel_page

    channel = next(c for c in youtube.world.channels.values() if c.username)
    for path in (f"/{channel.handle}", f"/user/{channel.username}", f"/channel/{channel.id}"):
        with urllib.request.urlopen(youtube.page_root + path, timeout=5) as answer:
            html = answer.read().decode()
        assert f'<link rel="canonical" href="https://www.youtube.com/channel/{channel.id}">' in html
        assert f'"externalId":"{channel.id}"' in html
        page = parse_channel_page(html)
        assert page is not None and (page.channel_id, page.title) == (channel.id, channel.title)
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(youtube.page_root + "/@nobody-at-all", timeout=5)
    assert missing.value.code == 404
