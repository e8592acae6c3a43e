"""The demo profile: real data, synthesized durations and live state, deterministic."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from momentum_tui.demo import synth
from momentum_tui.demo.corpus import iter_corpus, load_records
from momentum_tui.models import LiveState
from momentum_tui.storage import Store


def test_corpus_is_the_whole_real_dataset() -> None:
    records = load_records()
    assert len(records) == 3136
    assert len({r["channel_id"] for r in records}) == 2407
    non_ascii = sum(1 for r in records if not r["title"].isascii())
    assert non_ascii > 1500  # CJK, Cyrillic, Arabic, emoji…


def test_synthesis_is_deterministic_and_varied() -> None:
    videos = [item.video for item in iter_corpus()]
    again = [item.video for item in iter_corpus()]
    assert [v.duration_s for v in videos] == [v.duration_s for v in again]
    states = Counter(v.live_state for v in videos)
    assert states[LiveState.LIVE] > 10
    assert states[LiveState.UPCOMING] > 10
    assert states[LiveState.WAS_LIVE] > 50
    shorts = [v for v in videos if v.is_short]
    assert 150 < len(shorts) < 600
    assert all(v.duration_s is not None and v.duration_s <= 180 for v in shorts)
    assert any(v.duration_s and v.duration_s > 3600 for v in videos)
    assert all(v.duration_s is None for v in videos if v.live_state == LiveState.UPCOMING)
    assert synth.duration_seconds("abc", 10) == synth.duration_seconds("abc", 10)


def test_replicated_copies_have_fresh_valid_ids() -> None:
    items = list(iter_corpus(copies=2))
    assert len({i.video.id for i in items}) == 2 * 3136
    assert len({i.channel.id for i in items}) == 2 * 2407


def test_demo_store_is_built_with_history(demo_store: Store) -> None:
    with demo_store.read() as conn:
        videos = conn.execute("SELECT count(*) FROM videos").fetchone()[0]
        watched = conn.execute(
            "SELECT count(*) FROM video_state WHERE watched_at IS NOT NULL"
        ).fetchone()[0]
        newest = conn.execute("SELECT max(published_at) FROM videos").fetchone()[0]
    assert videos == 3136
    assert 100 < watched < 400
    from tests.conftest import DEMO_NOW

    assert DEMO_NOW - 3 * 3600 < newest <= DEMO_NOW


def test_reset_refuses_while_another_process_has_the_demo_open(
    demo_template: Path, tmp_path: Path
) -> None:
    """`demo --reset` deleting the files under an open demo would make that app's marks
    vanish: it says so and changes nothing; once the other app is gone it may rebuild."""
    from momentum_tui.demo.build import open_demo
    from momentum_tui.demo.queries import open_elsewhere
    from momentum_tui.errors import CacheUnavailableError

    path = tmp_path / "demo.db"
    source, copy = sqlite3.connect(demo_template), sqlite3.connect(path)
    source.backup(copy)
    source.close()
    copy.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(CacheUnavailableError, match="open in another window"):
            open_demo(path, rebuild=True)
        check = sqlite3.connect(path)
        assert check.execute("SELECT count(*) FROM videos").fetchone()[0] == 3136
        check.close()
    finally:
        holder.communicate("quit\n", timeout=30)
    assert not open_elsewhere(path)


HOLD_OPEN = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("SELECT count(*) FROM videos").fetchone()
print("open", flush=True)
sys.stdin.readline()
"""
