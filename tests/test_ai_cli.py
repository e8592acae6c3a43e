"""`momentum classify`, `momentum costs` and `momentum rules` through the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from momentum_tui import locations, secrets
from momentum_tui.records import Video
from momentum_tui.storage import Store
from tests.emulators.claude import ClaudeEmulator
from tests.support.claude import corpus_videos, running_claude, seed


@pytest.fixture
def claude(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClaudeEmulator]:
    for emulator in running_claude():
        monkeypatch.setenv("MOMENTUM_CLAUDE_BASE_URL", emulator.base_url)
        yield emulator


@pytest.fixture
def cached() -> list[Video]:
    """Forty real videos in the person's cache (MOMENTUM_HOME is private to the test)."""
    with Store.open(locations.cache_db()) as store:
        return seed(store, corpus_videos()[:40])


def test_without_a_key_classify_labels_offline(run_cli, cached: list[Video]) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("classify", "--json")
    assert result.code == 0
    out = json.loads(result.out)
    assert out == {"mode": "local", "reason": "no key", "local_labelled": 40,
                   "waiting_for_claude": 40}  # fmt: skip
    assert "momentum keys set anthropic" in result.err


def test_classify_costs_and_a_second_run(run_cli, cached: list[Video],  # type: ignore[no-untyped-def]
                                         claude: ClaudeEmulator) -> None:  # fmt: skip
    first = run_cli("classify", "--limit", "30", "--json")
    assert first.code == 0, first.err
    out = json.loads(first.out)
    assert (out["mode"], out["labelled"], out["requests"], out["local_labelled"]) == (
        "claude", 30, 2, 40,
    )  # fmt: skip
    assert out["usd"] > 0

    costs = json.loads(run_cli("costs", "--json").out)
    assert costs["today_usd"] == pytest.approx(out["usd"])
    assert costs["days"][0]["requests"] == 2
    assert costs["days"][0]["videos"] == 30
    assert costs["daily_budget_usd"] == 0.5

    human = run_cli("classify")
    assert human.code == 0
    assert "Labelled 10 videos with claude-haiku-5-5 in 1 requests" in human.out
    again = run_cli("classify")
    assert "nothing was sent" in again.err
    table = run_cli("costs")
    assert "claude-haiku-5-5" in table.out
    assert "of $0.50" in table.out


def test_a_bad_key_exits_1_with_one_sentence(run_cli, cached: list[Video],  # type: ignore[no-untyped-def]
                                             claude: ClaudeEmulator) -> None:  # fmt: skip
    secrets.set_secret("anthropic", "sk-ant-wrong")
    result = run_cli("classify")
    assert result.code == 1
    assert "Claude rejected the Anthropic API key (HTTP 401)" in result.err
    assert "momentum keys set anthropic" in result.err
    assert "Traceback" not in result.err
    assert "sk-ant-wrong" not in result.err


def test_estimate_is_free(run_cli, cached: list[Video], claude: ClaudeEmulator) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(run_cli("classify", "--estimate", "--json").out)
    assert out["candidates"] == 40
    assert out["requests"] == 2
    assert 0 < out["batch_usd"] < out["usd"] < 0.1
    assert [r.path for r in claude.received] == ["/v1/messages/count_tokens"] * 2


def test_estimate_needs_no_key(run_cli, cached: list[Video], claude: ClaudeEmulator) -> None:  # type: ignore[no-untyped-def]
    exact = json.loads(run_cli("classify", "--estimate", "--json").out)
    secrets.delete_secret("anthropic")
    claude.received.clear()
    result = run_cli("classify", "--estimate", "--json")
    assert result.code == 0, result.err
    local = json.loads(result.out)
    assert (local["counted_by"], exact["counted_by"]) == ("local", "claude")
    assert (local["candidates"], local["requests"]) == (40, 2)
    assert local["usd"] == pytest.approx(exact["usd"], rel=0.1)
    assert claude.received == []  # nothing was asked of Claude
    human = run_cli("classify", "--estimate")
    assert "40 videos need Claude labels: about 2 requests" in human.out
    assert "Counted locally" in human.err
    with Store.open(locations.cache_db()) as store, store.read() as conn:
        labelled = conn.execute("SELECT count(*) FROM video_labels").fetchone()[0]
    assert labelled == 0  # an estimate labels nothing, not even offline


def test_batch_submit_then_wait(run_cli, cached: list[Video], claude: ClaudeEmulator) -> None:  # type: ignore[no-untyped-def]
    submitted = json.loads(run_cli("classify", "--batch", "--json").out)
    assert submitted["mode"] == "batch"
    assert submitted["submitted"][0]["videos"] == 40
    assert len(submitted["pending"]) == 1
    claude.batch_polls = 1
    collected = json.loads(run_cli("classify", "--batch", "--json").out)
    assert collected["labelled"] == 40
    assert collected["pending"] == []
    assert collected["submitted"] == []


