"""Every SQL statement of the ai package: label texts and labels, candidates, ledger, batches.

The rest of `ai/` decides (what to send, what an answer is worth, when to stop); this
module only reads and writes the cache, so a change of schema touches one file:

* label texts and labels — both classifiers read `VideoText` and write `video_labels`
  (`local.label_store`, `work.commit_answer`, `work.reuse_cached`);
* what Claude should label and what it gave up on — `claude.Classifier`,
  `batches.BatchRunner`, `momentum classify --estimate` and `momentum costs`;
* the AI ledger — wrapped by `ledger` (which knows days, months and budgets);
* submitted batches — `batches.BatchRunner` only.

Writers take the sqlite-utils `Database` of a `Store.write()` block and never commit:
the caller's transaction holds related writes together.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from momentum_tui.ai.videos import VideoText
from momentum_tui.records import VideoLabels

if TYPE_CHECKING:
    from sqlite_utils import Database

_CHUNK = 500  # ids per `IN (…)`: well under SQLite's variable limit

# -- what a label is made from, and labels ----------------------------------------------

_TEXT_COLUMNS = (
    "v.rowid, v.id, v.title, v.description, v.tags, v.channel_title, v.category_id, "
    "v.duration_s, v.is_short, v.live_state, v.content_hash"
)


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
    for start in range(0, len(rowids), _CHUNK):
        chunk = list(rowids[start : start + _CHUNK])
        marks = ",".join("?" for _ in chunk)
        cursor = conn.execute(
            f"SELECT {_TEXT_COLUMNS} FROM videos v WHERE v.rowid IN ({marks})", chunk
        )
        found.update((int(row[0]), _text_from_row(row)) for row in cursor)
    return [found[rowid] for rowid in rowids if rowid in found]


def texts_by_id(conn: sqlite3.Connection, video_ids: Sequence[str]) -> list[VideoText]:
    """`VideoText` for the given video ids (missing ones are skipped)."""
    found: list[VideoText] = []
    for start in range(0, len(video_ids), _CHUNK):
        chunk = list(video_ids[start : start + _CHUNK])
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
# Local labels never overwrite a Claude label made from the same text: an offline pass
# reads its texts before it writes, and Claude's answer may land in between.
_LOCAL_GUARD = (
    " WHERE video_labels.source = 'local' OR video_labels.content_hash != excluded.content_hash"
)


# An imported label goes in where the video has none, or replaces an offline label with
# Claude's; a label the cache already has from Claude is never replaced.
_IMPORT_GUARD = " WHERE video_labels.source = 'local' AND excluded.source = 'claude'"


def merge_labels(db: Database, rows: Sequence[tuple[object, ...]]) -> int:
    """Add imported `video_labels` rows (`label_row` shape); how many went in."""
    # rowcount counts the rows each statement changed itself, not its triggers' (label_tags).
    return max(0, db.conn.executemany(_UPSERT_LABEL_SQL + _IMPORT_GUARD, rows).rowcount)


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


# -- what Claude should label, and what it gave up on ------------------------------------

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
    """Videos that need a Claude label, newest first (at most `limit`; see `work`)."""
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
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        for content_hash, data in conn.execute(
            f"SELECT content_hash, labels FROM ai_label_cache WHERE content_hash IN ({marks})",
            chunk,
        ):
            found[content_hash] = VideoLabels.model_validate_json(data)
    return found


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


def forget_failures(db: Database, video_ids: Iterable[str]) -> None:
    """Drop the failure records of videos that now have labels."""
    db.conn.executemany("DELETE FROM ai_failures WHERE video_id = ?", [(v,) for v in video_ids])


def mark_failed(db: Database, failed: Mapping[str, tuple[str, str]], now: int) -> None:
    """Record videos Claude gave up on (reason kept for `momentum classify --json`)."""
    db.conn.executemany(
        "INSERT INTO ai_failures (video_id, content_hash, reason, attempts, gave_up, updated_at) "
        "VALUES (?, ?, ?, 1, 1, ?) ON CONFLICT(video_id) DO UPDATE SET "
        "content_hash = excluded.content_hash, reason = excluded.reason, "
        "attempts = ai_failures.attempts + 1, gave_up = 1, updated_at = excluded.updated_at",
        [(vid, content_hash, reason, now) for vid, (content_hash, reason) in failed.items()],
    )


def note_failed(
    db: Database, failed: Mapping[str, tuple[str, str]], now: int, *, give_up_after: int
) -> None:
    """Count an unlabelled try; give up once a video has failed `give_up_after` times."""
    db.conn.executemany(
        "INSERT INTO ai_failures (video_id, content_hash, reason, attempts, gave_up, updated_at) "
        "VALUES (?, ?, ?, 1, 0, ?) ON CONFLICT(video_id) DO UPDATE SET "
        "reason = excluded.reason, updated_at = excluded.updated_at, "
        "attempts = CASE WHEN ai_failures.content_hash = excluded.content_hash "
        "THEN ai_failures.attempts + 1 ELSE 1 END, "
        "gave_up = CASE WHEN ai_failures.content_hash = excluded.content_hash "
        "AND ai_failures.attempts + 1 >= ? THEN 1 ELSE 0 END, "
        "content_hash = excluded.content_hash",
        [
            (vid, content_hash, reason, now, give_up_after)
            for vid, (content_hash, reason) in failed.items()
        ],
    )


def failures(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Videos Claude gave up on (video_id, title, reason, attempts, at), newest first."""
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


