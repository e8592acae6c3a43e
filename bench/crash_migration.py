"""Crash proof for schema migrations: an older cache upgraded through five migrations.

The starting cache has the schema of the migrations up to `FROM_BEFORE` (m001, m020,
m010) and is filled the way a person's cache of that time was: ~12,500 videos with
offline labels, followed channels, groups, keyword weights, rules, marks and their
history. Opening it applies, each in its own transaction with its `_sqlite_migrations`
row, the rest — and three of them rewrite data, not only the schema:

* `m030_recommend` builds two covering indexes over every video and label and fills
  `label_tags` from every label's JSON tags;
* `m040_prefsync` creates the preference-sync tables and triggers, gives every rule a
  global id (`UPDATE rules`) and seeds the outbox with every follow, group, keyword
  weight, rule and mark already in the cache;
* `m050_watch`, `m070_prefsync_watch` and `m080_mark_origin` add the watch tables, their
  triggers and seed, and a column.

Acknowledged is a migration's row in `_sqlite_migrations`. After a kill the cache must
be exactly the state after some whole number of those migrations (each state is built
once beforehand with sqlite-utils' own `apply(stop_before=…)`): its schema, what the
migrations filled, and every row count; the person's data untouched; and the rerun
(`momentum feed` through the CLI) must end exactly where the uninterrupted upgrade did.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.crash import Check
from bench.crash_ai import copy_db, finish, integrity
from bench.crash_bulk import (
    INGEST_NOW,
    MIGRATION_COPIES,
    _batches,
    _Bulk,
    child,
    rows,
    wal_exists,
)

FROM_BEFORE = "m030_recommend"
"""The first migration the killed process applies (every one before it is in the file)."""

_DATA = {
    "videos": "SELECT count(*), sum(length(title)), sum(published_at) FROM videos",
    "labels": "SELECT count(*), sum(clickbait), group_concat(DISTINCT topic) FROM video_labels",
    "marks": "SELECT video_id, watched_at, rating, rated_at, hidden_at, saved_at FROM "
    "video_state ORDER BY video_id",
    "history": "SELECT id, video_id, mark, at, previous, undone_at FROM interactions ORDER BY id",
    "follows": "SELECT id, followed, added_at FROM channels ORDER BY id",
    "groups": "SELECT channel_id, tag FROM channel_tags ORDER BY channel_id, tag",
    "keywords": "SELECT keyword, weight, created_at FROM keyword_prefs ORDER BY keyword",
    "rules": "SELECT id, text, spec, action, enabled, created_at FROM rules ORDER BY id",
}
"""The person's data: no migration may change it."""


def _tables(db: Path) -> list[str]:
    return [r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]


def _columns(db: Path, table: str) -> set[str]:
    return {r[1] for r in rows(db, f"PRAGMA table_info({table})")}


class Migration(_Bulk):
    """Five migrations (three that rewrite data) on a filled cache of an older schema."""

    name = "migration"

    def setup(self, work: Path) -> None:
        """The older cache, the state after each whole migration, then the reference."""
        from momentum_tui.storage import migrations

        self.work = work
        self.template = work / "old.db"
        build_old_cache(self.template)
        self.old_data = self.data(self.template)
        pending = migrations.known_names()
        pending = pending[pending.index(FROM_BEFORE) :]
        self.states = []
        for stop in pending:  # the state after each whole number of migrations
            step = work / f"before-{stop}.db"
            copy_db(self.template, step)
            _apply(step, stop_before=stop)
            self.states.append(self.shape(step))
        self.reference_run(work)
        self.states.append(self.reference[0])
        assert len(set(map(repr, self.states))) == len(self.states), "two migrations alike"
        assert self.reference[1] == self.old_data, "the uninterrupted upgrade changed data"

    def launch(self, home: Path) -> tuple[subprocess.Popen[bytes], Callable[[], bool]]:
        """Open a copy (the writer's own `Store.open`, in a process of its own)."""
        copy_db(self.template, self.db(home))
        return child(home, "migrate", str(self.db(home))), wal_exists(self.db(home))

    def shape(self, db: Path) -> Any:
        """What the migrations make: schema, their rows, what they filled, every count."""
        tables = _tables(db)
        outbox = (
            rows(db, "SELECT name FROM prefsync_outbox WHERE name NOT LIKE 'rule:%' "
                     "ORDER BY name")
            if "prefsync_outbox" in tables else None
        )  # fmt: skip
        rule_ids = (  # a random global id each, so: every rule has one, in the outbox twice
            rows(db, "SELECT count(uid), count(DISTINCT uid), (SELECT count(*) FROM "
                     "prefsync_outbox WHERE name IN (SELECT 'rule:' || uid FROM rules UNION "
                     "SELECT 'rule:' || uid || ':on' FROM rules)) FROM rules")
            if "uid" in _columns(db, "rules") else None
        )  # fmt: skip
        return (
            rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master "
                     "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"),
            rows(db, "SELECT name FROM _sqlite_migrations ORDER BY rowid"),
            rows(db, "SELECT tag, video_id FROM label_tags ORDER BY tag, video_id")
            if "label_tags" in tables else None,
            outbox,
            rule_ids,
            {t: rows(db, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables
             if t != "preferences"},  # the CLI rerun notes its visit there
        )  # fmt: skip

    def data(self, db: Path) -> Any:
        """The person's data (`_DATA`)."""
        return {name: rows(db, sql) for name, sql in _DATA.items()}

    def snapshot(self, home: Path) -> Any:
        """(shape, data): what a rerun must reproduce."""
        return self.shape(self.db(home)), self.data(self.db(home))

    def check(self, home: Path, output: str) -> Check:
        """Whole; exactly some whole number of migrations applied; the data untouched."""
        db = self.db(home)
        result = Check(integrity_ok=integrity(db))
        shape, data = self.snapshot(home)
        if data != self.old_data:
            result.lost += 1
            result.notes.append("a migration changed the person's data")
        if shape not in self.states:
            result.lost += 1
            result.notes.append("a half-applied migration")
        else:
            applied = self.states.index(shape)
            result.counts[f"killed_after_{applied}_migrations"] = 1
        return self.compare(home, result)

    def rerun(self, home: Path) -> tuple[int, str]:
        """Open the cache again through the CLI (the pending migrations are applied)."""
        return finish(home, {}, "feed", "--limit", "1")


