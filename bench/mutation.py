"""Mutation testing: does the suite notice when the code is wrong? (issue 12)

    .venv/bin/pip install -e '.[test,bench]'
    nice -n 10 .venv/bin/python bench/mutation.py [--module sanitize …] [--jobs 2] [--keep]

For each module below, cosmic-ray's core operators make every mutant they can (a `<`
that becomes `<=`, a number off by one, an `and` that becomes `or`, a condition negated,
a `break` that becomes `continue`, a loop that never runs…), and the module's own tests
run against each one. A mutant the tests fail on is *killed*; one they pass is a
*survivor*: a bug the suite would let through, or an equivalent mutant (a change no
behaviour can tell apart), judged with its reason in bench/mutation_equivalent.py.

The mutants come from cosmic-ray; running them is done here, because starting pytest
afresh for each of ~1,100 mutants costs seconds apiece. A baseline run of each module's
tests records which tests execute which line (bench/mutation_coverage.py) and which
third-party modules they load; this process preloads those (never `momentum_tui`, the
server or the tests) and then forks one child per mutant, which writes the mutant,
imports the package fresh and runs `pytest.main -x` on the tests that execute the
mutated lines, fastest first (every test, for code that runs at import). Everything
happens in copies of the git-tracked files under a temporary directory (one per job), so
the working tree is never mutated. Mutants that break the module at import are killed
by any test at all, so they are counted apart, and the score without them is given too.
Figures go to bench/results/mutation.json; not part of CI.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mutation_coverage import Coverage, RunOnly, measure  # noqa: E402
from bench.mutation_equivalent import EQUIVALENT  # noqa: E402

_HYGIENE = "tests/test_import_hygiene.py"
TARGETS: dict[str, tuple[str, list[str]]] = {
    "sanitize": ("momentum_tui/sanitize.py", ["tests/test_sanitize.py"]),
    "quota": ("momentum_tui/youtube/quota.py", ["tests/test_youtube_quota.py"]),
    "importers": (
        "momentum_tui/youtube/importers.py",
        [
            "tests/test_import_formats.py",
            "tests/test_import_forgiving.py",
            "tests/test_import_entries.py",
        ],
    ),
    "marks": (
        "momentum_tui/storage/marks.py",
        # `momentum mark` stays light: a run-time import of sqlite-utils here shows there.
        ["tests/test_marks.py", f"{_HYGIENE}::test_mark_imports_no_sdk_numpy_or_sqlite_utils"],
    ),
    "prefsync_merge": ("momentum_tui/prefsync/merge.py", ["tests/test_prefsync_merge.py"]),
    "prefsync_clock": ("momentum_tui/prefsync/clock.py", ["tests/test_prefsync_merge.py"]),
}
"""Module short name → (file, the tests that exercise it: files, or single tests by node id)."""

TARGET_SCORE = 0.90
PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts="]
PROJECT = ("momentum_tui", "momentum_server", "tests", "bench", "conftest", "__main__")


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
        positions = [span for node in ast_nodes(tree) for span in operator.mutation_positions(node)]
        found += [
            {"operator": name, "occurrence": n, "line": start[0], "last_line": end[0],
             "annotation": any(low <= tuple(start) < high for low, high in spans)}
            for n, (start, end) in enumerate(positions)
        ]  # fmt: skip
    return found


def mutated_source(source: str, operator_name: str, occurrence: int) -> str | None:
    """`source` with one mutation applied (None when cosmic-ray finds nothing to change)."""
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    result: str | None = mutate_code(source, get_operator(operator_name)(), occurrence)
    return result


def hypothesis_profile() -> None:
    """Property tests as a mutation run needs them: the same examples in every run, and
    no shrinking — only whether a test fails matters here, not its smallest failure."""
    from hypothesis import Phase, settings

    phases = [Phase.explicit, Phase.reuse, Phase.generate]
    settings.register_profile("mutation", derandomize=True, database=None, phases=phases)
    settings.load_profile("mutation")


def fork_child(work: Path, log: Path, run: Callable[[], int]) -> int:
    """Fork a child that runs `run()` in `work` (fresh imports of momentum_tui); its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(work)
            sys.path.insert(0, str(work))
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            hypothesis_profile()
            code = run()
        except BaseException:  # whatever happens, the child must not return
            code = 99
        os._exit(int(code))
    return pid


