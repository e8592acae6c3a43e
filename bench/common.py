"""Shared helpers for benchmarks: timing percentiles and writing results."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p95 / max of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(p95, 3),
        "max_ms": round(ordered[-1], 3),
        "n": len(ordered),
    }


def save(name: str, figures: dict[str, Any]) -> Path:
    """Write `bench/results/<name>.json` with the machine it ran on."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    figures = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpu": platform.machine()},
        **figures,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path


def kept_from_last_run(name: str, wanted: Callable[[str], bool]) -> dict[str, Any]:
    """The entries of the last `bench/results/<name>.json` whose keys `wanted` picks.

    For what a run doesn't measure but should not erase: A/B comparisons recorded
    beside the figures, or a part skipped this time.
    """
    try:
        last = json.loads((RESULTS / f"{name}.json").read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(last, dict):
        return {}
    return {key: value for key, value in last.items() if wanted(key)}
