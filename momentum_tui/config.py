"""Settings: built-in defaults < the TOML file < `MOMENTUM_<SECTION>_<FIELD>` environment.

Every external endpoint is a setting here, so the real code can be pointed at loopback
emulators by tests and benchmarks (and at anything else by curious users):

    MOMENTUM_YOUTUBE_API_ROOT, MOMENTUM_YOUTUBE_FEED_ROOT, MOMENTUM_YOUTUBE_PAGE_ROOT,
    MOMENTUM_YOUTUBE_OAUTH_AUTH_URI, MOMENTUM_YOUTUBE_OAUTH_TOKEN_URI,
    MOMENTUM_CLAUDE_BASE_URL, MOMENTUM_BACKEND_URL, MOMENTUM_CACHE_THUMBNAIL_ROOT

Nothing else in the code names a host.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from momentum_tui import locations
from momentum_tui.errors import ConfigError

ENV_PREFIX = "MOMENTUM_"


class Section(BaseModel):
    """Base for a settings section: unknown keys are errors, values are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class YouTubeSettings(Section):
    """How Momentum talks to YouTube."""

    api_root: str = Field(
        "https://www.googleapis.com", description="Root of the YouTube Data API v3."
    )
    feed_root: str = Field(
        "https://www.youtube.com/feeds/videos.xml",
        description="Channel Atom feeds (free mode); `?channel_id=UC…` is appended.",
    )
    page_root: str = Field(
        "https://www.youtube.com",
        description="YouTube's public channel pages, read to resolve an @handle without a key.",
    )
    oauth_auth_uri: str = Field(
        "https://accounts.google.com/o/oauth2/auth", description="OAuth consent page."
    )
    oauth_token_uri: str = Field(
        "https://oauth2.googleapis.com/token", description="OAuth token endpoint."
    )
    daily_quota: int = Field(10_000, ge=1, description="Daily quota budget in units.")
    warn_at: float = Field(0.8, gt=0, le=1, description="Warn when this share is spent.")
    concurrency: int = Field(8, ge=1, le=32, description="Channels synced at once.")
    backfill: int = Field(50, ge=0, le=5000, description="Uploads fetched for a new channel.")
    rss: bool = Field(False, description="Free mode: use channel feeds to find what changed.")
    timeout: float = Field(20.0, gt=0, description="Seconds before a request times out.")
    cooldown_minutes: int = Field(
        10, ge=0, description="Minimum minutes between two syncs of one channel."
    )
    retries: int = Field(
        4, ge=0, le=10,
        description="Retries after a rate limit, server error or timeout before giving up.",
    )  # fmt: skip
    backoff: float = Field(
        1.0, gt=0, le=60, description="First retry delay in seconds; doubles each retry, jittered."
    )
    stats_refresh_days: int = Field(
        3, ge=0, le=60, description="Refresh view counts of videos published in this many days."
    )
    stats_max_age_hours: float = Field(
        6.0, ge=0, description="Refresh a recent video's view count when older than this."
    )
    stats_refresh_max: int = Field(
        100, ge=0, le=5000,
        description="Most videos refreshed per sync beyond free room in other calls (50 = 1 unit).",
    )  # fmt: skip
    channel_refresh_days: int = Field(
        7, ge=0, description="Re-read channel titles and avatars this often (1 unit per 50)."
    )
    oauth_client_file: str = Field(
        "",
        description="OAuth client JSON from Google Cloud (`signin`); default: "
        "client_secret.json next to config.toml.",
    )


