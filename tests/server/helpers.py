"""Small helpers the server tests share: names, blobs, pushes and pulls over real HTTP."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx


def name(key: str) -> str:
    """A record name as a client makes it (a keyed hash, 43 base64url characters)."""
    digest = hashlib.sha256(b"test-key:" + key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def blob(value: str) -> str:
    """An opaque blob (the server can't tell it isn't ciphertext)."""
    return base64.b64encode(value.encode()).decode()


def unblob(text: str) -> str:
    """The value a `blob()` carries."""
    return base64.b64decode(text).decode()


def push(
    http: httpx.Client, if_match: int | str, values: dict[str, str], replace: bool = False
) -> httpx.Response:
    """POST /records with {key: value} (names hashed, values as blobs)."""
    records = [{"name": name(k), "blob": blob(v)} for k, v in values.items()]
    return http.post(
        "/records",
        json={"records": records, "replace": replace},
        headers={"If-Match": str(if_match)},
    )


def pull_all(http: httpx.Client, since: int = 0, limit: int | None = None) -> dict[str, Any]:
    """Every page after `since`: {"records": {name: (value, revision)}, "revision", "pages"}."""
    found: dict[str, tuple[str, int]] = {}
    pages, reset = 0, False
    while True:
        params: dict[str, int] = {"since": since}
        if limit:
            params["limit"] = limit
        page = http.get("/records", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        pages += 1
        reset = reset or body["reset"]
        for record in body["records"]:
            found[record["name"]] = (unblob(record["blob"]), record["revision"])
        if not body["more"]:
            return {"records": found, "revision": body["revision"], "pages": pages, "reset": reset}
        since = body["records"][-1]["revision"]
