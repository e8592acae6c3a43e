"""Starting a player for a video: mpv with yt-dlp by default, or any configured command.

mpv is found at run time on PATH (it comes from the OS); yt-dlp, which mpv uses to open
YouTube URLs, from PATH or beside Momentum's own Python (the `momentum-tui[watch]`
extra). A missing one is a sentence saying how to get it, never a crash. With mpv,
Momentum also opens its IPC socket to follow the playback (`watch/session.py`); any
other player just plays.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from momentum_tui.config import PlayerSettings
from momentum_tui.errors import MomentumError


class PlayerError(MomentumError):
    """The player can't be started (missing, or a malformed command line)."""


@dataclass
class Launch:
    """A started player: its process and, for mpv, the IPC socket to follow it on."""

    process: subprocess.Popen[bytes]
    ipc_path: Path | None
    command: list[str]

    def alive(self) -> bool:
        """Whether the player is still running."""
        return self.process.poll() is None

    def stop(self) -> None:
        """Ask the player to quit (it may already have)."""
        if self.alive():
            self.process.terminate()


def find_yt_dlp() -> str | None:
    """yt-dlp on PATH, or installed beside this Python (the `[watch]` extra)."""
    found = shutil.which("yt-dlp")
    if found:
        return found
    beside = Path(sys.executable).parent / "yt-dlp"
    return str(beside) if beside.exists() else None


def _mpv_command(url: str, *, audio: bool, start_s: float | None, ipc_path: Path) -> list[str]:
    mpv = shutil.which("mpv")
    if mpv is None:
        raise PlayerError(
            "mpv is not installed, so Momentum can't play videos itself.",
            "Install it from your OS (`apt install mpv`, `brew install mpv`), or set "
            "`player.command` to another player, e.g. `vlc {url}`.",
        )
    yt_dlp = find_yt_dlp()
    if yt_dlp is None:
        raise PlayerError(
            "mpv needs yt-dlp to open YouTube videos, and it isn't installed.",
            "Install it with `pip install 'momentum-tui[watch]'` (or your OS's yt-dlp).",
        )
    command = [
        mpv,
        f"--input-ipc-server={ipc_path}",
        "--terminal=no",  # the terminal belongs to Momentum's app
        "--force-window=immediate" if not audio else "--no-video",
        f"--script-opts=ytdl_hook-ytdl_path={yt_dlp}",
    ]
    if audio:
        command.append("--ytdl-format=bestaudio/best")
    if start_s:
        command.append(f"--start=+{int(start_s)}")
    return [*command, url]


def _configured_command(template: str, url: str) -> list[str]:
    try:
        parts = shlex.split(template)
    except ValueError as error:
        raise PlayerError(
            f"The player command {template!r} can't be read ({error}).",
            "Fix `player.command` (quotes must match); `momentum config show` lists it.",
        ) from None
    if not parts:
        raise PlayerError("The player command is empty.", "Set `player.command`, or clear it.")
    if not any("{url}" in part for part in parts):
        parts.append("{url}")
    command = [part.replace("{url}", url) for part in parts]
    if shutil.which(command[0]) is None:
        raise PlayerError(
            f"The player {command[0]!r} (from `player.command`) can't be found.",
            "Install it, or fix `player.command`.",
        )
    return command


def launch(
    url: str, settings: PlayerSettings, *, audio: bool = False, start_s: float | None = None
) -> Launch:
    """Start the player for `url` in the background (it never reads the terminal)."""
    template = settings.audio_command if audio else settings.command
    ipc_path: Path | None = None
    if template.strip():
        command = _configured_command(template, url)
    else:
        ipc_path = Path(tempfile.mkdtemp(prefix="momentum-mpv-")) / "ipc.sock"
        command = _mpv_command(url, audio=audio, start_s=start_s, ipc_path=ipc_path)
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in Momentum's terminal isn't the player's
            env={**os.environ},
        )
    except OSError as error:
        raise PlayerError(
            f"The player could not be started ({error.strerror or error}).",
            "Check `player.command` (`momentum config show`).",
        ) from None
    return Launch(process, ipc_path, command)