class ClaudeSettings(Section):
    """How Momentum talks to Claude."""

    base_url: str = Field("https://api.anthropic.com", description="Claude API root.")
    model: str = Field("claude-haiku-5-5", description="Model used for labels and rules.")
    batch_size: int = Field(25, ge=1, le=100, description="Videos per request.")
    daily_budget_usd: float = Field(0.50, ge=0, description="Stop before spending more today.")
    monthly_budget_usd: float = Field(
        5.00, ge=0, description="Stop before spending more this month."
    )
    prices: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "claude-haiku-5-5": {
                "input": 1.00,
                "output": 5.00,
                "cache_write": 1.25,
                "cache_read": 0.10,
            },
        },
        description="Dollars per million tokens, by model: input, output, cache_write, cache_read.",
    )
    batch_discount: float = Field(
        0.5, gt=0, le=1, description="Price factor for the Message Batches API (half price)."
    )
    output_mode: Literal["json_schema", "tool"] = Field(
        "json_schema", description="Structured output (`json_schema`) or a forced tool (`tool`)."
    )
    output_tokens_per_video: int = Field(
        160, ge=40, le=1000, description="Answer room per video (max_tokens = this × videos)."
    )
    label_language: str = Field(
        "en", description="Language of plain titles and summaries; `original` keeps each video's."
    )
    concurrency: int = Field(4, ge=1, le=16, description="Requests in flight at once.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries of one request (429/529/5xx).")
    max_wait_seconds: float = Field(
        120.0, ge=0, description="Longest wait Claude may ask for before the run stops."
    )
    timeout: float = Field(120.0, gt=0, description="Seconds before a request times out.")
    batch_poll_seconds: float = Field(
        30.0, gt=0, description="Seconds between checks on a submitted batch."
    )


class BackendSettings(Section):
    """The optional hosted Momentum backend for preference sync."""

    url: str = Field(
        "https://sync.momentum-tui.dev",
        description="Sync server for `momentum login` (https://, or http:// to this machine).",
    )
    timeout: float = Field(15.0, gt=0, le=300, description="Seconds before a request times out.")
    retries: int = Field(
        3, ge=0, le=10, description="Retries after a dropped connection, a 429 or a 5xx."
    )
    backoff: float = Field(
        0.5, gt=0, le=60, description="First retry delay in seconds; doubles each retry, jittered."
    )
    sync_after_seconds: float = Field(
        5.0,
        ge=0,
        description="In the app, sync this long after the last local change (0: only at start "
        "and on demand).",
    )


class BackupSettings(Section):
    """Automatic backups of the cache (`momentum backup` makes one whenever you like)."""

    keep: int = Field(
        7, ge=0, le=365,
        description="Automatic backups kept in the data directory (one a day when the app "
        "opens, and one before each schema upgrade); 0 turns them off.",
    )  # fmt: skip


class FeedSettings(Section):
    """What the feed shows when the app starts."""

    sort: Literal["newest", "views", "longest", "shortest", "channel"] = Field(
        "newest", description="Default order."
    )
    unwatched_only: bool = Field(False, description="Show only unwatched videos.")
    hide_shorts: bool = Field(False, description="Hide Shorts.")
    hide_live: bool = Field(False, description="Hide live and upcoming streams.")


class UISettings(Section):
    """Look and feel of the app."""

    theme: str = Field("textual-dark", description="Textual theme name.")
    plain_titles: bool = Field(False, description="Show de-baited titles when labels exist.")
    start_view: Literal["for-you", "subscriptions"] = Field(
        "for-you", description="The tab the app opens on: for-you (ranked) or subscriptions."
    )
    watch_seconds: float = Field(
        2.0,
        ge=0,
        description="How often the app looks for changes made outside it (a cron sync, "
        "`momentum mark`) and shows them; 0 turns it off.",
    )
    thumbnails: bool = Field(True, description="Show the highlighted video's thumbnail.")
    thumbnail_protocol: Literal["auto", "kitty", "sixel", "halfblocks"] = Field(
        "auto",
        description="How thumbnails are drawn: auto (kitty graphics or Sixel where the "
        "terminal says it has them, else half-blocks), kitty, sixel or halfblocks.",
    )


class PlayerSettings(Section):
    """How videos are played (`p`, `P`, `momentum play`)."""

    command: str = Field(
        "",
        description="Player command line with {url} (e.g. `vlc {url}`); empty: mpv with "
        "yt-dlp, which also remembers positions and marks videos watched.",
    )
    audio_command: str = Field(
        "", description="Command line for audio only (`P`); empty: mpv without video."
    )
    watched_at: float = Field(
        0.9, gt=0, le=1, description="Mark a video watched once this share is played (mpv)."
    )
    resume: bool = Field(True, description="Start where playback stopped last time (mpv).")