def forget_bytecode(module: Path) -> None:
    """Drop the module's cached bytecode: a mutant of the same size written in the same
    second as the last one would otherwise run the last one's stale .pyc."""
    for cached in (module.parent / "__pycache__").glob(f"{module.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


def preload(modules: dict[str, str]) -> None:
    """Import here the third-party modules the tests load, so each child starts warm."""
    installed = (sys.prefix, sys.base_prefix)
    for name, file in modules.items():
        if name.split(".")[0] in PROJECT or name.startswith("__editable"):
            continue
        if file and not file.startswith(installed):
            continue  # not installed: the project's own code (or the tests')
        try:
            __import__(name)
        except Exception:  # only a warm start lost; the child imports what it needs
            continue
    if threading.active_count() > 1:
        print(f"warning: {threading.active_count()} threads before forking", flush=True)


@dataclass
class Slot:
    """One job: its own copy of the tree, and the mutant it is running."""

    work: Path
    mutant: dict[str, Any] | None = None
    pid: int = 0
    deadline: float = 0.0
    source: str = ""


@dataclass
class Tally:
    """The running figures of one module."""

    killed: int = 0
    survived: int = 0
    at_import: int = 0
    timeouts: int = 0
    unchanged: int = 0
    in_annotations: int = 0
    survivors: list[dict[str, Any]] = field(default_factory=list)
    settled: list[int] = field(default_factory=list)
    """The numbers of the mutants decided so far (a stopped run resumes after them)."""

    @classmethod
    def resumed(cls, saved: dict[str, Any]) -> Tally:
        """The tally of a stopped run, from its saved figures."""
        keep = [{k: v for k, v in s.items() if k != "equivalent"} for s in saved["survivors"]]
        return cls(
            killed=saved["killed"], survived=saved["survived"],
            at_import=saved["killed_at_import"], timeouts=saved["timed_out"],
            unchanged=saved["not_applicable"], in_annotations=saved["skipped_in_annotations"],
            survivors=keep, settled=list(saved.get("settled", [])),
        )  # fmt: skip

    def figures(self, name: str, done: str = "all") -> dict[str, Any]:
        """The figures so far (survivors judged equivalent carry their reason)."""
        total = self.killed + self.survived
        behaved = total - self.at_import
        judged = EQUIVALENT.get(name, {})
        survivors = [{**s, "equivalent": judged.get(tuple(s["diff"]))} for s in self.survivors]
        equivalent = sum(s["equivalent"] is not None for s in survivors)
        return {
            "done": done,
            "mutants": total,
            "killed": self.killed,
            "survived": self.survived,
            "equivalent": equivalent,
            "killed_at_import": self.at_import,
            "timed_out": self.timeouts,
            "not_applicable": self.unchanged,
            "skipped_in_annotations": self.in_annotations,
            "score": round(self.killed / total, 4) if total else 0.0,
            "score_without_import_errors": (
                round((self.killed - self.at_import) / behaved, 4) if behaved else None
            ),
            "score_without_equivalent": (
                round(self.killed / (total - equivalent), 4) if total > equivalent else None
            ),
            "survivors": survivors,
            **({"settled": sorted(set(self.settled))} if done != "all" else {}),
        }


def baseline(name: str, work: Path) -> tuple[Coverage, float]:
    """Run the module's tests once on the real code, under coverage; what they execute."""
    module, tests = TARGETS[name]
    path, measured, log = work / module, work / f"{name}.coverage.json", work / f"{name}.log"
    started = time.monotonic()
    pid = fork_child(work, log, lambda: measure(path, tests, PYTEST_ARGS, measured))
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name}: the tests fail on the real module:\n{log.read_text()}")
    data = json.loads(measured.read_text())
    preload(data["modules"])
    return Coverage(data, path.read_text(encoding="utf-8")), time.monotonic() - started


def fingerprint(work: Path, name: str) -> str:
    """A digest of the module and its tests: a saved partial run resumes only if equal."""
    module, tests = TARGETS[name]
    digest = hashlib.sha256()
    for path in [module, *tests]:
        digest.update((work / path.split("::")[0]).read_bytes())
    return digest.hexdigest()[:16]


