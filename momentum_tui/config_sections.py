"""The settings' sections: each a group of typed, bounded, documented fields.

`momentum_tui.config` puts them together (`Settings`) and reads them from the file and
the environment; import them from there. Every external endpoint is a field here.
"""

from __future__ import annotations

from typing import Literal

from momentum_tui.setting import Section, setting


class YouTubeSettings(Section):
    """How Momentum talks to YouTube."""

    api_root: str = setting(
        default="https://www.googleapis.com", description="Root of the YouTube Data API v3."
    )
    feed_root: str = setting(
        default="https://www.youtube.com/feeds/videos.xml",
        description="Channel Atom feeds (free mode); `?channel_id=UC…` is appended.",
    )
    page_root: str = setting(
        default="https://www.youtube.com",
        description="YouTube's public channel pages, read to resolve an @handle without a key.",
    )
    oauth_auth_uri: str = setting(
        default="https://accounts.google.com/o/oauth2/auth", description="OAuth consent page."
    )
    oauth_token_uri: str = setting(
        default="https://oauth2.googleapis.com/token", description="OAuth token endpoint."
    )
    daily_quota: int = setting(default=10_000, ge=1, description="Daily quota budget in units.")
    warn_at: float = setting(default=0.8, gt=0, le=1, description="Warn when this share is spent.")
    concurrency: int = setting(default=8, ge=1, le=32, description="Channels synced at once.")
    backfill: int = setting(
        default=50, ge=0, le=5000, description="Uploads fetched for a new channel."
    )
    rss: bool = setting(
        default=False, description="Free mode: use channel feeds to find what changed."
    )
    timeout: float = setting(default=20.0, gt=0, description="Seconds before a request times out.")
    cooldown_minutes: int = setting(
        default=10, ge=0, description="Minimum minutes between two syncs of one channel."
    )
    retries: int = setting(
        default=4, ge=0, le=10,
        description="Retries after a rate limit, server error or timeout before giving up.",
    )  # fmt: skip
    backoff: float = setting(
        default=1.0,
        gt=0,
        le=60,
        description="First retry delay in seconds; doubles each retry, jittered.",
    )
    stats_refresh_days: int = setting(
        default=3,
        ge=0,
        le=60,
        description="Refresh view counts of videos published in this many days.",
    )
    stats_max_age_hours: float = setting(
        default=6.0, ge=0, description="Refresh a recent video's view count when older than this."
    )
    stats_refresh_max: int = setting(
        default=100, ge=0, le=5000,
        description="Most videos refreshed per sync beyond free room in other calls (50 = 1 unit).",
    )  # fmt: skip
    channel_refresh_days: int = setting(
        default=7,
        ge=0,
        description="Re-read channel titles and avatars this often (1 unit per 50).",
    )
    oauth_client_file: str = setting(
        default="",
        description="OAuth client JSON from Google Cloud (`signin`); default: "
        "client_secret.json next to config.toml.",
    )


