"""Build the demo profile: the packaged corpus in its own cache, a few seeded interactions."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from momentum_tui import locations
from momentum_tui.ai.local import label_store
from momentum_tui.demo import queries
from momentum_tui.demo.corpus import iter_corpus, newest_published
from momentum_tui.errors import CacheUnavailableError, CorruptCacheError, SchemaTooNewError
from momentum_tui.recommend.memory import LAST_VISIT_PREF
from momentum_tui.storage import Store
from momentum_tui.storage.bulk import bulk_load
from momentum_tui.storage.db import move_aside
from momentum_tui.storage.videos import upsert_channels, upsert_videos

DEMO_MARKER = "demo_built_at"
DEMO_VERSION = "4"
"""Bump to rebuild existing demo profiles (2: labelled offline; 3: likes for For you;
4: each channel's sync state, so "synced 2h ago" and the state agree)."""

SEEDED_MARKS: tuple[tuple[str, str, int], ...] = (
    ("liked", "cooking", 4),
    ("liked", "tech", 3),
    ("saved", "education", 2),
    ("disliked", "news", 3),
)
"""A few tastes so the demo's For you has personal reasons ("You liked 4 videos about
cooking"): (mark, topic, how many), picked deterministically among older videos."""
DEMO_LAST_VISIT_S = 36 * 3600
"""The demo's "last visit" (the digest starts there); the demo never records visits."""


def _seeded_share(video_id: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{video_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def build_demo(store: Store, now: int | None = None) -> int:
    """Fill `store` with the demo corpus, shifted to end near `now`; returns videos written."""
    now = int(time.time()) if now is None else now
    shift = (now - 2 * 3600) - newest_published()
    items = list(iter_corpus(shift=shift))
    channels = {item.channel.id: item.channel for item in items}
    with store.write() as db:
        upsert_channels(db, channels.values(), source="demo", now=now - 30 * 86400)
        queries.set_last_synced(db, now - 2 * 3600)
        with bulk_load(db):  # a new profile: rows first, indexes built once
            upsert_videos(db, (item.video for item in items), now=now - 3600)
        # A little history so the demo looks lived-in: about 1 in 12 older videos watched,
        # a few liked. Deterministic, so screenshots and tests are stable.
        watched = [
            (item.video.id, item.video.published_at + 86400, now)
            for item in items
            if item.video.published_at < now - 5 * 86400
            and _seeded_share(item.video.id, "watched") < 0.08
        ]
        queries.seed_watched(db, watched)
    # The demo has no Claude key: the offline classifier gives every video its labels.
    label_store(store, now=now - 3600)
    _seed_tastes(store, now)
    return len(items)


def _seed_tastes(store: Store, now: int) -> None:
    """Likes, saves and dislikes by topic (after labelling: the picks depend on labels).

    The demo's marker is written in the same transaction, last: an interrupted build is
    rebuilt on the next start, and tastes are never seeded twice (a second seeding would
    pick other, still unmarked videos and double the likes).
    """
    with store.write() as db:
        rows = queries.unmarked_labelled(db.conn, now - 3 * 86400)
        for mark, topic, count in SEEDED_MARKS:
            chosen = sorted(
                (row for row in rows if row[1] == topic),
                key=lambda row: _seeded_share(row[0], mark),
            )[:count]
            for video_id, _, published_at in chosen:
                at = published_at + 86400
                watched = None if mark == "disliked" else at
                rating = {"liked": 1, "disliked": -1}.get(mark, 0)
                queries.seed_state(
                    db, video_id, watched_at=watched, rating=rating,
                    rated_at=at if rating else None, saved_at=at if mark == "saved" else None,
                    now=now,
                )  # fmt: skip
        store.set_pref(LAST_VISIT_PREF, json.dumps(now - DEMO_LAST_VISIT_S))  # joins this write
        store.set_pref(DEMO_MARKER, f"{DEMO_VERSION}:{now}")  # and so does the marker


def open_demo(
    path: Path | None = None,
    *,
    rebuild: bool = False,
    notify: Callable[[str], None] | None = None,
) -> Store:
    """Open the demo profile's cache, building it on first use (or when `rebuild`).

    The demo profile is disposable: a damaged one (or one from a newer Momentum) is moved
    aside — never deleted — and built again, and `notify` is told so.
    """
    path = path or locations.demo_db()
    if rebuild and path.exists():
        if queries.open_elsewhere(path):
            raise CacheUnavailableError(
                "The demo is open in another window, so it was not rebuilt.",
                "Quit that demo (q), then run `momentum demo --reset` again.",
            )
        for suffix in ("", "-wal", "-shm"):
            sidecar = path.with_name(path.name + suffix)
            if sidecar.exists():
                sidecar.unlink()
    try:
        store = Store.open(path)
    except (CorruptCacheError, SchemaTooNewError) as error:
        moved = move_aside(path)
        if notify is not None:
            notify(f"{error.title} It was moved to {moved.name} and the demo was built again.")
        store = Store.open(path)
    marker = store.get_pref(DEMO_MARKER)
    if marker is None or not marker.startswith(f"{DEMO_VERSION}:"):
        build_demo(store)
    return store
