"""`momentum forget`: what Momentum keeps about a person on this machine, and removing it.

Everything is named before anything goes: the cache (and the demo profile, the copies
kept aside by restores and move-asides), the backups, the config file and the 0600
secrets file, the debug log, the keyring entries, and — when this machine is signed in
to a sync server — the account there. Only files Momentum made, by their names, are
removed, and then their directories if that leaves them empty: `MOMENTUM_HOME=~` can
never cost a person anything else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from momentum_tui import locations, secrets
from momentum_tui.recommend.memory import LAST_VISIT_PREF, SAVED_ORDER_PREF
from momentum_tui.storage.backup import human_bytes, list_backups
from momentum_tui.storage.files import stale_files

_SIDECARS = ("-wal", "-shm", "-journal")

_SECRET_LABELS = {
    "backend": "sync server's device token",
    "sync-key": "preference-sync key",
    "sync-key-next": "preference-sync key being rotated in",
}
"""How `forget` names the keyring entries of preference sync (`secrets.SECRETS`)."""

REMEMBERED_HISTORY = (LAST_VISIT_PREF, SAVED_ORDER_PREF)
"""Preferences that remember your history: they go with `forget --history`."""


@dataclass
class Item:
    """One thing `forget` removes: what to call it, and the files (or keyring entry) it is."""

    label: str
    paths: list[Path] = field(default_factory=list)
    secret: str = ""

    def size(self) -> int:
        """Bytes on disk."""
        return sum(p.stat().st_size for p in self.paths if p.is_file())

    def describe(self) -> str:
        """`the cache (11.4 MB)`, `3 backups (11.6 MB)`, `the YouTube Data API key`."""
        return f"{self.label} ({human_bytes(self.size())})" if self.paths else self.label


@dataclass
class Plan:
    """Everything `forget` would remove, and what it can't."""

    items: list[Item] = field(default_factory=list)
    server: str = ""
    """The sync server whose account goes too ('' when not signed in)."""
    account: str = ""
    """The username of that account."""
    left: list[str] = field(default_factory=list)
    """What Momentum can't remove itself (keys set in the environment, a custom file)."""
    directories: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per thing that goes, for the question."""
        lines = [item.describe() for item in self.items]
        if self.server:
            lines.insert(0, f"{self.account_name()}, with everything it stores")
        return lines

    def account_name(self) -> str:
        """`your account alice on https://sync.example`."""
        who = f" {self.account}" if self.account else ""
        return f"your account{who} on {self.server}"


def _with_sidecars(path: Path) -> list[Path]:
    return [p for p in (path, *(path.with_name(path.name + s) for s in _SIDECARS)) if p.exists()]


def _kept_aside(cache: Path) -> list[Path]:
    """Caches renamed aside by `doctor --move-aside` or a restore, with their WAL files."""
    if not cache.parent.is_dir():
        return []
    prefixes = (f"{cache.name}.corrupt-", f"{cache.name}.before-restore-")
    return sorted(p for p in cache.parent.iterdir() if p.name.startswith(prefixes))


def plan(
    cache: Path, oauth_client: Path | None = None, server: str = "", account: str = ""
) -> Plan:
    """What `forget` would remove for the cache at `cache` (and `account` on `server`)."""
    result = Plan(server=server, account=account)
    add = result.items.append
    if files := _with_sidecars(cache):
        add(Item("the cache", files))
    if aside := _kept_aside(cache):
        add(Item(f"{_count(len([p for p in aside if not p.name.endswith(_SIDECARS)]), 'copy')} "
                 "of the cache kept aside", aside))  # fmt: skip
    if backups := list_backups(cache.parent / "backups"):
        add(Item(_count(len(backups), "backup"), backups))
    demo = locations.demo_dir()
    if demo_files := _with_sidecars(locations.demo_db()) + list_backups(demo / "backups"):
        add(Item("the demo profile", demo_files))
    if locations.config_file().exists():
        add(Item("the config file", [locations.config_file()]))
    client = oauth_client or locations.config_dir() / "client_secret.json"
    if client.exists() and client.parent == locations.config_dir():
        add(Item("your Google OAuth client file", [client]))
    elif client.exists():
        result.left.append(f"your OAuth client file {client} (yours, outside Momentum's folder)")
    log = locations.log_dir() / "momentum.log"
    if log.exists():
        add(Item("the debug log", [log]))
    for name, spec in secrets.SECRETS.items():
        source = secrets.secret_source(name)
        if source in ("keyring", "file"):
            add(Item(f"the {_SECRET_LABELS.get(name, spec.label)}", secret=name))
        elif source == "env":
            result.left.append(f"{spec.env} (set in your environment)")
    if locations.secrets_file().exists():
        add(Item("the secrets file", [locations.secrets_file()]))
    places = (cache.parent, cache.parent / "backups", demo, demo / "backups")
    if unfinished := [path for place in places for path in stale_files(place)]:
        add(Item(_count(len(unfinished), "unfinished temporary file"), unfinished))
    result.directories = [
        cache.parent / "backups", demo / "backups", demo, cache.parent,
        locations.log_dir(), locations.config_dir(),
    ]  # fmt: skip
    return result


def _count(n: int, noun: str) -> str:
    plural = {"copy": "copies"}.get(noun, noun + "s")
    return f"{n} {noun if n == 1 else plural}"


def carry_out(forget: Plan, delete_account: Callable[[], None] | None = None) -> list[str]:
    """Remove everything in the plan (the server account first); what was removed."""
    removed: list[str] = []
    if forget.server and delete_account is not None:
        delete_account()  # raises before anything local is touched
        removed.append(forget.account_name())
    for item in forget.items:
        if item.secret:
            secrets.delete_secret(item.secret)
        description = item.describe()
        for path in item.paths:
            with suppress(FileNotFoundError):
                path.unlink()
        removed.append(description)
    for directory in forget.directories:
        with suppress(OSError):
            os.rmdir(directory)  # only when empty: nothing else of the person's goes
    return removed
