"""Fixtures for announcement tests: every emulator channel followed and synced, and a
fake notifier (`notify.command`) that records what it was given (load with
`pytest_plugins`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from momentum_tui.youtube.exporters import ExportedChannel, export
from tests.emulators.youtube import YouTubeEmulator

NOTIFIER = """
import json, sys
data = json.load(sys.stdin)
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps(data) + "\\n")
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
"""


@pytest.fixture
def followed(youtube: YouTubeEmulator, tmp_path: Path, run_cli) -> list[str]:  # type: ignore[no-untyped-def]
    """Every emulator channel imported and synced once (their back catalogue is cached)."""
    rows = [ExportedChannel(c.id, c.title) for c in youtube.world.channels.values()]
    path = tmp_path / "subscriptions.csv"
    path.write_text(export(rows, "csv"), encoding="utf-8")
    assert run_cli("import", str(path)).code == 0
    assert run_cli("sync").code == 0
    return [c.id for c in youtube.world.channels.values()]


@pytest.fixture
def notifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`notify.command` pointed at a script that records what it was given."""
    script = tmp_path / "notifier.py"
    script.write_text(NOTIFIER, encoding="utf-8")
    received = tmp_path / "received.jsonl"

    def use(exit_code: int = 0) -> None:
        monkeypatch.setenv(
            "MOMENTUM_NOTIFY_COMMAND", f"{sys.executable} {script} {received} {exit_code}"
        )

    def calls() -> list[dict]:  # type: ignore[type-arg]
        if not received.exists():
            return []
        return [json.loads(line) for line in received.read_text().splitlines()]

    use()
    return use, calls
