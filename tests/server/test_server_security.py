"""Security over real HTTP: isolation, tokens, bad bodies, and what the server never keeps."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from momentum_server.settings import RateLimits
from tests.server.helpers import blob, name, pull_all, push
from tests.support.backend import PASSWORD, Backend, start_backend


def state_of(backend: Backend, token: str) -> dict[str, Any]:
    """What a user would notice changing: their records, revision and devices."""
    with backend.client(token) as http:
        records = pull_all(http)
        devices = sorted(d["device_id"] for d in http.get("/devices").json()["devices"])
    return {"records": records["records"], "revision": records["revision"], "devices": devices}


def test_a_user_never_reads_or_changes_anothers_records(backend: Backend) -> None:
    alice = backend.new_account("alice", "alice-laptop")
    bob = backend.new_account("bob", "bob-laptop")
    with backend.client(alice) as a, backend.client(bob) as b:
        push(a, 0, {"channel:UCalice": "follow"})
        upload_id = a.post("/uploads").json()["upload_id"]
        before = state_of(backend, alice)
        assert pull_all(b)["records"] == {}
        assert push(b, 0, {"channel:UCalice": "unfollow"}).status_code == 200
        alice_device = a.get("/devices").json()["devices"][0]["device_id"]
        assert b.delete(f"/devices/{alice_device}").status_code == 404
        part = {"records": [{"name": name("x"), "blob": blob("y")}]}
        assert b.post(f"/uploads/{upload_id}/records", json=part).status_code == 404
        commit = b.post(f"/uploads/{upload_id}/commit", headers={"If-Match": "1"})
        assert commit.status_code == 404
        assert b.delete(f"/uploads/{upload_id}").status_code == 404
        exported = b.get("/export").json()
        assert [r["blob"] for r in exported["records"]] == [blob("unfollow")]
        assert [d["name"] for d in exported["devices"]] == ["bob-laptop"]
        # Bob's account going away takes nothing of Alice's with it.
        erase = b.request("DELETE", "/account", json={"password": PASSWORD})
        assert erase.status_code == 204
        assert state_of(backend, alice) == before
        assert a.post(f"/uploads/{upload_id}/commit", headers={"If-Match": "1"}).status_code == 200


def authenticated_requests(backend: Backend) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every endpoint that needs a token, with a valid body so only the token can fail."""
    record = {"records": [{"name": name("k"), "blob": blob("v")}]}
    for path, operations in _openapi(backend)["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security"):
                continue
            kwargs: dict[str, Any] = {"headers": {"If-Match": "0"}}
            if method in ("post", "put", "delete") and "requestBody" in operation:
                ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                kwargs["json"] = {
                    "Push": record,
                    "UploadPart": record,
                    "ChangePassword": {"password": PASSWORD, "new_password": "another pass 1"},
                    "ConfirmPassword": {"password": PASSWORD},
                }[ref.split("/")[-1]]
            url = path.replace("{device_id}", "dev").replace("{upload_id}", "up")
            yield method.upper(), url.removeprefix("/api/v1"), kwargs


def _openapi(backend: Backend) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{backend.url}/openapi.json").json()
    return document


def test_a_bad_revoked_or_missing_token_gets_401_and_nothing_else(backend: Backend) -> None:
    alice = backend.new_account("alice")
    with backend.client(alice) as a:
        push(a, 0, {"kw:rust": "+2"})
    revoked = backend.sign_in("alice", "old phone")
    with backend.client(revoked) as old:
        assert old.delete("/sessions/current").status_code == 204
    device_id, secret = alice.split(".")[1:]
    bad_headers = {
        "missing": {},
        "garbage": {"Authorization": "Bearer not-a-token"},
        "wrong scheme": {"Authorization": f"Basic {alice}"},
        "wrong secret": {"Authorization": f"Bearer mt1.{device_id}.{secret[::-1]}"},
        "unknown device": {"Authorization": f"Bearer mt1.{'A' * 22}.{secret}"},
        "revoked": {"Authorization": f"Bearer {revoked}"},
        "empty": {"Authorization": "Bearer"},
    }
    before = state_of(backend, alice)
    requests = list(authenticated_requests(backend))
    assert len(requests) >= 12
    with httpx.Client(base_url=backend.api) as anonymous:
        for label, headers in bad_headers.items():
            for method, path, kwargs in requests:
                answer = anonymous.request(
                    method, path, **{**kwargs, "headers": {**kwargs["headers"], **headers}}
                )
                assert answer.status_code == 401, (label, method, path, answer.text)
                assert answer.json()["error"]["code"] == "unauthorized"
                assert set(answer.json()) == {"error"}
                assert answer.headers["www-authenticate"] == "Bearer"
    assert state_of(backend, alice) == before


