"""What the command line and the app call: build the engine from the keyring, sync, rotate.

Everything blocking (the network, SQLite) happens in the caller's thread: the app calls
these from a worker, never from its event loop.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.prefsync import account, queries, rotate
from momentum_tui.prefsync.crypto import SyncKey
from momentum_tui.prefsync.engine import SyncEngine, SyncReport
from momentum_tui.storage import Store


def open_engine(store: Store, settings: Settings) -> SyncEngine:
    """The engine for this machine's account and key; a sentence when either is missing."""
    client = account.signed_in_client(store, settings)
    try:
        key = rotate.settle(store, client, account.current_key())
        if key is None:
            raise account.missing_key()
    except BaseException:
        client.close()
        raise
    return SyncEngine(store, client, key)


def sync_now(store: Store, settings: Settings) -> SyncReport:
    """One full sync (pull, merge, push); raises a `MomentumError` with a sentence on failure."""
    try:
        engine = open_engine(store, settings)
        with engine.client:
            return engine.sync()
    except MomentumError as error:
        with store.write() as db:
            queries.set_outcome(db.conn, {"ok": False, "error": error.title}, int(time.time()))
        raise


def rotate_key(store: Store, settings: Settings, *, lost: bool = False) -> tuple[SyncKey, int]:
    """Re-seal every record under a new key; returns the key (to show once) and how many.

    `lost`: no machine has the old key any more — replace the server's unreadable copy
    with this machine's preferences (nothing is pulled first).
    """
    if lost:
        client = account.signed_in_client(store, settings)
        engine = SyncEngine(store, client, account.current_key() or SyncKey.generate())
    else:
        engine = open_engine(store, settings)
    with engine.client:
        return rotate.rotate_key(engine, lost=lost)


@dataclass(frozen=True)
class SyncSummary:
    """What the app's status bar says about sync (read from the cache, no network)."""

    signed_in: bool
    unsent: int
    waiting: int
    last_sync_at: int | None
    last_ok: bool | None
    last_error: str

    @property
    def state(self) -> str:
        """`off` (not signed in), `error` (the last sync failed), `pending` or `synced`."""
        if not self.signed_in:
            return "off"
        if self.last_ok is False:
            return "error"
        return "pending" if self.unsent else "synced"


def summary(store: Store) -> SyncSummary:
    """How sync stands on this machine, for the status bar and `prefsync status`."""
    with store.read() as conn:
        state = queries.state(conn)
        _known, unsent, waiting = queries.counts(conn)
    last: dict[str, object] = json.loads(state.last_outcome) if state.last_outcome else {}
    ok = last.get("ok")
    return SyncSummary(
        signed_in=bool(state.server),
        unsent=unsent,
        waiting=waiting,
        last_sync_at=state.last_sync_at,
        last_ok=bool(ok) if ok is not None else None,
        last_error=str(last.get("error") or ""),
    )
