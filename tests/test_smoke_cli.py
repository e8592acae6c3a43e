"""The command line answers on a fresh home."""

from __future__ import annotations


def test_version(run_cli) -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert "0.1.0" in result.out


def test_unknown_option_is_a_usage_error(run_cli) -> None:
    result = run_cli("feed", "--bogus")
    assert result.code == 2
    assert "No such option" in result.err
