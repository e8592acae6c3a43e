"""Crash proofs for preference sync: `momentum prefsync` pushing, and pulling, killed mid-way.

Both writers run the real `momentum prefsync` (the console script next to this Python)
against the real backend — `momentum_server` under uvicorn on a fixed loopback port, on
SQLite — and each attempt starts from fresh copies of *both* sides: the client's home
(cache and 0600 secrets file) and the server's database, the server restarted on its copy.
The server runs in a thread of the harness (like tests/support/backend.py): it is never
killed, as a real server outlives a client that crashes, and restarting it costs no start-up.

The world, built once per writer (`World`): a "laptop" cache of 1,200 demo-corpus videos
with ~3,000 local preference records (follows, keyword weights, marks, a group), signed
in to a new account with `momentum login --new --file`; a "desktop" cache of the same
videos, signed in to the same account, the key entered with `prefsync key --set-stdin`.

* **prefsync-push** — the laptop's first sync, killed from the moment it opens its cache:
  fold the outbox (one transaction), pull, push in pages of 500 (`If-Match` each).
  Acknowledged: a page the server answered, which the client marks synced (with the
  revision) in one transaction. After the kill: the local preferences are exactly the
  start state, every record is still in the outbox or the records, none marked synced is
  missing from the server, the recorded revision never runs ahead; the rerun completes;
  the server then holds exactly the uninterrupted run's records (opened with the key,
  through the API), each once, at the same revision (nothing sent twice).
* **prefsync-pull** — the desktop's first sync, killed from its first request on: every
  page pulled, opened and merged, applied in one transaction that also records the
  revision. After the kill: no record at or below the recorded revision is missing (none
  skipped), the preferences are all or nothing; the rerun completes and equals the
  uninterrupted pull (tables, records, revision), and the server is untouched (nothing
  pulled was pushed back).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.crash import Check
from bench.crash_ai import copy_db, finish, integrity, timed_window
from bench.crash_backend import Server, ServerView, server_view
from bench.crash_bulk import rows, wal_exists

VIDEOS = 1_200
KEYWORDS = 900
PASSWORD = "crash proof password"
MOMENTUM = str(Path(sys.executable).with_name("momentum"))
ENV = {
    # No keyring, as on a headless server: `--file` keeps the token and the key in the
    # home's 0600 secrets.toml, so a copied home carries them. An inherited secret or
    # keyring must never stand in for the home's own.
    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    "MOMENTUM_BACKEND_TOKEN": "",
    "MOMENTUM_SYNC_KEY": "",
    "MOMENTUM_SYNC_KEY_NEXT": "",
}
PREFERENCES = {
    # table: (its rows, the column a sync stamps with its own clock: left out of a pull's
    # compare, since each run applies at its own time)
    "channels": ("SELECT id, title, followed, notify, added_at FROM channels ORDER BY id", 4),
    "channel_tags": ("SELECT channel_id, tag FROM channel_tags ORDER BY 1, 2", None),
    "keyword_prefs": ("SELECT keyword, weight, created_at FROM keyword_prefs ORDER BY 1", 2),
    "rules": ("SELECT uid, text, spec, action, enabled, source, created_at FROM rules "
              "ORDER BY uid", None),
    "video_state": ("SELECT video_id, watched_at, rating, rated_at, hidden_at, saved_at, "
                    "updated_at FROM video_state ORDER BY video_id", 6),
    "queue": ("SELECT video_id, position FROM queue ORDER BY video_id", None),
    "playback": ("SELECT video_id, position_s, duration_s FROM playback ORDER BY 1", None),
    "notified": ("SELECT video_id, at FROM notified ORDER BY video_id", None),
}  # fmt: skip


def db_of(home: Path) -> Path:
    """A home's cache."""
    return home / "data" / "momentum.db"


def preferences(db: Path, *, exact: bool) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced preference table; without `exact`, not the times a sync stamps itself."""
    out = {}
    for table, (sql, stamped) in PREFERENCES.items():
        found = rows(db, sql)
        if not exact and stamped is not None:
            found = [row[:stamped] + row[stamped + 1 :] for row in found]
        out[table] = found
    return out


def records(db: Path) -> list[tuple[Any, ...]]:
    """This device's merged records with their bookkeeping (synced, applied)."""
    return rows(db, "SELECT name, hlc, device, value, synced, applied FROM prefsync_records "
                    "ORDER BY name")  # fmt: skip


