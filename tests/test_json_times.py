"""Every time in every `--json` output is ISO-8601 UTC (`2026-11-20T14:03:00Z`) or null."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from momentum_tui import locations
from tests.emulators.claude import ClaudeEmulator
from tests.support.claude import running_claude

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TIME_KEYS = re.compile(r".*_at$|^(since|now|at)$")


@pytest.fixture
def claude(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClaudeEmulator]:
    for emulator in running_claude():
        monkeypatch.setenv("MOMENTUM_CLAUDE_BASE_URL", emulator.base_url)
        yield emulator


@pytest.fixture
def cache(demo_template: Path) -> Path:
    """The demo profile as the person's own cache (so keys, batches and rules apply)."""
    target = locations.ensure_dir(locations.cache_db().parent) / locations.cache_db().name
    source, destination = sqlite3.connect(demo_template), sqlite3.connect(target)
    source.backup(destination)
    source.close()
    destination.close()
    return target


def times_in(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every field named like a time, anywhere in `data`."""
    if isinstance(data, dict):
        for key, value in data.items():
            if TIME_KEYS.fullmatch(str(key)) and not isinstance(value, dict | list):
                yield f"{path}.{key}", value
            yield from times_in(value, f"{path}.{key}")
    elif isinstance(data, list):
        for number, item in enumerate(data):
            yield from times_in(item, f"{path}[{number}]")


def test_every_json_time_is_iso_utc(run_cli, cache: Path, claude: ClaudeEmulator) -> None:  # type: ignore[no-untyped-def]
    def out(*args: str) -> Any:
        result = run_cli(*args)
        assert result.code == 0, (args, result.err)
        return json.loads(result.out)

    video = out("feed", "--json", "--limit", "1")["videos"][0]["id"]
    outputs = {
        "feed": out("feed", "--json", "--limit", "5"),
        "search": out("search", "the", "--json", "--limit", "5"),
        "mark": out("mark", video, "saved", "--json"),
        "show": out("show", video, "--json"),
        "undo": out("undo", "--json"),
        "channels list": out("channels", "list", "--json"),
        "quota": out("quota", "--json", "--days", "7"),
        "rules add": out("rules", "add", "--bury", "--topic", "news", "--yes", "--json"),
        "rules list": out("rules", "list", "--json"),
        "rules test": out("rules", "test", "1", "--json"),
        "prefs keyword add": out("prefs", "keyword", "add", "cake", "2", "--json"),
        "prefs keyword list": out("prefs", "keyword", "list", "--json"),
        "recommend": out("recommend", "--limit", "3", "--json"),
        "why": out("why", video, "--json"),
        "digest": out("digest", "--since", "3d", "--format", "json"),
        "cleanup": out("cleanup", "--json"),
        "classify --estimate": out("classify", "--estimate", "--json"),
        "classify --batch": out("classify", "--batch", "--limit", "30", "--json"),
        "costs": out("costs", "--json"),
        "doctor": out("doctor", "--json"),
        "keys status": out("keys", "status", "--json"),
    }
    claude.batch_polls = 1
    outputs["classify --batch (collect)"] = out("classify", "--batch", "--limit", "1", "--json")
    seen = {name: list(times_in(data)) for name, data in outputs.items()}
    wrong = [
        (name, path, value)
        for name, found in seen.items()
        for path, value in found
        if value is not None and not (isinstance(value, str) and ISO.fullmatch(value))
    ]
    assert wrong == []
    # The sweep reaches the times it is meant to check, not only empty lists.
    assert {"show", "rules list", "prefs keyword list", "classify --batch"} <= {
        name for name, found in seen.items() if any(value for _, value in found)
    }
    assert any(path.endswith("labels.labelled_at") for path, _ in seen["show"])