class NotifySettings(Section):
    """Announcing new uploads of the channels you chose (`N` on the channels screen) and of
    notify rules."""

    desktop: bool = Field(True, description="Show a desktop notification after a sync.")
    command: str = Field(
        "",
        description="Instead, run this command with the new videos as JSON on standard "
        "input (e.g. `ntfy publish --title Momentum my-topic`).",
    )


class CacheSettings(Section):
    """Files kept beside the cache."""

    thumbnail_mb: float = Field(
        50.0, ge=0, description="Disk space for thumbnails (least recently shown go first)."
    )
    thumbnail_root: str = Field(
        "https://i.ytimg.com", description="Where thumbnails are fetched from."
    )


class RecommendSettings(Section):
    """The "For you" ranking: every weight lives here (`momentum config show` lists them).

    A video's score is the sum of weight × signal over the signals below; `momentum why
    VIDEO_ID` shows each term. Affinity signals lie in -1…1, the others in 0…1.
    """

    w_topic: float = Field(1.6, ge=0, description="Topic affinity learned from your marks.")
    w_tag: float = Field(0.8, ge=0, description="Tag affinity learned from your marks.")
    w_channel: float = Field(1.4, ge=0, description="Creator affinity learned from your marks.")
    w_mood: float = Field(0.6, ge=0, description="Mood affinity learned from your marks.")
    w_format: float = Field(0.5, ge=0, description="Format affinity learned from your marks.")
    w_length: float = Field(0.5, ge=0, description="Length affinity learned from your marks.")
    w_keyword: float = Field(1.0, ge=0, description="Scale of `momentum prefs keyword` weights.")
    w_freshness: float = Field(0.9, ge=0, description="How much newer uploads are preferred.")
    w_momentum: float = Field(0.5, ge=0, description="Views ahead of the channel's usual pace.")
    w_quality: float = Field(0.3, ge=0, description="Like rate above the usual.")
    w_clickbait: float = Field(0.8, ge=0, description="Penalty for clickbait titles (subtracted).")
    w_rare: float = Field(0.5, ge=0, description="Lift for channels that rarely upload.")
    w_rules: float = Field(1.0, ge=0, description="Scale of boost (+) and bury (-) rule weights.")
    w_explore: float = Field(
        0.6, ge=0, description="Curiosity bonus for topics you have not tried (× adventurousness)."
    )
    mark_liked: float = Field(1.0, description="Evidence of a like.")
    mark_saved: float = Field(0.7, description="Evidence of saving a video.")
    mark_watched: float = Field(0.4, description="Evidence of watching a video.")
    mark_disliked: float = Field(-1.0, description="Evidence of a dislike.")
    mark_hidden: float = Field(-0.7, description="Evidence of hiding a video.")
    half_life_days: float = Field(
        45.0, gt=0, description="Marks this many days old count half as much."
    )
    freshness_half_life_hours: float = Field(
        72.0, gt=0, description="Freshness halves every this many hours of a video's age."
    )
    adventurousness: float = Field(
        0.3, ge=0, le=1, description="0: more of what you like; 1: variety and new topics."
    )
    channel_cap: int = Field(2, ge=1, description="At most this many per channel in any top 10.")
    topic_cap: int = Field(2, ge=1, description="At most this many per topic in any top 10.")
    diversify: int = Field(200, ge=10, le=2000, description="How many top picks are diversified.")
    cleanup_days: int = Field(
        90, ge=7, description="Suggest unfollowing channels not watched for this many days."
    )
    dormant_days: int = Field(
        180, ge=30, description="A channel with no upload for this many days is dormant."
    )


