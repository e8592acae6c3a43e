"""Simulated machines for the sync tests: each its own cache, talking to the real server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from momentum_tui.prefsync import queries
from momentum_tui.prefsync.client import BackendClient
from momentum_tui.prefsync.crypto import SyncKey
from momentum_tui.prefsync.engine import SyncEngine, SyncReport
from momentum_tui.storage import Store
from tests.factories import add, channel_id, make_video

if TYPE_CHECKING:
    from tests.support.backend import Backend

VIDEOS = 12
"""Every machine's cache holds the same dozen videos (as if synced from YouTube)."""


@dataclass
class Machine:
    """One device: a cache, a device token, the account's key."""

    name: str
    store: Store
    backend: Backend
    token: str
    key: SyncKey

    def client(self) -> BackendClient:
        """A client for the real server over loopback (quick retries for tests)."""
        return BackendClient(self.backend.url, self.token, timeout=10, retries=2, backoff=0.01)

    def sync(self, **engine_options: int) -> SyncReport:
        """One sync, as `momentum prefsync` does it."""
        with self.client() as client:
            return SyncEngine(self.store, client, self.key, **engine_options).sync()

    def preferences(self) -> dict[str, object]:
        """What a person would see of this machine's preferences."""
        with self.store.read() as conn:
            return {
                "follows": sorted(
                    r[0] for r in conn.execute("SELECT id FROM channels WHERE followed = 1")
                ),
                "groups": sorted(conn.execute("SELECT channel_id, tag FROM channel_tags")),
                "keywords": sorted(conn.execute("SELECT keyword, weight FROM keyword_prefs")),
                "rules": sorted(conn.execute("SELECT uid, text, spec, enabled FROM rules")),
                "marks": sorted(
                    conn.execute(
                        "SELECT video_id, watched_at IS NOT NULL, rating, hidden_at IS NOT NULL, "
                        "saved_at IS NOT NULL FROM video_state WHERE watched_at IS NOT NULL "
                        "OR rating != 0 OR hidden_at IS NOT NULL OR saved_at IS NOT NULL"
                    )
                ),
            }

    def records(self) -> dict[str, queries.StoredRecord]:
        """Every record this machine knows."""
        with self.store.read() as conn:
            return {s.record.name: s for s in queries.all_records(conn)}


def open_machine(directory: Path, name: str, backend: Backend, token: str, key: SyncKey) -> Machine:
    """A machine with a fresh cache holding the shared videos."""
    store = Store.open(directory / f"{name}.db")
    add(store, *(make_video(n, channel_id=channel_id(n % 3)) for n in range(VIDEOS)))
    return Machine(name, store, backend, token, key)
