"""What the classifiers read from the cache, and how their labels are written back.

Both classifiers take `VideoText` (the few fields a label is made from) and produce
`VideoLabels`. A label remembers the content hash it was made from, so a video is
labelled again only when its title, description or tags change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from momentum_tui.models import VideoLabels

if TYPE_CHECKING:
    from sqlite_utils import Database

_TEXT_COLUMNS = (
    "v.rowid, v.id, v.title, v.description, v.tags, v.channel_title, v.category_id, "
    "v.duration_s, v.is_short, v.live_state, v.content_hash"
)


@dataclass(frozen=True, slots=True)
class VideoText:
    """The parts of a cached video a label is made from."""

    video_id: str
    title: str
    description: str
    tags: tuple[str, ...]
    channel_title: str
    category_id: int | None
    duration_s: int | None
    is_short: bool
    live_state: str
    content_hash: str


def _text_from_row(row: Sequence[object]) -> VideoText:
    raw_tags = row[4]
    tags: tuple[str, ...] = ()
    if isinstance(raw_tags, str) and raw_tags:
        loaded = json.loads(raw_tags)
        if isinstance(loaded, list):
            tags = tuple(str(tag) for tag in loaded)
    return VideoText(
        video_id=str(row[1]),
        title=str(row[2] or ""),
        description=str(row[3] or ""),
        tags=tags,
        channel_title=str(row[5] or ""),
        category_id=int(row[6]) if isinstance(row[6], int) else None,
        duration_s=int(row[7]) if isinstance(row[7], int) else None,
        is_short=bool(row[8]),
        live_state=str(row[9] or "none"),
        content_hash=str(row[10] or ""),
    )


def texts_by_rowid(conn: sqlite3.Connection, rowids: Sequence[int]) -> list[VideoText]:
    """`VideoText` for the given video rowids, in the same order (missing ones are skipped)."""
    found: dict[int, VideoText] = {}
    for start in range(0, len(rowids), 500):
        chunk = list(rowids[start : start + 500])
        marks = ",".join("?" for _ in chunk)
        cursor = conn.execute(
            f"SELECT {_TEXT_COLUMNS} FROM videos v WHERE v.rowid IN ({marks})", chunk
        )
        found.update((int(row[0]), _text_from_row(row)) for row in cursor)
    return [found[rowid] for rowid in rowids if rowid in found]


def texts_by_id(conn: sqlite3.Connection, video_ids: Sequence[str]) -> list[VideoText]:
    """`VideoText` for the given video ids (missing ones are skipped)."""
    found: list[VideoText] = []
    for start in range(0, len(video_ids), 500):
        chunk = list(video_ids[start : start + 500])
        marks = ",".join("?" for _ in chunk)
        cursor = conn.execute(
            f"SELECT {_TEXT_COLUMNS} FROM videos v WHERE v.id IN ({marks})", chunk
        )
        found.extend(_text_from_row(row) for row in cursor)
    return found


def rowids_needing_local(conn: sqlite3.Connection) -> list[int]:
    """Videos with no label, or whose label was made from older text (any source)."""
    cursor = conn.execute(
        """
        SELECT v.rowid FROM videos v
        LEFT JOIN video_labels l ON l.video_id = v.id
        WHERE l.video_id IS NULL OR l.content_hash != v.content_hash
        ORDER BY v.rowid
        """
    )
    return [row[0] for row in cursor]


_UPSERT_LABEL_SQL = """
    INSERT INTO video_labels (video_id, topic, mood, format, tags, clickbait, plain_title,
        summary, language, has_sponsor, confidence, source, model, content_hash, labelled_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(video_id) DO UPDATE SET
        topic = excluded.topic, mood = excluded.mood, format = excluded.format,
        tags = excluded.tags, clickbait = excluded.clickbait,
        plain_title = excluded.plain_title, summary = excluded.summary,
        language = excluded.language, has_sponsor = excluded.has_sponsor,
        confidence = excluded.confidence, source = excluded.source, model = excluded.model,
        content_hash = excluded.content_hash, labelled_at = excluded.labelled_at
"""
# Local labels never overwrite a Claude label made from the same text.
_LOCAL_GUARD = (
    " WHERE video_labels.source = 'local' OR video_labels.content_hash != excluded.content_hash"
)


def label_row(video_id: str, labels: VideoLabels, now: int) -> tuple[object, ...]:
    """The `video_labels` row for one video's labels."""
    return (
        video_id, labels.topic.value, labels.mood.value, labels.format.value,
        json.dumps(labels.tags, ensure_ascii=False), round(labels.clickbait, 3),
        labels.plain_title, labels.summary, labels.language, int(labels.has_sponsor),
        round(labels.confidence, 3), labels.source, labels.model, labels.content_hash, now,
    )  # fmt: skip


def save_labels(
    db: Database, labelled: Iterable[tuple[str, VideoLabels]], now: int, *, local: bool = False
) -> int:
    """Write labels (call inside `Store.write()`); `local=True` keeps fresh Claude labels."""
    sql = _UPSERT_LABEL_SQL + (_LOCAL_GUARD if local else "")
    before = db.conn.total_changes
    db.conn.executemany(sql, (label_row(video_id, labels, now) for video_id, labels in labelled))
    return db.conn.total_changes - before
