"""Which tests can see a mutant: per-line test coverage for bench/mutation.py.

A mutant on a line that a test never executes cannot change what that test does, so
running that test against it proves nothing and costs seconds. The baseline run of a
module's tests records, per line of the module, which tests executed it (coverage.py with
one dynamic context per test); each mutant then runs only the tests that execute its
lines, fastest first, and stops at the first failure. Code that runs when the module is
imported (definitions, constants, decorators, default values) is seen by every test, so a
mutant outside any function body runs every test of the module.
"""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path
from typing import Any

import pytest


class RecordContexts:
    """A pytest plugin: switch coverage's context to each test, and time each test."""

    def __init__(self, cov: Any) -> None:
        self.cov = cov
        self.seconds: dict[str, float] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Any:
        """Attribute every line the test's setup, call and teardown run to the test."""
        self.cov.switch_context(item.nodeid)
        started = time.perf_counter()
        yield
        self.seconds[item.nodeid] = time.perf_counter() - started
        self.cov.switch_context("")


class RunOnly:
    """A pytest plugin: run only `nodeids`, in that order (the others are deselected)."""

    def __init__(self, nodeids: list[str]) -> None:
        self.order = {nodeid: n for n, nodeid in enumerate(nodeids)}

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[Any]) -> None:
        """Keep the chosen tests, fastest first."""
        chosen = sorted((i for i in items if i.nodeid in self.order), key=self._rank)
        dropped = [i for i in items if i.nodeid not in self.order]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = chosen

    def _rank(self, item: Any) -> int:
        return self.order[item.nodeid]


def measure(module: Path, tests: list[str], args: list[str], output: Path) -> int:
    """Run `tests` under coverage of `module`; write the line → tests map to `output`.

    Runs in the forked child. Also records every module the run imported (so the parent
    can preload the third-party ones) and each test's duration (to run fast tests first).
    """
    import sys

    import coverage

    cov = coverage.Coverage(data_file=None, include=[str(module)])
    contexts = RecordContexts(cov)
    cov.start()
    try:
        code = pytest.main([*args, *tests], plugins=[contexts])
    finally:
        cov.stop()
    data = cov.get_data()
    by_line = data.contexts_by_lineno(str(module))
    loaded = {
        name: getattr(mod, "__file__", None) or ""
        for name, mod in list(sys.modules.items())
        if mod is not None
    }
    output.write_text(
        json.dumps(
            {
                "lines": {str(line): sorted(c for c in ctx if c) for line, ctx in by_line.items()},
                "seconds": contexts.seconds,
                "modules": loaded,
            }
        )
    )
    return int(code)


def function_body_lines(source: str) -> set[int]:
    """Lines inside a function body: they run when the function is called, not at import."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first, last = node.body[0], node.body[-1]
            lines.update(range(first.lineno, (last.end_lineno or last.lineno) + 1))
        elif isinstance(node, ast.Lambda):
            lines.update(range(node.body.lineno, (node.body.end_lineno or 0) + 1))
    return lines


class Coverage:
    """The baseline's map from a module's lines to the tests that execute them."""

    def __init__(self, measured: dict[str, Any], source: str) -> None:
        self.lines: dict[int, list[str]] = {int(k): v for k, v in measured["lines"].items()}
        self.seconds: dict[str, float] = measured["seconds"]
        self.all_tests = sorted(self.seconds, key=self.seconds.__getitem__)
        self.in_functions = function_body_lines(source)

    def tests_for(self, first_line: int, last_line: int) -> list[str]:
        """The tests that can notice a mutant spanning these lines, fastest first."""
        span = range(first_line, last_line + 1)
        if not all(line in self.in_functions for line in span):
            return self.all_tests  # runs at import: every test sees it
        seen = {test for line in span for test in self.lines.get(line, [])}
        return [test for test in self.all_tests if test in seen]