def test_a_revoked_device_is_refused_by_every_server_process(backend_sqlite: Backend) -> None:
    token = backend_sqlite.new_account("alice", "laptop")
    other = backend_sqlite.sign_in("alice", "desktop")
    with start_backend(
        backend_sqlite.database_url, backend_sqlite.log_path.with_name("second.log")
    ) as second:
        with second.client(token) as http:
            assert http.get("/devices").status_code == 200
        with backend_sqlite.client(other) as http:
            laptop = [d for d in http.get("/devices").json()["devices"] if not d["current"]]
            assert http.delete(f"/devices/{laptop[0]['device_id']}").status_code == 204
        with second.client(token) as http:
            assert http.get("/devices").status_code == 401


def test_oversized_bodies_are_refused_before_being_read_and_change_nothing(
    backend: Backend,
) -> None:
    token = backend.new_account()
    with backend.client(token) as http:
        push(http, 0, {"a": "1"})
        before = state_of(backend, token)
        big = {"records": [{"name": name(f"k{i}"), "blob": "A" * 60_000} for i in range(20)]}
        declared = http.post("/records", json=big, headers={"If-Match": "1"})
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "body_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts as it reads
            body = json.dumps(big).encode()
            for start in range(0, len(body), 65_536):
                yield body[start : start + 65_536]

        streamed = http.post(
            "/records",
            content=chunks(),
            headers={"If-Match": "1", "Content-Type": "application/json"},
        )
        assert streamed.status_code == 413
    assert state_of(backend, token) == before


MALFORMED: list[tuple[str, str | bytes | dict[str, Any]]] = [
    ("not json", b"{records: ["),
    ("not an object", b"[1, 2]"),
    ("empty", b""),
    ("unknown field", {"records": [], "sneaky": 1}),
    ("records not a list", {"records": {"a": "b"}}),
    ("name too short", {"records": [{"name": "abc", "blob": "AAAA"}]}),
    ("name not base64url", {"records": [{"name": "+" * 43, "blob": "AAAA"}]}),
    ("blob not base64", {"records": [{"name": "A" * 43, "blob": "not base64!"}]}),
    ("blob unpadded", {"records": [{"name": "A" * 43, "blob": "AAAAA"}]}),
    ("blob too long", {"records": [{"name": "A" * 43, "blob": "A" * 65_540}]}),
    ("record extra field", {"records": [{"name": "A" * 43, "blob": "AAAA", "x": 1}]}),
    ("too many", {"records": [{"name": f"{i:043d}", "blob": "AAAA"} for i in range(501)]}),
    ("replace not bool", {"records": [], "replace": "yes"}),
]


