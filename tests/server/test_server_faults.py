"""Injected faults work as documented: a 412 stores nothing; a drop stores, then hangs up."""

from __future__ import annotations

import httpx
import pytest

from momentum_server.faults import Faults
from tests.server.helpers import name, pull_all, push
from tests.support.backend import Backend


def test_an_injected_412_tells_the_true_revision_and_stores_nothing(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        push(http, 0, {"a": "1"})
        backend.faults.script.append("412")
        refused = push(http, 1, {"b": "2"})
        assert refused.status_code == 412
        assert refused.json()["revision"] == 1
        assert pull_all(http)["records"] == {name("a"): ("1", 1)}
        assert push(http, 1, {"b": "2"}).json() == {"revision": 2}
    assert backend.faults.injected == {"412": 1, "drop": 0}


def test_an_injected_drop_commits_and_then_closes_without_an_answer(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        backend.faults.script.append("drop")
        with pytest.raises(httpx.TransportError):
            push(http, 0, {"a": "1"})
        retried = push(http, 0, {"a": "1"})  # the retry learns it was stored
        assert retried.status_code == 412
        assert retried.json()["revision"] == 1
        assert pull_all(http)["records"] == {name("a"): ("1", 1)}
    lines = backend.log_text().splitlines()
    pushes = [line for line in lines if '"route": "/api/v1/records"' in line]
    assert any('"status": "dropped"' in line for line in pushes)


def test_fault_odds_come_from_a_seed_and_a_spec() -> None:
    faults = Faults.parse("push_412=0.25,push_drop=0.25,seed=7")
    fates = [faults.next_push() for _ in range(400)]
    again = Faults.parse("push_412=0.25,push_drop=0.25,seed=7")
    assert fates == [again.next_push() for _ in range(400)]
    assert 60 < fates.count("412") < 140
    assert 60 < fates.count("drop") < 140
    with pytest.raises(ValueError, match="unknown fault"):
        Faults.parse("push_500=1")
