"""Mutation testing: does the suite notice when the code is wrong? (issue 12)

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/mutation.py [--module sanitize --module quota …] [--keep]

For each module below, cosmic-ray's core operators make every mutant they can (a `<`
that becomes `<=`, a number off by one, an `and` that becomes `or`, a condition negated,
a `break` that becomes `continue`, a loop that never runs…), and the module's own tests
run against each one. A mutant the tests fail on is *killed*; one they pass is a
*survivor*: a bug the suite would let through, or an equivalent mutant (a change no
behaviour can tell apart), which the closing note of issue 12 lists with the reason.

The mutants come from cosmic-ray; running them is done here, because starting pytest
afresh for each of ~1,000 mutants costs seconds apiece. This process imports pytest and
the heavy libraries once — never `momentum_tui` or the tests — then forks one child per
mutant, which writes the mutant, imports the package fresh and runs `pytest.main` (`-x`).
Everything happens in a copy of the git-tracked files under a temporary directory, so the
working tree is never mutated. Mutants that break the module at import (most `+` → `<<`
on strings) are killed by any test at all, so they are counted apart, and the score
without them is given too. Figures go to bench/results/mutation.json; not part of CI.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

TARGETS: dict[str, tuple[str, list[str]]] = {
    "sanitize": ("momentum_tui/sanitize.py", ["tests/test_sanitize.py"]),
    "quota": ("momentum_tui/youtube/quota.py", ["tests/test_youtube_quota.py"]),
    "marks": ("momentum_tui/storage/marks.py", ["tests/test_marks.py"]),
    "importers": ("momentum_tui/youtube/importers.py", ["tests/test_import_formats.py"]),
}
"""Module short name → (file, the tests that exercise it)."""

TARGET_SCORE = 0.90
TIMEOUT_S = 300
# Loaded once in the parent so each forked child starts warm (none of them is Momentum's).
WARM_IMPORTS = (
    "pytest", "hypothesis", "textual.app", "sqlite_utils", "numpy", "pydantic",
    "anthropic", "googleapiclient.discovery", "keyring", "click",
    "platformdirs", "defusedxml.ElementTree", "isodate", "httpx", "rich.text",
    "pytest_asyncio", "syrupy", "pytest_textual_snapshot",
)  # fmt: skip


def copy_tree(destination: Path) -> None:
    """The git-tracked files (as they are on disk now) into `destination`."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            target = destination / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) of every type annotation: never evaluated under `from __future__
    import annotations`, so a mutant there is equivalent by construction."""
    import ast

    spans = []
    for node in ast.walk(ast.parse(source)):
        notes: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            notes.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
        for note in filter(None, notes):
            end = (note.end_lineno or note.lineno, note.end_col_offset or 0)
            spans.append(((note.lineno, note.col_offset), end))
    return spans


def mutants(path: Path) -> list[dict[str, Any]]:
    """Every (operator, occurrence) cosmic-ray's core operators can apply to `path`.

    Mutants inside type annotations are marked `annotation` (see `annotation_spans`).
    """
    from cosmic_ray.ast import ast_nodes, get_ast_from_path
    from cosmic_ray.plugins import get_operator, operator_names

    tree = get_ast_from_path(path)
    spans = annotation_spans(path.read_text(encoding="utf-8"))
    found = []
    for name in operator_names():
        operator_class = get_operator(name)
        if operator_class.arguments():
            continue  # operators that need configuring (none of the core ones we use)
        operator = operator_class()
        positions = [
            start for node in ast_nodes(tree) for start, _ in operator.mutation_positions(node)
        ]
        found += [
            {"operator": name, "occurrence": n, "line": start[0],
             "annotation": any(low <= tuple(start) < high for low, high in spans)}
            for n, start in enumerate(positions)
        ]  # fmt: skip
    return found


def mutated_source(source: str, operator_name: str, occurrence: int) -> str | None:
    """`source` with one mutation applied (None when cosmic-ray finds nothing to change)."""
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    result: str | None = mutate_code(source, get_operator(operator_name)(), occurrence)
    return result


def run_tests(work: Path, tests: list[str], log: Path) -> int:
    """Fork; the child runs pytest on `tests` in `work`; the exit code (-1: timed out)."""
    pid = os.fork()
    if pid == 0:  # the child: fresh imports of momentum_tui from the work copy
        try:
            os.chdir(work)
            sys.path.insert(0, str(work))
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            import pytest

            args = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts="]
            code = pytest.main([*args, *tests])
        except BaseException:  # whatever happens, the child must not return
            code = 99
        os._exit(int(code))
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -1
        time.sleep(0.02)


def run_module(
    name: str, work: Path, on_progress: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """Mutate one module, run its tests against every mutant; the tally and the survivors.

    `on_progress` gets the figures so far (marked incomplete) every ten mutants, so a run
    that is stopped early still leaves what it measured.
    """
    module, tests = TARGETS[name]
    path = work / module
    original = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    log = work / f"{name}.log"
    baseline = run_tests(work, tests, log)
    if baseline != 0:
        raise SystemExit(f"{name}: the tests fail on the real module:\n{log.read_text()}")
    killed = survived = at_import = timeouts = unchanged = in_annotations = 0
    survivors: list[dict[str, Any]] = []
    todo = mutants(path)
    try:
        for number, mutant in enumerate(todo, 1):
            if mutant.pop("annotation"):
                in_annotations += 1
                continue
            source = mutated_source(original, mutant["operator"], mutant["occurrence"])
            if source is None or source == original:
                unchanged += 1
                continue
            path.write_text(source, encoding="utf-8")
            code = run_tests(work, tests, log)
            path.write_text(original, encoding="utf-8")
            if code == 0:
                survived += 1
                diff = difflib.unified_diff(original.splitlines(), source.splitlines(), n=0)
                changed = [d for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---"))]
                survivors.append({**mutant, "operator": mutant["operator"].removeprefix("core/"),
                                  "diff": changed})  # fmt: skip
            else:
                killed += 1
                text = log.read_text(errors="replace")
                at_import += "ERROR collecting" in text or "errors during collection" in text
                timeouts += code == -1
            if number % 10 == 0:
                print(f"  {name}: {number}/{len(todo)}, {survived} survived so far", flush=True)
                if on_progress is not None:
                    done = f"{number}/{len(todo)}"
                    on_progress(tally(killed, survived, at_import, timeouts, unchanged,
                                      in_annotations, survivors, done))  # fmt: skip
    finally:
        path.write_text(original, encoding="utf-8")
    figures = {
        "module": module,
        "tests": tests,
        **tally(killed, survived, at_import, timeouts, unchanged, in_annotations, survivors),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(
        f"{name:10} {killed:4}/{killed + survived:<4} killed ({figures['score']:.1%}), "
        f"{at_import} of them at import, {survived} survived, {figures['seconds']:.0f} s",
        flush=True,
    )
    return figures


def tally(
    killed: int,
    survived: int,
    at_import: int,
    timeouts: int,
    unchanged: int,
    in_annotations: int,
    survivors: list[dict[str, Any]],
    done: str = "all",
) -> dict[str, Any]:
    """The figures of one module's mutants (so far)."""
    total = killed + survived
    behaved = total - at_import
    return {
        "done": done,
        "mutants": total,
        "killed": killed,
        "survived": survived,
        "killed_at_import": at_import,
        "timed_out": timeouts,
        "not_applicable": unchanged,
        "skipped_in_annotations": in_annotations,
        "score": round(killed / total, 4) if total else 0.0,
        "score_without_import_errors": (
            round((killed - at_import) / behaved, 4) if behaved else None
        ),
        "survivors": survivors,
    }  # fmt: skip


def main() -> None:
    """Run the mutation session for the chosen modules (all by default)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--module", action="append", choices=sorted(TARGETS))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    for module in WARM_IMPORTS:
        try:
            __import__(module)
        except ImportError:  # only a warm start lost; the child imports what it needs
            print(f"(not preloaded: {module})")
    assert not any(m.startswith(("momentum_tui", "tests")) for m in sys.modules)
    chosen = args.module or list(TARGETS)
    work = Path(tempfile.mkdtemp(prefix="momentum-mutation-"))
    modules: dict[str, Any] = {}
    try:
        copy_tree(work)
        for name in chosen:

            def progress(figures: dict[str, Any], name: str = name) -> None:
                write_results({**modules, name: {"module": TARGETS[name][0], **figures}}, True)

            modules[name] = run_module(name, work, progress)
            write_results(modules, partial=True)  # each module as it finishes
    finally:
        if args.keep:
            print("work directory kept:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def write_results(modules: dict[str, Any], partial: bool) -> None:
    """Save the figures (a partial run keeps the other modules' earlier figures)."""
    sys.path.insert(0, str(ROOT))
    from bench.common import save

    results = ROOT / "bench" / "results" / "mutation.json"
    previous: dict[str, Any] = {}
    if results.exists() and partial:
        previous = json.loads(results.read_text()).get("modules", {})
    merged = {**previous, **modules}
    killed = sum(m["killed"] for m in merged.values())
    total = sum(m["mutants"] for m in merged.values())
    import cosmic_ray

    print(f"all modules: {killed}/{total} killed ({killed / max(total, 1):.1%})")
    path = save(
        "mutation",
        {
            "tool": f"cosmic-ray {getattr(cosmic_ray, '__version__', '8')} operators, "
            "forked pytest per mutant",
            "target_score": TARGET_SCORE,
            "score": round(killed / total, 4) if total else None,
            "killed": killed,
            "mutants": total,
            "modules": merged,
        },
    )
    print("saved", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