def run_module(
    name: str,
    slots: list[Slot],
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    saved: dict[str, Any] | None = None,
    recheck: bool = False,
) -> dict[str, Any]:
    """Mutate one module, run its tests against every mutant; the tally and the survivors.

    `on_progress` gets the figures so far (marked incomplete) every ten mutants, so a run
    that is stopped early still leaves what it measured; given those figures as `saved`
    (same module and tests), a later run carries on from there. With `recheck`, only the
    saved survivors run again (after tests were added: what they killed stays killed).
    """
    module, tests = TARGETS[name]
    started = time.perf_counter()
    digest = fingerprint(slots[0].work, name)
    coverage, seconds = baseline(name, slots[0].work)
    # A mutant that makes the tests hang is killed (a timeout); allow a loaded machine.
    timeout = max(60.0, 10 * seconds)
    original = (slots[0].work / module).read_text(encoding="utf-8")
    todo = [{**m, "index": n} for n, m in enumerate(mutants(slots[0].work / module))]
    tally, earlier = Tally(), 0.0
    if recheck and saved:
        tally, earlier = Tally.resumed(saved), saved.get("seconds", 0.0)
        again = {(s["operator"], s["occurrence"], tuple(s["diff"])) for s in tally.survivors}
        tally.survived, tally.survivors = 0, []
        if saved.get("done") == "all":
            tally.settled = [m["index"] for m in todo]
        print(f"  {name}: rechecking {len(again)} survivors", flush=True)
    elif saved and saved.get("fingerprint") == digest and "settled" in saved:
        tally, earlier = Tally.resumed(saved), saved.get("seconds", 0.0)
        print(f"  {name}: resuming after {len(tally.settled)} mutants", flush=True)
    finished = 0

    def progress() -> dict[str, Any]:
        figures = tally.figures(name, f"{len(set(tally.settled))}/{len(todo)}")
        seconds = round(earlier + time.perf_counter() - started, 1)
        return {"fingerprint": digest, **figures, "seconds": seconds}

    def finish(slot: Slot, code: int) -> None:
        nonlocal finished
        assert slot.mutant is not None
        mutant, slot.mutant = slot.mutant, None
        (slot.work / module).write_text(original, encoding="utf-8")
        record(tally, mutant, code, original, slot.source, slot.work / f"{name}.log")
        finished += 1
        if finished % 10 == 0:
            print(
                f"  {name}: {len(set(tally.settled))}/{len(todo)}, {tally.survived} survived",
                flush=True,
            )
            if on_progress is not None:
                on_progress(progress())

    settled = set(tally.settled)
    pending = [m for m in todo if m["index"] not in settled]
    if recheck:
        pending = [m for m in todo if same_mutant(m, original, again)]
        if len(pending) != len(again):
            print(f"  {name}: {len(again) - len(pending)} survivors no longer apply", flush=True)
    while pending or any(s.mutant for s in slots):
        for slot in slots:
            if slot.mutant is None and pending:
                start(slot, pending.pop(0), name, original, coverage, tally, timeout, finish)
        reap(slots, finish)
    complete = len(set(tally.settled)) == len(todo)  # (a recheck of a stopped run: not yet)
    done = "all" if complete else f"{len(set(tally.settled))}/{len(todo)}"
    figures = {"module": module, "tests": tests, "fingerprint": digest}
    figures |= tally.figures(name, done)
    figures["seconds"] = round(earlier + time.perf_counter() - started, 1)
    print(
        f"{name:15} {tally.killed:4}/{tally.killed + tally.survived:<4} killed "
        f"({figures['score']:.1%}), {tally.at_import} at import, {tally.survived} survived "
        f"({figures['equivalent']} judged equivalent), {figures['seconds']:.0f} s",
        flush=True,
    )
    return figures


def same_mutant(mutant: dict[str, Any], original: str, saved: set[Any]) -> bool:
    """Whether `mutant` is one of the saved survivors (same operator, place and change)."""
    operator = mutant["operator"].removeprefix("core/")
    if not any(op == operator and n == mutant["occurrence"] for op, n, _ in saved):
        return False
    source = mutated_source(original, mutant["operator"], mutant["occurrence"]) or original
    return (operator, mutant["occurrence"], tuple(changed_lines(original, source))) in saved


