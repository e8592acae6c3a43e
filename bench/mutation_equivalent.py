"""Survivors of bench/mutation.py judged equivalent: no behaviour can tell them apart.

Keyed by module short name, then by the mutant's diff (the `-`/`+` lines exactly as the
run prints them), so a judgement follows the code when lines move and lapses when the
code changes. Each reason is one line a reviewer can check against the code.
"""

from __future__ import annotations

EQUIVALENT: dict[str, dict[tuple[str, ...], str]] = {}
"""Module → (diff lines) → why no test can (or should) kill it."""
