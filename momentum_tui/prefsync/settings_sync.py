"""The synced subset of settings: how For you ranks and what the feed shows at start.

`SYNCED` lists them: every `[recommend]` weight, the `[feed]` defaults, and
`ui.plain_titles` / `ui.start_view` — what a person tunes once and wants everywhere.
Never synced: endpoints, budgets, quotas, timeouts, the theme and the keymap (they
belong to a machine or a terminal), and never a key.

A setting is a record `setting:<section>.<field>` whose value is `{"value": …}` while
`config.toml` sets it and a removal when the file leaves it at its default. The file is
yours to edit, so there is no trigger: each sync compares the file with the records
(`scan`) and queues what differs, stamped with the file's modification time. A remote
setting is written into `config.toml` (comments and layout kept, by tomlkit; the file
replaced atomically) before the sync's transaction commits, so a crash in between only
makes the next scan push the same value again. Environment overrides still win on the
machine that sets them; an app already open picks a change up at its next start.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from momentum_tui import locations
from momentum_tui.config import FeedSettings, RecommendSettings, validate_settings
from momentum_tui.prefsync import clock, queries
from momentum_tui.prefsync.records import Value
from momentum_tui.setting import SettingError

log = logging.getLogger(__name__)

PREFIX = "setting:"
SYNCED: tuple[str, ...] = (
    *(f"recommend.{name}" for name in RecommendSettings.fields()),
    *(f"feed.{name}" for name in FeedSettings.fields()),
    "ui.plain_titles",
    "ui.start_view",
)
"""The settings that sync (section.field)."""


def _file() -> Path:
    return locations.config_file()


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # unreadable: nothing to scan (the app and CLI say why elsewhere)


def file_value(key: str, data: dict[str, Any] | None = None) -> Value | None:
    """`{"value": …}` when config.toml sets `key`, None when it leaves it at its default."""
    data = _read(_file()) if data is None else data
    section, field = key.split(".", 1)
    table = data.get(section)
    if not isinstance(table, dict) or field not in table:
        return None
    return {"value": table[field]}


def scan(conn: sqlite3.Connection) -> int:
    """Queue the synced settings whose file value differs from their records; how many."""
    path = _file()
    data = _read(path)
    try:
        stamp = clock.at_ms(int(path.stat().st_mtime * 1000))
    except OSError:
        stamp = clock.tick(queries.state(conn).hlc)
    names = [PREFIX + key for key in SYNCED]
    known = queries.records_named(conn, names)
    queued = 0
    for key, name in zip(SYNCED, names, strict=True):
        current = known.get(name)
        value = file_value(key, data)
        if current is None and value is None:
            continue
        if current is not None and current.record.value == value:
            continue
        # The file changed after the record (or a first sight of a set value): stamp it with
        # when the file was written, never earlier than the record it replaces.
        floor = current.record.stamp.hlc + 1 if current else 0
        queries.queue(conn, name, max(stamp, floor))
        queued += 1
    return queued


def apply_setting(key: str, value: Value | None) -> bool:
    """Write a remote setting into config.toml; False (and nothing written) when invalid."""
    import tomlkit

    if key not in SYNCED:
        return True  # a setting this version does not sync: kept, not applied
    path = _file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as error:
        log.warning("config file unreadable, setting not applied: %s", error)
        return False
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError:
        log.warning("config file is not valid TOML; synced setting not applied")
        return False
    section, field = key.split(".", 1)
    table = document.get(section)
    if value is None:
        if table is None or field not in table:
            return True
        del table[field]
    else:
        if table is None:
            table = tomlkit.table()
            document[section] = table
        table[field] = value.get("value")
    try:
        validate_settings(document.unwrap())
    except SettingError:
        log.warning("synced setting %s is not valid here; not applied", key)
        return True  # never valid on this version: don't retry it forever
    _replace_file(path, tomlkit.dumps(document))
    return True


def _replace_file(path: Path, text: str) -> None:
    locations.ensure_dir(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
