"""This device's side of the merge: local changes become records, remote records become
local state — each in one transaction.

* `fold_outbox` turns the names the triggers queued into records stamped with the clock
  reading of their latest change and the value the tables hold now.
* `merge_remote` folds first (in the same transaction, so an edit made while a pull was
  on the wire is not overlooked), then merges each remote record by (clock, device):
  a newer one is written into the preference tables with the triggers silenced, an equal
  one marks the local copy as held by the server, an older one is ignored (and the
  local copy queued again, so the server catches up).
* A record that wins but cannot be shown yet — a mark on a video this machine has not
  synced from YouTube, a group of a channel it does not know — waits (`applied = 0`) and
  is applied at a later sync, once the video or channel is there.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from momentum_tui.prefsync import queries, watch_queries
from momentum_tui.prefsync.merge import wins
from momentum_tui.prefsync.records import APPLY_ORDER, Kind, Record, Stamp, Value, parse_name
from momentum_tui.storage import Store

log = logging.getLogger(__name__)


def value_of(conn: sqlite3.Connection, name: str) -> Value | None:
    """The value record `name` has in the local tables now (None: removed or absent)."""
    parsed = parse_name(name)
    match parsed.kind:
        case Kind.CHANNEL:
            return queries.channel_value(conn, parsed.subject)
        case Kind.GROUP:
            return queries.group_value(conn, parsed.subject, parsed.field)
        case Kind.KEYWORD:
            return queries.keyword_value(conn, parsed.subject)
        case Kind.RULE:
            return queries.rule_value(conn, parsed.subject)
        case Kind.RULE_ON:
            return queries.rule_on_value(conn, parsed.subject)
        case Kind.VIDEO:
            return queries.video_value(conn, parsed.subject, parsed.field)
        case Kind.SETTING:
            from momentum_tui.prefsync.settings_sync import file_value

            return file_value(parsed.subject)
        case Kind.QUEUE:
            return watch_queries.queue_value(conn, parsed.subject)
        case Kind.POSITION:
            return watch_queries.position_value(conn, parsed.subject)
        case Kind.NOTIFIED:
            return watch_queries.notified_value(conn, parsed.subject)
        case Kind.NOTIFY:
            return watch_queries.notify_value(conn, parsed.subject)
        case _:
            return None


def _number(value: Value, key: str) -> int | None:
    item = value.get(key)
    return int(item) if isinstance(item, int | float) and not isinstance(item, bool) else None


def apply_record(conn: sqlite3.Connection, record: Record) -> bool:
    """Write a winning record into the local tables; False when it has to wait.

    Call inside a write transaction with the triggers silenced. A value this version
    cannot make sense of (a newer Momentum's, or damaged) is kept but not applied.
    """
    parsed = parse_name(record.name)
    value = record.value
    match parsed.kind:
        case Kind.CHANNEL:
            if value is None:
                queries.unfollow(conn, parsed.subject)
            else:
                queries.follow(conn, parsed.subject, str(value.get("title") or ""))
        case Kind.GROUP:
            if value is None:
                queries.remove_from_group(conn, parsed.subject, parsed.field)
            elif queries.channel_known(conn, parsed.subject):
                queries.add_to_group(conn, parsed.subject, parsed.field)
            else:
                return False
        case Kind.KEYWORD:
            return _apply_keyword(conn, parsed.subject, value)
        case Kind.RULE:
            return _apply_rule(conn, parsed.subject, value)
        case Kind.RULE_ON:
            if value is not None:
                return queries.switch_rule(conn, parsed.subject, bool(value.get("on")))
        case Kind.VIDEO:
            return _apply_video(conn, parsed.subject, parsed.field, value)
        case Kind.SETTING:
            from momentum_tui.prefsync.settings_sync import apply_setting

            return apply_setting(parsed.subject, value)
        case Kind.QUEUE:
            watch_queries.apply_queue(conn, parsed.subject, value)
        case Kind.POSITION:
            watch_queries.apply_position(conn, parsed.subject, value)
        case Kind.NOTIFIED:
            watch_queries.apply_notified(conn, parsed.subject, value)
        case Kind.NOTIFY:
            return watch_queries.apply_notify(conn, parsed.subject, value)
        case _:
            pass  # a kind from a newer Momentum: kept and passed on, nothing to show here
    return True


def _apply_keyword(conn: sqlite3.Connection, keyword: str, value: Value | None) -> bool:
    from momentum_tui.recommend.prefs import WEIGHT_LIMIT

    if value is None:
        queries.remove_keyword(conn, keyword)
        return True
    weight = value.get("weight")
    if not isinstance(weight, int | float) or not 0 < abs(weight) <= WEIGHT_LIMIT:
        log.warning("keyword record with an unusable weight ignored")
        return True
    queries.set_keyword(conn, keyword, float(weight))
    return True


def _apply_rule(conn: sqlite3.Connection, uid: str, value: Value | None) -> bool:
    from momentum_tui.rules.spec import RuleSpec

    if value is None:
        queries.remove_rule(conn, uid)
        return True
    try:
        spec = RuleSpec.model_validate(value.get("spec"))
    except ValidationError:
        log.warning("rule record with a spec this version can't read ignored")
        return True
    queries.put_rule(
        conn,
        uid,
        text=str(value.get("text") or "")[:500],
        spec_json=spec.model_dump_json(exclude_defaults=True),
        action=spec.action.value,
        source=str(value.get("source") or "prefsync")[:40],
        created_at=_number(value, "created_at") or 0,
    )
    return True


def _apply_video(conn: sqlite3.Connection, video_id: str, field: str, value: Value | None) -> bool:
    if not queries.video_known(conn, video_id):
        return value is None  # nothing to clear; a state waits for the video to arrive
    if field == "rating":
        rating = _number(value, "rating") if value else 0
        if value is None or rating not in (1, -1):
            queries.set_video_state(conn, video_id, field, (0, None))
        else:
            queries.set_video_state(conn, video_id, field, (rating, _number(value, "at")))
    else:
        at = _number(value, "at") if value else None
        queries.set_video_state(conn, video_id, field, (at,))
    return True


@dataclass
class MergeOutcome:
    """What merging a batch of remote records did."""

    received: int = 0
    applied: int = 0
    waiting: int = 0
    conflicts: int = 0
    newest_hlc: int = 0


def fold_outbox(conn: sqlite3.Connection) -> int:
    """Turn queued local changes into records (inside a write transaction); returns how many."""
    entries = queries.outbox(conn)
    if not entries:
        return 0
    device = queries.state(conn).device
    known = queries.records_named(conn, (name for name, _ in entries))
    queries.set_applying(conn, True)
    try:
        for name, hlc in entries:
            record = Record(name, value_of(conn, name), Stamp(hlc, device))
            current = known.get(name)
            if current is not None and not wins(record, current.record):
                # Something newer than this edit was merged already: the tables go back to it.
                apply_record(conn, current.record)
                continue
            queries.put_record(conn, record, synced=False, applied=True)
    finally:
        queries.set_applying(conn, False)
    queries.drop_outbox(conn, entries)
    return len(entries)


def fold(store: Store) -> int:
    """Fold the outbox in its own transaction; returns how many changes were folded."""
    with store.write() as db:
        return fold_outbox(db.conn)


def merge_remote(
    store: Store, remote: Iterable[Record], *, revision: int | None = None, reset: bool = False
) -> MergeOutcome:
    """Merge records pulled from the server into this cache, in one transaction.

    `revision` (the server revision the pull reached) is recorded in the same
    transaction, so a crash can neither skip records nor apply them twice. `reset`: the
    server's set was replaced, so nothing is known to be held there any more, except
    what this batch brings back.
    """
    batch = sorted(remote, key=lambda r: (APPLY_ORDER[parse_name(r.name).kind], r.name))
    outcome = MergeOutcome(received=len(batch))
    with store.write() as db:
        conn = db.conn
        fold_outbox(conn)
        if reset:
            queries.mark_all_unsynced(conn)
        known = queries.records_named(conn, (r.name for r in batch))
        queries.set_applying(conn, True)
        try:
            for record in batch:
                _merge_one(conn, record, known.get(record.name), outcome)
            _retry_waiting(conn, outcome)
        finally:
            queries.set_applying(conn, False)
        if outcome.newest_hlc:
            queries.receive_clock(conn, outcome.newest_hlc)
        if revision is not None:
            queries.set_revision(conn, revision)
    return outcome


def _merge_one(
    conn: sqlite3.Connection,
    record: Record,
    current: queries.StoredRecord | None,
    outcome: MergeOutcome,
) -> None:
    outcome.newest_hlc = max(outcome.newest_hlc, record.stamp.hlc)
    if current is not None and current.record == record:
        if not current.synced:
            queries.set_synced(conn, record.name, True)
        return
    if current is not None and not current.synced:
        outcome.conflicts += 1  # both sides changed it: the later writer wins, either way
    if not wins(record, current.record if current else None):
        # Ours is newer than the server's copy: make sure it gets pushed.
        queries.set_synced(conn, record.name, False)
        return
    applied = apply_record(conn, record)
    queries.put_record(conn, record, synced=True, applied=applied)
    if applied:
        outcome.applied += 1


def _retry_waiting(conn: sqlite3.Connection, outcome: MergeOutcome) -> None:
    waiting = queries.unapplied(conn)
    waiting.sort(key=lambda r: (APPLY_ORDER[parse_name(r.name).kind], r.name))
    still = 0
    for record in waiting:
        if apply_record(conn, record):
            queries.set_applied(conn, record.name)
            outcome.applied += 1
        else:
            still += 1
    outcome.waiting = still


def apply_waiting(store: Store) -> MergeOutcome:
    """Apply records that were waiting for their video or channel (after a YouTube sync)."""
    outcome = MergeOutcome()
    with store.write() as db:
        queries.set_applying(db.conn, True)
        try:
            _retry_waiting(db.conn, outcome)
        finally:
            queries.set_applying(db.conn, False)
    return outcome
