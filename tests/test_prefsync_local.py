"""Preference sync on one device: every writer queues its change in the same transaction,
and remote records reach the tables without echoing back into the outbox."""

from __future__ import annotations

import sqlite3

import pytest

from momentum_tui.models import Mark
from momentum_tui.prefsync import local, queries
from momentum_tui.prefsync.records import Kind, Record, Stamp, parse_name
from momentum_tui.recommend.prefs import add_keyword, remove_keyword
from momentum_tui.records import Channel
from momentum_tui.rules import store as stored_rules
from momentum_tui.rules.spec import RuleAction, RuleSpec
from momentum_tui.storage import Store
from momentum_tui.storage.channels import tag_channel
from momentum_tui.storage.marks import mark_video, toggle_mark, undo_last
from momentum_tui.youtube.channels import follow, import_channels, remove_channel
from momentum_tui.youtube.importers import ImportedList
from tests.factories import add, channel_id, make_video

OTHER = "f" * 32  # another device's id (sorts after any hex id of this device)


def outbox_names(store: Store) -> set[str]:
    with store.read() as conn:
        return {name for name, _ in queries.outbox(conn)}


def records(store: Store) -> dict[str, Record]:
    with store.read() as conn:
        return {s.record.name: s.record for s in queries.all_records(conn)}


def remote(name: str, value: dict[str, object] | None, hlc: int) -> Record:
    return Record(name, value, Stamp(hlc, OTHER))


def far_future() -> int:
    return 2**62


def test_every_writer_queues_its_change(store: Store) -> None:
    add(store, make_video(1))
    video = make_video(1).id
    mark_video(store, video, Mark.WATCHED)
    toggle_mark(store, video, Mark.LIKED)
    mark_video(store, video, Mark.SAVED)
    mark_video(store, video, Mark.HIDDEN)
    tag_channel(store, channel_id(0), ["Rust Talks"])
    with store.write() as db:
        add_keyword(db, "Rust", 1.5)
        rule_id = stored_rules.add_rule(db, RuleSpec(action=RuleAction.HIDE, shorts=True))
    follow(store, Channel(id=channel_id(7), title="Seven"), "added")
    imported = ImportedList("opml")
    imported.add(channel_id(8), "Eight")
    import_channels(store, imported)
    with store.read() as conn:
        uid = conn.execute("SELECT uid FROM rules WHERE id = ?", (rule_id,)).fetchone()[0]
    assert outbox_names(store) >= {
        f"video:{video}:watched",
        f"video:{video}:rating",
        f"video:{video}:saved",
        f"video:{video}:hidden",
        f"group:{channel_id(0)}:rust-talks",
        "kw:rust",
        f"rule:{uid}",
        f"rule:{uid}:on",
        f"channel:{channel_id(7)}",
        f"channel:{channel_id(8)}",
    }
    assert all(parse_name(name).kind is not Kind.OTHER for name in outbox_names(store))


def test_folded_values_are_what_the_tables_hold(store: Store) -> None:
    add(store, make_video(1))
    video = make_video(1).id
    mark_video(store, video, Mark.DISLIKED, now=1_700_000_123)
    with store.write() as db:
        add_keyword(db, "go", -2)
        uid_id = stored_rules.add_rule(db, RuleSpec(action=RuleAction.BURY, title_words=("x",)))
        stored_rules.update_rule(db, uid_id, enabled=False)
    local.fold(store)
    held = records(store)
    assert held[f"video:{video}:rating"].value == {"rating": -1, "at": 1_700_000_123}
    assert held["kw:go"].value == {"weight": -2.0}
    on = next(r for n, r in held.items() if n.endswith(":on"))
    assert on.value == {"on": False}
    assert outbox_names(store) == set()


def test_removals_are_records_too(store: Store) -> None:
    add(store, make_video(1))
    video = make_video(1).id
    mark_video(store, video, Mark.WATCHED)
    with store.write() as db:
        add_keyword(db, "rust", 1)
    local.fold(store)
    mark_video(store, video, Mark.UNWATCHED)
    with store.write() as db:
        remove_keyword(db, "rust")
    remove_channel(store, channel_id(0))
    local.fold(store)
    held = records(store)
    assert held[f"video:{video}:watched"].removed
    assert held["kw:rust"].removed
    assert held[f"channel:{channel_id(0)}"].removed


def test_undo_queues_the_restored_state(store: Store) -> None:
    add(store, make_video(1))
    video = make_video(1).id
    mark_video(store, video, Mark.SAVED)
    local.fold(store)
    undo_last(store)
    local.fold(store)
    assert records(store)[f"video:{video}:saved"].removed


def test_a_rolled_back_change_leaves_nothing_queued(store: Store) -> None:
    def crash() -> None:
        with store.write() as db:
            add_keyword(db, "rust", 1)
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        crash()
    assert outbox_names(store) == set()


