"""One sync: pull and merge everything new, then push what the server lacks — safely.

1. Fold the outbox (local changes become records).
2. Pull every page since the revision this device has, open each blob, check the key
   (a key-check record that doesn't open stops the sync before anything is applied),
   and merge the lot in one transaction that also advances the revision.
3. Push the records the server lacks, in pages within the protocol's limits, each
   conditional on the revision (`If-Match`). A 412 means another device pushed first:
   pull, merge, push again. Each acknowledged page is marked in one transaction.

A failure anywhere leaves the outbox and the unsynced records as they were, so the next
sync sends them; repeating a push the server committed but never answered is harmless
(the same records come back in the next pull and simply match).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from momentum_tui.errors import MomentumError
from momentum_tui.prefsync import local, queries, settings_sync
from momentum_tui.prefsync.client import (
    BackendClient,
    BackendError,
    PreconditionFailedError,
    PullPage,
)
from momentum_tui.prefsync.crypto import KEY_CHECK_HASH, Cipher, SyncKey, UnreadableRecordError
from momentum_tui.prefsync.records import Record
from momentum_tui.storage import Store

log = logging.getLogger(__name__)

PAGE_RECORDS = 500
"""Most records in one push (the protocol's limit)."""
PAGE_BYTES = 900 * 1024
"""Most bytes of names and blobs in one push (the protocol allows 1 MiB with the JSON)."""
PULL_LIMIT = 1000
"""Records asked for per pull page (the protocol's cap)."""
MAX_ROUNDS = 6
"""Pull-merge-push rounds before giving up when other devices keep pushing first."""


class WrongKeyError(MomentumError):
    """This device's sync key is not the one the account's records are sealed with."""


@dataclass
class SyncReport:
    """What one sync did (`momentum prefsync --json`)."""

    pushed: int = 0
    pulled: int = 0
    applied: int = 0
    conflicts: int = 0
    waiting: int = 0
    unreadable: int = 0
    retries_412: int = 0
    pull_pages: int = 0
    push_pages: int = 0
    revision: int = 0
    server: str = ""
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The report as plain JSON."""
        return asdict(self)

    def sentence(self) -> str:
        """`Pushed 3 changes, pulled 5 (1 conflict resolved); the server is at revision 42.`"""
        parts = [f"Pushed {self.pushed} change{'s' if self.pushed != 1 else ''}"]
        parts.append(f"pulled {self.pulled}")
        extra = []
        if self.conflicts:
            extra.append(f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''} resolved")
        if self.waiting:
            extra.append(f"{self.waiting} waiting for videos or channels not synced here yet")
        if self.unreadable:
            extra.append(f"{self.unreadable} unreadable skipped")
        text = ", ".join(parts) + (f" ({'; '.join(extra)})" if extra else "")
        return f"{text}; the server is at revision {self.revision}."


def wrong_key_error() -> WrongKeyError:
    """The one sentence for a key that doesn't match the account's."""
    return WrongKeyError(
        "This machine's sync key is not the one your account's data is locked with "
        "(was it mistyped, or rotated on another machine?); nothing was changed.",
        "Enter the words from `momentum prefsync key --show` on a synced machine with "
        "`momentum prefsync key --set-stdin`.",
    )


class SyncEngine:
    """Syncs one cache with one account, sealing with one key."""

    def __init__(
        self,
        store: Store,
        client: BackendClient,
        key: SyncKey,
        *,
        page_records: int = PAGE_RECORDS,
        page_bytes: int = PAGE_BYTES,
        pull_limit: int = PULL_LIMIT,
    ) -> None:
        self.store = store
        self.client = client
        self.key = key
        self.cipher = Cipher(key)
        self.page_records = page_records
        self.page_bytes = page_bytes
        self.pull_limit = pull_limit

    # --- state ------------------------------------------------------------------------------

    def _state(self) -> queries.SyncState:
        with self.store.read() as conn:
            return queries.state(conn)

    def _adopt_key(self) -> None:
        """A key this cache has not synced with: what the server holds must be re-learnt."""
        fingerprint = self.key.fingerprint()
        if self._state().key_fingerprint != fingerprint:
            with self.store.write() as db:
                queries.forget_server_copy(db.conn, fingerprint)

    # --- one sync ---------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        """Pull, merge, push until the server and this device agree (or a sentence says why)."""
        started = time.monotonic()
        report = SyncReport(server=self.client.server)
        self._adopt_key()
        with self.store.write() as db:
            settings_sync.scan(db.conn)  # config.toml has no triggers: compare it instead
            local.fold_outbox(db.conn)
        needs_key_check = False
        for _round in range(MAX_ROUNDS):
            needs_key_check = self.pull(report) or needs_key_check
            try:
                self._push(report, with_key_check=needs_key_check)
            except PreconditionFailedError as moved:
                report.retries_412 += 1
                log.info("push refused: server moved on to revision %s", moved.revision)
                continue
            break
        else:
            raise BackendError(
                "Other devices kept syncing while this one pushed; nothing was lost.",
                "Run `momentum prefsync` again in a moment.",
            )
        report.revision = self._state().revision
        report.seconds = round(time.monotonic() - started, 3)
        with self.store.write() as db:
            queries.set_outcome(db.conn, {"ok": True, **report.as_json()}, int(time.time()))
        return report

    def pull(self, report: SyncReport | None = None) -> bool:
        """Pull and merge everything new; True when the server has no key-check record yet."""
        report = report or SyncReport()
        since = self._state().revision
        from_scratch = since == 0
        records: list[Record] = []
        saw_key_check = False
        unreadable = 0
        revision = since
        reset = False
        for page in self._pages(since):
            report.pull_pages += 1
            if page.reset:  # the set was replaced (a key rotation): this is all of it, from 0
                records, saw_key_check, unreadable, reset = [], False, 0, True
                from_scratch = True
            revision = page.revision
            for remote in page.records:
                if remote.name == KEY_CHECK_HASH:
                    if not self.cipher.opens_key_check(remote.blob):
                        raise wrong_key_error()
                    saw_key_check = True
                    continue
                try:
                    records.append(self.cipher.open(remote.name, remote.blob))
                except UnreadableRecordError as why:
                    unreadable += 1
                    log.warning("record at revision %s unreadable: %s", remote.revision, why)
        if unreadable and not records and not saw_key_check:
            raise wrong_key_error()  # nothing opens and no key check: another key's data
        outcome = local.merge_remote(self.store, records, revision=revision, reset=reset)
        report.pulled += len(records)
        report.applied += outcome.applied
        report.conflicts += outcome.conflicts
        report.waiting = outcome.waiting
        report.unreadable += unreadable
        return from_scratch and not saw_key_check

    def _pages(self, since: int) -> Iterator[PullPage]:
        cursor = since
        while True:
            page = self.client.pull(cursor, self.pull_limit)
            yield page
            if not page.more or not page.records:
                return
            cursor = page.records[-1].revision

    def _push(self, report: SyncReport, *, with_key_check: bool) -> None:
        with self.store.write() as db:
            local.fold_outbox(db.conn)
            pending = queries.unsynced(db.conn)
        sealed = [(record, *self.cipher.seal(record)) for record in pending]
        extra = [self.cipher.key_check()] if with_key_check else []
        if not sealed and not extra:
            return
        for page, blobs in self._paged(sealed, extra):
            revision = self._state().revision
            new_revision = self.client.push(blobs, revision)
            with self.store.write() as db:
                queries.mark_synced(db.conn, page)
                queries.set_revision(db.conn, new_revision)
            report.push_pages += 1
            report.pushed += len(page)

    def _paged(
        self, sealed: list[tuple[Record, str, str]], extra: list[tuple[str, str]]
    ) -> Iterator[tuple[list[Record], list[tuple[str, str]]]]:
        page: list[Record] = []
        blobs: list[tuple[str, str]] = list(extra)
        size = sum(len(n) + len(b) + 32 for n, b in blobs)
        for record, name, blob in sealed:
            cost = len(name) + len(blob) + 32
            if blobs and (len(blobs) >= self.page_records or size + cost > self.page_bytes):
                yield page, blobs
                page, blobs, size = [], [], 0
            page.append(record)
            blobs.append((name, blob))
            size += cost
        if blobs:
            yield page, blobs
