"""Settings: built-in defaults < the TOML file < `MOMENTUM_<SECTION>_<FIELD>` environment.

Every external endpoint is a setting (the sections and their defaults are in
`config_sections.py`), so the real code can be pointed at loopback emulators by tests and
benchmarks (and at anything else by curious users):

    MOMENTUM_YOUTUBE_API_ROOT, MOMENTUM_YOUTUBE_FEED_ROOT, MOMENTUM_YOUTUBE_PAGE_ROOT,
    MOMENTUM_YOUTUBE_OAUTH_AUTH_URI, MOMENTUM_YOUTUBE_OAUTH_TOKEN_URI,
    MOMENTUM_CLAUDE_BASE_URL, MOMENTUM_BACKEND_URL, MOMENTUM_CACHE_THUMBNAIL_ROOT

Nothing else in the code names a host.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, get_origin

from momentum_tui import locations
from momentum_tui.config_sections import (
    BackendSettings,
    BackupSettings,
    CacheSettings,
    ClaudeSettings,
    FeedSettings,
    NotifySettings,
    PlayerSettings,
    RecommendSettings,
    UISettings,
    YouTubeSettings,
)
from momentum_tui.errors import ConfigError
from momentum_tui.setting import Section, SettingError, setting

ENV_PREFIX = "MOMENTUM_"

__all__ = [
    "ENV_PREFIX",
    "BackendSettings",
    "BackupSettings",
    "CacheSettings",
    "ClaudeSettings",
    "FeedSettings",
    "NotifySettings",
    "PlayerSettings",
    "RecommendSettings",
    "Settings",
    "UISettings",
    "YouTubeSettings",
    "describe_settings",
    "env_name",
    "load_settings",
    "validate_settings",
]


class Settings(Section):
    """All settings. Read with `load_settings()`."""

    youtube: YouTubeSettings = setting(default_factory=YouTubeSettings)
    claude: ClaudeSettings = setting(default_factory=ClaudeSettings)
    backend: BackendSettings = setting(default_factory=BackendSettings)
    backup: BackupSettings = setting(default_factory=BackupSettings)
    feed: FeedSettings = setting(default_factory=FeedSettings)
    ui: UISettings = setting(default_factory=UISettings)
    recommend: RecommendSettings = setting(default_factory=RecommendSettings)
    player: PlayerSettings = setting(default_factory=PlayerSettings)
    notify: NotifySettings = setting(default_factory=NotifySettings)
    cache: CacheSettings = setting(default_factory=CacheSettings)
    keymap: dict[str, str] = setting(
        default_factory=dict, description='Binding id → keys, e.g. `"video.like" = "l,+"`.'
    )


def env_name(section: str, field: str) -> str:
    """The environment variable that overrides `section.field`."""
    return f"{ENV_PREFIX}{section}_{field}".upper()


def _raw_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"The config file {path} can't be read ({error}).",
            "Fix its permissions or encoding (UTF-8), or move it aside.",
        ) from error
    import tomllib  # only when there is a config file (most launches have none)

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"The config file {path} is not valid TOML: {error}.",
            "Fix that line; `momentum config show` lists every setting and its default.",
        ) from error


def _sections() -> dict[str, type[Section]]:
    """Settings' sections by name (every field but `keymap`)."""
    found: dict[str, type[Section]] = {}
    for name, field in Settings.fields().items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, Section):
            found[name] = field.annotation
    return found


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    overrides: dict[str, dict[str, Any]] = {}
    for section_name, section in _sections().items():
        for field_name, field in section.fields().items():
            name = env_name(section_name, field_name)
            value = environ.get(name)
            if value is None:
                continue
            if get_origin(field.annotation) in (dict, list):
                # Tables and lists come as JSON: MOMENTUM_CLAUDE_PRICES='{"model": {…}}'.
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as error:
                    raise ConfigError(
                        f"The environment variable {name} is not valid JSON ({error.msg}, "
                        f"at character {error.pos}).",
                        'Write it as JSON, e.g. \'{"name": {"key": 1.0}}\', or unset it.',
                    ) from error
            overrides.setdefault(section_name, {})[field_name] = value
    return overrides