# -- the AI ledger (see `ledger` for days, months and budgets) --------------------------


def insert_ledger_row(db: Database, row: tuple[object, ...]) -> int:
    """One ledger row: (at, day, model, kind, videos, four token counts, usd, request id)."""
    cursor = db.conn.execute(
        "INSERT INTO ai_ledger (at, day, model, kind, videos, input_tokens, output_tokens, "
        "cache_write_tokens, cache_read_tokens, usd, request_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row,
    )
    return int(cursor.lastrowid or 0)


def settle_ledger_row(db: Database, row_id: int, values: tuple[object, ...]) -> None:
    """Replace a reserved row's bound: (four token counts, usd, request id)."""
    db.conn.execute(
        "UPDATE ai_ledger SET input_tokens = ?, output_tokens = ?, cache_write_tokens = ?, "
        "cache_read_tokens = ?, usd = ?, request_id = ? WHERE id = ?",
        (*values, row_id),
    )


def delete_ledger_row(db: Database, row_id: int) -> None:
    """Remove one ledger row (a reserved request Claude refused without billing)."""
    db.conn.execute("DELETE FROM ai_ledger WHERE id = ?", (row_id,))


def spent_on(conn: sqlite3.Connection, day: str) -> tuple[float, float]:
    """Dollars recorded on UTC `day` (`YYYY-MM-DD`) and in its month up to now."""
    row = conn.execute(
        "SELECT coalesce(sum(usd) FILTER (WHERE day = ?), 0), coalesce(sum(usd), 0) "
        "FROM ai_ledger WHERE day >= ?",
        (day, day[:8] + "01"),
    ).fetchone()
    return float(row[0]), float(row[1])


def pending_batch_usd(conn: sqlite3.Connection) -> float:
    """The estimated cost of submitted batches whose results are not collected yet."""
    row = conn.execute(
        "SELECT coalesce(sum(estimate_usd), 0) FROM ai_batches WHERE collected_at IS NULL"
    ).fetchone()
    return float(row[0])


SpendTuple = tuple[str, str, int, int, int, int, int, int, float]
"""day, model, requests, videos, input, output, cache write and cache read tokens, dollars."""


def spend_since(conn: sqlite3.Connection, day: str) -> list[SpendTuple]:
    """Per UTC day and model since `day`, newest first: requests, videos, tokens, dollars."""
    return conn.execute(
        """
        SELECT day, model, count(*), sum(videos), sum(input_tokens), sum(output_tokens),
               sum(cache_write_tokens), sum(cache_read_tokens), sum(usd)
        FROM ai_ledger WHERE day >= ? GROUP BY day, model ORDER BY day DESC, model
        """,
        (day,),
    ).fetchall()


