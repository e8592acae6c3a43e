"""Crash proofs: kill -9 every writer at random moments; nothing acknowledged is ever lost.

    .venv/bin/python bench/crash.py [--kills 100] [--seed 20261201] [--writer classify …]

Each writer (see bench/crash_ai.py, bench/crash_bulk.py, bench/crash_data.py and
bench/crash_prefsync.py) runs as the real `momentum` process (or, for the 100k ingest,
the bulk loader in a process of its own) on a fresh copy of its starting cache (and, for
preference sync, of the server's database), and is sent SIGKILL at a seeded random
moment inside the window where it works (measured by an uninterrupted run first). After
every kill:

* `PRAGMA integrity_check` must say ok;
* nothing the writer had acknowledged may be missing or doubled (each writer says what
  "acknowledged" means for it: a line it printed, a ledger row it committed…);
* no ledger may under-count: every request the Claude emulator answered is in the AI
  ledger (settled, or at its upper bound when its answer never arrived);
* a rerun must complete and leave the same state as the uninterrupted run.

A kill that comes after the process had already finished is not counted (another
moment is drawn). Figures go to bench/results/crash.json.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import save  # noqa: E402


@dataclass
class Check:
    """What one kill left behind."""

    integrity_ok: bool = True
    lost: int = 0
    duplicated: int = 0
    under_counted: int = 0
    rerun_ok: bool = True
    equal: bool = True
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    """A writer's own figures, summed over its kills (e.g. temporary files left)."""

    def failed(self) -> bool:
        """Whether anything promised was broken."""
        return bool(
            not self.integrity_ok or self.lost or self.duplicated or self.under_counted
            or not self.rerun_ok or not self.equal
        )  # fmt: skip


class Writer(Protocol):
    """One writer under test."""

    name: str
    window: float
    """Seconds after `started` during which a kill can land (from the uninterrupted run)."""

    def setup(self, work: Path) -> None:
        """Build the starting cache and run once uninterrupted (the reference)."""

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """Copy the starting state into `home`, start the writer; (process, has it started)."""

    def check(self, home: Path, output: str) -> Check:
        """Inspect `home` after a kill, rerun to the end and compare with the reference."""

    def teardown(self) -> None:
        """Stop servers started by `setup`."""


def output_of(home: Path) -> str:
    """What the killed process had printed (its standard output and error)."""
    parts = [home / "stdout.txt", home / "stderr.txt"]
    return "".join(p.read_text(errors="replace") for p in parts if p.exists())


