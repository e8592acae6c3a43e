"""Merging an export document into a cache — empty or not — in one transaction.

The rule is simple to say: **import adds what the cache lacks and never changes what
it already has**, with two exceptions where the file can be newer or better: a video's
marks (the state changed more recently wins, and history entries are added once), and a
Claude label replacing an offline one. Sets are merged as sets (channels, groups,
keywords, rules, history, labels), ledgers as multisets (two calls in the same second
are two rows). So importing a file twice changes nothing the second time, and export →
import into a fresh home → export gives the same document.

Preferences go in through the same storage functions the app and the commands use
(follows, groups, marks, keywords, rules), so whatever those functions do alongside
the change — the preference-sync outbox — happens for an import too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from momentum_tui.ai.queries import label_row, merge_labels
from momentum_tui.errors import MomentumError
from momentum_tui.recommend.prefs import add_keyword
from momentum_tui.records import Channel, VideoLabels
from momentum_tui.rules.spec import RuleSpec
from momentum_tui.rules.store import add_rule, update_rule
from momentum_tui.storage import merge
from momentum_tui.storage.channels import tag_channel
from momentum_tui.storage.db import Store
from momentum_tui.storage.export_model import ExportDocument, VideoRecord, label
from momentum_tui.storage.marks import HistoryEntry, merge_marks
from momentum_tui.storage.videos import insert_missing_videos, upsert_channels

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass
class ImportReport:
    """What an import added, section by section, and what it left out and why."""

    added: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def sentence(self) -> str:
        """`Imported 12 channels, 3 groups, 40 marks …; 2 labels were already there.`"""
        parts = [f"{count:,} {label(name)}" for name, count in self.added.items() if count]
        text = "Imported " + (", ".join(parts) if parts else "nothing new (the cache had it all)")
        if self.skipped:
            left = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in self.skipped.items())
            text += f"; left out {left} (their video or channel is not in the file or the cache)"
        return text + "."


def import_document(store: Store, document: ExportDocument) -> ImportReport:
    """Merge `document` into the cache in one transaction (all of it, or none on failure)."""
    report = ImportReport()
    with store.write() as db:
        channels = _channels(db, document, report)
        _groups(store, document, channels, report)
        videos = _videos(db, document, channels, report)
        _marks(db, document, videos, report)
        _watching(db, document, report)
        _keywords(db, document, report)
        _rules(db, document, report)
        _labels(db, document, videos, report)
        _label_cache(db, document, report)
        _ledgers(db, document, report)
    return report


def _channels(db: Database, document: ExportDocument, report: ImportReport) -> set[str]:
    known = merge.channel_ids(db.conn)
    added = 0
    for record in document.channels:
        if record.id in known:
            continue
        channel = Channel(
            id=record.id, title=record.title, handle=record.handle, followed=record.followed
        )
        added += upsert_channels(db, [channel], source=record.source, now=record.added_at)
        known.add(record.id)
    report.added["channels"] = added
    # Announcements off is how every channel starts, not a choice: the file's "on" is added.
    switched_on = [(r.notify, r.id) for r in document.channels if r.notify is not None]
    report.added["notify"] = merge.switch_on_notify(db, switched_on)
    return known


def _groups(
    store: Store, document: ExportDocument, channels: set[str], report: ImportReport
) -> None:
    by_channel: dict[str, list[str]] = {}
    for record in document.groups:
        if record.channel_id in channels:
            by_channel.setdefault(record.channel_id, []).append(record.group)
        else:
            report.skipped["groups"] = report.skipped.get("groups", 0) + 1
    before = merge.group_count(store.db.conn)
    for channel_id, groups in by_channel.items():
        tag_channel(store, channel_id, groups)  # joins the import's transaction
    report.added["groups"] = merge.group_count(store.db.conn) - before


def _video_row(record: VideoRecord) -> tuple[object, ...]:
    return (
        record.id, record.channel_id, record.channel_title, record.title, record.published_at,
        record.duration_s, int(record.is_short), record.live_state.value, record.status.value,
        record.content_hash, record.first_seen_at,
    )  # fmt: skip


def _videos(
    db: Database, document: ExportDocument, channels: set[str], report: ImportReport
) -> set[str]:
    rows = [_video_row(v) for v in document.videos if v.channel_id in channels]
    if len(rows) < len(document.videos):
        report.skipped["videos"] = len(document.videos) - len(rows)
    report.added["videos"] = insert_missing_videos(db.conn, rows)
    return merge.video_ids(db.conn)


def _marks(db: Database, document: ExportDocument, videos: set[str], report: ImportReport) -> None:
    states = [
        (s.video_id, s.model_dump(exclude={"video_id", "updated_at"}), s.updated_at)
        for s in document.video_states
        if s.video_id in videos
    ]
    history = [
        HistoryEntry(m.video_id, m.mark.value, m.at, m.previous.model_dump(), m.undone_at)
        for m in document.marks
        if m.video_id in videos
    ]
    left_out = len(document.video_states) - len(states) + len(document.marks) - len(history)
    if left_out:
        report.skipped["marks"] = left_out
    merged = merge_marks(db, states, history)
    report.added["video_states"] = merged.states
    report.added["marks"] = merged.history


def _watching(db: Database, document: ExportDocument, report: ImportReport) -> None:
    """The queue, playback positions and announced videos (after the marks: watched
    videos aren't queued). None needs its video cached: a sync brings it later."""
    queue = [(r.video_id, r.position, r.added_at) for r in document.queue]
    report.added["queue"] = merge.merge_queue(db, queue)
    playback = [(r.video_id, r.position_s, r.duration_s, r.updated_at) for r in document.playback]
    report.added["playback"] = merge.merge_playback(db, playback)
    notified = [(r.video_id, r.at) for r in document.notified]
    report.added["notified"] = merge.add_notified(db, notified)


def _keywords(db: Database, document: ExportDocument, report: ImportReport) -> None:
    known = merge.keywords(db.conn)
    added = 0
    for record in document.keywords:
        if record.keyword in known:
            continue
        try:
            added_pref = add_keyword(db, record.keyword, record.weight, now=record.created_at)
        except MomentumError as error:
            raise _bad(f"keyword {record.keyword!r}", error.title) from error
        known.add(added_pref.keyword)
        added += 1
    report.added["keywords"] = added


def _rules(db: Database, document: ExportDocument, report: ImportReport) -> None:
    known = merge.rule_keys(db.conn)
    added = 0
    for record in document.rules:
        try:
            spec = RuleSpec.model_validate(record.spec)
        except ValueError as error:
            raise _bad(
                f"rule {record.text or record.spec!r}", str(error).splitlines()[0]
            ) from error
        key = (spec.model_dump_json(exclude_defaults=True), record.text)
        if key in known:
            continue
        rule_id = add_rule(db, spec, text=record.text, source=record.source, now=record.created_at)
        if not record.enabled:
            update_rule(db, rule_id, enabled=False)
        known.add(key)
        added += 1
    report.added["rules"] = added


def _labels(db: Database, document: ExportDocument, videos: set[str], report: ImportReport) -> None:
    rows = []
    for record in document.labels:
        if record.video_id not in videos:
            report.skipped["labels"] = report.skipped.get("labels", 0) + 1
            continue
        values = record.model_dump(exclude={"video_id", "labelled_at"})
        try:
            labels = VideoLabels.model_validate(values)
        except ValueError as error:
            raise _bad(f"the labels of {record.video_id}", str(error).splitlines()[0]) from error
        rows.append(label_row(record.video_id, labels, record.labelled_at))
    report.added["labels"] = merge_labels(db, rows)


def _label_cache(db: Database, document: ExportDocument, report: ImportReport) -> None:
    rows = [
        (r.content_hash, r.model, json.dumps(r.labels, ensure_ascii=False, separators=(",", ":")),
         r.created_at)
        for r in document.label_cache
    ]  # fmt: skip
    report.added["label_cache"] = merge.add_label_cache(db, rows)


def _ledgers(db: Database, document: ExportDocument, report: ImportReport) -> None:
    """Ledger rows as multisets: two calls in the same second stay two rows."""
    for table, columns in merge.LEDGER_COLUMNS.items():
        rows = [tuple(getattr(r, c) for c in columns) for r in getattr(document, table)]
        report.added[table] = merge.merge_ledger(db, table, rows)


def _bad(what: str, why: str) -> MomentumError:
    return MomentumError(f"The file's {what} can't be imported ({why}); nothing was imported.",
                         "Fix or remove that entry, then import again.")  # fmt: skip