def sync_state(db: Path) -> tuple[int, list[str]]:
    """(the revision recorded, the names waiting in the outbox)."""
    revision = rows(db, "SELECT revision FROM prefsync_state")[0][0]
    return revision, [r[0] for r in rows(db, "SELECT name FROM prefsync_outbox")]


def copy_home(template: Path, home: Path) -> None:
    """A home's cache (online backup) and secrets file, copied into `home`."""
    copy_db(db_of(template), db_of(home))
    shutil.copy2(template / "secrets.toml", home / "secrets.toml")


def run(home: Path, *args: str, stdin: str = "") -> str:
    """The real `momentum ARGS` in `home`, to the end (set-up steps); what it printed."""
    done = subprocess.run(
        [MOMENTUM, *args], input=stdin.encode(), capture_output=True, cwd=home, timeout=600,
        env={**os.environ, **ENV, "MOMENTUM_HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def build_cache(home: Path, *, with_preferences: bool) -> None:
    """The first `VIDEOS` demo-corpus videos; with preferences, ~3,000 records' worth."""
    from momentum_tui.demo.corpus import iter_corpus
    from momentum_tui.recommend.prefs import add_keyword
    from momentum_tui.storage import Store
    from momentum_tui.storage.channels import tag_channel
    from momentum_tui.storage.marks import mark_video
    from momentum_tui.storage.videos import upsert_channels, upsert_videos

    items = [item for _, item in zip(range(VIDEOS), iter_corpus(), strict=False)]
    with Store.open(db_of(home)) as store:
        with store.write() as db:
            upsert_channels(db, {i.channel.id: i.channel for i in items}.values(), now=1)
            upsert_videos(db, [i.video for i in items], now=1)
        if not with_preferences:
            return
        with store.write() as db:
            for n in range(KEYWORDS):
                add_keyword(db, f"topic {n}", 1 + n % 4 if n % 3 else -(1 + n % 5), now=2)
        marks = ("watched", "liked", "saved", "watched", "hidden", "disliked")
        for n, item in enumerate(items[:1_000]):
            mark_video(store, item.video.id, marks[n % len(marks)], now=1_790_000_000 + n)
        channels = list(dict.fromkeys(i.channel.id for i in items))
        for channel in channels[:150]:
            tag_channel(store, channel, ["favourites"])


class World:
    """The laptop (pushes) and the desktop (pulls) at their start, and the server's copies."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.server = Server()
        self.push_home = work / "push-template"
        self.push_server = work / "push-server.db"
        self.pull_home = work / "pull-template"
        self.pull_server = work / "pull-server.db"

    def build(self, first_push: Callable[[], Path]) -> None:
        """Both caches and sign-ins; `first_push` syncs the laptop once (its server's file)."""
        building = self.work / "server-build.db"
        self.server.start(building)
        # The desktop's cache first: its own follows are older, so the laptop's win the
        # merge and the desktop's first sync only pulls (as after a YouTube sync there).
        build_cache(self.pull_home, with_preferences=False)
        build_cache(self.push_home, with_preferences=True)
        login = ("login", "--server", self.server.url, "--user", "crash", "--password-stdin",
                 "--file")  # fmt: skip
        run(self.push_home, *login, "--new", "--device-name", "laptop", stdin=PASSWORD + "\n")
        shown = run(self.push_home, "prefsync", "key", "--show")
        words = " ".join(re.findall(r"\d+\. ([a-z]+)", shown))
        copy_db(building, self.push_server)
        pushed = first_push()  # the server (running on `pushed`) holds the laptop's records
        run(self.pull_home, *login, "--device-name", "desktop", stdin=PASSWORD + "\n")
        run(self.pull_home, "prefsync", "key", "--set-stdin", "--file", stdin=words)
        copy_db(pushed, self.pull_server)

    def launch(
        self, home: Path, template: Path, server_db: Path, *, from_first_request: bool = False
    ) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """Fresh copies of the server's database and the client's home; `momentum prefsync`.

        It has started once it opened its cache — or, `from_first_request`, once its first
        request reached the server (the pull: what comes before is start-up and the fold,
        which the push's window covers).
        """
        home.mkdir(parents=True, exist_ok=True)
        copy_db(server_db, home / "server.db")
        self.server.start(home / "server.db")
        copy_home(template, home)
        child = subprocess.Popen(
            [MOMENTUM, "prefsync"], cwd=home,
            env={**os.environ, **ENV, "MOMENTUM_HOME": str(home)},
            stdout=(home / "stdout.txt").open("wb"), stderr=(home / "stderr.txt").open("wb"),
        )  # fmt: skip
        if from_first_request:
            return child, lambda: self.server.requests > 0
        return child, wal_exists(db_of(home))


class _PrefSync:
    """What both writers share: the world, the rerun, the server stopped at the end."""

    name = ""

    def __init__(self) -> None:
        self.window = 0.0
        self.world = World(Path())

    def prepare(self, work: Path, first_push: Callable[[], Path]) -> None:
        """No keyring in this process either (its reruns read the homes' secrets files)."""
        import keyring
        from keyring.backends import fail

        keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
        self.world = World(work)
        self.world.build(first_push)

    def push_launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """The laptop's first `momentum prefsync`, from fresh copies."""
        return self.world.launch(home, self.world.push_home, self.world.push_server)

    def rerun(self, home: Path, result: Check) -> None:
        """`momentum prefsync` to the end, in this process."""
        code, err = finish(home, ENV, "prefsync")
        result.rerun_ok = code == 0
        if code != 0:
            result.notes.append(f"rerun failed: {err.strip()[-300:]}")

    def teardown(self) -> None:
        """Stop the server."""
        self.world.server.stop()


class Push(_PrefSync):
    """`momentum prefsync` on the laptop: ~3,000 records pushed in pages."""

    name = "prefsync-push"

    def setup(self, work: Path) -> None:
        """The world, with the reference push timed on the way."""
        self.prepare(work, self._reference)
        self.start = preferences(db_of(self.world.push_home), exact=True)

    def _reference(self) -> Path:
        home = self.world.work / "reference"
        child, started = self.launch(home)
        self.window = timed_window(child, started)
        assert child.returncode == 0, (home / "stderr.txt").read_text()
        self.reference = records(db_of(home))
        self.reference_server = server_view(self.world.server, home)
        assert not sync_state(db_of(home))[1]
        assert all(r[4] for r in self.reference)
        assert len(self.reference_server.records) == len(self.reference) > 2_000
        print(f"{self.name} reference: {(home / 'stdout.txt').read_text().strip()}", flush=True)
        return home / "server.db"

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """Fresh copies of the laptop and the empty account; push."""
        return self.push_launch(home)

    def check(self, home: Path, output: str) -> Check:
        """Nothing local lost, nothing marked synced that the server lacks; rerun; compare."""
        db = db_of(home)
        result = Check(integrity_ok=integrity(db) and integrity(home / "server.db"))
        if preferences(db, exact=True) != self.start:
            result.lost += 1
            result.notes.append("the push changed the local preferences")
        revision, outbox = sync_state(db)
        held = {row[0]: row for row in records(db)}
        gone = {row[0] for row in self.reference} - held.keys() - set(outbox)
        if gone:
            result.notes.append(f"{len(gone)} records neither in the outbox nor the records")
        view = server_view(self.world.server, home)
        lacking = {
            n for n, row in held.items() if row[4] and view.records.get(n, ())[:3] != row[1:4]
        }
        if lacking:
            result.notes.append(f"{len(lacking)} records marked synced that the server lacks")
        if revision > view.revision:
            result.lost += 1
            result.notes.append(f"revision {revision} recorded, the server is at {view.revision}")
        self.rerun(home, result)
        after = server_view(self.world.server, home)
        missing = {row[0] for row in self.reference} - after.records.keys()
        if missing:
            result.notes.append(f"{len(missing)} records not on the server after the rerun")
        result.lost += len(gone | lacking | missing)
        result.duplicated = after.repeated + max(0, after.revision - self.reference_server.revision)
        if result.duplicated:
            result.notes.append(f"the server is at revision {after.revision}, the uninterrupted "
                                f"run left it at {self.reference_server.revision}")  # fmt: skip
        result.equal = (
            records(db) == self.reference
            and not sync_state(db)[1]
            and preferences(db, exact=True) == self.start
            and _plain(after) == _plain(self.reference_server)
            and after.key_checks == 1
        )
        if not result.equal:
            result.notes.append("after the rerun the laptop or the server differs from the "
                                "uninterrupted run")  # fmt: skip
        self.world.server.stop()
        return result


def _plain(view: ServerView) -> dict[str, tuple[Any, ...]]:
    """The records without their revisions."""
    return {name: stored[:3] for name, stored in view.records.items()}


class Pull(_PrefSync):
    """`momentum prefsync` on the desktop: the laptop's ~3,000 records pulled and applied."""

    name = "prefsync-pull"

    def setup(self, work: Path) -> None:
        """The world, then the reference pull (timed)."""
        self.prepare(work, self._first_push)
        self.start = preferences(db_of(self.world.pull_home), exact=False)
        home = work / "reference"
        child, started = self.launch(home)
        self.window = timed_window(child, started)
        assert child.returncode == 0, (home / "stderr.txt").read_text()
        db = db_of(home)
        self.reference = records(db)
        self.reference_prefs = preferences(db, exact=False)
        self.revision = sync_state(db)[0]
        self.reference_server = server_view(self.world.server, home)
        assert self.reference_prefs != self.start
        assert all(r[4] and r[5] for r in self.reference)
        assert self.revision == self.reference_server.revision  # nothing was pushed back
        print(f"{self.name} reference: {(home / 'stdout.txt').read_text().strip()}", flush=True)

    def _first_push(self) -> Path:
        home = self.world.work / "first-push"
        child, _ = self.push_launch(home)
        assert child.wait(timeout=600) == 0, (home / "stderr.txt").read_text()
        return home / "server.db"

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """Fresh copies of the desktop and the account holding the laptop's records; pull."""
        return self.world.launch(
            home, self.world.pull_home, self.world.pull_server, from_first_request=True
        )

    def check(self, home: Path, output: str) -> Check:
        """No record below the recorded revision skipped, all or nothing; rerun; compare."""
        db = db_of(home)
        result = Check(integrity_ok=integrity(db) and integrity(home / "server.db"))
        revision, _outbox = sync_state(db)
        held = {row[0]: row for row in records(db)}
        view = server_view(self.world.server, home)
        # Merged means held at that stamp or a later one (the merge keeps the later writer).
        skipped = [
            name for name, (hlc, device, _value, at) in view.records.items()
            if at <= revision and (name not in held or tuple(held[name][1:3]) < (hlc, device))
        ]  # fmt: skip
        if skipped:
            result.lost += len(skipped)
            result.notes.append(f"revision {revision} recorded but {len(skipped)} records at "
                                "or below it were never merged")  # fmt: skip
        now = preferences(db, exact=False)
        if now not in (self.start, self.reference_prefs):
            result.lost += 1
            result.notes.append("a half-applied pull: the preferences are neither before nor after")
        if revision >= self.revision and now != self.reference_prefs:
            result.lost += 1
            result.notes.append("the revision says pulled, the preferences say not applied")
        self.rerun(home, result)
        after = server_view(self.world.server, home)
        result.duplicated = after.repeated + max(0, after.revision - self.reference_server.revision)
        if result.duplicated:
            result.notes.append(f"the pull pushed back: the server is at {after.revision}")
        result.equal = (
            records(db) == self.reference
            and preferences(db, exact=False) == self.reference_prefs
            and sync_state(db) == (self.revision, [])
        )
        if not result.equal:
            result.notes.append("after the rerun the desktop differs from the uninterrupted pull")
        self.world.server.stop()
        return result


WRITERS: dict[str, Callable[[], Any]] = {w.name: w for w in (Push, Pull)}
