"""What a sync run reports: its options, the events it emits, and its summary.

These are the run's public vocabulary — the command line's progress line, the app's
progress bar and `momentum sync --json` read them — kept apart from the engine so that
showing a sync needs none of the machinery that runs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from momentum_tui.errors import MomentumError
from momentum_tui.models import iso_utc
from momentum_tui.youtube.quota import QuotaStatus, describe_wait


@dataclass(frozen=True)
class SyncOptions:
    """What to sync and how."""

    rss: bool | None = None
    """Free mode; None follows the `youtube.rss` setting."""
    channel_ids: tuple[str, ...] = ()
    """Only these channels (cooldown ignored); empty means every followed channel."""
    force: bool = False
    """Ignore the per-channel cooldown."""
    backfill: int | None = None
    """Uploads to read for a channel never synced; None follows `youtube.backfill`."""


@dataclass(frozen=True)
class Progress:
    """Where a run is: the numbers a progress bar shows."""

    done: int
    total: int
    videos_new: int
    failed: int


@dataclass(frozen=True)
class SyncEvent:
    """Base of the small events a run reports through its callback."""

    progress: Progress


@dataclass(frozen=True)
class SyncStarted(SyncEvent):
    """A run began (`progress.total` channels to go)."""

    run_id: int
    mode: str
    skipped: int


@dataclass(frozen=True)
class ChannelSynced(SyncEvent):
    """One channel is done and committed."""

    channel_id: str
    title: str
    new: int
    updated: int


@dataclass(frozen=True)
class ChannelFailed(SyncEvent):
    """One channel failed this time; the next sync retries it."""

    channel_id: str
    title: str
    error: str


DETAILS_NOTICE_UNITS = 100
"""Filling in details of videos synced without a key is announced from this cost on."""


@dataclass(frozen=True)
class DetailsBackfill(SyncEvent):
    """Cached videos known only from their feeds get their details now (a key was set)."""

    videos: int
    units: int
    """What it costs: one `videos.list` unit per 50 videos."""


@dataclass(frozen=True)
class QuotaWarning(SyncEvent):
    """Today's quota use crossed the warning threshold."""

    used: int
    budget: int


@dataclass(frozen=True)
class SyncFinished(SyncEvent):
    """The run ended (in any way); the summary says how."""

    summary: SyncSummary


@dataclass
class SyncSummary:
    """The outcome of one run (`momentum sync --json` prints `to_json()`)."""

    run_id: int
    mode: str
    status: str
    """ok | partial | cancelled | quota | offline | failed"""
    started_at: int
    seconds: float
    channels_total: int
    channels_ok: int = 0
    channels_failed: int = 0
    channels_skipped: int = 0
    channels_empty: int = 0
    videos_new: int = 0
    videos_updated: int = 0
    videos_labelled: int = 0
    videos_detailed: int = 0
    """Cached videos (known only from their feeds) whose length and statistics were filled in."""
    units_by_method: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    feeds_read: int = 0
    feeds_failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    quota: QuotaStatus | None = None
    error: MomentumError | None = None
    """The error that stopped the run early (quota, key, network), if any."""

    @property
    def units(self) -> int:
        """Quota units this run spent."""
        return sum(self.units_by_method.values())

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape documented in docs/sync.md."""
        quota = self.quota
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "status": self.status,
            "started_at": iso_utc(self.started_at),
            "seconds": round(self.seconds, 3),
            "channels": {
                "total": self.channels_total,
                "ok": self.channels_ok,
                "failed": self.channels_failed,
                "skipped": self.channels_skipped,
                "empty": self.channels_empty,
            },
            "videos": {
                "new": self.videos_new,
                "updated": self.videos_updated,
                "labelled": self.videos_labelled,
                "detailed": self.videos_detailed,
            },
            "quota": {
                "units": self.units,
                "by_method": dict(sorted(self.units_by_method.items())),
                "used_today": quota.used if quota else None,
                "budget": quota.budget if quota else None,
                "resets_at": iso_utc(quota.reset_at) if quota else None,
            },
            "requests": {
                "api": self.requests,
                "feeds": self.feeds_read,
                "feeds_failed": self.feeds_failed,
            },
            "failures": self.failures,
            "message": self.message,
        }


def summary_message(summary: SyncSummary, now: float) -> str:
    """One or two sentences for people about how the run went."""
    s = summary
    failed = f", {s.channels_failed} failed" if s.channels_failed else ""
    if s.mode == "keyless":
        done = (
            f"{s.channels_ok} of {s.channels_total} channels synced from their feeds{failed}: "
            f"{s.videos_new} new videos, {s.videos_updated} updated; no key, so no quota "
            "was used and lengths are unknown."
        )
    else:
        done = (
            f"{s.channels_ok} of {s.channels_total} channels synced{failed}: "
            f"{s.videos_new} new videos, {s.videos_updated} updated, {s.units} quota units."
        )
    extra = ""
    if s.videos_detailed:
        extra += f" Lengths and statistics filled in for {s.videos_detailed} videos."
    if s.videos_labelled:
        extra += f" {s.videos_labelled} videos labelled offline."
    if s.channels_total == 0:
        done = (
            "Nothing to sync: no channels are followed yet (`momentum import FILE` or "
            "`momentum channels add URL`)."
            if not s.channels_skipped
            else f"Nothing to sync: all {s.channels_skipped} channels synced in the last "
            "few minutes (use --force to sync anyway)."
        )
    done += extra
    left = s.channels_total - s.channels_ok - s.channels_failed
    if s.status == "quota" and s.quota is not None:
        return (
            f"Stopped before passing today's YouTube quota. {done} Everything fetched is kept; "
            f"{left} channels are left for the next sync. The quota resets at midnight "
            f"Pacific time (in {describe_wait(s.quota.reset_at - now)})."
        )
    if s.status == "cancelled":
        return f"Cancelled. {done} {left} channels were left for the next sync."
    if s.status == "offline":
        return f"YouTube could not be reached. {done} Nothing cached was lost."
    if s.status == "failed" and s.error is not None:
        return f"{s.error.title} {done}"
    return done
