"""The HTTP client for the Momentum backend (docs/sync-protocol.md): one method per endpoint.

Every failure becomes one sentence (`BackendError` and its kinds); nothing here touches
the cache, so a failure can never lose a local change. Plain `http://` is allowed only
to this machine (loopback): anywhere else the device token and the (encrypted) records
would cross the network readable by anyone on the way. Requests time out; idempotent
ones — and pushes, which are conditional on the revision and so safe to repeat — are
retried with jittered exponential backoff after a dropped connection, a 429 or a 5xx.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from momentum_tui import __version__, sanitize
from momentum_tui.errors import MomentumError, NetworkError

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
MAX_RETRY_AFTER_S = 30.0
"""The longest a 429's Retry-After is honoured before the sync gives up for now."""


class BackendError(MomentumError):
    """The backend could not do what was asked; the sentence says why and what to do."""


class BackendUnreachableError(BackendError, NetworkError):
    """The server did not answer (refused, timed out, DNS, TLS)."""


class BackendAuthError(BackendError):
    """401: the device token is missing, wrong or revoked."""


class BackendCredentialsError(BackendAuthError):
    """401 `bad_credentials`: the username or password given was wrong."""


class BackendUrlError(BackendError):
    """The backend URL is not one Momentum will send a token to."""


class PreconditionFailedError(Exception):
    """412: the server moved on since the revision the push was based on."""

    def __init__(self, revision: int) -> None:
        super().__init__(f"server is at revision {revision}")
        self.revision = revision


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True for this machine: localhost, 127.0.0.0/8, ::1."""
    if host.casefold() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_server_url(url: str) -> str:
    """The server's root URL, normalised; `BackendUrlError` unless https (or http to loopback)."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BackendUrlError(
            f"{sanitize.clean_line(text, max_len=120)!r} is not a server URL.",
            "Give it as https://host[:port] (http:// only for a server on this machine).",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise BackendUrlError(
            f"Momentum won't sign in to {parts.hostname} over plain http://: the device token "
            "would cross the network unprotected.",
            "Use https://, or run the server on this machine (http://127.0.0.1:PORT).",
        )
    if parts.path.endswith(API_PREFIX):
        text = text[: -len(API_PREFIX)]
    return text


@dataclass(frozen=True)
class RemoteRecord:
    """A record as the server holds it: a keyed-hash name, a sealed blob, its revision."""

    name: str
    blob: str
    revision: int


@dataclass(frozen=True)
class PullPage:
    """One page of `GET /records`."""

    records: list[RemoteRecord]
    revision: int
    more: bool
    reset: bool = False
    """The set was replaced (key rotation): this page starts the whole set from 0."""


@dataclass(frozen=True)
class Device:
    """A signed-in device of the account."""

    device_id: str
    name: str
    created_at: str
    last_seen_at: str
    current: bool


