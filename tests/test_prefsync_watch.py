"""Preference sync carries the watch state: the queue and its order, playback positions,
which uploads were announced, and which channels announce them (issue 13)."""

from __future__ import annotations

from momentum_tui.models import Mark
from momentum_tui.notify.queries import record_announced, set_channel_notify
from momentum_tui.prefsync import local
from momentum_tui.prefsync.records import Kind, parse_name
from momentum_tui.storage import Store, playback, queue
from momentum_tui.storage.marks import mark_video
from tests.factories import add, channel_id, make_video
from tests.test_prefsync_local import far_future, outbox_names, records, remote


def _videos(store: Store, n: int) -> list[str]:
    for i in range(1, n + 1):
        add(store, make_video(i))
    return [make_video(i).id for i in range(1, n + 1)]


def test_every_watch_writer_queues_its_record(store: Store) -> None:
    first, second = _videos(store, 2)
    queue.add(store, first)
    queue.add(store, second)
    playback.save_position(store, first, 125.0, 600.0, now=1_700_000_000)
    record_announced(store, [second], now=1_700_000_001)
    assert set_channel_notify(store, channel_id(0), True, now=1_700_000_002)
    names = outbox_names(store)
    assert names >= {
        f"video:{first}:queue",
        f"video:{second}:queue",
        f"video:{first}:position",
        f"video:{second}:notified",
        f"notify:{channel_id(0)}",
    }
    assert all(parse_name(name).kind is not Kind.OTHER for name in names)
    local.fold(store)
    held = records(store)
    assert held[f"video:{first}:position"].value == {
        "seconds": 125.0, "duration": 600.0, "at": 1_700_000_000,
    }  # fmt: skip
    assert held[f"video:{second}:notified"].value == {"at": 1_700_000_001}
    assert held[f"notify:{channel_id(0)}"].value == {"since": 1_700_000_002}
    first_key = held[f"video:{first}:queue"].value
    second_key = held[f"video:{second}:queue"].value
    assert first_key is not None and second_key is not None
    assert first_key["position"] < second_key["position"]  # the order travels with the items


def test_moves_removals_and_watching_are_records(store: Store) -> None:
    first, second = _videos(store, 2)
    queue.add(store, first)
    queue.add(store, second)
    local.fold(store)
    queue.move(store, second, 1)  # to the front: only its own key changes
    assert outbox_names(store) == {f"video:{second}:queue"}
    local.fold(store)
    mark_video(store, first, Mark.WATCHED)  # watched videos leave the queue…
    playback.forget_position(store, first)
    local.fold(store)
    held = records(store)
    assert held[f"video:{first}:queue"].removed  # …and the removal syncs
    assert set_channel_notify(store, channel_id(0), True, now=5)
    assert set_channel_notify(store, channel_id(0), False, now=6)
    local.fold(store)
    assert records(store)[f"notify:{channel_id(0)}"].removed


def test_remote_watch_records_apply_without_echo(store: Store) -> None:
    (video,) = _videos(store, 1)
    not_yet_synced = "ZZZZZZZZZZZ"  # queued on the other machine, not cached here yet
    batch = [
        remote(f"video:{video}:queue", {"position": "a1", "added_at": 10}, far_future()),
        remote(f"video:{not_yet_synced}:queue", {"position": "a0", "added_at": 9}, far_future()),
        remote(
            f"video:{video}:position", {"seconds": 61.0, "duration": None, "at": 11}, far_future()
        ),
        remote(f"video:{video}:notified", {"at": 12}, far_future()),
        remote(f"notify:{channel_id(0)}", {"since": 13}, far_future()),
        remote(f"notify:{channel_id(9)}", {"since": 14}, far_future()),  # unknown channel
    ]
    outcome = local.merge_remote(store, batch)
    assert (outcome.applied, outcome.waiting) == (len(batch) - 1, 1)
    assert outbox_names(store) == set()
    with store.read() as conn:
        assert queue.queued_ids(conn) == [not_yet_synced, video]
        position = playback.position_of(conn, video)
        assert position is not None and (position.position_s, position.updated_at) == (61.0, 11)
        assert conn.execute("SELECT video_id FROM notified").fetchall() == [(video,)]
        assert conn.execute(
            "SELECT notify FROM channels WHERE id = ?", (channel_id(0),)
        ).fetchone() == (13,)
    # Watching it on the other machine takes it out of the queue here too, unechoed.
    local.merge_remote(store, [remote(f"video:{video}:watched", {"at": 20}, far_future() + 1)])
    with store.read() as conn:
        assert queue.queued_ids(conn) == [not_yet_synced]
    assert outbox_names(store) == set()
    local.merge_remote(store, [remote(f"video:{video}:position", None, far_future() + 2)])
    with store.read() as conn:
        assert playback.position_of(conn, video) is None


def test_a_junk_queue_record_takes_nothing_down(store: Store) -> None:
    (video,) = _videos(store, 1)
    queue.add(store, video)
    local.fold(store)
    local.merge_remote(store, [remote(f"video:{video}:queue", {"position": 7}, far_future())])
    with store.read() as conn:
        assert queue.queued_ids(conn) == []  # unusable position: treated as not queued


def test_a_key_that_is_no_order_key_is_not_queued(store: Store) -> None:
    (video,) = _videos(store, 1)
    local.merge_remote(store, [remote(f"video:{video}:queue", {"position": "zz z"}, far_future())])
    with store.read() as conn:
        assert queue.queued_ids(conn) == []


def test_two_machines_keys_that_tie_still_order_and_move(store: Store) -> None:
    first, second, third = _videos(store, 3)
    # Both machines appended to the same queue at once: the same key for two videos.
    batch = [
        remote(f"video:{first}:queue", {"position": "a0", "added_at": 1}, far_future()),
        remote(f"video:{second}:queue", {"position": "a1", "added_at": 2}, far_future()),
        remote(f"video:{third}:queue", {"position": "a1", "added_at": 2}, far_future()),
    ]
    local.merge_remote(store, batch)
    ordered = sorted([second, third])
    with store.read() as conn:
        assert queue.queued_ids(conn) == [first, *ordered]  # ties by id, on every machine
        assert queue.next_after(conn, ordered[0]) == ordered[1]  # a tie is not skipped
    queue.move(store, first, 1)  # between the two tied items: the queue is renumbered
    with store.read() as conn:
        assert queue.queued_ids(conn) == [ordered[0], first, ordered[1]]
        rowids, missing = queue.queued_rowids(conn)
    assert (len(rowids), missing) == (3, 0)


def test_a_watched_video_queued_again_leaves_when_watched_again(store: Store) -> None:
    (video,) = _videos(store, 1)
    mark_video(store, video, Mark.WATCHED, now=100)
    queue.add(store, video)
    mark_video(store, video, Mark.WATCHED, now=200)  # watched again (e.g. played past 90 %)
    with store.read() as conn:
        assert queue.queued_ids(conn) == []