def test_remote_records_apply_without_echo(store: Store) -> None:
    add(store, make_video(1))
    video = make_video(1).id
    batch = [
        remote(f"channel:{channel_id(5)}", {"title": "Five\x1b[31m"}, far_future()),
        remote(f"group:{channel_id(5)}:music", {}, far_future()),
        remote("kw:rust", {"weight": 2.5}, far_future()),
        remote(f"video:{video}:watched", {"at": 1_700_000_000}, far_future()),
        remote(f"video:{video}:rating", {"rating": 1, "at": 1_700_000_001}, far_future()),
        remote(
            "rule:abc",
            {"text": "no shorts", "spec": {"action": "hide", "shorts": True}, "source": "ai"},
            far_future(),
        ),
        remote("rule:abc:on", {"on": False}, far_future()),
    ]
    outcome = local.merge_remote(store, batch)
    assert outcome.applied == len(batch)
    assert outbox_names(store) == set()
    with store.read() as conn:
        title, followed = conn.execute(
            "SELECT title, followed FROM channels WHERE id = ?", (channel_id(5),)
        ).fetchone()
        assert (title, followed) == ("Five", 1)  # sanitised on the way in
        assert conn.execute("SELECT tag FROM channel_tags").fetchall() == [("music",)]
        assert conn.execute("SELECT weight FROM keyword_prefs").fetchone() == (2.5,)
        state = conn.execute(
            "SELECT watched_at, rating FROM video_state WHERE video_id = ?", (video,)
        ).fetchone()
        assert state == (1_700_000_000, 1)
        rule = stored_rules.list_rules(conn)[0]
        assert (rule.spec.shorts, rule.enabled, rule.text) == (True, False, "no shorts")
        clock = queries.state(conn).hlc
    assert clock >= far_future()  # the clock moved past what it saw


def test_an_older_removal_never_beats_a_newer_re_add(store: Store) -> None:
    with store.write() as db:
        add_keyword(db, "rust", 1)
    local.fold(store)
    ours = records(store)["kw:rust"]
    local.merge_remote(store, [remote("kw:rust", None, ours.stamp.hlc - 1)])
    with store.read() as conn:
        assert queries.keyword_value(conn, "rust") == {"weight": 1.0}
    local.merge_remote(store, [remote("kw:rust", None, ours.stamp.hlc + 1)])
    with store.read() as conn:
        assert queries.keyword_value(conn, "rust") is None
    # Re-added after seeing the removal: stamped later than it, so it wins everywhere.
    with store.write() as db:
        add_keyword(db, "rust", 3)
    local.fold(store)
    assert records(store)["kw:rust"].stamp.hlc > ours.stamp.hlc + 1


def test_a_local_edit_during_a_pull_is_not_overwritten_by_an_older_record(store: Store) -> None:
    with store.write() as db:
        add_keyword(db, "rust", 1)  # queued, not folded: the pull's transaction folds it first
    outcome = local.merge_remote(store, [remote("kw:rust", {"weight": -4.0}, 5)])
    assert outcome.conflicts == 1
    with store.read() as conn:
        assert queries.keyword_value(conn, "rust") == {"weight": 1.0}


def test_marks_wait_for_their_video(store: Store) -> None:
    video = make_video(3).id
    outcome = local.merge_remote(store, [remote(f"video:{video}:saved", {"at": 5}, 99)])
    assert outcome.waiting == 1
    add(store, make_video(3))
    later = local.apply_waiting(store)
    assert later.applied == 1 and later.waiting == 0
    with store.read() as conn:
        assert queries.video_value(conn, video, "saved") == {"at": 5}
    assert f"video:{video}:saved" not in outbox_names(store)  # applied, not echoed


def test_unknown_kinds_are_kept(store: Store) -> None:
    local.merge_remote(store, [remote("video:abc:queue", {"position": 3}, 7)])
    assert records(store)["video:abc:queue"].value == {"position": 3}


def test_another_connection_sees_the_triggers(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    conn.execute("INSERT INTO keyword_prefs VALUES ('by hand', 1, 0)")
    conn.commit()
    conn.close()
    assert "kw:by hand" in outbox_names(store)


def test_a_second_change_before_the_sync_replaces_the_queued_one(store: Store) -> None:
    add(store, make_video(1))
    video = make_video(1).id
    mark_video(store, video, Mark.WATCHED)  # an upsert: its conflict policy reaches triggers
    mark_video(store, video, Mark.UNWATCHED)
    toggle_mark(store, video, Mark.WATCHED)
    with store.write() as db:
        db.conn.execute("INSERT OR IGNORE INTO channel_tags VALUES (?, 'a')", (channel_id(0),))
        db.conn.execute("DELETE FROM channel_tags")
        db.conn.execute("INSERT OR REPLACE INTO channel_tags VALUES (?, 'a')", (channel_id(0),))
    assert {f"video:{video}:watched", f"group:{channel_id(0)}:a"} <= outbox_names(store)
    local.fold(store)
    assert records(store)[f"video:{video}:watched"].value is not None