class Settings(BaseModel):
    """All settings. Read with `load_settings()`."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    youtube: YouTubeSettings = Field(default_factory=YouTubeSettings)
    claude: ClaudeSettings = Field(default_factory=ClaudeSettings)
    backend: BackendSettings = Field(default_factory=BackendSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    feed: FeedSettings = Field(default_factory=FeedSettings)
    ui: UISettings = Field(default_factory=UISettings)
    recommend: RecommendSettings = Field(default_factory=RecommendSettings)
    player: PlayerSettings = Field(default_factory=PlayerSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    keymap: dict[str, str] = Field(
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
    for name, field in Settings.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, Section):
            found[name] = field.annotation
    return found


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    overrides: dict[str, dict[str, Any]] = {}
    for section_name, section in _sections().items():
        for field_name, field in section.model_fields.items():
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


def _describe(error: ValidationError, origin: str, section: str = "", text: str = "") -> str:
    first = error.errors()[0]
    loc = tuple(str(part) for part in (section, *first["loc"]) if part != "")
    where = ".".join(loc)
    line = _line_of(text, loc)
    origin = f"{origin}, line {line}" if line else origin
    if first["type"] == "extra_forbidden":
        return f"{origin}: unknown setting `{where}`"
    return f"{origin}: `{where}` {first['msg'].lower()}"


_FILE_HINT = "Fix or remove that line; `momentum config show` prints every setting."


def load_settings(
    path: Path | None = None, environ: dict[str, str] | None = None, *, use_file: bool = True
) -> Settings:
    """Read settings from the config file and the environment; raise `ConfigError` if malformed.

    Only the sections the file or the environment set are validated. The others hold
    their defaults unvalidated (they are valid by construction), so pydantic builds no
    validator for them: a launch with a short config file builds few, and changing a
    setting later (`validate_assignment`) still validates it. `use_file=False` leaves the
    file out (defaults and environment only): what `momentum config show` falls back on
    to show something useful beside a broken file's error. Errors name the file's line.
    """
    path = path or locations.config_file()
    environ = dict(os.environ) if environ is None else environ
    data = _read_toml(path) if use_file else {}
    sections = _sections()
    for key in data:
        if key not in Settings.model_fields:
            line = _line_of(_raw_text(path), (key,))
            where = f"{path}, line {line}" if line else str(path)
            raise ConfigError(f"{where}: unknown setting `{key}`.", _FILE_HINT)
    overrides = _env_overrides(environ)
    values: dict[str, Any] = {}
    for name, section in sections.items():
        given = data.get(name)
        if given is None and name not in overrides:
            values[name] = section.model_construct()
            continue
        try:
            validated = section.model_validate({} if given is None else given)
        except ValidationError as error:
            problem = _describe(error, str(path), name, _raw_text(path))
            raise ConfigError(f"{problem}.", _FILE_HINT) from error
        if name in overrides:
            merged = {**validated.model_dump(), **overrides[name]}
            try:
                validated = section.model_validate(merged)
            except ValidationError as error:
                first = error.errors()[0]
                field = str(first["loc"][0]) if first["loc"] else ""
                raise ConfigError(
                    f"The environment variable {env_name(name, field)} is invalid: "
                    f"{first['msg'].lower()}.",
                    "Fix or unset it.",
                ) from error
        values[name] = validated
    if "keymap" in data:
        try:
            values["keymap"] = Settings.model_validate({"keymap": data["keymap"]}).keymap
        except ValidationError as error:
            problem = _describe(error, str(path), text=_raw_text(path))
            raise ConfigError(f"{problem}.", _FILE_HINT) from error
    else:
        values["keymap"] = {}
    return Settings.model_construct(**values)


def describe_settings(settings: Settings) -> list[tuple[str, str, str]]:
    """Rows of (key, value, description) for `momentum config show`."""
    rows: list[tuple[str, str, str]] = []
    for section_name in Settings.model_fields:
        section = getattr(settings, section_name)
        if isinstance(section, Section):
            for field_name, field in type(section).model_fields.items():
                value = getattr(section, field_name)
                rows.append((f"{section_name}.{field_name}", repr(value), field.description or ""))
        else:
            for binding_id, keys in sorted(section.items()):
                rows.append((f"{section_name}.{binding_id}", repr(keys), "remapped keys"))
    return rows