def test_batch_wait_polls_until_every_batch_has_ended(  # type: ignore[no-untyped-def]
    run_cli, cached: list[Video], claude: ClaudeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOMENTUM_CLAUDE_BATCH_POLL_SECONDS", "0.01")
    claude.batch_polls = 3  # in progress on the first two checks, ended on the third
    result = run_cli("classify", "--batch", "--wait")
    assert result.code == 0, result.err
    assert "Submitted batch msgbatch_" in result.out
    assert "Collected 1 batch(es): 40 labelled" in result.out
    assert result.err.count("1 batch(es) in progress, 0 labelled so far") == 2
    retrieves = [r for r in claude.received if r.method == "GET" and "/results" not in r.path]
    assert len(retrieves) == 4  # three checks, and the SDK's own look-up before the results
    again = json.loads(run_cli("classify", "--batch", "--wait", "--json").out)
    assert (again["submitted"], again["pending"], again["labelled"]) == ([], [], 0)


def test_batch_cancel_then_collect_sends_the_videos_again(  # type: ignore[no-untyped-def]
    run_cli, cached: list[Video], claude: ClaudeEmulator
) -> None:
    submitted = json.loads(run_cli("classify", "--batch", "--json").out)["submitted"][0]
    canceled = run_cli("classify", "--batch", "--cancel", "--json")
    assert canceled.code == 0, canceled.err
    assert json.loads(canceled.out) == {"canceled": [submitted["id"]]}
    assert [r.path for r in claude.received if r.path.endswith("/cancel")] == [
        f"/v1/messages/batches/{submitted['id']}/cancel"
    ]
    human = run_cli("classify", "--batch", "--cancel")
    assert "Asked Claude to cancel 1 batch(es)" in human.out  # still canceling: asked again
    collected = run_cli("classify", "--batch", "--json")
    assert collected.code == 0, collected.err
    out = json.loads(collected.out)
    assert (out["collected"], out["labelled"], out["returned"], out["usd"]) == (
        [submitted["id"]], 0, 40, 0.0,
    )  # fmt: skip
    assert out["submitted"][0]["videos"] == 40  # canceled videos go out again, once
    costs = json.loads(run_cli("costs", "--json").out)
    assert costs["today_usd"] == 0.0  # a canceled request is never billed


def test_rules_by_hand(run_cli, cached: list[Video]) -> None:  # type: ignore[no-untyped-def]
    shorts = sum(1 for video in cached if video.is_short)
    before = json.loads(run_cli("feed", "--json", "--limit", "1").out)["total"]

    refused = run_cli("rules", "add", "--hide", "--shorts")
    assert refused.code == 2
    assert "--yes" in refused.err

    added = run_cli("rules", "add", "--hide", "--shorts", "--yes", "--json")
    assert added.code == 0, added.err
    rule = json.loads(added.out)
    assert rule["description"] == "Hide videos: Shorts"
    after = json.loads(run_cli("feed", "--json", "--limit", "1").out)["total"]
    assert after == before - shorts

    tested = json.loads(run_cli("rules", "test", str(rule["id"]), "--json").out)
    assert tested["matches"] == shorts
    listed = json.loads(run_cli("rules", "list", "--json").out)["rules"]
    assert [r["spec"] for r in listed] == [{"action": "hide", "shorts": True}]

    assert run_cli("rules", "edit", str(rule["id"]), "--disable").code == 0
    assert json.loads(run_cli("feed", "--json", "--limit", "1").out)["total"] == before
    edited = run_cli("rules", "edit", str(rule["id"]), "--spec",
                     '{"action": "bury", "topics": ["music"], "weight": 2}')  # fmt: skip
    assert "Bury videos (×2): topic music" in edited.out
    assert run_cli("rules", "remove", str(rule["id"])).code == 0
    assert "No rules yet" in run_cli("rules", "list").out
    missing = run_cli("rules", "remove", "99")
    assert missing.code == 1
    assert "There is no rule 99" in missing.err


def test_a_rule_from_a_sentence(run_cli, cached: list[Video], claude: ClaudeEmulator) -> None:  # type: ignore[no-untyped-def]
    channel = cached[0].channel_title
    result = run_cli("rules", "add", f"hide shorts and clips from {channel}", "--yes")
    assert result.code == 0, result.err
    assert f"Hide videos: from {channel}, Shorts or short-clip" in result.out
    assert "Saved as rule 1." in result.out
    listed = json.loads(run_cli("rules", "list", "--json").out)["rules"][0]
    assert listed["source"] == "claude"
    assert listed["text"] == f"hide shorts and clips from {channel}"