class BackendClient:
    """Talks to one Momentum server with (optionally) a device token."""

    def __init__(
        self,
        server: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        import httpx

        self.server = check_server_url(server)
        self.retries = retries
        self.backoff = backoff
        headers = {"User-Agent": f"momentum/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.server + API_PREFIX, headers=headers, timeout=timeout
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> BackendClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the wire ---------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        retry: bool = True,
        expect: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> httpx.Response:
        import httpx

        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as error:
                log.info("%s %s: %s (attempt %d)", method, path, type(error).__name__, attempt + 1)
                if last:
                    raise self._unreachable(error) from None
                self._sleep(attempt)
                continue
            if response.status_code in expect:
                return response
            if response.status_code == 412:
                raise PreconditionFailedError(_revision_of(response))
            if response.status_code in (429, 500, 502, 503, 504) and not last:
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            raise self._failure(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int, retry_after: str | None = None) -> None:
        delay = self.backoff * (2**attempt) * random.uniform(0.5, 1.5)
        if retry_after is not None:
            with contextlib.suppress(ValueError):
                delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER_S))
        time.sleep(delay)

    def _unreachable(self, error: Exception) -> BackendUnreachableError:
        import httpx

        why = "timed out" if isinstance(error, httpx.TimeoutException) else "did not answer"
        return BackendUnreachableError(
            f"The sync server {self.server} {why}; nothing was lost.",
            "Your changes wait on this machine and go at the next sync.",
        )

    def _failure(self, response: httpx.Response) -> BackendError:
        code, message = _error_of(response)
        status = response.status_code
        if status == 401 and code == "bad_credentials":
            return BackendCredentialsError(
                "The sync server did not accept that username and password.",
                "Check them and try again (a new account needs --new).",
            )
        if status == 401:
            return BackendAuthError(
                "The sync server no longer accepts this device (signed out or revoked); "
                "nothing was lost.",
                "Sign in again with `momentum login`; your changes wait on this machine.",
            )
        if status == 409 and code == "username_taken":
            return BackendError(
                "That username is taken on this sync server.",
                "Sign in without --new if it is yours, or choose another.",
            )
        if status == 413 and code == "quota_exceeded":
            return BackendError(
                "The sync server's storage quota for this account is full; nothing was lost.",
                "Ask the server's operator for more room; your changes wait on this machine.",
            )
        if status == 429:
            return BackendError(
                "The sync server asks Momentum to slow down; nothing was lost.",
                "Try again in a minute.",
            )
        if status >= 500:
            return BackendError(
                f"The sync server {self.server} failed (HTTP {status}); nothing was lost.",
                "Your changes wait on this machine; try again later.",
            )
        detail = f": {message}" if message else ""
        return BackendError(
            f"The sync server refused the request (HTTP {status} {code}){detail}.",
            "Nothing was changed on this machine.",
        )

    # --- endpoints --------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """`GET /health`: the server's status and version."""
        return dict(self._request("GET", "/health").json())

    def create_account(self, username: str, password: str) -> str:
        """`POST /accounts`; returns the new user id."""
        response = self._request(
            "POST",
            "/accounts",
            retry=False,
            expect=(201,),
            json={"username": username, "password": password},
        )
        return str(response.json()["user_id"])

    def sign_in(self, username: str, password: str, device_name: str) -> tuple[str, str]:
        """`POST /sessions`: a new device and its token."""
        response = self._request(
            "POST",
            "/sessions",
            retry=False,
            expect=(201,),
            json={"username": username, "password": password, "device_name": device_name},
        )
        body = response.json()
        return str(body["device_id"]), str(body["token"])

    def sign_out(self) -> None:
        """`DELETE /sessions/current`: revoke this device's token."""
        self._request("DELETE", "/sessions/current", expect=(204, 200))

    def devices(self) -> list[Device]:
        """`GET /devices`."""
        body = self._request("GET", "/devices").json()
        return [
            Device(
                device_id=str(d["device_id"]),
                name=sanitize.clean_line(str(d.get("name") or ""), max_len=80),
                created_at=str(d.get("created_at") or ""),
                last_seen_at=str(d.get("last_seen_at") or ""),
                current=bool(d.get("current")),
            )
            for d in body["devices"]
        ]

    def revoke(self, device_id: str) -> None:
        """`DELETE /devices/{id}`."""
        self._request("DELETE", f"/devices/{device_id}", expect=(204, 200))

    def pull(self, since: int, limit: int) -> PullPage:
        """`GET /records?since=REV&limit=N`."""
        body = self._request("GET", "/records", params={"since": since, "limit": limit}).json()
        return PullPage(
            records=[
                RemoteRecord(str(r["name"]), str(r["blob"]), int(r["revision"]))
                for r in body["records"]
            ],
            revision=int(body["revision"]),
            more=bool(body.get("more")),
            reset=bool(body.get("reset")),
        )

    def push(self, records: list[tuple[str, str]], if_match: int, *, replace: bool = False) -> int:
        """`POST /records` conditional on `if_match`; the new revision (412 raises)."""
        body = {"records": [{"name": n, "blob": b} for n, b in records], "replace": replace}
        response = self._request("POST", "/records", json=body, headers={"If-Match": str(if_match)})
        return int(response.json()["revision"])

    def open_upload(self) -> str:
        """`POST /uploads`: stage a replacement set larger than one push."""
        return str(self._request("POST", "/uploads", expect=(201,)).json()["upload_id"])

    def upload_part(self, upload_id: str, records: list[tuple[str, str]]) -> None:
        """`POST /uploads/{id}/records`: stage up to 500 records (a part sent twice is harmless)."""
        body = {"records": [{"name": n, "blob": b} for n, b in records]}
        self._request("POST", f"/uploads/{upload_id}/records", json=body)

    def commit_upload(self, upload_id: str, if_match: int) -> int:
        """`POST /uploads/{id}/commit`: replace the account's set atomically (412 raises)."""
        response = self._request(
            "POST", f"/uploads/{upload_id}/commit", headers={"If-Match": str(if_match)}
        )
        return int(response.json()["revision"])

    def abandon_upload(self, upload_id: str) -> None:
        """`DELETE /uploads/{id}`."""
        self._request("DELETE", f"/uploads/{upload_id}", expect=(204, 200, 404))

    def account(self) -> dict[str, Any]:
        """`GET /account`: who this device is signed in as, the revision and the usage."""
        return dict(self._request("GET", "/account").json())

    def export(self) -> dict[str, Any]:
        """`GET /export`: every record and device of the account (records still sealed)."""
        return dict(self._request("GET", "/export").json())

    def delete_account(self, password: str) -> None:
        """`DELETE /account` (needs the password): the account and all it owns, at once."""
        self._request(
            "DELETE", "/account", retry=False, expect=(204, 200), json={"password": password}
        )


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return "", ""
    code = sanitize.clean_line(str(error.get("code") or ""), max_len=40)
    message = sanitize.clean_line(str(error.get("message") or ""), max_len=200).rstrip(".")
    return code, message


def _revision_of(response: httpx.Response) -> int:
    try:
        return int(response.json().get("revision", -1))
    except (ValueError, AttributeError, TypeError):
        return -1