# -- submitted batches (`batches.BatchRunner`) -------------------------------------------

_BATCH_COLUMNS = "id, status, requests, videos, estimate_usd, created_at, ended_at, collected_at"


def write_ahead_batch(
    db: Database,
    batch: tuple[str, str, str, int, int, float, int],
    items: Iterable[tuple[str, str, str, str]],
) -> None:
    """A batch (id, model, status, requests, videos, estimate, created at) and its items
    (custom id, ref, video id, content hash), recorded before anything is sent."""
    db.conn.execute(
        "INSERT INTO ai_batches (id, model, status, requests, videos, estimate_usd, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    db.conn.executemany(
        "INSERT INTO ai_batch_items (batch_id, custom_id, ref, video_id, content_hash) "
        "VALUES (?, ?, ?, ?, ?)",
        [(batch[0], *item) for item in items],
    )


def rename_batch(db: Database, local_id: str, batch_id: str, status: str) -> None:
    """Give a written-ahead batch (and its items) Claude's id and status."""
    db.conn.execute(
        "INSERT INTO ai_batches (id, model, status, requests, videos, estimate_usd, "
        "created_at) SELECT ?, model, ?, requests, videos, estimate_usd, created_at "
        "FROM ai_batches WHERE id = ?",
        (batch_id, status, local_id),
    )
    db.conn.execute(
        "UPDATE ai_batch_items SET batch_id = ? WHERE batch_id = ?", (batch_id, local_id)
    )
    db.conn.execute("DELETE FROM ai_batches WHERE id = ?", (local_id,))


def delete_batch(db: Database, batch_id: str) -> None:
    """Forget a batch and (by cascade) its items."""
    db.conn.execute("DELETE FROM ai_batches WHERE id = ?", (batch_id,))


def batches_with_status(conn: sqlite3.Connection, status: str) -> list[tuple[str, int, int]]:
    """(id, requests, created at) of the batches in `status`, oldest first."""
    return conn.execute(
        "SELECT id, requests, created_at FROM ai_batches WHERE status = ? ORDER BY created_at",
        (status,),
    ).fetchall()


def batch_ids(conn: sqlite3.Connection) -> set[str]:
    """Every batch id the cache knows."""
    return {row[0] for row in conn.execute("SELECT id FROM ai_batches")}


BatchTuple = tuple[str, str, int, int, float, int, int | None, int | None]
"""id, status, requests, videos, estimate, created at, ended at, collected at."""


def uncollected_batches(conn: sqlite3.Connection) -> list[BatchTuple]:
    """Batches not collected yet, oldest first (the `batches.BatchInfo` fields in order)."""
    return conn.execute(
        f"SELECT {_BATCH_COLUMNS} FROM ai_batches WHERE collected_at IS NULL ORDER BY created_at"
    ).fetchall()


def set_batch_status(db: Database, batch_id: str, status: str, now: int) -> None:
    """Note what Claude said about a batch that has not ended."""
    db.conn.execute(
        "UPDATE ai_batches SET status = ?, checked_at = ? WHERE id = ?", (status, now, batch_id)
    )


def batch_items(conn: sqlite3.Connection, batch_id: str) -> list[tuple[str, str, str, str]]:
    """(custom id, ref, video id, content hash) of every video a batch carries."""
    return conn.execute(
        "SELECT custom_id, ref, video_id, content_hash FROM ai_batch_items WHERE batch_id = ?",
        (batch_id,),
    ).fetchall()


def mark_batch_collected(db: Database, batch_id: str, now: int) -> None:
    """A batch has ended and its results are written (same transaction as the results)."""
    db.conn.execute(
        "UPDATE ai_batches SET status = 'ended', ended_at = coalesce(ended_at, ?), "
        "checked_at = ?, collected_at = ? WHERE id = ?",
        (now, now, now, batch_id),
    )
