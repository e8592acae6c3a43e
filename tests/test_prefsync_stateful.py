"""Three machines editing at random, going offline, syncing in random order, against the
real server answering 412 or hanging up after committing — they end identical, with
every edit's fate decided by its stamp and no acknowledged edit lost."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from momentum_tui.errors import MomentumError
from momentum_tui.models import Mark
from momentum_tui.prefsync import local, queries
from momentum_tui.prefsync.client import BackendClient
from momentum_tui.prefsync.crypto import SyncKey
from momentum_tui.prefsync.engine import SyncEngine
from momentum_tui.prefsync.merge import merge_all
from momentum_tui.prefsync.records import Record
from momentum_tui.recommend.prefs import add_keyword, remove_keyword
from momentum_tui.records import Channel
from momentum_tui.storage.channels import tag_channel
from momentum_tui.storage.marks import mark_video
from momentum_tui.youtube.channels import follow, remove_channel
from tests.factories import channel_id, make_video
from tests.prefsync_devices import Machine, open_machine
from tests.support.backend import Backend

MACHINES = ("laptop", "desktop", "phone")
KEYWORDS = ("rust", "zig", "jazz")
MARKS = tuple(Mark)
_accounts = itertools.count()


def edit_keyword(machine: Machine, keyword: str, weight: int) -> None:
    with machine.store.write() as db:
        if weight == 0:
            if db.conn.execute(
                "SELECT 1 FROM keyword_prefs WHERE keyword = ?", (keyword,)
            ).fetchone():
                remove_keyword(db, keyword)
        else:
            add_keyword(db, keyword, weight)


def edit_follow(machine: Machine, n: int, on: bool) -> None:
    if on:
        follow(machine.store, Channel(id=channel_id(n), title=f"Channel {n}"), "added")
    else:
        remove_channel(machine.store, channel_id(n))


def edit_group(machine: Machine, n: int, group: str, on: bool) -> None:
    tag_channel(machine.store, channel_id(n), [group], remove=not on)


class Fleet(RuleBasedStateMachine):
    """The machines, the server (with faults on), and every edit's stamp and value."""

    backend: Backend

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        key = SyncKey.generate()
        username = f"fleet{next(_accounts)}"
        token = self.backend.new_account(username, MACHINES[0])
        self.machines = {
            name: open_machine(
                Path(self.tmp.name),
                name,
                self.backend,
                token if i == 0 else self.backend.sign_in(username, name),
                key,
            )
            for i, name in enumerate(MACHINES)
        }
        self.online = dict.fromkeys(MACHINES, True)
        self.edits: dict[str, list[Record]] = {}
        for machine in self.machines.values():
            local.fold(machine.store)
            for name, stored in machine.records().items():
                self.edits.setdefault(name, []).append(stored.record)
        self.backend.faults.push_412 = 0.15
        self.backend.faults.push_drop = 0.15
        self.backend.faults.script.extend(["412", "drop"])  # each run meets both, for sure

    def _edited(self, machine: Machine, change: object) -> None:
        """Fold the change and check its stamp follows everything the machine had seen."""
        seen = max((s.record.stamp for s in machine.records().values()), default=None)
        with machine.store.read() as conn:
            queued = {name for name, _ in queries.outbox(conn)}
        local.fold(machine.store)
        after = machine.records()
        for name in queued:
            record = after[name].record
            if seen is not None:
                assert record.stamp > seen, "a change must be stamped after all it has seen"
            self.edits.setdefault(name, []).append(record)

    @rule(
        who=st.sampled_from(MACHINES), keyword=st.sampled_from(KEYWORDS), weight=st.integers(-2, 2)
    )
    def keyword(self, who: str, keyword: str, weight: int) -> None:
        machine = self.machines[who]
        self._edited(machine, edit_keyword(machine, keyword, weight))

    @rule(who=st.sampled_from(MACHINES), n=st.integers(0, 3), mark=st.sampled_from(MARKS))
    def mark(self, who: str, n: int, mark: Mark) -> None:
        machine = self.machines[who]
        self._edited(machine, mark_video(machine.store, make_video(n).id, mark))

    @rule(who=st.sampled_from(MACHINES), n=st.integers(0, 2), on=st.booleans())
    def follow(self, who: str, n: int, on: bool) -> None:
        machine = self.machines[who]
        self._edited(machine, edit_follow(machine, n, on))

    @rule(who=st.sampled_from(MACHINES), n=st.integers(0, 2), on=st.booleans())
    def group(self, who: str, n: int, on: bool) -> None:
        machine = self.machines[who]
        self._edited(machine, edit_group(machine, n, "music", on))

    @rule(who=st.sampled_from(MACHINES))
    def toggle_network(self, who: str) -> None:
        self.online[who] = not self.online[who]

    @rule(who=st.sampled_from(MACHINES))
    def sync(self, who: str) -> None:
        machine = self.machines[who]
        url = self.backend.url if self.online[who] else "http://127.0.0.1:9"
        client = BackendClient(url, machine.token, timeout=10, retries=1, backoff=0.001)
        try:
            with client:
                SyncEngine(machine.store, client, machine.key).sync()
        except MomentumError:
            pass  # offline, or out of retries: nothing may be lost, the end state checks it

    @invariant()
    def tables_match_records(self) -> None:
        for machine in self.machines.values():
            with machine.store.read() as conn:
                for stored in queries.all_records(conn):
                    if not stored.applied:
                        continue
                    now = local.value_of(conn, stored.record.name)
                    if stored.record.name.startswith("channel:"):  # the title is only a hint
                        assert (now is None) == stored.record.removed
                    else:
                        assert now == stored.record.value

    def teardown(self) -> None:
        try:
            self.backend.faults.push_412 = self.backend.faults.push_drop = 0.0
            self.backend.faults.script.clear()
            for _ in range(2):  # everyone online, two rounds: every edit reaches everyone
                for machine in self.machines.values():
                    machine.sync()
            views = [m.preferences() for m in self.machines.values()]
            assert all(view == views[0] for view in views), "machines disagree"
            expected = merge_all(r for edits in self.edits.values() for r in edits)
            for machine in self.machines.values():
                held = {n: s.record for n, s in machine.records().items()}
                for name, winner in expected.items():
                    assert held[name] == winner, f"{machine.name} lost the latest edit of {name}"
                    assert all(s.synced for s in machine.records().values())
        finally:
            for machine in self.machines.values():
                machine.store.close()
            self.tmp.cleanup()


def test_three_machines_converge(backend_sqlite: Backend) -> None:
    Fleet.backend = backend_sqlite
    run_state_machine_as_test(
        Fleet,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    injected = backend_sqlite.faults.injected
    assert injected["412"] > 0 and injected["drop"] > 0  # the faults really happened