def kill_at_random(
    writer: Writer,
    work: Path,
    kills: int,
    rng: random.Random,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    resume: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Kill `writer` `kills` times at random moments; the tally (`on_progress` every ten).

    `resume` is a tally an earlier run of the same writer and seed saved before it was
    stopped: its counts are kept, and `rng` is advanced past the moments it drew, so the
    continued run draws the moments the stopped one would have drawn next (as fractions
    of the window: the window itself is measured again, under today's load).
    """
    tally: dict[str, Any] = {
        "kills": 0, "finished_before_kill": 0, "integrity_failures": 0, "lost": 0,
        "duplicated": 0, "under_counted": 0, "rerun_failures": 0, "unequal_reruns": 0,
        "window_s": round(writer.window, 3), "failures": [], "attempts": 0,
        "seconds": 0.0, "seconds_writer": 0.0, "seconds_check": 0.0,
    }  # fmt: skip
    if resume:
        tally.update({k: v for k, v in resume.items() if k != "window_s"})
        tally["windows_s"] = [*resume.get("windows_s", [resume["window_s"]]), tally["window_s"]]
        tally["resumed"] = resume.get("resumed", 0) + 1
        for _ in range(tally["attempts"]):
            rng.random()  # the moments the stopped run already drew
    attempts = tally["attempts"]
    started = time.perf_counter() - tally["seconds"]
    cpu_started = _cpu_seconds() - tally.get("seconds_cpu", 0.0)
    while tally["kills"] < kills and attempts < kills * 3:
        attempts += 1
        tally["attempts"] = attempts
        home = work / f"{writer.name}-{attempts}"
        launched = time.perf_counter()
        child, has_started = writer.launch(home)
        deadline = time.monotonic() + 120
        while not has_started() and child.poll() is None:
            if time.monotonic() > deadline:
                child.kill()
                raise RuntimeError(f"{writer.name} never started working")
            time.sleep(0.002)
        working = time.perf_counter()
        kill_at = working + writer.window * rng.random()  # = rng.uniform(0, window)
        while (now := time.perf_counter()) < kill_at and child.poll() is None:
            time.sleep(min(0.002, kill_at - now))
        alive = child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        tally["seconds_writer"] += time.perf_counter() - launched
        if not alive:
            # It finished before the moment drawn: its run is the newest uninterrupted
            # one, so it becomes the window (the load on a shared machine changes; a
            # window measured under a burst would waste most later draws).
            writer.window = time.perf_counter() - working
            tally["finished_before_kill"] += 1
            tally.setdefault("windows_s", [tally["window_s"]]).append(round(writer.window, 3))
            shutil.rmtree(home, ignore_errors=True)
            continue
        tally["kills"] += 1
        checking = time.perf_counter()
        result = writer.check(home, output_of(home))
        tally["seconds_check"] += time.perf_counter() - checking
        tally["integrity_failures"] += not result.integrity_ok
        tally["lost"] += result.lost
        tally["duplicated"] += result.duplicated
        tally["under_counted"] += result.under_counted
        tally["rerun_failures"] += not result.rerun_ok
        tally["unequal_reruns"] += not result.equal
        for key, count in result.counts.items():
            tally[key] = tally.get(key, 0) + count
        if result.failed():
            tally["failures"].append({"kill": tally["kills"], "notes": result.notes})
            print(f"  {writer.name} kill {tally['kills']}: {'; '.join(result.notes)}", flush=True)
        shutil.rmtree(home, ignore_errors=True)
        tally["seconds"] = time.perf_counter() - started
        tally["seconds_cpu"] = _cpu_seconds() - cpu_started
        if tally["kills"] % 10 == 0:
            print(f"  {writer.name}: {tally['kills']}/{kills} kills, "
                  f"{tally['seconds'] / tally['kills']:.1f} s a kill", flush=True)  # fmt: skip
            if on_progress is not None:  # a run stopped early still leaves what it measured
                on_progress({**_rounded(tally), "complete": False})
    tally["seconds"] = time.perf_counter() - started
    tally["seconds_cpu"] = _cpu_seconds() - cpu_started
    tally["complete"] = tally["kills"] >= kills
    return _rounded(tally)


def _cpu_seconds() -> float:
    """CPU time of this process and the writers it waited for (what a kill costs, load aside).

    On a loaded machine at `nice` 10 the wall time of a kill is mostly waiting for a core;
    this is the part that does not depend on what else runs.
    """
    import resource

    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in used)


def _rounded(tally: dict[str, Any]) -> dict[str, Any]:
    """The tally with its seconds to a tenth (what is saved)."""
    return {k: round(v, 1) if k.startswith("seconds") else v for k, v in tally.items()}


def writers() -> dict[str, Callable[[], Writer]]:
    """Every writer the harness knows, by name."""
    from bench import crash_ai, crash_bulk, crash_data, crash_migration, crash_prefsync

    return {
        **crash_ai.WRITERS,
        **crash_bulk.WRITERS,
        **crash_migration.WRITERS,
        **crash_data.WRITERS,
        **crash_prefsync.WRITERS,
    }


def main() -> None:
    """Run the chosen writers (all by default) and save the figures."""
    known = writers()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=100, help="kills per writer")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--writer", action="append", choices=sorted(known))
    parser.add_argument("--resume", action="store_true", help=(
        "continue each writer's saved tally (same seed) instead of starting again"))  # fmt: skip
    args = parser.parse_args()
    chosen = args.writer or list(known)
    figures: dict[str, Any] = {}
    for name in chosen:
        earlier = saved_tally(name, args.seed) if args.resume else None
        writer = known[name]()
        work = Path(tempfile.mkdtemp(prefix=f"momentum-crash-{name}-"))
        try:
            writer.setup(work)
            print(f"{name}: window {writer.window:.2f} s"
                  + (f", resuming after {earlier['kills']} kills" if earlier else ""),
                  flush=True)  # fmt: skip
            tally = kill_at_random(
                writer, work, args.kills, random.Random(f"{args.seed}:{name}"),
                lambda so_far, name=name: record({name: so_far}, args.seed, args.kills),
                resume=earlier,
            )  # fmt: skip
        finally:
            writer.teardown()
            shutil.rmtree(work, ignore_errors=True)
        figures[name] = tally
        record(figures, args.seed, args.kills)  # each writer's figures as soon as they are in
        bad = {k: v for k, v in tally.items() if k not in ("kills", "finished_before_kill",
               "window_s", "windows_s", "seconds", "seconds_writer", "seconds_check", "seconds_cpu",
               "attempts", "resumed", "failures", "complete", "temp_files_left",
               "reruns_after_grace")
               and v}  # fmt: skip
        print(f"{name}: {tally['kills']} kills, {tally['seconds']:.0f} s, "
              + (f"FAILURES {bad}" if bad else "integrity ok, nothing lost, doubled "
                 "or under-counted, every rerun equal"), flush=True)  # fmt: skip


def saved_tally(name: str, seed: int) -> dict[str, Any] | None:
    """`name`'s tally in bench/results/crash.json, if it was saved with `seed`."""
    import json

    results = ROOT / "bench" / "results" / "crash.json"
    if not results.exists():
        return None
    saved = json.loads(results.read_text())
    tally = saved.get("writers", {}).get(name)
    if saved.get("seed") != seed or not tally or "attempts" not in tally:
        return None  # another seed, or saved before tallies knew their draws
    return dict(tally)


def record(figures: dict[str, Any], seed: int, kills: int) -> None:
    """Merge these writers' figures into bench/results/crash.json (others' are kept).

    Several harness processes may run at once (one per group of writers): a lock file
    keeps their read-merge-write steps apart.
    """
    import fcntl
    import json

    results = ROOT / "bench" / "results" / "crash.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    with (results.parent / ".crash.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        previous: dict[str, Any] = {}
        if results.exists():
            previous = json.loads(results.read_text()).get("writers", {})
        merged = {**previous, **figures}
        total = {key: sum(w.get(key, 0) for w in merged.values()) for key in (
            "kills", "integrity_failures", "lost", "duplicated", "under_counted",
            "rerun_failures", "unequal_reruns")}  # fmt: skip
        path = save("crash", {"seed": seed, "kills_per_writer": kills, "total": total,
                              "writers": merged})  # fmt: skip
    print("total so far:", total, "→", path.relative_to(ROOT), flush=True)


if __name__ == "__main__":
    main()
