"""`momentum doctor`: paths, schema, cache health, keyring and keys (never their values)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import click

from momentum_tui import __version__, locations, secrets
from momentum_tui.commands.common import Context, emit_json, json_option, pass_context
from momentum_tui.errors import CacheError, MomentumError
from momentum_tui.storage import Store
from momentum_tui.storage.db import move_aside
from momentum_tui.storage.migrations import known_names


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
    except (CacheError, sqlite3.DatabaseError) as error:
        report["status"] = "damaged" if not isinstance(error, CacheError) else "unusable"
        report["error"] = error.title if isinstance(error, MomentumError) else str(error)
    return report


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
    cache = _cache_report(state.cache_path())
    moved_to = None
    if move and cache["status"] in ("damaged", "unusable"):
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
            "available": secrets.keyring_available(),
        },
        "keys": {name: secrets.secret_source(name) for name in secrets.SECRETS},
        "moved_aside_to": moved_to,
    }
    if as_json:
        emit_json(report)
    else:
        _print_report(report)
    if cache["status"] in ("damaged", "unusable") and not moved_to:
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
    elif cache["status"] in ("damaged", "unusable"):
        click.echo(
            "  Run `momentum doctor --move-aside` to move it out of the way and start "
            "fresh (nothing is deleted)."
        )
    click.echo("Keys")
    keyring = report["keyring"]
    line("keyring", keyring["backend"], keyring["available"])
    for name, source in report["keys"].items():
        line(name, f"set ({source})" if source else "not set", source is not None)