def _line_of(text: str, loc: tuple[str, ...]) -> int | None:
    """The line of `section.key` (or of `[section]`) in a TOML text, when it can be found."""
    if not loc:
        return None
    section, key = loc[0], loc[1] if len(loc) > 1 else None
    current = ""
    section_line = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and not line.startswith("[["):
            current = line.strip("[] \t").strip()
            if current == section:
                section_line = number
            continue
        name = line.split("=", 1)[0].strip().strip("\"'")
        if key is not None and current == section and "=" in line and name == key:
            return number
    return section_line


def _describe(error: SettingError, origin: str, section: str = "", text: str = "") -> str:
    loc = tuple(part for part in (section, *error.loc) if part != "")
    where = ".".join(loc)
    line = _line_of(text, loc)
    origin = f"{origin}, line {line}" if line else origin
    if error.kind == "extra_forbidden":
        return f"{origin}: unknown setting `{where}`"
    return f"{origin}: `{where}` {error.msg.lower()}"


_FILE_HINT = "Fix or remove that line; `momentum config show` prints every setting."


def load_settings(
    path: Path | None = None, environ: dict[str, str] | None = None, *, use_file: bool = True
) -> Settings:
    """Read settings from the config file and the environment; raise `ConfigError` if malformed.

    The environment wins over the file, field by field. `use_file=False` leaves the file
    out (defaults and environment only): what `momentum config show` falls back on to show
    something useful beside a broken file's error. Errors name the file's line.
    """
    path = path or locations.config_file()
    environ = dict(os.environ) if environ is None else environ
    data = _read_toml(path) if use_file else {}
    sections = _sections()
    for key in data:
        if key not in Settings.fields():
            line = _line_of(_raw_text(path), (key,))
            where = f"{path}, line {line}" if line else str(path)
            raise ConfigError(f"{where}: unknown setting `{key}`.", _FILE_HINT)
    overrides = _env_overrides(environ)
    values: dict[str, Any] = {}
    for name, section in sections.items():
        given = data.get(name, {})
        try:
            if not isinstance(given, dict):
                raise SettingError((), "Input should be a valid dictionary", "model_type")
            validated = section.from_dict(given)
        except SettingError as error:
            problem = _describe(error, str(path), name, _raw_text(path))
            raise ConfigError(f"{problem}.", _FILE_HINT) from error
        for field, value in overrides.get(name, {}).items():
            try:
                setattr(validated, field, value)
            except SettingError as error:
                raise ConfigError(
                    f"The environment variable {env_name(name, field)} is invalid: "
                    f"{error.msg.lower()}.",
                    "Fix or unset it.",
                ) from error
        values[name] = validated
    try:
        values["keymap"] = Settings.fields()["keymap"].coerce(data.get("keymap", {}))
    except SettingError as error:
        problem = _describe(error, str(path), text=_raw_text(path))
        raise ConfigError(f"{problem}.", _FILE_HINT) from error
    return Settings(**values)


def validate_settings(data: dict[str, Any]) -> Settings:
    """Settings from a whole config document (a TOML file's tables); `SettingError` if not."""
    return Settings.from_dict(data)


def describe_settings(settings: Settings) -> list[tuple[str, str, str]]:
    """Rows of (key, value, description) for `momentum config show`."""
    rows: list[tuple[str, str, str]] = []
    for section_name in Settings.fields():
        section = getattr(settings, section_name)
        if isinstance(section, Section):
            for field_name, field in type(section).fields().items():
                value = getattr(section, field_name)
                rows.append((f"{section_name}.{field_name}", repr(value), field.description or ""))
        else:
            for binding_id, keys in sorted(section.items()):
                rows.append((f"{section_name}.{binding_id}", repr(keys), "remapped keys"))
    return rows