@pytest.mark.parametrize(("label", "body"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_pushes_get_422_and_change_nothing(
    backend_sqlite: Backend, label: str, body: str | bytes | dict[str, Any]
) -> None:
    token = backend_sqlite.new_account()
    with backend_sqlite.client(token) as http:
        push(http, 0, {"a": "1"})
        before = state_of(backend_sqlite, token)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        answer = http.post(
            "/records",
            content=content,
            headers={"If-Match": "1", "Content-Type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "invalid_request"
        assert error["fields"]
        assert "AAAA" not in answer.text  # where it went wrong, never the value
    assert state_of(backend_sqlite, token) == before


def test_malformed_account_bodies_get_422(backend: Backend) -> None:
    with backend.client() as http:
        for body in (
            {"username": "x", "password": PASSWORD},
            {"username": "bad name!", "password": PASSWORD},
            {"username": "alice", "password": "short"},
            {"username": "alice", "password": "p" * 1025},
            {"username": "alice", "password": PASSWORD, "admin": True},
        ):
            assert http.post("/accounts", json=body).status_code == 422, body
        for device in ("", "tab\tname", "esc\x1b[31m", "x" * 101):
            body = {"username": "alice", "password": PASSWORD, "device_name": device}
            assert http.post("/sessions", json=body).status_code == 422, device
        assert http.post("/accounts", json={"username": "alice", "password": PASSWORD}).is_success


def test_the_server_keeps_no_token_password_or_plaintext(backend: Backend) -> None:
    password = "Marker-Password-6f1d2e"
    keys = ["channel:UCmarkerChannel42", "kw:markerkeyword", "video:markerVid01:watched"]
    with backend.client() as http:
        made = http.post("/accounts", json={"username": "Carol", "password": password})
        assert made.status_code == 201
        wrong = {"username": "carol", "password": "Marker-Wrong-91c", "device_name": "laptop"}
        assert http.post("/sessions", json=wrong).status_code == 401
        right = {**wrong, "password": password}
        token = http.post("/sessions", json=right).json()["token"]
        second = http.post("/sessions", json={**right, "device_name": "desktop"}).json()["token"]
    with backend.client(token) as http:
        records = [{"name": name(key), "blob": blob("ciphertext-stand-in")} for key in keys]
        assert http.post("/records", json={"records": records}, headers={"If-Match": "0"})
        assert http.get("/records").status_code == 200
        assert http.get("/export").status_code == 200
        changed = {"password": password, "new_password": "Marker-NewPassword-77"}
        assert http.put("/account/password", json=changed).status_code == 204
    with backend.client(second) as http:
        assert http.delete("/sessions/current").status_code == 204
    metrics = httpx.get(f"{backend.url}/metrics").text
    stored = backend.database_text()
    logs = backend.log_text()
    secrets = [password, "Marker-Wrong-91c", "Marker-NewPassword-77", token, second]
    secrets += [t.split(".")[2] for t in (token, second)]
    secrets += [hashlib.sha256(t.encode()).hexdigest() for t in (token, second)]
    secrets += keys + [k.split(":")[1] for k in keys]
    for secret in secrets:
        assert secret not in stored, secret
        assert secret not in logs, secret
        assert secret not in metrics, secret
    for private in ("carol", "laptop", "desktop", *(name(k) for k in keys)):
        assert private not in logs, private
        assert private not in metrics, private
    assert '"route": "/api/v1/records"' in logs  # the log is there, and is the server's
    assert "momentum_requests_total" in metrics


def test_wrong_passwords_back_off_for_every_server_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    rates = RateLimits(  # a long first wait, so a slow machine can't outwait it
        free_failures=2,
        failure_delay_seconds=600,
        sign_in_per_minute=6000,
        sign_in_burst=1000,
        register_burst=100,
    )
    with (
        start_backend(url, tmp_path / "a.log", rates=rates) as first,
        start_backend(url, tmp_path / "b.log", rates=rates) as second,
    ):
        first.new_account("dave")
        wrong = {"username": "dave", "password": "not the password", "device_name": "d"}
        right = {**wrong, "password": PASSWORD}
        with first.client() as a, second.client() as b:
            assert a.post("/sessions", json=wrong).status_code == 401
            assert a.post("/sessions", json=wrong).status_code == 401
            blocked = b.post("/sessions", json=right)  # the other process knows
            assert blocked.status_code == 429
            assert 500 < int(blocked.headers["retry-after"]) <= 600
            assert blocked.json()["error"]["code"] == "rate_limited"
            _let_the_back_off_pass(url)
            assert b.post("/sessions", json=right).status_code == 201
            # A right password reset the count: two wrong ones are free again.
            assert a.post("/sessions", json=wrong).status_code == 401
            assert a.post("/sessions", json=right).status_code == 201


def _let_the_back_off_pass(url: str) -> None:
    """Move the account's next-try time into the past (as if the wait went by)."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE users SET sign_in_after_ms = 0")


def test_sign_ins_from_one_address_are_rate_limited(tmp_path: Path) -> None:
    rates = RateLimits(sign_in_per_minute=0.01, sign_in_burst=3, register_burst=10)
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with start_backend(url, tmp_path / "log", rates=rates) as server, server.client() as http:
        http.post("/accounts", json={"username": "erin", "password": PASSWORD})
        body = {"username": "erin", "password": PASSWORD, "device_name": "d"}
        answers = [http.post("/sessions", json=body).status_code for _ in range(4)]
        assert answers == [201, 201, 201, 429]


def test_a_token_making_too_many_requests_is_slowed(tmp_path: Path) -> None:
    rates = RateLimits(token_per_second=0.0001, token_burst=5)
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with start_backend(url, tmp_path / "log", rates=rates) as server:
        token = server.new_account()
        with server.client(token) as http:
            answers = [http.get("/records") for _ in range(6)]
        with server.client(server.sign_in("user1", "other")) as other:
            assert other.get("/records").status_code == 200  # per token, not per account
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1


def test_an_erased_account_leaves_nothing_in_the_sqlite_files(backend_sqlite: Backend) -> None:
    """`DELETE /account` is the GDPR erase: once it answers, none of the account's bytes
    are in the server's SQLite files — not in the freed pages, not in the WAL."""
    keys = [f"kw:erase-marker-{n}" for n in range(40)]
    token = backend_sqlite.new_account("erasable-marker-user", "erasable-marker-device")
    with backend_sqlite.client(token) as http:
        assert push(http, 0, {key: f"erase-marker-value-{key}" for key in keys}).status_code == 200
        assert "erasable-marker-user" in backend_sqlite.database_text()  # it was there
        erase = http.request("DELETE", "/account", json={"password": PASSWORD})
        assert erase.status_code == 204
    stored = backend_sqlite.database_text()
    for private in ("erasable-marker-user", "erasable-marker-device", *(name(k) for k in keys),
                    *(blob(f"erase-marker-value-{k}") for k in keys)):  # fmt: skip
        assert private not in stored, private
