"""Put a fake `mpv` (and a stub `yt-dlp`) on PATH for a test; read what they were told."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FAKE_MPV = Path(__file__).with_name("fake_mpv.py")


@dataclass
class FakePlayer:
    """A fake mpv on PATH: set its plan, then read the runs it logged."""

    bin_dir: Path
    log: Path
    monkeypatch: pytest.MonkeyPatch

    def plan(self, **plan: Any) -> None:
        """What the next runs report: duration, positions, end reason (see fake_mpv.py)."""
        self.monkeypatch.setenv("FAKE_MPV_PLAN", json.dumps({**plan, "log": str(self.log)}))

    def runs(self) -> list[dict[str, Any]]:
        """Each run's arguments and the IPC commands it heard, in order."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def _script(path: Path, body: str) -> None:
    path.write_text(body, encoding="utf-8")
    path.chmod(0o755)


def install_fake_player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *,
                        mpv: bool = True, yt_dlp: bool = True) -> FakePlayer:  # fmt: skip
    """A directory with `mpv` and `yt-dlp` (as asked) first on PATH; system ones hidden."""
    bin_dir = tmp_path / "player-bin"
    bin_dir.mkdir()
    if mpv:
        _script(bin_dir / "mpv", f"#!{sys.executable}\nimport runpy\n"
                f"runpy.run_path({str(FAKE_MPV)!r}, run_name='__main__')\n")  # fmt: skip
    if yt_dlp:
        _script(bin_dir / "yt-dlp", "#!/bin/sh\nexit 0\n")
    # Only the fake directory: a real mpv or yt-dlp on this machine must not answer.
    monkeypatch.setenv("PATH", str(bin_dir))
    player = FakePlayer(bin_dir, tmp_path / "player-log.jsonl", monkeypatch)
    player.plan(duration=600, positions=[0, 5], end="quit")
    return player
