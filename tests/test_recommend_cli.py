"""Digest on a known data set, clean-up suggestions, and the CLI's JSON shapes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from momentum_tui.config import RecommendSettings
from momentum_tui.models import Mark
from momentum_tui.recommend.cleanup import suggestions
from momentum_tui.recommend.digest import build_digest
from momentum_tui.recommend.ranker import Ranker
from momentum_tui.storage import Store
from momentum_tui.storage.marks import mark_video
from tests.factories import add, channel_id, make_video
from tests.test_recommend_ranking import _label

NOW = 1_800_000_000
DAY = 86400


@pytest.fixture
def known(store: Store) -> Store:
    """A known set: 3 science + 2 gaming videos in the last 2 days, 4 older, 1 dormant channel."""
    recent = [
        make_video(1, channel_id=channel_id(1), published_at=NOW - 1 * DAY, duration_s=600),
        make_video(2, channel_id=channel_id(1), published_at=NOW - 2 * DAY + 60, duration_s=300),
        make_video(3, channel_id=channel_id(2), published_at=NOW - 3600, duration_s=1200),
        make_video(4, channel_id=channel_id(3), published_at=NOW - 7200, duration_s=900),
        make_video(5, channel_id=channel_id(3), published_at=NOW - 1.5 * DAY, duration_s=60),
    ]
    older = [
        make_video(10 + n, channel_id=channel_id(1), published_at=NOW - (20 + n) * DAY)
        for n in range(4)
    ]
    dormant = make_video(20, channel_id=channel_id(4), published_at=NOW - 400 * DAY)
    add(store, *recent, *older, dormant, now=NOW - 200 * DAY)
    for video in recent[:3] + older:
        _label(store, video.id, "science")
    for video in recent[3:]:
        _label(store, video.id, "gaming")
    _label(store, dormant.id, "music")
    mark_video(store, recent[1].id, Mark.WATCHED, now=NOW - DAY)
    mark_video(store, recent[4].id, Mark.HIDDEN, now=NOW - DAY)
    return store


def test_digest_groups_by_topic_with_counts_and_best_pick(known: Store) -> None:
    with known.read() as conn:
        ranker = Ranker.load(conn, RecommendSettings(), NOW)
        digest = build_digest(ranker, ranker.rank(), since=NOW - 2 * DAY)
    groups = {g.topic: g for g in digest.groups}
    assert set(groups) == {"science", "gaming"}
    assert digest.total == 4  # video 5 is hidden
    assert groups["science"].count == 3
    assert groups["science"].unwatched == 2
    assert groups["science"].minutes == 35
    assert groups["gaming"].count == 1
    assert groups["gaming"].best.video_id == "v0000000004"
    assert groups["science"].best.video_id in {"v0000000001", "v0000000003"}
    shape = digest.as_json()
    assert list(shape) == ["since", "now", "total", "channels", "groups"]
    assert list(shape["groups"][0]["best"]) == [
        "id", "url", "title", "channel", "duration_s", "reasons",
    ]  # fmt: skip
    text = digest.markdown()
    assert text.startswith("# Since ")
    assert "## science — 3 videos, 2 unwatched" in text


def test_digest_markdown_escapes_hostile_titles(known: Store) -> None:
    with known.write() as db:
        db.conn.execute(
            "UPDATE videos SET title = '[click](http://evil) *now*' WHERE id = 'v0000000004'"
        )
    with known.read() as conn:
        ranker = Ranker.load(conn, RecommendSettings(), NOW)
        text = build_digest(ranker, ranker.rank(), since=NOW - 2 * DAY).markdown()
    assert "\\[click\\]\\(http://evil\\) \\*now\\*" in text


def test_cleanup_finds_dormant_unwatched_and_drifted_channels(known: Store) -> None:
    # Channel 1: watched for science long ago, now posts gaming only.
    more = [
        make_video(30 + n, channel_id=channel_id(1), published_at=NOW - (n + 1) * 3 * DAY)
        for n in range(4)
    ]
    add(known, *more, now=NOW - 200 * DAY)
    for video in more:
        _label(known, video.id, "gaming")
    for n in range(3):
        mark_video(known, f"v{10 + n:010d}", Mark.WATCHED, now=NOW - (19 + n) * DAY)
    with known.read() as conn:
        found = {s.channel_id: s for s in suggestions(Ranker.load(conn, RecommendSettings(), NOW))}
    assert found[channel_id(4)].kind == "dormant"
    assert found[channel_id(4)].reason.startswith("No upload in 13 months")
    assert found[channel_id(1)].kind == "drifted"
    assert "science" in found[channel_id(1)].reason and "gaming" in found[channel_id(1)].reason
    assert found[channel_id(2)].kind == "unwatched"


def test_recommend_json_shape(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--demo", "recommend", "--limit", "3", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert list(data) == [
        "generated_at", "cold_start", "mood", "moods", "topics", "budget_s", "total_s",
        "candidates", "notes", "count", "videos",
    ]  # fmt: skip
    assert data["count"] == 3 == len(data["videos"])
    video = data["videos"][0]
    assert {"id", "url", "title", "channel", "score", "reasons", "labels", "state"} <= set(video)
    assert video["reasons"] and all(isinstance(r, str) for r in video["reasons"])


def test_recommend_smart_feed_fits(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--demo", "recommend", "--mood", "funny", "--minutes", "25", "--json")
    data = json.loads(result.out)
    assert data["budget_s"] == 1500
    assert 0 < data["total_s"] <= 1500
    assert sum(v["duration_s"] for v in data["videos"]) == data["total_s"]
    assert all(v["labels"]["mood"] in data["moods"] for v in data["videos"])


def test_why_terms_add_up_to_the_score(run_cli) -> None:  # type: ignore[no-untyped-def]
    top = json.loads(run_cli("--demo", "recommend", "--limit", "1", "--json").out)["videos"][0]
    result = run_cli("--demo", "why", top["id"], "--json")
    data = json.loads(result.out)
    assert data["rank"] == 1
    assert data["excluded"] is None
    assert sum(t["contribution"] for t in data["terms"]) == pytest.approx(data["score"], abs=1e-4)
    assert [t["signal"] for t in data["terms"]][:3] == ["topic", "tag", "channel"]
    text = run_cli("--demo", "why", top["id"])
    assert "score" in text.out and "Freshness" in text.out


def test_why_unknown_video_is_a_sentence(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--demo", "why", "nope")
    assert result.code == 1
    assert "No video 'nope'" in result.err and "Traceback" not in result.err


def test_digest_json_and_since(run_cli) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run_cli("--demo", "digest", "--since", "2d", "--format", "json").out)
    assert data["total"] == sum(g["count"] for g in data["groups"]) > 0
    assert run_cli("--demo", "digest", "--since", "yesterday-ish").code == 2


def test_prefs_keyword_round_trip(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("--demo", "prefs", "keyword", "add", "Football", "1.5").code == 0
    listed = json.loads(run_cli("--demo", "prefs", "keyword", "list", "--json").out)
    assert listed["keywords"][0]["keyword"] == "football"
    assert listed["keywords"][0]["weight"] == 1.5
    bad = run_cli("--demo", "prefs", "keyword", "add", "x", "9")
    assert bad.code == 1 and "out of range" in bad.err
    removed = json.loads(run_cli("--demo", "prefs", "keyword", "remove", "football", "--json").out)
    assert removed["removed"]["keyword"] == "football"
    assert run_cli("--demo", "prefs", "keyword", "remove", "football").code == 1


def test_cleanup_json_shape(run_cli) -> None:  # type: ignore[no-untyped-def]
    import time

    from momentum_tui import locations

    # A cache with one channel that last uploaded two years ago: one dormant suggestion.
    with Store.open(locations.cache_db()) as store:
        old = make_video(1, channel_id=channel_id(9), channel_title="Quiet",
                         published_at=int(time.time()) - 730 * DAY)  # fmt: skip
        add(store, old, now=int(time.time()) - 800 * DAY)
    data = json.loads(run_cli("cleanup", "--json").out)
    assert data["count"] == len(data["channels"]) == 1
    (item,) = data["channels"]
    assert list(item) == [
        "channel_id", "title", "kind", "reason", "videos", "last_upload_at", "last_watched_at",
    ]  # fmt: skip
    assert (item["channel_id"], item["title"], item["kind"]) == (channel_id(9), "Quiet", "dormant")
    # Every --json time is ISO-8601 UTC.
    uploaded = dt.datetime.fromtimestamp(old.published_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (item["videos"], item["last_upload_at"], item["last_watched_at"]) == (
        1, uploaded, None,
    )  # fmt: skip
