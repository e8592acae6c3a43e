"""Delivering an announcement: a desktop notification, or a command given the videos as JSON.

`notify.command` (e.g. `ntfy publish my-topic`, a mail script) receives
`{"videos": [{"id", "url", "title", "channel", "channel_id", "published_at",
"duration_s", "is_short", "why", "rule_id"}]}` on standard input. Otherwise desktop-notifier (the
`momentum-tui[notify]` extra) shows one notification for the lot. Where neither can work
— no extra, no session bus (a server, SSH) — the caller gets one sentence, not a crash.
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
from collections.abc import Sequence
from typing import Any

from momentum_tui.config import NotifySettings
from momentum_tui.models import iso_utc, video_url
from momentum_tui.notify.queries import NewUpload

COMMAND_TIMEOUT_S = 30.0
TITLES_SHOWN = 3
_NO_SERVICE = (
    "No desktop notification service answered (no session bus here?); set "
    "`notify.command` to send them elsewhere ({})."
)


class DeliveryError(Exception):
    """The announcement could not be delivered; the message is a sentence for people."""


def payload(videos: Sequence[NewUpload]) -> dict[str, Any]:
    """What `notify.command` receives on standard input."""
    return {
        "videos": [
            {"id": v.id, "url": video_url(v.id), "title": v.title, "channel": v.channel,
             "channel_id": v.channel_id, "published_at": iso_utc(v.published_at),
             "duration_s": v.duration_s, "is_short": v.is_short, "why": v.why,
             "rule_id": v.rule_id}
            for v in videos
        ]
    }  # fmt: skip


def summary(videos: Sequence[NewUpload]) -> tuple[str, str]:
    """One notification's title and body for some new videos (grouped, never one each)."""
    channels = list(dict.fromkeys(v.channel for v in videos))
    if len(videos) == 1:
        return f"New from {videos[0].channel}", videos[0].title
    who = ", ".join(channels[:2]) + (f" and {len(channels) - 2} more" if len(channels) > 2 else "")
    lines = [f"{v.channel}: {v.title}" if len(channels) > 1 else v.title
             for v in videos[:TITLES_SHOWN]]  # fmt: skip
    if len(videos) > TITLES_SHOWN:
        lines.append(f"…and {len(videos) - TITLES_SHOWN} more")
    return f"{len(videos)} new videos from {who}", "\n".join(lines)


def run_command(template: str, videos: Sequence[NewUpload]) -> None:
    """Run `notify.command` with the videos as JSON on its standard input."""
    try:
        argv = shlex.split(template)
    except ValueError as error:
        raise DeliveryError(f"`notify.command` can't be read ({error}).") from None
    try:
        done = subprocess.run(
            argv, input=json.dumps(payload(videos), ensure_ascii=False).encode(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=COMMAND_TIMEOUT_S,
            check=False,
        )  # fmt: skip
    except FileNotFoundError:
        raise DeliveryError(f"`notify.command` ({argv[0]}) can't be found.") from None
    except subprocess.TimeoutExpired:
        raise DeliveryError(
            f"`notify.command` did not finish in {COMMAND_TIMEOUT_S:.0f} s."
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise DeliveryError(f"`notify.command` failed (exit {done.returncode}) {said[0]}".strip())


def show_desktop(videos: Sequence[NewUpload]) -> None:
    """One desktop notification for the videos."""
    try:
        from desktop_notifier import DesktopNotifierSync
    except ImportError:
        raise DeliveryError(
            "Desktop notifications need `pip install 'momentum-tui[notify]'`; or set "
            "`notify.command` to send them elsewhere."
        ) from None
    title, body = summary(videos)
    dispatched: list[bool] = []
    # desktop-notifier reports a failed send only as a logged warning with a traceback;
    # keep that off the person's terminal and tell by whether it was dispatched.
    logger = logging.getLogger("desktop_notifier")
    propagate, logger.propagate = logger.propagate, False
    quiet = logging.NullHandler()
    logger.addHandler(quiet)
    try:
        DesktopNotifierSync(app_name="Momentum").send(
            title=title, message=body, on_dispatched=lambda: dispatched.append(True)
        )
    except Exception as error:  # any backend failure (no bus, refused) is one sentence
        raise DeliveryError(_NO_SERVICE.format(type(error).__name__)) from None
    finally:
        logger.removeHandler(quiet)
        logger.propagate = propagate
    if not dispatched:
        raise DeliveryError(_NO_SERVICE.format("not dispatched"))


def deliver(settings: NotifySettings, videos: Sequence[NewUpload]) -> str:
    """Announce `videos` as configured; returns how ("command" or "desktop")."""
    if settings.command.strip():
        run_command(settings.command, videos)
        return "command"
    if not settings.desktop:
        raise DeliveryError(
            "Notifications are off (`notify.desktop = false`, no `notify.command`)."
        )
    show_desktop(videos)
    return "desktop"
