"""Crash proofs for the bulk writers: the demo build, a 100k ingest, an import.

What "acknowledged" means for each:

* demo build (`momentum --demo …` on a fresh home): the demo's marker, written in the
  same transaction as its last step — before it nothing is promised, after it the whole
  profile is there;
* 100k ingest (`load_videos`, the bulk loader, in a process of its own): the line
  `committed N` it prints after its one transaction;
* migration: see bench/crash_migration.py (the killed process is `child_main`'s
  `migrate`);
* import of a 50,000-row Takeout CSV (`momentum import FILE`): the sentence it prints.

After each kill the cache must be whole (integrity), hold all or nothing of the
unacknowledged work, and a rerun must end exactly where the uninterrupted run ended.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from bench.crash import ROOT, Check, output_of
from bench.crash_ai import copy_db, finish, integrity, timed_window

INGEST_COPIES = 32  # ≈ 100,000 videos
INGEST_NOW = 1_800_000_000
IMPORT_ROWS = 50_000
MIGRATION_COPIES = 4  # ≈ 12,500 videos: the migration's and the backup's caches


def wal_exists(db: Path) -> Callable[[], bool]:
    """True once a process has opened `db` for writing (SQLite made its -wal file)."""
    wal = db.with_name(db.name + "-wal")
    return wal.exists


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """All rows of `sql` on `db`."""
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


class _Bulk:
    """What every bulk writer shares: a reference state and a kill window."""

    name = ""

    def __init__(self) -> None:
        self.window = 0.0
        self.reference: Any = None
        self.work = Path()

    def teardown(self) -> None:
        """Nothing to stop."""

    def snapshot(self, home: Path) -> Any:
        """The state a rerun must reproduce."""
        raise NotImplementedError

    def db(self, home: Path) -> Path:
        """The cache this writer writes."""
        return home / "data" / "momentum.db"

    def rerun(self, home: Path) -> tuple[int, str]:
        """Run the writer to the end again."""
        raise NotImplementedError

    def compare(self, home: Path, result: Check) -> Check:
        """Rerun, then the state must equal the uninterrupted run's."""
        code, err = self.rerun(home)
        result.rerun_ok = code == 0
        if code != 0:
            result.notes.append(f"rerun failed: {err.strip()[-300:]}")
        result.equal = self.snapshot(home) == self.reference
        if not result.equal:
            result.notes.append("the state after the rerun differs from the uninterrupted run")
        return result

    def reference_run(self, work: Path) -> None:
        """One uninterrupted run: the window and the state to compare with."""
        self.work = work
        home = work / "reference"
        child, started = self.launch(home)  # type: ignore[attr-defined]
        self.window = timed_window(child, started)
        assert child.returncode == 0, output_of(home)
        self.reference = self.snapshot(home)


class DemoBuild(_Bulk):
    """`momentum --demo feed` on a fresh home: the demo profile is built on first use."""

    name = "demo-build"

    def db(self, home: Path) -> Path:
        """The demo profile's cache."""
        return home / "data" / "demo" / "momentum-demo.db"

    def setup(self, work: Path) -> None:
        """The reference build."""
        self.reference_run(work)

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """Build the demo in a fresh home."""
        return child(home, "demo", str(self.db(home))), wal_exists(self.db(home))

    def snapshot(self, home: Path) -> Any:
        """Videos, marks and labels — not their times (each build has its own `now`)."""
        db = self.db(home)
        return (
            rows(db, "SELECT id, channel_id, title, duration_s FROM videos ORDER BY id"),
            rows(db, "SELECT video_id, watched_at IS NOT NULL, rating, hidden_at IS NOT NULL, "
                     "saved_at IS NOT NULL FROM video_state ORDER BY video_id"),
            rows(db, "SELECT video_id, source, topic, mood, format FROM video_labels "
                     "ORDER BY video_id"),
            rows(db, "SELECT key FROM preferences ORDER BY key"),
        )  # fmt: skip

    def check(self, home: Path, output: str) -> Check:
        """Whole, and either not built (no marker) or completely built."""
        db = self.db(home)
        result = Check(integrity_ok=not db.exists() or integrity(db))
        tables = {r[0] for r in rows(db, "SELECT name FROM sqlite_master")} if db.exists() else ()
        if "preferences" in tables:  # killed before its first migration: nothing yet
            marker = rows(db, "SELECT count(*) FROM preferences WHERE key = 'demo_built_at'")
            if marker[0][0] and self.snapshot(home) != self.reference:
                result.lost += 1
                result.notes.append("the demo says it is built but is not the whole demo")
        return self.compare(home, result)

    def rerun(self, home: Path) -> tuple[int, str]:
        """Open the demo again (it is rebuilt when unfinished)."""
        return finish(home, {}, "--demo", "feed", "--limit", "1")


