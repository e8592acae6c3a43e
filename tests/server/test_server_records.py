"""Pull and push over real HTTP, on SQLite and PostgreSQL: revisions, 412, paging, replace."""

from __future__ import annotations

from pathlib import Path

import pytest

from momentum_server.settings import Limits
from tests.server.helpers import blob, name, pull_all, push
from tests.support.backend import Backend, start_backend


def test_a_push_numbers_its_records_in_order_and_a_pull_returns_them(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        pushed = push(http, 0, {"channel:UCa": "follow", "kw:rust": "+2"})
        assert pushed.status_code == 200
        assert pushed.json() == {"revision": 2}
        page = http.get("/records", params={"since": 0}).json()
    assert [r["revision"] for r in page["records"]] == [1, 2]
    assert [r["name"] for r in page["records"]] == [name("channel:UCa"), name("kw:rust")]
    assert page["records"][0]["blob"] == blob("follow")
    assert (page["revision"], page["more"], page["reset"]) == (2, False, False)


def test_a_push_from_an_old_revision_gets_412_and_stores_nothing(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        assert push(http, 0, {"a": "1"}).status_code == 200
        stale = push(http, 0, {"a": "2", "b": "3"})
        assert stale.status_code == 412
        assert stale.json()["revision"] == 1
        assert stale.json()["error"]["code"] == "revision_mismatch"
        assert pull_all(http)["records"] == {name("a"): ("1", 1)}
        assert push(http, 1, {"a": "2"}).json() == {"revision": 2}


def test_if_match_is_required_and_must_be_a_revision(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        body = {"records": [{"name": name("a"), "blob": blob("1")}]}
        missing = http.post("/records", json=body)
        assert missing.status_code == 428
        assert missing.json()["error"]["code"] == "if_match_required"
        for bad in ("-1", "one", "1.5", "", "99999999999999999999"):
            answer = http.post("/records", json=body, headers={"If-Match": bad})
            assert answer.status_code == 422, bad
        assert http.post("/records", json=body, headers={"If-Match": '"0"'}).status_code == 200
        assert pull_all(http)["revision"] == 1


def test_pushing_a_record_again_moves_it_to_a_new_revision(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        push(http, 0, {"a": "old", "b": "kept"})
        push(http, 2, {"a": "new"})
        everything = pull_all(http)
        since_two = pull_all(http, since=2)
    assert everything["records"] == {name("a"): ("new", 3), name("b"): ("kept", 2)}
    assert since_two["records"] == {name("a"): ("new", 3)}
    assert everything["revision"] == 3


def test_an_empty_push_changes_nothing_but_still_checks_the_revision(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        push(http, 0, {"a": "1"})
        assert push(http, 1, {}).json() == {"revision": 1}
        assert push(http, 0, {}).status_code == 412


def test_pages_follow_the_cursor_until_more_is_false(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        values = {f"video:{i}:watched": str(i) for i in range(25)}
        push(http, 0, values)
        paged = pull_all(http, limit=10)
        first = http.get("/records", params={"limit": 10}).json()
    assert paged["pages"] == 3
    assert len(paged["records"]) == 25
    assert first["more"] is True
    assert [r["revision"] for r in first["records"]] == list(range(1, 11))


def test_a_page_stops_growing_at_the_byte_budget(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    limits = Limits(page_bytes=3000)
    with (
        start_backend(url, tmp_path / "log", limits=limits) as server,
        server.client(server.new_account()) as http,
    ):
        push(http, 0, {f"k{i}": "x" * 1000 for i in range(10)})
        first = http.get("/records").json()
        everything = pull_all(http)
    assert len(first["records"]) == 3  # 3,000 bytes reached at the third record
    assert first["more"] is True
    assert len(everything["records"]) == 10
    assert everything["pages"] == 4


def test_duplicate_names_in_one_push_are_refused(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        twice = [{"name": name("a"), "blob": blob("1")}, {"name": name("a"), "blob": blob("2")}]
        answer = http.post("/records", json={"records": twice}, headers={"If-Match": "0"})
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "duplicate_name"
        assert pull_all(http)["revision"] == 0


def test_replace_swaps_the_whole_set_and_resets_devices_behind_it(backend: Backend) -> None:
    user = "rotator"
    laptop = backend.new_account(user, "laptop")
    desktop = backend.sign_in(user, "desktop")
    with backend.client(laptop) as a, backend.client(desktop) as b:
        push(a, 0, {"old1": "1", "old2": "2"})
        assert pull_all(b)["revision"] == 2
        replaced = push(a, 2, {"new1": "n"}, replace=True)
        assert replaced.json() == {"revision": 3}
        behind = pull_all(b, since=2)
        caught_up = pull_all(b, since=3)
    assert behind["reset"] is True
    assert behind["records"] == {name("new1"): ("n", 3)}
    assert caught_up == {"records": {}, "revision": 3, "pages": 1, "reset": False}


def test_replacing_with_nothing_empties_the_account_and_moves_the_revision(
    backend: Backend,
) -> None:
    with backend.client(backend.new_account()) as http:
        push(http, 0, {"a": "1"})
        assert push(http, 1, {}, replace=True).json() == {"revision": 2}
        after = pull_all(http, since=1)
    assert after["reset"] is True
    assert after["records"] == {}


def test_a_cursor_ahead_of_the_server_gets_everything_with_reset(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        push(http, 0, {"a": "1"})
        ahead = pull_all(http, since=50)
    assert ahead["reset"] is True
    assert ahead["records"] == {name("a"): ("1", 1)}


def test_a_staged_upload_replaces_more_than_one_request_at_once(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        push(http, 0, {"old": "gone"})
        upload = http.post("/uploads")
        assert upload.status_code == 201
        upload_id = upload.json()["upload_id"]
        parts = [{f"r{i}": f"v{i}" for i in range(start, start + 400)} for start in (0, 400)]
        for part in [*parts, parts[1]]:  # the last part sent twice (a retried request)
            records = [{"name": name(k), "blob": blob(v)} for k, v in part.items()]
            added = http.post(f"/uploads/{upload_id}/records", json={"records": records})
            assert added.status_code == 200, added.text
        assert added.json()["records"] == 800
        assert pull_all(http)["records"] == {name("old"): ("gone", 1)}  # not yet visible
        stale = http.post(f"/uploads/{upload_id}/commit", headers={"If-Match": "0"})
        assert stale.status_code == 412
        done = http.post(f"/uploads/{upload_id}/commit", headers={"If-Match": "1"})
        assert done.json() == {"revision": 801}
        after = pull_all(http, since=1)
        again = http.post(f"/uploads/{upload_id}/commit", headers={"If-Match": "801"})
    assert after["reset"] is True
    assert len(after["records"]) == 800
    assert name("old") not in after["records"]
    assert after["records"][name("r5")][0] == "v5"
    assert again.status_code == 404  # a committed upload is gone


def test_an_abandoned_upload_is_gone_and_changes_nothing(backend: Backend) -> None:
    with backend.client(backend.new_account()) as http:
        push(http, 0, {"a": "1"})
        upload_id = http.post("/uploads").json()["upload_id"]
        assert http.delete(f"/uploads/{upload_id}").status_code == 204
        late = http.post(f"/uploads/{upload_id}/commit", headers={"If-Match": "1"})
        assert late.status_code == 404
        assert pull_all(http)["records"] == {name("a"): ("1", 1)}


@pytest.mark.parametrize("replace", [False, True])
def test_a_push_over_the_quota_is_refused_whole(tmp_path: Path, replace: bool) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with (
        start_backend(url, tmp_path / "log", limits=Limits(quota_records=5)) as server,
        server.client(server.new_account()) as http,
    ):
        push(http, 0, {f"k{i}": "v" for i in range(4)})
        over = push(http, 4, {f"n{i}": "v" for i in range(6 if replace else 2)}, replace)
        assert over.status_code == 413
        assert over.json()["error"]["code"] == "quota_exceeded"
        assert len(pull_all(http)["records"]) == 4
        assert push(http, 4, {"k0": "rewritten"}).status_code == 200  # not growing


def test_the_account_reports_its_usage(backend: Backend) -> None:
    with backend.client(backend.new_account("usage")) as http:
        push(http, 0, {"a": "12345", "b": "123"})
        push(http, 2, {"a": "1"})
        account = http.get("/account").json()
    assert account["username"] == "usage"
    assert (account["revision"], account["records"], account["bytes"]) == (3, 2, 4)
