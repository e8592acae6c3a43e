"""Loading many videos at once: the demo profile, benchmarks, restoring a profile.

A sync writes a channel at a time, so each commit is small and a killed sync resumes.
Filling a new cache is different: tens of thousands of rows go in together, and it is
several times faster to write the rows first and build every index once at the end
than to insert each row into nine B-trees and the full-text index as it arrives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from momentum_tui.records import Channel, Video
from momentum_tui.storage.videos import (
    FullTextBacklog,
    UpsertResult,
    full_text_backlog,
    upsert_channels,
    video_row,
    write_video_rows,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

Batch = tuple[Iterable[Channel], Sequence[Video]]
"""Channels and the videos of theirs to load with them."""


@contextmanager
def bulk_load(db: Database) -> Iterator[FullTextBacklog]:
    """Inside `Store.write()`: rows first, the videos' indexes rebuilt from the result.

    The secondary indexes on `videos` are dropped and created again on the way out, and
    the full-text index takes new rows in bulk (call `index()` on what this yields to
    index what is there so far). It is all one transaction, so a load that fails or is
    killed leaves the cache exactly as it was, indexes included.
    """
    conn = db.conn
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = 'videos' AND sql IS NOT NULL"
    ).fetchall()
    with full_text_backlog(conn) as backlog:
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        yield backlog
        for _, sql in indexes:
            conn.execute(sql)


def load_videos(db: Database, batches: Iterable[Batch], now: int) -> UpsertResult:
    """Load `batches` inside `Store.write()` with `bulk_load`; counts new and changed videos.

    While SQLite indexes one batch (it lets go of the GIL for the whole statement), a
    helper thread builds the next batch's rows, so the Python work and the indexing
    overlap. The helper only iterates `batches` and builds tuples: it never touches the
    database, and the iterable must not either.
    """
    total = UpsertResult()
    source = iter(batches)
    with bulk_load(db) as backlog, ThreadPoolExecutor(1, "momentum-load") as ahead:
        pending = ahead.submit(_prepare, source, now)
        while (prepared := pending.result()) is not None:
            channels, rows = prepared
            upsert_channels(db, channels, now=now)
            counts = write_video_rows(db.conn, rows)
            total.new += counts.new
            total.updated += counts.updated
            # Only now, with the GIL free for a long statement, build the next batch:
            # building it during the row inserts above would make them fight for the GIL.
            pending = ahead.submit(_prepare, source, now)
            backlog.index()
    return total


def _prepare(
    source: Iterator[Batch], now: int
) -> tuple[list[Channel], list[tuple[object, ...]]] | None:
    """The next batch as channels and `videos` rows, or None at the end."""
    batch = next(source, None)
    if batch is None:
        return None
    channels, videos = batch
    return list(channels), [video_row(video, now) for video in videos]
