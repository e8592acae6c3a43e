"""Trends: what rises is what rose (by share), a single channel's series is not a trend,
breakouts are judged against the channel's own pace, and the CLI speaks the contract."""

from __future__ import annotations

import json

import pytest

from momentum_tui.recommend.trends import (
    MIN_BASELINE,
    compute_trends,
    sparkline,
    title_words,
)
from momentum_tui.records import VideoLabels
from momentum_tui.storage import Store
from tests.factories import add, channel_id, make_video

NOW = 1_800_000_000
DAY = 86_400
WEEK = 7 * DAY


def _label(store: Store, video_id: str, topic: str, tags: list[str] | None = None) -> None:
    from momentum_tui.ai.queries import save_labels

    labels = VideoLabels(
        topic=topic, mood="calm", format="explainer", clickbait=0.1, plain_title="t",
        summary="s", tags=tags or [], source="local",
    )  # fmt: skip
    with store.write() as db:
        save_labels(db, [(video_id, labels)], NOW)


def _corpus(store: Store, *, rising_weekly: list[int], per_week: int = 20,
            rising_channels: int = 3) -> None:  # fmt: skip
    """8 weeks: `per_week` science uploads a week from 4 channels, plus `rising_weekly[i]`
    uploads in week i (oldest first) about cooking, spread over `rising_channels`."""
    n = 0
    for week in range(8):
        start = NOW - (8 - week) * WEEK
        for i in range(per_week):
            add(store, make_video(n, channel_id=channel_id(i % 4), channel_title=f"Ch {i % 4}",
                                  title=f"Physics lesson {i}", published_at=start + i * 3600),
                now=NOW)  # fmt: skip
            _label(store, make_video(n).id, "science")
            n += 1
        for i in range(rising_weekly[week]):
            ch = 10 + i % rising_channels
            video = make_video(
                n,
                channel_id=channel_id(ch),
                channel_title=f"Ch {ch}",
                title="Cooking pasta tonight",
                published_at=start + DAY + i * 600,
            )
            add(store, video, now=NOW)
            _label(store, make_video(n).id, "cooking", tags=["pasta"])
            n += 1


def test_a_topic_whose_share_jumps_is_rising_with_its_videos(store: Store) -> None:
    _corpus(store, rising_weekly=[1, 1, 1, 1, 1, 1, 1, 12])
    with store.read() as conn:
        trends = compute_trends(conn, NOW, days=7, history=7)
    topics = {row.term: row for row in trends.topics}
    assert "cooking" in topics and "science" not in topics
    cooking = topics["cooking"]
    assert cooking.counts == [1, 1, 1, 1, 1, 1, 1, 12]
    assert cooking.now == 12 and cooking.channels == 3
    # The baseline share (7 of 147 uploads) of this week's 32 uploads.
    assert cooking.expected == pytest.approx(7 / 147 * 32)
    assert cooking.change is not None and cooking.change > 5
    assert len(cooking.video_ids) == 10  # capped, most viewed first
    assert cooking.sparkline.endswith("█") and cooking.sparkline[0] != "█"
    assert {r.term for r in trends.words} >= {"cooking", "pasta", "tonight"}
    assert "pasta" in {r.term for r in trends.tags}


def test_a_steady_topic_is_not_rising_even_when_the_cache_fills_up(store: Store) -> None:
    # Every week holds more uploads than the one before (a cache filling up): cooking's
    # share stays the same, so it is not rising, however its count grows.
    _corpus(store, rising_weekly=[2, 2, 2, 2, 2, 2, 2, 2], per_week=20)
    with store.read() as conn:
        trends = compute_trends(conn, NOW)
    assert trends.topics == [] and trends.words == []


def test_one_channels_series_is_not_a_trend(store: Store) -> None:
    _corpus(store, rising_weekly=[0, 0, 0, 0, 0, 0, 0, 9], rising_channels=1)
    with store.read() as conn:
        trends = compute_trends(conn, NOW)
    assert "cooking" not in {row.term for row in trends.rows}


def test_too_little_history_says_so_instead_of_calling_everything_new(store: Store) -> None:
    add(store, *[make_video(n, channel_id=channel_id(n % 3), title="Brand new thing",
                            published_at=NOW - DAY + n) for n in range(30)], now=NOW)  # fmt: skip
    with store.read() as conn:
        trends = compute_trends(conn, NOW)
    assert not trends.enough_history and trends.rows == []
    assert sum(trends.uploads[:-1]) < MIN_BASELINE


def test_a_channel_far_ahead_of_its_own_pace_breaks_out(store: Store) -> None:
    videos = []
    for n in range(10):  # two channels with the same usual pace, a month of history
        for ch in (1, 2):
            published = NOW - 40 * DAY + n * DAY
            videos.append(make_video(100 * ch + n, channel_id=channel_id(ch),
                                     channel_title=f"Ch {ch}", published_at=published,
                                     view_count=10_000, stats_at=published + 2 * DAY))  # fmt: skip
    fresh = NOW - 2 * DAY
    videos.append(make_video(1_000, channel_id=channel_id(1), channel_title="Ch 1",
                             published_at=fresh, view_count=200_000, stats_at=NOW))  # fmt: skip
    videos.append(make_video(2_000, channel_id=channel_id(2), channel_title="Ch 2",
                             published_at=fresh, view_count=11_000, stats_at=NOW))  # fmt: skip
    add(store, *videos, now=NOW)
    with store.read() as conn:
        found = compute_trends(conn, NOW).breakouts
    assert [b.channel_id for b in found] == [channel_id(1)]
    assert found[0].ratio > 10 and found[0].video_ids == [make_video(1_000).id]


def test_title_words_skip_stop_words_numbers_and_unspaced_scripts() -> None:
    assert title_words("The BEST pasta of 2026, pasta again!") == {"best", "pasta", "again"}
    assert title_words("Реакция на новый трейлер") == {"реакция", "новый", "трейлер"}
    # A Japanese title has no spaces: one long run is not a word.
    assert title_words("今日はとても良い天気ですね、散歩に行きましょう") == set()


def test_sparkline_scales_to_the_largest_value() -> None:
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([0, 8]) == "▁█"
    assert sparkline([0.0, 0.25, 0.5, 1.0]) == "▁▃▅█"


def test_trends_json_is_the_documented_shape(demo_store: Store, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--demo", "trends", "--days", "3", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == {"days", "history", "windows", "until", "uploads", "enough_history",
                         "topics", "tags", "words", "channels"}  # fmt: skip
    assert data["days"] == 3 and len(data["windows"]) == 8 and data["until"].endswith("Z")
    rows = data["topics"] + data["tags"] + data["words"]
    assert rows, "the demo has rising terms"
    row = rows[0]
    assert set(row) == {"kind", "term", "count", "expected", "change", "surprise", "counts",
                        "sparkline", "channels", "video_ids"}  # fmt: skip
    assert row["count"] == row["counts"][-1] and len(row["sparkline"]) == 8
    assert row["video_ids"] and row["channels"] >= 2


def test_trends_plain_output_and_empty_cache(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("trends")
    assert result.code == 0
    assert "Not enough history" in result.err


@pytest.mark.parametrize("days", ["0", "91"])
def test_trends_refuses_a_window_out_of_range(run_cli, days: str) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("trends", "--days", days).code == 2
