"""Rotating the sync key: every record re-sealed under a new key, replacing the server's set.

The order makes a crash at any point recoverable:

1. sync with the old key, so this device holds everything;
2. make the new key and keep it in the keyring as `sync-key-next` (the old one stays);
3. replace the server's set with every record sealed under the new key — one push
   with `replace` up to 500 records, a staged upload beyond — conditional on the
   revision (on 412: pull with the old key, merge, build the set again);
4. only then make the new key the key, and drop the old one.

If the process dies between 3 and 4, `settle` (run before every sync) finds which key
the server's key-check record opens with and keeps that one. Other devices learn of the
replace from the pull's `reset`, fail to open the new key check, and say that the key
was rotated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from momentum_tui import secrets
from momentum_tui.prefsync import local, queries
from momentum_tui.prefsync.account import KEY, NEXT_KEY
from momentum_tui.prefsync.client import BackendClient, BackendError, PreconditionFailedError
from momentum_tui.prefsync.crypto import KEY_CHECK_HASH, Cipher, SyncKey
from momentum_tui.prefsync.engine import MAX_ROUNDS, PAGE_BYTES, PAGE_RECORDS, SyncEngine
from momentum_tui.prefsync.records import Record
from momentum_tui.storage import Store

log = logging.getLogger(__name__)


def _parts(
    blobs: list[tuple[str, str]], records: int, size: int
) -> Iterator[list[tuple[str, str]]]:
    part: list[tuple[str, str]] = []
    used = 0
    for name, blob in blobs:
        cost = len(name) + len(blob) + 32
        if part and (len(part) >= records or used + cost > size):
            yield part
            part, used = [], 0
        part.append((name, blob))
        used += cost
    if part:
        yield part


def _replace(client: BackendClient, blobs: list[tuple[str, str]], revision: int) -> int:
    """Replace the server's set with `blobs`, atomically; the new revision (412 raises)."""
    parts = list(_parts(blobs, PAGE_RECORDS, PAGE_BYTES))
    if len(parts) <= 1:
        return client.push(parts[0] if parts else [], revision, replace=True)
    upload_id = client.open_upload()
    try:
        for part in parts:
            client.upload_part(upload_id, part)
        return client.commit_upload(upload_id, revision)
    except (BackendError, PreconditionFailedError):
        try:
            client.abandon_upload(upload_id)
        except BackendError:
            log.info("could not abandon upload (it expires by itself)")
        raise


def rotate_key(engine: SyncEngine, *, lost: bool = False) -> tuple[SyncKey, int]:
    """Re-seal everything under a new key (steps 1–4 above); returns it and the record count.

    `lost`: the old key is gone everywhere, so the server's copy can't be read — skip
    step 1 and replace it with what this machine holds.
    """
    if lost:
        with engine.store.write() as db:
            queries.set_revision(db.conn, int(engine.client.account()["revision"]))
    else:
        engine.sync()
    new_key = SyncKey.generate()
    secrets.set_secret(NEXT_KEY, new_key.to_secret(), allow_file=_kept_in_file())
    cipher = Cipher(new_key)
    for _round in range(MAX_ROUNDS):
        with engine.store.write() as db:
            local.fold_outbox(db.conn)
            revision = queries.state(db.conn).revision
            everything = [stored.record for stored in queries.all_records(db.conn)]
        blobs = [cipher.key_check(), *(cipher.seal(record) for record in everything)]
        try:
            new_revision = _replace(engine.client, blobs, revision)
        except PreconditionFailedError as moved:
            if lost:  # the server's copy is unreadable: only its revision matters
                with engine.store.write() as db:
                    queries.set_revision(db.conn, moved.revision)
            else:
                engine.pull()
            continue
        _adopt(engine.store, new_key, everything, new_revision)
        return new_key, len(everything)
    raise BackendError(
        "Other devices kept syncing during the key rotation; the old key is still in use.",
        "Run `momentum prefsync rotate-key` again when the other machines are idle.",
    )


def _kept_in_file() -> bool:
    return secrets.secret_source(KEY) == "file"


def _adopt(store: Store, key: SyncKey, pushed: list[Record], revision: int) -> None:
    """The server holds `pushed` under `key` at `revision`: make that this device's view."""
    secrets.set_secret(KEY, key.to_secret(), allow_file=_kept_in_file())
    secrets.delete_secret(NEXT_KEY)
    with store.write() as db:
        queries.forget_server_copy(db.conn, key.fingerprint())
        queries.mark_synced(db.conn, pushed)
        queries.set_revision(db.conn, revision)


def settle(store: Store, client: BackendClient, current: SyncKey | None) -> SyncKey | None:
    """Finish or undo a rotation a crash interrupted; returns the key to use."""
    stored = secrets.get_secret(NEXT_KEY)
    if not stored:
        return current
    next_key = SyncKey.from_secret(stored)
    blob = _server_key_check(client)
    if blob is not None and Cipher(next_key).opens_key_check(blob):
        secrets.set_secret(KEY, next_key.to_secret(), allow_file=_kept_in_file())
        with store.write() as db:
            queries.forget_server_copy(db.conn, next_key.fingerprint())
        current = next_key
        log.info("finished an interrupted key rotation")
    secrets.delete_secret(NEXT_KEY)
    return current


def _server_key_check(client: BackendClient) -> str | None:
    since = 0
    while True:
        page = client.pull(since, 1000)
        for remote in page.records:
            if remote.name == KEY_CHECK_HASH:
                return remote.blob
        if not page.more or not page.records:
            return None
        since = page.records[-1].revision