class Ingest(_Bulk):
    """The bulk loader writing ~100,000 videos in one transaction (bench/cache.py's ingest)."""

    name = "ingest-100k"

    def setup(self, work: Path) -> None:
        """An empty cache, then the reference load."""
        from momentum_tui.storage import Store

        self.template = work / "empty.db"
        Store.open(self.template).close()
        self.reference_run(work)

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """`python -m bench.crash_bulk ingest DB` on a copy of the empty cache."""
        copy_db(self.template, self.db(home))
        return child(home, "ingest", str(self.db(home))), wal_exists(self.db(home))

    def snapshot(self, home: Path) -> Any:
        """Counts and a digest of what was written, the full-text index included."""
        db = self.db(home)
        return (
            rows(db, "SELECT count(*), sum(length(title)), sum(published_at), min(id), max(id) "
                     "FROM videos"),
            rows(db, "SELECT count(*) FROM channels"),
            rows(db, "SELECT count(*) FROM videos_fts WHERE videos_fts MATCH 'the'"),
            rows(db, "SELECT name FROM sqlite_master WHERE type='index' ORDER BY name"),
        )  # fmt: skip

    def check(self, home: Path, output: str) -> Check:
        """All or nothing, acknowledged means all, the indexes are all there."""
        db = self.db(home)
        result = Check(integrity_ok=integrity(db))
        count = rows(db, "SELECT count(*) FROM videos")[0][0]
        full = self.reference[0][0][0]
        if count not in (0, full):
            result.lost += 1
            result.notes.append(f"{count} of {full} videos: a half-written load")
        if "committed" in output and count != full:
            result.lost += full - count
            result.notes.append("the load said committed but its videos are gone")
        names = rows(db, "SELECT name FROM sqlite_master WHERE type='index' ORDER BY name")
        if names != self.reference[3]:  # the load drops them and makes them again
            result.lost += 1
            result.notes.append("an index dropped for the load is missing")
        return self.compare(home, result)

    def rerun(self, home: Path) -> tuple[int, str]:
        """Load again (in this process)."""
        ingest(self.db(home))
        return 0, ""


def ingest(path: Path) -> int:
    """Load the corpus replicated `INGEST_COPIES` times into `path`; videos written."""
    from momentum_tui.demo.corpus import iter_corpus, newest_published
    from momentum_tui.storage import Store
    from momentum_tui.storage.bulk import load_videos

    shift = INGEST_NOW - newest_published()
    with Store.open(path) as store, store.write() as db:
        items = iter_corpus(shift=shift, copies=INGEST_COPIES)
        return load_videos(db, _batches(items), INGEST_NOW).new


def _batches(items: Iterable[Any], size: int = 10_000) -> Iterator[Any]:
    channels: dict[str, Any] = {}
    videos: list[Any] = []
    for item in items:
        channels[item.channel.id] = item.channel
        videos.append(item.video)
        if len(videos) >= size:
            yield list(channels.values()), videos
            channels, videos = {}, []
    if videos:
        yield list(channels.values()), videos


class Import(_Bulk):
    """`momentum import` of a 50,000-row Takeout CSV into an empty cache."""

    name = "import-50k"

    def setup(self, work: Path) -> None:
        """The CSV and the reference import."""
        from momentum_tui.storage import Store

        self.csv = work / "subscriptions.csv"
        rng = random.Random(50_000)
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        lines = ["Channel Id,Channel Url,Channel Title"]
        for n in range(IMPORT_ROWS):
            cid = "UC" + "".join(rng.choice(alphabet) for _ in range(22))
            lines.append(f"{cid},http://www.youtube.com/channel/{cid},Channel number {n}")
        self.csv.write_text("\n".join(lines) + "\n")
        self.template = work / "empty.db"
        Store.open(self.template).close()
        self.reference_run(work)

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """`momentum import FILE` on an empty cache."""
        copy_db(self.template, self.db(home))
        return child(home, "import", str(self.db(home)), str(self.csv)), wal_exists(self.db(home))

    def snapshot(self, home: Path) -> Any:
        """Every channel followed, with its title and source."""
        return rows(self.db(home), "SELECT id, title, followed, source FROM channels ORDER BY id")

    def check(self, home: Path, output: str) -> Check:
        """All or nothing; printed means all."""
        db = self.db(home)
        result = Check(integrity_ok=integrity(db))
        count = rows(db, "SELECT count(*) FROM channels")[0][0]
        if count not in (0, IMPORT_ROWS):
            result.lost += 1
            result.notes.append(f"{count} of {IMPORT_ROWS} channels: a half-written import")
        if "Imported" in output and count != IMPORT_ROWS:
            result.lost += IMPORT_ROWS - count
            result.notes.append("the import said done but its channels are gone")
        return self.compare(home, result)

    def rerun(self, home: Path) -> tuple[int, str]:
        """Import the same file again."""
        return finish(home, {}, "import", str(self.csv))


WRITERS: dict[str, Callable[[], Any]] = {w.name: w for w in (DemoBuild, Ingest, Import)}


def child_main(what: str, target: str, extra: str = "") -> None:
    """The killed process for the bulk writers: the writer's own code, without the CLI.

    `momentum` itself would do the same, after importing every command (seconds of CPU
    per start on a loaded machine, times hundreds of kills); the reruns use the CLI.
    """
    path = Path(target)
    if what == "ingest":
        print("committed", ingest(path), flush=True)
    elif what == "demo":
        from momentum_tui.demo.build import open_demo

        open_demo(path).close()
        print("built", flush=True)
    elif what == "migrate":
        from momentum_tui.storage import Store

        Store.open(path).close()
        print("migrated", flush=True)
    elif what == "import":
        from momentum_tui.storage import Store
        from momentum_tui.youtube.channels import import_channels
        from momentum_tui.youtube.importers import read_subscriptions

        with Store.open(path) as store:
            print(import_channels(store, read_subscriptions(Path(extra))).sentence(), flush=True)


def child(home: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start `python -m bench.crash_bulk ARGS`, its output into files in `home`."""
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "bench.crash_bulk", *args],
        cwd=ROOT, stdout=(home / "stdout.txt").open("wb"),
        stderr=(home / "stderr.txt").open("wb"),
    )  # fmt: skip


if __name__ == "__main__":
    child_main(*sys.argv[1:])