def changed_lines(original: str, source: str) -> list[str]:
    """The `-`/`+` lines of a mutant."""
    diff = difflib.unified_diff(original.splitlines(), source.splitlines(), n=0)
    return [d for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---"))]


def start(
    slot: Slot,
    mutant: dict[str, Any],
    name: str,
    original: str,
    coverage: Coverage,
    tally: Tally,
    timeout: float,
    finish: Callable[[Slot, int], None],
) -> None:
    """Write the mutant into the slot's tree and fork its tests (or settle it at once)."""
    module, tests = TARGETS[name]
    mutant = dict(mutant)
    if mutant.pop("annotation"):
        tally.in_annotations += 1
        tally.settled.append(mutant["index"])
        return
    source = mutated_source(original, mutant["operator"], mutant["occurrence"])
    if source is None or source == original:
        tally.unchanged += 1
        tally.settled.append(mutant["index"])
        return
    chosen = coverage.tests_for(mutant["line"], mutant.pop("last_line"))
    mutant["tests_run"] = len(chosen)
    slot.mutant, slot.source = mutant, source
    if not chosen:  # no test executes these lines: nothing can notice the change
        finish(slot, 0)
        return
    path = slot.work / module
    path.write_text(source, encoding="utf-8")
    forget_bytecode(path)

    def run() -> int:
        import pytest

        return int(pytest.main([*PYTEST_ARGS, *tests], plugins=[RunOnly(chosen)]))

    slot.pid = fork_child(slot.work, slot.work / f"{name}.log", run)
    slot.deadline = time.monotonic() + timeout


def reap(slots: list[Slot], finish: Callable[[Slot, int], None]) -> None:
    """Wait a moment; settle every child that has finished or run out of time."""
    time.sleep(0.01)
    for slot in slots:
        if slot.mutant is None:
            continue
        done, status = os.waitpid(slot.pid, os.WNOHANG)
        if done:
            finish(slot, os.waitstatus_to_exitcode(status))
        elif time.monotonic() > slot.deadline:
            os.kill(slot.pid, signal.SIGKILL)
            os.waitpid(slot.pid, 0)
            finish(slot, -1)


def record(
    tally: Tally, mutant: dict[str, Any], code: int, original: str, source: str, log: Path
) -> None:
    """Count one mutant's outcome (exit code 0: the tests passed, so it survived)."""
    tally.settled.append(mutant.pop("index"))
    if code == 0:
        tally.survived += 1
        changed = changed_lines(original, source)
        tally.survivors.append(
            {**mutant, "operator": mutant["operator"].removeprefix("core/"), "diff": changed}
        )
        return
    tally.killed += 1
    text = log.read_text(errors="replace") if code != -1 else ""
    tally.at_import += "ERROR collecting" in text or "errors during collection" in text
    tally.timeouts += code == -1


def main() -> None:
    """Run the mutation session for the chosen modules (all by default)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--module", action="append", choices=list(TARGETS), help="(repeatable) default: all"
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    parser.add_argument("--recheck", action="store_true", help="run only the saved survivors again")
    args = parser.parse_args()
    import coverage  # noqa: F401 - loaded once here, used by every baseline child
    import pytest  # noqa: F401

    # Each child imports the whole package afresh: let the first one cache its bytecode
    # (even under PYTHONDONTWRITEBYTECODE) — only the mutated module's is dropped each time.
    sys.dont_write_bytecode = False

    assert not any(m.startswith(("momentum_tui", "tests")) for m in sys.modules)
    chosen = args.module or list(TARGETS)
    base = Path(tempfile.mkdtemp(prefix="momentum-mutation-"))
    slots = [Slot(base / f"job{n}") for n in range(max(1, args.jobs))]
    modules: dict[str, Any] = {}
    try:
        for slot in slots:
            copy_tree(slot.work)
        for name in chosen:

            def progress(figures: dict[str, Any], name: str = name) -> None:
                write_results({**modules, name: {"module": TARGETS[name][0], **figures}}, True)

            saved = saved_figures(name)
            modules[name] = run_module(name, slots, progress, saved, args.recheck)
            write_results(modules, partial=True)  # each module as it finishes
    finally:
        if args.keep:
            print("work directories kept:", base)
        else:
            shutil.rmtree(base, ignore_errors=True)


def saved_figures(name: str) -> dict[str, Any] | None:
    """The figures bench/results/mutation.json holds for one module, if any."""
    results = ROOT / "bench" / "results" / "mutation.json"
    if not results.exists():
        return None
    figures: dict[str, Any] | None = json.loads(results.read_text())["modules"].get(name)
    return figures


def write_results(modules: dict[str, Any], partial: bool) -> None:
    """Save the figures (a partial run keeps the other modules' earlier figures)."""
    from bench.common import save

    results = ROOT / "bench" / "results" / "mutation.json"
    previous: dict[str, Any] = {}
    if results.exists() and partial:
        previous = json.loads(results.read_text()).get("modules", {})
    merged = {**previous, **modules}
    killed = sum(m["killed"] for m in merged.values())
    total = sum(m["mutants"] for m in merged.values())
    equivalent = sum(m.get("equivalent", 0) for m in merged.values())
    import cosmic_ray

    print(f"all modules: {killed}/{total} killed ({killed / max(total, 1):.1%})")
    path = save(
        "mutation",
        {
            "tool": f"cosmic-ray {getattr(cosmic_ray, '__version__', '8')} core operators; "
            "forked pytest -x per mutant on the tests that execute its lines",
            "command": "nice -n 10 .venv/bin/python bench/mutation.py --jobs 2",
            "target_score": TARGET_SCORE,
            "score": round(killed / total, 4) if total else None,
            "killed": killed,
            "mutants": total,
            "equivalent": equivalent,
            "score_without_equivalent": (
                round(killed / (total - equivalent), 4) if total > equivalent else None
            ),
            "modules": merged,
        },
    )
    print("saved", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