def _apply(path: Path, stop_before: str | None = None) -> None:
    """sqlite-utils' own `apply` of Momentum's migrations (up to `stop_before`)."""
    from momentum_tui.storage import Store, migrations

    store = Store.open(path, migrate=False)
    try:
        migrations._sqlite_utils_migrations().apply(store.db, stop_before=stop_before)
    finally:
        store.close()


def build_old_cache(path: Path) -> None:
    """A cache of the schema before `FROM_BEFORE`, filled as a person's would be."""
    from momentum_tui.ai.local import label_store
    from momentum_tui.demo.corpus import iter_corpus, newest_published
    from momentum_tui.rules.spec import RuleSpec
    from momentum_tui.storage import Store
    from momentum_tui.storage.bulk import load_videos

    _apply(path, stop_before=FROM_BEFORE)
    store = Store.open(path, migrate=False)
    with store.write() as db:
        items = iter_corpus(shift=INGEST_NOW - newest_published(), copies=MIGRATION_COPIES)
        load_videos(db, _batches(items), INGEST_NOW)
    label_store(store, now=INGEST_NOW)
    with store.write() as db:
        conn = db.conn
        videos = [r[0] for r in conn.execute("SELECT id FROM videos ORDER BY id")]
        channels = [r[0] for r in conn.execute("SELECT id FROM channels ORDER BY id")]
        conn.executemany(
            "INSERT INTO channel_tags (channel_id, tag) VALUES (?, ?)",
            [(c, ("music", "science", "cooking")[n % 3]) for n, c in enumerate(channels[:40])],
        )
        conn.execute("UPDATE channels SET followed = 0 WHERE rowid % 9 = 0")
        conn.executemany(
            "INSERT INTO keyword_prefs (keyword, weight, created_at) VALUES (?, ?, ?)",
            [(w, (n % 5) - 2.0, INGEST_NOW - n) for n, w in enumerate(
                ("rust", "python", "asmr", "drama", "live", "recipe", "nasa", "chess"))],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO rules (text, spec, action, created_at) VALUES (?, ?, ?, ?)",
            [(f"rule {n}", RuleSpec(action=a, topics=(t,)).model_dump_json(), a,
              INGEST_NOW - 60 * n)
             for n, (t, a) in enumerate((("news", "bury"), ("music", "boost"),
                                         ("gaming", "hide")))],
        )  # fmt: skip
        marks, history = [], []
        for n, video in enumerate(videos):
            at = INGEST_NOW - 3600 - n
            watched = at if n % 7 == 0 else None
            rating = (1, -1)[n % 2] if n % 11 == 0 else 0
            hidden = at if n % 13 == 0 else None
            saved = at if n % 17 == 0 else None
            if watched or rating or hidden or saved:
                marks.append((video, watched, rating, at if rating else None, hidden, saved, at))
                for mark, on in (("watched", watched), ("liked", rating == 1),
                                 ("disliked", rating == -1), ("hidden", hidden),
                                 ("saved", saved)):  # fmt: skip
                    if on:
                        history.append((video, mark, at, "{}"))
        conn.executemany(
            "INSERT INTO video_state (video_id, watched_at, rating, rated_at, hidden_at, "
            "saved_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            marks,
        )
        conn.executemany(
            "INSERT INTO interactions (video_id, mark, at, previous) VALUES (?, ?, ?, ?)", history
        )
    store.close()


WRITERS: dict[str, Callable[[], Any]] = {Migration.name: Migration}
