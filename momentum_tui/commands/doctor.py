"""`momentum doctor`: paths, schema, cache health, keyring and keys (never their values).

It exits 1 when something would stop Momentum: a home it can't write, a damaged cache,
or a cache written by a newer Momentum (that one is healthy, so `--move-aside` never
moves it: upgrading Momentum is the fix).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import click

from momentum_tui import __version__, locations, secrets
from momentum_tui.commands.common import Context, emit_json, json_option, pass_context
from momentum_tui.errors import (
    CorruptCacheError,
    DataDirError,
    MomentumError,
    SchemaTooNewError,
)
from momentum_tui.storage import Store
from momentum_tui.storage.cache_errors import is_damage, open_error
from momentum_tui.storage.db import move_aside
from momentum_tui.storage.migrations import known_names

BROKEN = ("damaged",)
"""Cache states `--move-aside` moves out of the way: never "newer" (that cache is fine),
nor "unavailable" (it can't be read right now — a disk error, a lock, its permissions —
which says nothing about its bytes; moving it aside would only hide the person's data)."""


def _cache_report(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"path": str(path), "exists": path.exists()}
    if not path.exists():
        report["status"] = "not created yet"
        return report
    report["bytes"] = path.stat().st_size
    try:
        with Store.open(path, migrate=False) as store:
            report["schema_version"] = store.schema_version()
            report["schema_known"] = len(known_names())
            report["integrity"] = store.integrity_check()
        report["status"] = "ok" if report["integrity"] == ["ok"] else "damaged"
    except SchemaTooNewError as error:
        report["status"] = "newer"
        report["error"] = error.title
    except CorruptCacheError as error:
        report["status"] = "damaged"
        report["error"] = error.title
    except MomentumError as error:
        report["status"] = "unavailable"
        report["error"] = f"{error.title} {error.hint}".strip()
    except sqlite3.DatabaseError as error:  # while checking it, past the opening
        report["status"] = "damaged" if is_damage(error) else "unavailable"
        failure = open_error(path, error)
        report["error"] = f"{failure.title} {'' if is_damage(error) else failure.hint}".strip()
    return report


def _writable(directory: Path) -> str | None:
    """Why Momentum can't write in `directory` (made if missing, as any command would)."""
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        return f"{existing} is a file, not a directory"
    try:
        locations.ensure_dir(directory)
    except DataDirError as error:
        return error.title.removeprefix("Momentum ").rstrip(".")
    try:  # the real test: root passes os.access everywhere, a read-only mount does not
        descriptor, probe = tempfile.mkstemp(dir=directory, prefix=".momentum-doctor-")
    except OSError as error:
        return f"can't write to {directory} ({error.strerror or error})"
    os.close(descriptor)
    os.unlink(probe)
    return None


@click.command()
@json_option
@click.option(
    "--move-aside",
    "move_aside_cache",
    is_flag=True,
    help="If the cache is damaged, rename it out of the way so a fresh one is made.",
)
@pass_context
def doctor(state: Context, as_json: bool, move_aside_cache: bool) -> None:
    """Check paths, the cache, the keyring and which keys are set."""
    move = move_aside_cache
    config_error = None
    try:
        _ = state.settings
    except MomentumError as error:
        config_error = error.title
    home_problem = _writable(locations.config_dir()) or _writable(locations.data_dir())
    if home_problem is not None:  # nothing else can be checked, or will work, until then
        raise DataDirError(
            f"Momentum can't write its files: {home_problem}.",
            f"Fix its permissions, or point {locations.HOME_ENV} at a directory you can write.",
        )
    cache = _cache_report(state.cache_path())
    moved_to = None
    if move and cache["status"] in BROKEN:
        moved_to = str(move_aside(state.cache_path()))
    report = {
        "version": __version__,
        "paths": {
            "config_file": str(locations.config_file()),
            "data_dir": str(locations.data_dir()),
            "cache": str(state.cache_path()),
            "demo_cache": str(locations.demo_db()),
            "home_override": str(locations.home_override() or ""),
        },
        "config": {"ok": config_error is None, "error": config_error},
        "cache": cache,
        "keyring": {
            "backend": secrets.keyring_backend_name(),
            "name": secrets.keyring_backend_words(),
            "available": secrets.keyring_available(),
        },
        "keys": {name: secrets.secret_source(name) for name in secrets.SECRETS},
        "moved_aside_to": moved_to,
    }
    if as_json:
        emit_json(report)
    else:
        _print_report(report)
    if cache["status"] == "newer":
        raise SchemaTooNewError(
            f"{cache['error']} `--move-aside` leaves it alone: it is not damaged.",
            "Upgrade Momentum (`pip install -U momentum-tui`) to use it.",
        )
    if cache["status"] in (*BROKEN, "unavailable") and not moved_to:
        raise SystemExit(1)


def _print_report(report: dict[str, Any]) -> None:
    def line(label: str, value: object, good: bool | None = None) -> None:
        mark = "" if good is None else ("✓ " if good else "✗ ")
        click.echo(f"  {mark}{label:<14} {value}")

    click.echo(f"Momentum {report['version']}")
    paths = report["paths"]
    click.echo("Paths")
    line("config file", paths["config_file"])
    line("cache", paths["cache"])
    line("demo cache", paths["demo_cache"])
    if paths["home_override"]:
        line("MOMENTUM_HOME", paths["home_override"])
    line("writable", "yes", True)
    click.echo("Config")
    line(
        "config",
        "ok" if report["config"]["ok"] else report["config"]["error"],
        report["config"]["ok"],
    )
    cache = report["cache"]
    click.echo("Cache")
    if not cache["exists"]:
        line("status", "not created yet (it is made on first use)")
    else:
        line("size", f"{cache['bytes']:,} bytes")
        if "schema_version" in cache:
            line(
                "schema",
                f"{cache['schema_version']} of {cache['schema_known']} steps",
                cache["schema_version"] == cache["schema_known"],
            )
            line("integrity", ", ".join(cache["integrity"][:3]), cache["integrity"] == ["ok"])
        if "error" in cache:
            line("status", cache["error"], False)
    if report["moved_aside_to"]:
        click.echo(
            f"  Moved the damaged cache to {report['moved_aside_to']}; a fresh one "
            "will be made on next use."
        )
    elif cache["status"] in BROKEN:
        click.echo(
            "  Run `momentum doctor --move-aside` to move it out of the way and start "
            "fresh (nothing is deleted)."
        )
    elif cache["status"] == "unavailable":
        click.echo("  It is not known to be damaged, so `--move-aside` leaves it where it is.")
    click.echo("Keys")
    keyring = report["keyring"]
    line("keyring", keyring["name"], keyring["available"])
    for name, source in report["keys"].items():
        line(name, f"set ({source})" if source else "not set", source is not None)
