"""A stored rule this version can't read (a newer Momentum wrote it, or a hand edited it)
is skipped by every reader, said in one sentence, and can be removed."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from momentum_tui.rules.spec import RuleAction, RuleSpec
from momentum_tui.rules.store import add_rule
from momentum_tui.storage import Store

FROM_THE_FUTURE = json.dumps({"action": "hide", "teleport": True})


@pytest.fixture
def cache(demo_template: Path, isolated_home: Path) -> Path:
    """The demo cache as the person's own, with one readable hide rule and one unreadable."""
    target = isolated_home / "data" / "momentum.db"
    target.parent.mkdir(parents=True)
    shutil.copyfile(demo_template, target)
    with Store.open(target) as store, store.write() as db:
        add_rule(db, RuleSpec(action=RuleAction.HIDE, shorts=True), text="hide shorts")
        db.conn.execute(
            "INSERT INTO rules (text, spec, action, enabled, source, created_at) "
            "VALUES ('teleport', ?, 'hide', 1, 'manual', 0)",
            (FROM_THE_FUTURE,),
        )
    return target


def test_an_unreadable_rule_is_skipped_said_and_removable(cache: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    feed = run_cli("feed", "--json", "--limit", "500")
    assert feed.code == 0, feed.err
    videos = json.loads(feed.out)["videos"]
    assert videos and not any(v["is_short"] for v in videos)  # the readable rule still hides

    listed = run_cli("rules", "list", "--json")
    assert listed.code == 0
    document = json.loads(listed.out)
    assert [r["text"] for r in document["rules"]] == ["hide shorts"]
    assert document["unreadable"] == [2]
    assert "Rule 2 can't be read by this version of Momentum" in listed.err
    assert "`momentum rules remove 2`" in listed.err

    shown = run_cli("rules", "edit", "2", "--disable")
    assert shown.code == 1
    assert "Rule 2 can't be read" in shown.err and "Traceback" not in shown.err

    removed = run_cli("rules", "remove", "2")
    assert removed.code == 0, removed.err
    assert "Removed rule 2: (it could not be read)" in removed.out
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT count(*) FROM rules").fetchone()[0] == 1
    assert json.loads(run_cli("rules", "list", "--json").out)["unreadable"] == []
