"""Signing in and out, the sync key in the keyring, and the engine built from them.

The device token and the sync key live in the keyring (`secrets.py`: `backend` and
`sync-key`), never in SQLite; the cache keeps only which server and username it is
bound to and this device's ids. A token belongs to the server that issued it, so a sync
always goes to the server recorded at sign-in — `backend.url` (MOMENTUM_BACKEND_URL)
is where `momentum login` signs in when no `--server` is given.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass

from momentum_tui import sanitize, secrets
from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError, SecretsError
from momentum_tui.prefsync import queries
from momentum_tui.prefsync.client import BackendClient, BackendError, check_server_url
from momentum_tui.prefsync.crypto import SyncKey
from momentum_tui.storage import Store

log = logging.getLogger(__name__)

TOKEN = "backend"
KEY = "sync-key"
NEXT_KEY = "sync-key-next"


class NotSignedInError(MomentumError):
    """Sync was asked for on a machine that has not signed in."""


class MissingSyncKeyError(MomentumError):
    """Signed in, but this machine has no sync key yet."""


def not_signed_in() -> NotSignedInError:
    """The one sentence for a machine that is not signed in."""
    return NotSignedInError(
        "This machine isn't signed in to a sync server.",
        "Run `momentum login --server URL --user NAME` (add --new for a new account).",
    )


def missing_key() -> MissingSyncKeyError:
    """The one sentence for a machine without the account's key."""
    return MissingSyncKeyError(
        "This machine has no sync key yet, so it can't read your synced preferences.",
        "Run `momentum prefsync key --show` on a synced machine and enter the words here "
        "with `momentum prefsync key --set-stdin`.",
    )


def default_device_name() -> str:
    """The machine's hostname (what the server shows in `momentum devices`)."""
    name = sanitize.clean_line(socket.gethostname(), max_len=100)
    return name or "momentum"


def make_client(settings: Settings, server: str, token: str | None = None) -> BackendClient:
    """A client for `server` with the configured timeouts and retries."""
    backend = settings.backend
    return BackendClient(
        server, token, timeout=backend.timeout, retries=backend.retries, backoff=backend.backoff
    )


def sync_state(store: Store) -> queries.SyncState:
    """This cache's sync state."""
    with store.read() as conn:
        return queries.state(conn)


def current_key() -> SyncKey | None:
    """The sync key kept on this machine, if any."""
    stored = secrets.get_secret(KEY)
    return SyncKey.from_secret(stored) if stored else None


def store_key(key: SyncKey, *, allow_file: bool = False) -> str:
    """Keep `key` in the keyring (or the 0600 file when asked); returns where it went."""
    return secrets.set_secret(KEY, key.to_secret(), allow_file=allow_file)


@dataclass(frozen=True)
class LoginResult:
    """What `momentum login` did."""

    server: str
    username: str
    device_id: str
    made_key: SyncKey | None
    """A key made now because the account was empty: shown once, to be written down."""
    needs_key: bool
    """The account holds data and this machine has no key: it must be entered."""
    signed_out_previous: bool


def login(
    store: Store,
    settings: Settings,
    *,
    server: str,
    username: str,
    password: str,
    new: bool,
    device_name: str,
    allow_file: bool = False,
) -> LoginResult:
    """Sign in (registering first with `new`), keep the token, bind this cache to the account."""
    server = check_server_url(server)
    if not secrets.keyring_available() and not allow_file:
        raise SecretsError(
            "No system keyring is available on this machine, so the device token could not "
            "be kept; nothing was signed in.",
            "Re-run with --file to keep it in a file only you can read (0600).",
        )
    with make_client(settings, server) as client:
        if new:
            client.create_account(username, password)
        device_id, token = client.sign_in(username, password, device_name)
    previous = _sign_out_quietly(store, settings)
    secrets.set_secret(TOKEN, token, allow_file=allow_file)
    with store.write() as db:
        queries.set_account(
            db.conn,
            server=server,
            username=username.casefold(),
            server_device_id=device_id,
            device=os.urandom(16).hex(),  # a fresh id: a copied cache never shares one
        )
    made_key, needs_key = None, False
    if current_key() is None:
        with make_client(settings, server, token) as client:
            has_data = bool(client.pull(0, 1).records)
        if has_data:
            needs_key = True
        else:
            made_key = SyncKey.generate()
            store_key(made_key, allow_file=allow_file)
    return LoginResult(server, username.casefold(), device_id, made_key, needs_key, previous)


def _sign_out_quietly(store: Store, settings: Settings) -> bool:
    """Revoke this machine's earlier device, if it had one (signing in twice makes two)."""
    state = sync_state(store)
    token = secrets.get_secret(TOKEN)
    if not state.server or not token:
        return False
    try:
        with make_client(settings, state.server, token) as client:
            client.sign_out()
    except BackendError as error:
        log.info("could not sign the previous device out: %s", error.title)
        return False
    return True


def logout(store: Store, settings: Settings, *, forget_key: bool = False) -> str:
    """Sign this device out (revoking its token on the server); returns a sentence."""
    state = sync_state(store)
    token = secrets.get_secret(TOKEN)
    told_server = True
    if state.server and token:
        try:
            with make_client(settings, state.server, token) as client:
                client.sign_out()
        except BackendError as error:
            log.info("sign-out not confirmed: %s", error.title)
            told_server = False
    secrets.delete_secret(TOKEN)
    if forget_key:
        secrets.delete_secret(KEY)
    with store.write() as db:
        queries.clear_account(db.conn)
    if not state.server:
        return "This machine was not signed in; nothing to do."
    text = f"Signed out of {state.server}."
    if not told_server:
        text += (
            " The server could not be reached, so the device is still listed there: revoke it "
            "from another machine with `momentum devices revoke "
            f"{state.server_device_id}`."
        )
    text += " Your preferences stay on this machine" + (
        "; the sync key was removed from it." if forget_key else " and so does the sync key."
    )
    return text


def signed_in_client(store: Store, settings: Settings) -> BackendClient:
    """A client for the server this cache is signed in to, with its token."""
    state = sync_state(store)
    token = secrets.get_secret(TOKEN)
    if not state.server or not token:
        raise not_signed_in()
    return make_client(settings, state.server, token)


def delete_server_account(store: Store, settings: Settings, password: str) -> bool:
    """Erase this machine's sync account on the server, with all it holds; False if none.

    For `momentum forget`: the server deletes the account, its devices, tokens and
    records at once (it needs the password, so a stolen token can't do it). Then this
    machine forgets the token, the sync key and the account binding; its local
    preferences are left to the caller.
    """
    state = sync_state(store)
    if not state.server or not secrets.get_secret(TOKEN):
        return False
    with signed_in_client(store, settings) as client:
        client.delete_account(password)
    for name in (TOKEN, KEY, NEXT_KEY):
        secrets.delete_secret(name)
    with store.write() as db:
        queries.clear_account(db.conn)
    return True
