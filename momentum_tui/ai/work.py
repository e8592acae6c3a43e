"""Which videos Claude should label, and writing what a paid answer brought, in one go.

A video needs Claude when it has no Claude label made from its current text, its text
has not been labelled before (the content-hash cache), Claude has not given up on it,
and it is not waiting in a submitted batch. Newest first: they matter most.

Everything one answer brought — its ledger row, the labels, the cache entries and the
failures — is written in one transaction, so nothing paid for is lost by a crash and
nothing is recorded twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from momentum_tui.ai import ledger
from momentum_tui.ai.videos import VideoText, save_labels, texts_by_rowid
from momentum_tui.models import VideoLabels

if TYPE_CHECKING:
    from sqlite_utils import Database

_CANDIDATES_SQL = """
    SELECT v.rowid FROM videos v
    JOIN channels c ON c.id = v.channel_id AND c.followed = 1
    LEFT JOIN video_labels l ON l.video_id = v.id
    LEFT JOIN ai_failures f ON f.video_id = v.id AND f.content_hash = v.content_hash
    WHERE v.status = 'ok'
      AND (l.video_id IS NULL OR l.source != 'claude' OR l.content_hash != v.content_hash)
      AND coalesce(f.gave_up, 0) = 0
      AND NOT EXISTS (
          SELECT 1 FROM ai_batch_items i JOIN ai_batches b ON b.id = i.batch_id
          WHERE i.video_id = v.id AND i.content_hash = v.content_hash
            AND b.collected_at IS NULL)
    ORDER BY v.published_at DESC, v.id
"""


def claude_candidates(conn: sqlite3.Connection, limit: int | None = None) -> list[VideoText]:
    """Videos that need a Claude label, newest first (at most `limit`)."""
    sql = _CANDIDATES_SQL + (" LIMIT ?" if limit is not None else "")
    params: tuple[int, ...] = (limit,) if limit is not None else ()
    rowids = [row[0] for row in conn.execute(sql, params)]
    return texts_by_rowid(conn, rowids)


def count_candidates(conn: sqlite3.Connection) -> int:
    """How many videos need a Claude label."""
    return int(conn.execute(f"SELECT count(*) FROM ({_CANDIDATES_SQL})").fetchone()[0])


def cached_labels(conn: sqlite3.Connection, hashes: Iterable[str]) -> dict[str, VideoLabels]:
    """Claude labels already paid for, by content hash."""
    wanted = sorted(set(hashes))
    found: dict[str, VideoLabels] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        for content_hash, data in conn.execute(
            f"SELECT content_hash, labels FROM ai_label_cache WHERE content_hash IN ({marks})",
            chunk,
        ):
            found[content_hash] = VideoLabels.model_validate_json(data)
    return found


@dataclass
class Answer:
    """What one paid request brought back, ready to be written."""

    model: str
    kind: str
    videos: int
    usage: ledger.Usage
    usd: float
    request_id: str = ""
    labels: dict[str, VideoLabels] = field(default_factory=dict)
    given_up: dict[str, tuple[str, str]] = field(default_factory=dict)
    """video id → (content hash, reason): Claude could not label it; skipped from now on."""
    retry_later: dict[str, tuple[str, str]] = field(default_factory=dict)
    """video id → (content hash, reason): unlabelled this time; given up after a few tries."""


def commit_answer(db: Database, answer: Answer, now: int) -> None:
    """Write the ledger row, labels, cache entries and failures of one answer (one txn)."""
    ledger.record(
        db, model=answer.model, kind=answer.kind, videos=answer.videos, usage=answer.usage,
        usd=answer.usd, request_id=answer.request_id, now=now,
    )  # fmt: skip
    save_labels(db, answer.labels.items(), now)
    remember(db, answer.labels.values(), answer.model, now)
    if answer.labels:
        db.conn.executemany(
            "DELETE FROM ai_failures WHERE video_id = ?", [(vid,) for vid in answer.labels]
        )
    mark_failed(db, answer.given_up, now)
    note_failed(db, answer.retry_later, now)


def remember(db: Database, labels: Iterable[VideoLabels], model: str, now: int) -> None:
    """Keep Claude's labels by content hash (the cache that prevents paying twice)."""
    db.conn.executemany(
        "INSERT INTO ai_label_cache (content_hash, model, labels, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(content_hash) DO UPDATE SET model = excluded.model, "
        "labels = excluded.labels, created_at = excluded.created_at",
        [
            (lab.content_hash, model, lab.model_dump_json(), now)
            for lab in labels
            if lab.content_hash
        ],
    )


def mark_failed(db: Database, failed: Mapping[str, tuple[str, str]], now: int) -> None:
    """Record videos Claude gave up on (reason kept for `momentum classify --json`)."""
    db.conn.executemany(
        "INSERT INTO ai_failures (video_id, content_hash, reason, attempts, gave_up, updated_at) "
        "VALUES (?, ?, ?, 1, 1, ?) ON CONFLICT(video_id) DO UPDATE SET "
        "content_hash = excluded.content_hash, reason = excluded.reason, "
        "attempts = ai_failures.attempts + 1, gave_up = 1, updated_at = excluded.updated_at",
        [(vid, content_hash, reason, now) for vid, (content_hash, reason) in failed.items()],
    )


BATCH_ATTEMPTS = 3
"""A video unlabelled by this many batch answers is given up (until its text changes)."""


def note_failed(db: Database, failed: Mapping[str, tuple[str, str]], now: int) -> None:
    """Count an unlabelled try; give up once a video has failed `BATCH_ATTEMPTS` times."""
    db.conn.executemany(
        "INSERT INTO ai_failures (video_id, content_hash, reason, attempts, gave_up, updated_at) "
        "VALUES (?, ?, ?, 1, 0, ?) ON CONFLICT(video_id) DO UPDATE SET "
        "reason = excluded.reason, updated_at = excluded.updated_at, "
        "attempts = CASE WHEN ai_failures.content_hash = excluded.content_hash "
        "THEN ai_failures.attempts + 1 ELSE 1 END, "
        "gave_up = CASE WHEN ai_failures.content_hash = excluded.content_hash "
        f"AND ai_failures.attempts + 1 >= {BATCH_ATTEMPTS} THEN 1 ELSE 0 END, "
        "content_hash = excluded.content_hash",
        [(vid, content_hash, reason, now) for vid, (content_hash, reason) in failed.items()],
    )


def reuse_cached(db: Database, videos: list[VideoText], now: int) -> list[VideoText]:
    """Label from the cache every video whose text Claude has labelled before; return the rest."""
    cache = cached_labels(db.conn, (video.content_hash for video in videos))
    reused = [
        (video.video_id, cache[video.content_hash])
        for video in videos
        if video.content_hash in cache
    ]
    if reused:
        save_labels(db, reused, now)
    done = {video_id for video_id, _ in reused}
    return [video for video in videos if video.video_id not in done]


def failures(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Videos Claude gave up on, with the reason (for `--json` and the app)."""
    rows = conn.execute(
        "SELECT f.video_id, v.title, f.reason, f.attempts, f.updated_at FROM ai_failures f "
        "JOIN videos v ON v.id = f.video_id AND v.content_hash = f.content_hash "
        "WHERE f.gave_up = 1 ORDER BY f.updated_at DESC"
    )
    keys = ("video_id", "title", "reason", "attempts", "at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def clear_failures(db: Database) -> int:
    """Forget every give-up, so the next run tries those videos again; returns how many."""
    return int(db.conn.execute("DELETE FROM ai_failures").rowcount)
