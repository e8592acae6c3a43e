"""Notify rules ("notify when …"): after `momentum sync`, the new uploads an enabled notify
rule matches are announced with the chosen channels' ones, once each; they survive
export-data/import-data and preference sync, and still announce on the other machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from momentum_tui import locations
from momentum_tui.config import NotifySettings, load_settings
from momentum_tui.notify.announce import announce_new_uploads
from momentum_tui.prefsync import local
from momentum_tui.prefsync import queries as sync_queries
from momentum_tui.prefsync.records import Record, Stamp
from momentum_tui.rules import store as rule_store
from momentum_tui.rules.spec import RuleAction, RuleSpec
from momentum_tui.storage import Store
from tests.emulators.youtube import YouTubeEmulator
from tests.factories import add, channel_id, make_video

pytest_plugins = ("tests.emulators.youtube_fixtures", "tests.notify_support")


def _titled(youtube: YouTubeEmulator, channel: str, *titles: str) -> list[str]:
    """New uploads on `channel` with these titles (newest last); returns their ids."""
    ids = youtube.world.add_uploads(channel, len(titles))
    for video_id, title in zip(ids, titles, strict=True):
        youtube.world.videos[video_id].title = title
        youtube.world.videos[video_id].is_short = False
    return ids


def _add_rule(run_cli, *options: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = run_cli("rules", "add", *options, "--yes", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_a_notify_rule_announces_what_it_matches_with_the_channels_once(
    youtube, followed, notifier, run_cli
) -> None:  # type: ignore[no-untyped-def]
    _, calls = notifier
    ruled, elsewhere, chosen = followed[0], followed[1], followed[2]
    rule = _add_rule(run_cli, "--notify", "--channel", ruled, "--title-has", "physics")
    assert rule["spec"]["action"] == "notify" and rule["enabled"]
    assert rule["description"].startswith("Notify of new uploads: from ")
    _add_rule(run_cli, "--hide", "--title-has", "spoiler")  # hidden is never announced
    assert run_cli("channels", "notify", chosen, "on").code == 0
    listed = run_cli("channels", "notify")
    assert f"Rule {rule['id']}: Notify of new uploads" in listed.out

    match, _, _ = _titled(youtube, ruled, "Quantum PHYSICS explained", "Cooking pasta",
                          "Physics finale spoiler")  # fmt: skip
    _titled(youtube, elsewhere, "Physics, from a channel the rule doesn't name")
    (from_chosen,) = _titled(youtube, chosen, "Anything at all")
    result = run_cli("sync")
    assert result.code == 0, result.err
    assert "Announced 2 new uploads (command)" in result.err
    assert len(calls()) == 1  # the rule's and the channel's in one announcement
    assert sorted(v["id"] for v in calls()[0]["videos"]) == sorted([match, from_chosen])
    told = {v["id"]: v for v in calls()[0]["videos"]}  # and why each one is announced
    assert told[match]["rule_id"] == rule["id"]
    assert told[match]["why"] == f"Rule {rule['id']}: {rule['description']}"
    chosen_title = youtube.world.channels[chosen].title
    assert told[from_chosen]["rule_id"] is None
    assert told[from_chosen]["why"] == f"{chosen_title} notifies"

    assert run_cli("sync", "--force").code == 0
    assert len(calls()) == 1  # never twice

    assert run_cli("rules", "edit", str(rule["id"]), "--disable").code == 0
    _titled(youtube, ruled, "More physics")
    assert run_cli("sync", "--force").code == 0
    assert len(calls()) == 1  # a rule that is off announces nothing
    assert run_cli("rules", "edit", str(rule["id"]), "--enable").code == 0


def test_a_notify_rule_leaves_the_feed_and_for_you_alone(youtube, followed, run_cli) -> None:  # type: ignore[no-untyped-def]
    def feed() -> list[str]:
        out = run_cli("feed", "--json", "--limit", "500")
        assert out.code == 0, out.err
        return [v["id"] for v in json.loads(out.out)["videos"]]

    def for_you() -> list[str]:
        out = run_cli("recommend", "--json", "--limit", "50")
        assert out.code == 0, out.err
        return [v["id"] for v in json.loads(out.out)["videos"]]

    before, ranked = feed(), for_you()
    _add_rule(run_cli, "--notify", "--channel", followed[0])
    _add_rule(run_cli, "--notify", "--shorts")
    assert feed() == before
    assert for_you() == ranked


def _notify_settings() -> NotifySettings:
    """The settings a command would load (`notifier` points `notify.command` at its script)."""
    return load_settings().notify


def _a_notify_rule(store: Store, *, now: int) -> int:
    spec = RuleSpec(action=RuleAction.NOTIFY, channels=(channel_id(0),),
                    channel_names=("Channel 0",), title_words=("rust",))  # fmt: skip
    with store.write() as db:
        return rule_store.add_rule(db, spec, text="notify me about rust", source="claude",
                                   now=now)  # fmt: skip


def test_a_notify_rule_synced_to_another_machine_announces_there(
    store: Store, tmp_path: Path, notifier
) -> None:  # type: ignore[no-untyped-def]
    _, calls = notifier
    _a_notify_rule(store, now=1_700_000_000)
    local.fold(store)
    with store.read() as conn:
        held = {s.record.name: s.record for s in sync_queries.all_records(conn)}
    (name,) = [n for n in held if n.startswith("rule:") and not n.endswith(":on")]
    assert held[name].value is not None and held[name].value["spec"]["action"] == "notify"

    with Store.open(tmp_path / "laptop.db") as laptop:
        batch = [Record(name, held[name].value, Stamp(2**62, "f" * 32)),
                 Record(f"{name}:on", {"on": True}, Stamp(2**62, "f" * 32))]  # fmt: skip
        assert local.merge_remote(laptop, batch).applied == 2
        with laptop.read() as conn:
            (rule,) = rule_store.list_rules(conn)
        with store.read() as conn:
            (original,) = rule_store.list_rules(conn)
        assert (rule.spec, rule.created_at, rule.enabled) == (original.spec, 1_700_000_000, True)

        new = make_video(1, title="Rust 2.0 released", published_at=1_700_000_500)
        off_topic = make_video(2, title="Go 2.0 released", published_at=1_700_000_600)
        add(laptop, new, off_topic, now=1_700_000_700)
        settings = _notify_settings()
        told = announce_new_uploads(laptop, settings, now=1_700_001_000)
        assert (told.videos, told.via) == ([new.id], "command")
        assert announce_new_uploads(laptop, settings, now=1_700_001_100).videos == []
        assert [[v["id"] for v in call["videos"]] for call in calls()] == [[new.id]]


def test_a_rule_announces_only_what_arrived_after_it_was_made(store: Store, notifier) -> None:  # type: ignore[no-untyped-def]
    early = make_video(1, title="Rust, cached before the rule", published_at=1_700_000_100)
    add(store, early, now=1_700_000_200)
    _a_notify_rule(store, now=1_700_000_300)
    later = make_video(2, title="Rust, after it", published_at=1_700_000_400)
    add(store, later, now=1_700_000_500)
    told = announce_new_uploads(store, _notify_settings(), now=1_700_001_000)
    assert (told.videos, told.problem) == ([later.id], None)  # both recent; one is news


def test_export_and_import_keep_a_notify_rule(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    with Store.open(locations.cache_db()) as store:
        _a_notify_rule(store, now=1_700_000_000)
        with store.read() as conn:
            (original,) = rule_store.list_rules(conn)
    exported = tmp_path / "mine.json"
    assert run_cli("export-data", str(exported)).code == 0
    (saved,) = json.loads(exported.read_text(encoding="utf-8"))["rules"]
    assert saved["spec"]["action"] == "notify"

    home = tmp_path / "elsewhere"
    home.mkdir()
    monkeypatch.setenv("MOMENTUM_HOME", str(home))
    result = run_cli("import-data", str(exported))
    assert result.code == 0, result.err
    listed = json.loads(run_cli("rules", "list", "--json").out)["rules"]
    assert [(r["spec"], r["text"], r["enabled"]) for r in listed] == [
        (original.spec.model_dump(mode="json", exclude_defaults=True), original.text, True)
    ]
    assert listed[0]["description"] == original.spec.describe()
    assert run_cli("import-data", str(exported)).code == 0  # again: still one rule
    assert len(json.loads(run_cli("rules", "list", "--json").out)["rules"]) == 1
