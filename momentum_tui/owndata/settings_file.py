"""The config file's own values, for `export-data`, and adding to it, for `import-data`.

An export carries what the person wrote in `config.toml` — not the defaults, not the
environment — and never a secret (keys live in the keyring; no setting holds one). An
import adds the settings the local file doesn't have, keeps the ones it has (your
machine's choices win), skips any this version doesn't know, and keeps the file's
comments and layout (tomlkit). The file is rewritten atomically.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momentum_tui import locations
from momentum_tui.config import validate_settings
from momentum_tui.errors import ConfigError
from momentum_tui.setting import SettingError


def file_values(path: Path | None = None) -> dict[str, Any]:
    """The settings written in the config file, as tables (empty when there is no file)."""
    path = path or locations.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"The config file {path} can't be read ({error}).") from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML: {error}.") from error


@dataclass
class SettingsMerge:
    """Which settings an import added, kept as they were, or could not use."""

    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """`Settings: added 3 (ui.theme, …); kept 1 you had set differently.`"""
        if not (self.added or self.kept or self.unknown):
            return ""
        parts = []
        if self.added:
            parts.append(f"added {len(self.added)} ({', '.join(self.added)})")
        if self.kept:
            parts.append(f"kept {len(self.kept)} you had set already")
        if self.unknown:
            parts.append(f"skipped {len(self.unknown)} this version doesn't know "
                         f"({', '.join(self.unknown)})")  # fmt: skip
        return "Settings: " + "; ".join(parts) + "."


def merge_into_file(values: dict[str, Any], path: Path | None = None) -> SettingsMerge:
    """Add `values`' settings the config file lacks (validated one by one); keep the rest."""
    import tomlkit

    from momentum_tui.storage.files import atomic_output

    path = path or locations.config_file()
    merge = SettingsMerge()
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else None
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as error:
        raise ConfigError(
            f"The config file {path} can't be read, so no settings were imported ({error}).",
            "Fix it (`momentum config show` names the problem), then import again.",
        ) from error
    document = document if document is not None else tomlkit.document()
    for section, table in sorted(values.items()):
        if not isinstance(table, dict):
            merge.unknown.append(section)
            continue
        for key, value in sorted(table.items()):
            name = f"{section}.{key}"
            current = document.get(section)
            if isinstance(current, dict) and key in current:
                if current[key] != value:
                    merge.kept.append(name)
                continue
            trial = document.unwrap()
            trial.setdefault(section, {})[key] = value
            try:
                validate_settings(trial)
            except SettingError:
                merge.unknown.append(name)
                continue
            if section not in document:
                document[section] = tomlkit.table()
            document[section][key] = value
            merge.added.append(name)
    if merge.added:
        locations.ensure_dir(path.parent)
        with atomic_output(path) as out:
            out.write(tomlkit.dumps(document).encode("utf-8"))
    return merge
