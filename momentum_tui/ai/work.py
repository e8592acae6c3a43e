"""What a paid answer brought, written in one go; and labels Claude has given before, reused.

A video needs Claude (`queries.claude_candidates`, newest first: they matter most) when
it has no Claude label made from its current text, its text has not been labelled before
(the content-hash cache, which `reuse_cached` reads), Claude has not given up on it, and
it is not waiting in a submitted batch.

Everything one answer brought — its ledger row, the labels, the cache entries and the
failures — is written in one transaction, so nothing paid for is lost by a crash and
nothing is recorded twice.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from momentum_tui.ai import ledger, queries
from momentum_tui.ai.videos import VideoText
from momentum_tui.records import VideoLabels
from momentum_tui.storage.files import disk_full, is_disk_full

if TYPE_CHECKING:
    from sqlite_utils import Database

    from momentum_tui.storage import Store


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
    ledger_row: int | None = None
    """The row `ledger.reserve` wrote before the request went out (settled here), if any."""


def _record_cost(db: Database, answer: Answer, now: int) -> None:
    """The answer's ledger row: the one reserved before sending, settled, or a new one."""
    if answer.ledger_row is not None:
        ledger.settle(db, answer.ledger_row, usage=answer.usage, usd=answer.usd,
                      request_id=answer.request_id)  # fmt: skip
    else:
        ledger.record(
            db, model=answer.model, kind=answer.kind, videos=answer.videos, usage=answer.usage,
            usd=answer.usd, request_id=answer.request_id, now=now,
        )  # fmt: skip


def commit_answer(db: Database, answer: Answer, now: int) -> None:
    """Write the ledger row, labels, cache entries and failures of one answer (one txn)."""
    _record_cost(db, answer, now)
    queries.save_labels(db, answer.labels.items(), now)
    queries.remember(db, answer.labels.values(), answer.model, now)
    queries.forget_failures(db, answer.labels)
    queries.mark_failed(db, answer.given_up, now)
    queries.note_failed(db, answer.retry_later, now, give_up_after=BATCH_ATTEMPTS)


BATCH_ATTEMPTS = 3
"""A video unlabelled by this many batch answers is given up (until its text changes)."""


def commit_paid(store: Store, answer: Answer, now: int) -> None:
    """`commit_answer` in its own transaction; on a full disk, the cost is kept if it fits.

    Claude has been paid by then: if the labels can't be written, the ledger row alone
    (a hundred bytes) is tried, so a budget never under-counts what was spent. Raises
    `DiskFullError` saying which of the two happened.
    """
    try:
        with store.write() as db:
            commit_answer(db, answer, now)
        return
    except sqlite3.OperationalError as error:
        if not is_disk_full(error):
            raise
        first = error
    try:
        with store.write() as db:
            _record_cost(db, answer, now)
        kept = f"what it cost (${answer.usd:.4f}) is in the ledger"
    except sqlite3.OperationalError as error:
        if not is_disk_full(error):
            raise
        tokens = answer.usage.input_tokens + answer.usage.output_tokens
        if answer.ledger_row is not None:  # reserved before sending: the estimate stays
            kept = (
                f"the ledger keeps the estimate counted before it was sent (it cost "
                f"${answer.usd:.4f}, {tokens:,} tokens, request {answer.request_id or '?'})"
            )
        else:
            kept = (
                f"even what it cost (${answer.usd:.4f}, {tokens:,} tokens, request "
                f"{answer.request_id or '?'}) could not be added to the ledger"
            )
    raise disk_full(
        f"the labels Claude made for {answer.videos} videos were not saved and the run", kept
    ) from first


def reuse_cached(db: Database, videos: list[VideoText], now: int) -> list[VideoText]:
    """Label from the cache every video whose text Claude has labelled before; return the rest."""
    cache = queries.cached_labels(db.conn, (video.content_hash for video in videos))
    reused = [
        (video.video_id, cache[video.content_hash])
        for video in videos
        if video.content_hash in cache
    ]
    if reused:
        queries.save_labels(db, reused, now)
    done = {video_id for video_id, _ in reused}
    return [video for video in videos if video.video_id not in done]