class ClaudeSettings(Section):
    """How Momentum talks to Claude."""

    base_url: str = setting(default="https://api.anthropic.com", description="Claude API root.")
    model: str = setting(default="claude-haiku-5-5", description="Model used for labels and rules.")
    batch_size: int = setting(default=25, ge=1, le=100, description="Videos per request.")
    daily_budget_usd: float = setting(
        default=0.50, ge=0, description="Stop before spending more today."
    )
    monthly_budget_usd: float = setting(
        default=5.00, ge=0, description="Stop before spending more this month."
    )
    prices: dict[str, dict[str, float]] = setting(
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
    batch_discount: float = setting(
        default=0.5,
        gt=0,
        le=1,
        description="Price factor for the Message Batches API (half price).",
    )
    output_mode: Literal["json_schema", "tool"] = setting(
        default="json_schema",
        description="Structured output (`json_schema`) or a forced tool (`tool`).",
    )
    output_tokens_per_video: int = setting(
        default=160,
        ge=40,
        le=1000,
        description="Answer room per video (max_tokens = this × videos).",
    )
    label_language: str = setting(
        default="en",
        description="Language of plain titles and summaries; `original` keeps each video's.",
    )
    concurrency: int = setting(default=4, ge=1, le=16, description="Requests in flight at once.")
    max_retries: int = setting(
        default=4, ge=0, le=10, description="Retries of one request (429/529/5xx)."
    )
    max_wait_seconds: float = setting(
        default=120.0, ge=0, description="Longest wait Claude may ask for before the run stops."
    )
    timeout: float = setting(default=120.0, gt=0, description="Seconds before a request times out.")
    batch_poll_seconds: float = setting(
        default=30.0, gt=0, description="Seconds between checks on a submitted batch."
    )


class BackendSettings(Section):
    """The optional hosted Momentum backend for preference sync."""

    url: str = setting(
        default="https://sync.momentum-tui.dev",
        description="Sync server for `momentum login` (https://, or http:// to this machine).",
    )
    timeout: float = setting(
        default=15.0, gt=0, le=300, description="Seconds before a request times out."
    )
    retries: int = setting(
        default=3, ge=0, le=10, description="Retries after a dropped connection, a 429 or a 5xx."
    )
    backoff: float = setting(
        default=0.5,
        gt=0,
        le=60,
        description="First retry delay in seconds; doubles each retry, jittered.",
    )
    sync_after_seconds: float = setting(
        default=5.0,
        ge=0,
        description="In the app, sync this long after the last local change (0: only at start "
        "and on demand).",
    )


class BackupSettings(Section):
    """Automatic backups of the cache (`momentum backup` makes one whenever you like)."""

    keep: int = setting(
        default=7, ge=0, le=365,
        description="Automatic backups kept in the data directory (one a day when the app "
        "opens, and one before each schema upgrade); 0 turns them off.",
    )  # fmt: skip


class FeedSettings(Section):
    """What the feed shows when the app starts."""

    sort: Literal["newest", "views", "longest", "shortest", "channel"] = setting(
        default="newest", description="Default order."
    )
    unwatched_only: bool = setting(default=False, description="Show only unwatched videos.")
    hide_shorts: bool = setting(default=False, description="Hide Shorts.")
    hide_live: bool = setting(default=False, description="Hide live and upcoming streams.")


class UISettings(Section):
    """Look and feel of the app."""

    theme: str = setting(default="textual-dark", description="Textual theme name.")
    plain_titles: bool = setting(
        default=False, description="Show de-baited titles when labels exist."
    )
    start_view: Literal["for-you", "subscriptions"] = setting(
        default="for-you",
        description="The tab the app opens on: for-you (ranked) or subscriptions.",
    )
    watch_seconds: float = setting(
        default=2.0,
        ge=0,
        description="How often the app looks for changes made outside it (a cron sync, "
        "`momentum mark`) and shows them; 0 turns it off.",
    )
    thumbnails: bool = setting(default=True, description="Show the highlighted video's thumbnail.")
    thumbnail_protocol: Literal["auto", "kitty", "sixel", "halfblocks"] = setting(
        default="auto",
        description="How thumbnails are drawn: auto (kitty graphics or Sixel where the "
        "terminal says it has them, else half-blocks), kitty, sixel or halfblocks.",
    )


class PlayerSettings(Section):
    """How videos are played (`p`, `P`, `momentum play`)."""

    command: str = setting(
        default="",
        description="Player command line with {url} (e.g. `vlc {url}`); empty: mpv with "
        "yt-dlp, which also remembers positions and marks videos watched.",
    )
    audio_command: str = setting(
        default="", description="Command line for audio only (`P`); empty: mpv without video."
    )
    watched_at: float = setting(
        default=0.9, gt=0, le=1, description="Mark a video watched once this share is played (mpv)."
    )
    resume: bool = setting(
        default=True, description="Start where playback stopped last time (mpv)."
    )


class NotifySettings(Section):
    """Announcing new uploads of the channels you chose (`N` on the channels screen) and of
    notify rules."""

    desktop: bool = setting(default=True, description="Show a desktop notification after a sync.")
    command: str = setting(
        default="",
        description="Instead, run this command with the new videos as JSON on standard "
        "input (e.g. `ntfy publish --title Momentum my-topic`).",
    )


class CacheSettings(Section):
    """Files kept beside the cache."""

    thumbnail_mb: float = setting(
        default=50.0, ge=0, description="Disk space for thumbnails (least recently shown go first)."
    )
    thumbnail_root: str = setting(
        default="https://i.ytimg.com", description="Where thumbnails are fetched from."
    )


class RecommendSettings(Section):
    """The "For you" ranking: every weight lives here (`momentum config show` lists them).

    A video's score is the sum of weight × signal over the signals below; `momentum why
    VIDEO_ID` shows each term. Affinity signals lie in -1…1, the others in 0…1.
    """

    w_topic: float = setting(
        default=1.6, ge=0, description="Topic affinity learned from your marks."
    )
    w_tag: float = setting(default=0.8, ge=0, description="Tag affinity learned from your marks.")
    w_channel: float = setting(
        default=1.4, ge=0, description="Creator affinity learned from your marks."
    )
    w_mood: float = setting(default=0.6, ge=0, description="Mood affinity learned from your marks.")
    w_format: float = setting(
        default=0.5, ge=0, description="Format affinity learned from your marks."
    )
    w_length: float = setting(
        default=0.5, ge=0, description="Length affinity learned from your marks."
    )
    w_keyword: float = setting(
        default=1.0, ge=0, description="Scale of `momentum prefs keyword` weights."
    )
    w_freshness: float = setting(
        default=0.9, ge=0, description="How much newer uploads are preferred."
    )
    w_momentum: float = setting(
        default=0.5, ge=0, description="Views ahead of the channel's usual pace."
    )
    w_quality: float = setting(default=0.3, ge=0, description="Like rate above the usual.")
    w_clickbait: float = setting(
        default=0.8, ge=0, description="Penalty for clickbait titles (subtracted)."
    )
    w_rare: float = setting(default=0.5, ge=0, description="Lift for channels that rarely upload.")
    w_rules: float = setting(
        default=1.0, ge=0, description="Scale of boost (+) and bury (-) rule weights."
    )
    w_explore: float = setting(
        default=0.6,
        ge=0,
        description="Curiosity bonus for topics you have not tried (× adventurousness).",
    )
    mark_liked: float = setting(default=1.0, description="Evidence of a like.")
    mark_saved: float = setting(default=0.7, description="Evidence of saving a video.")
    mark_watched: float = setting(default=0.4, description="Evidence of watching a video.")
    mark_disliked: float = setting(default=-1.0, description="Evidence of a dislike.")
    mark_hidden: float = setting(default=-0.7, description="Evidence of hiding a video.")
    half_life_days: float = setting(
        default=45.0, gt=0, description="Marks this many days old count half as much."
    )
    freshness_half_life_hours: float = setting(
        default=72.0, gt=0, description="Freshness halves every this many hours of a video's age."
    )
    adventurousness: float = setting(
        default=0.3, ge=0, le=1, description="0: more of what you like; 1: variety and new topics."
    )
    channel_cap: int = setting(
        default=2, ge=1, description="At most this many per channel in any top 10."
    )
    topic_cap: int = setting(
        default=2, ge=1, description="At most this many per topic in any top 10."
    )
    diversify: int = setting(
        default=200, ge=10, le=2000, description="How many top picks are diversified."
    )
    cleanup_days: int = setting(
        default=90, ge=7, description="Suggest unfollowing channels not watched for this many days."
    )
    dormant_days: int = setting(
        default=180, ge=30, description="A channel with no upload for this many days is dormant."
    )
