"""A loopback YouTube: Data API v3, channel feeds and pages, and OAuth, on 127.0.0.1.

The real google-api-python-client talks to it through `client_options={"api_endpoint":
emulator.api_root}` (that option replaces the discovery document's `rootUrl` +
`servicePath` as the base the method paths `youtube/v3/…` are joined to), the real
google-auth-oauthlib installed-app flow signs in against it, and Momentum's feed reader
fetches its feeds. Nothing is patched: the wire is what is tested.

Controls for tests: edit the `world` between syncs (new uploads, deleted or private
videos, empty channels), `latency` per request, `inject()` faults per method, the
`requests` log, `units` (what each call would cost against the daily quota) and
`quota_limit` (the server says `quotaExceeded` once that many units are spent),
`retry_after` (the `Retry-After` seconds a 429 carries).

It is no laxer than YouTube where Momentum depends on it: `channels.list` answers `id`,
`forHandle`, `forUsername` and `mine=true` (signed in only), a page token it did not
issue is `invalidPageToken`, hidden like counts and disabled comments are absent from
`statistics`, a 429 carries `Retry-After`, and channel pages (`/@handle`, `/user/NAME`,
`/channel/UC…`) are HTML that names the channel id where youtube.com does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import struct
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.emulators import youtube_wire as wire
from tests.emulators.youtube_data import EmuChannel, World, page_offset, page_token

API_KEY = "test-youtube-key"
"""The API key the emulator accepts unless told otherwise."""

COSTS = {
    "channels.list": 1,
    "playlistItems.list": 1,
    "videos.list": 1,
    "subscriptions.list": 1,
    "search.list": 100,
}
"""Quota units per call, as YouTube charges them (search.list must never be called)."""

_ROUTES = {
    "/youtube/v3/channels": "channels.list",
    "/youtube/v3/playlistItems": "playlistItems.list",
    "/youtube/v3/videos": "videos.list",
    "/youtube/v3/subscriptions": "subscriptions.list",
    "/youtube/v3/search": "search.list",
    "/feeds/videos.xml": "feed",
    "/o/oauth2/auth": "auth",
    "/token": "token",
}

FAULT_KINDS = frozenset(wire.ERRORS) | {
    "hang", "reset", "truncated", "malformed", "wrong_shape", "html", "feed_down", "feed_404",
    "error_200", "consent",
}  # fmt: skip
"""Faults `inject()` understands: error bodies by name, plus transport and content faults.

`error_200`: a server error body with HTTP 200 (what some proxies pass on); `consent`: a
channel page redirects to the cookie-consent page, as youtube.com does in some countries.
"""
PAGE_PREFIXES = ("/@", "/user/", "/channel/")
"""Paths of channel pages (method `page`)."""

FEED_ENTRIES = 15
"""Channel feeds list this many newest uploads."""


@dataclass
class Fault:
    """A fault waiting to be served: skip `after` calls, then fail `remaining` calls."""

    kind: str
    remaining: int
    after: int = 0


@dataclass(frozen=True)
class LoggedRequest:
    """One request the emulator answered."""

    method: str
    path: str
    params: dict[str, str]
    status: int
    at: float


@dataclass
class OAuthState:
    """The emulator's OAuth client, codes and tokens."""

    client_id: str = "momentum-test.apps.googleusercontent.com"
    client_secret: str = "test-client-secret"
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: set[str] = field(default_factory=set)
    account_channel: str = "UCmomentumTestAccount001"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every response, which Google does not.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output clean

    def do_GET(self) -> None:
        self.server.emulator._serve(self, "GET")

    def do_POST(self) -> None:
        self.server.emulator._serve(self, "POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: YouTubeEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that times out, is cancelled or killed drops its connection; that is
        # an everyday event for this server, not a traceback.
        return


class YouTubeEmulator:
    """The loopback server; use as a context manager or call `start()` / `stop()`."""

    def __init__(self, world: World | None = None, *, api_keys: tuple[str, ...] = (API_KEY,),
                 latency: float = 0.0, hang_seconds: float = 30.0) -> None:  # fmt: skip
        self.world = world if world is not None else World.from_corpus(channels=40)
        self.api_keys = set(api_keys)
        self.latency = latency
        self.hang_seconds = hang_seconds
        self.quota_limit: int | None = None
        self.retry_after = "1"
        """`Retry-After` of a 429, in seconds ("" sends none)."""
        self.units: Counter[str] = Counter()
        self.requests: list[LoggedRequest] = []
        self.oauth = OAuthState()
        self.subscriptions: list[str] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> YouTubeEmulator:
        """Listen on a free port of 127.0.0.1 and serve in a background thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="youtube-emulator", daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (hung requests are released)."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> YouTubeEmulator:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        assert self._server is not None, "start() the emulator first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_root(self) -> str:
        """What `youtube.api_root` should be set to."""
        return self.base_url

    @property
    def feed_root(self) -> str:
        """What `youtube.feed_root` should be set to."""
        return f"{self.base_url}/feeds/videos.xml"

    @property
    def page_root(self) -> str:
        """What `youtube.page_root` should be set to."""
        return self.base_url

    def settings_env(self) -> dict[str, str]:
        """`MOMENTUM_YOUTUBE_*` variables that point Momentum at this emulator."""
        return {
            "MOMENTUM_YOUTUBE_API_ROOT": self.api_root,
            "MOMENTUM_YOUTUBE_FEED_ROOT": self.feed_root,
            "MOMENTUM_YOUTUBE_PAGE_ROOT": self.page_root,
            "MOMENTUM_YOUTUBE_OAUTH_AUTH_URI": f"{self.base_url}/o/oauth2/auth",
            "MOMENTUM_YOUTUBE_OAUTH_TOKEN_URI": f"{self.base_url}/token",
        }

    # --- controls -------------------------------------------------------------------

    def inject(self, method: str, kind: str, count: int = 1, *, after: int = 0) -> None:
        """Fail the next `count` calls of `method` (`"*"` for any) with `kind`, after `after` ok."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.setdefault(method, deque()).append(Fault(kind, count, after))

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._faults.clear()

    def calls(self, method: str | None = None) -> int:
        """How many requests (of `method`) were answered."""
        with self._lock:
            return sum(1 for r in self.requests if method is None or r.method == method)

    def total_units(self) -> int:
        """Quota units the calls so far would have cost."""
        with self._lock:
            return sum(self.units.values())

    def reset_counters(self) -> None:
        """Clear the request log and the unit counters (not the world, not the faults)."""
        with self._lock:
            self.requests.clear()
            self.units.clear()

    def issue_refresh_token(self) -> str:
        """A refresh token the token endpoint accepts (as if someone had signed in)."""
        token = "1//" + secrets.token_urlsafe(24)
        with self._lock:
            self.oauth.refresh_tokens.add(token)
        return token

    # --- serving --------------------------------------------------------------------

    def _take_fault(self, method: str) -> str | None:
        with self._lock:
            for key in (method, "*"):
                queue = self._faults.get(key)
                while queue:
                    fault = queue[0]
                    if fault.after > 0:
                        fault.after -= 1
                        break
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        queue.popleft()
                    return fault.kind
        return None

    def _log(self, method: str, path: str, params: dict[str, str], status: int) -> None:
        clean = {k: v for k, v in params.items() if k != "key"}
        with self._lock:
            self.requests.append(LoggedRequest(method, path, clean, status, time.time()))

    def _serve(self, handler: _Handler, verb: str) -> None:
        split = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if body and verb == "POST":
            # Long GETs arrive as POST + X-HTTP-Method-Override: GET with a form body;
            # the token endpoint takes a form body too.
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            params.update({k: v[-1] for k, v in form.items()})
        method = _ROUTES.get(split.path, "unknown")
        if method == "unknown" and split.path.startswith(PAGE_PREFIXES) and verb == "GET":
            method = "page"
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(method) if method != "unknown" else None
        if fault is not None and self._transport_fault(handler, fault, method, split.path, params):
            return
        if method == "feed":
            status, content_type, payload = self._feed(params, fault)
        elif method == "page":
            if fault == "consent":
                self._log(method, split.path, {}, 302)
                self._redirect(handler, "https://consent.youtube.com/m?continue=" + split.path)
                return
            status, content_type, payload = self._page(split.path)
        elif method == "auth":
            # Logged before the redirect goes out: the browser follows it at once and the
            # whole sign-in can finish before this thread would get to log afterwards.
            self._log(method, split.path, {}, 302)
            self._authorize(handler, params)
            return
        elif method == "token":
            status, token_body = self._token(params, handler.headers.get("Authorization", ""))
            content_type, payload = (
                "application/json; charset=UTF-8",
                json.dumps(token_body).encode(),
            )
        elif method == "unknown":
            status, content_type, payload = 404, "text/html; charset=UTF-8", b"<html>404</html>"
        else:
            status, api_body = self._api(method, params, handler.headers, fault)
            content_type = "application/json; charset=UTF-8"
            payload = self._content_fault(fault, api_body)
            if fault == "error_200":
                status = 200  # a proxy that passes the error body on as a success
        self._log(method, split.path, params, status)
        extra = {"Retry-After": self.retry_after} if status == 429 and self.retry_after else {}
        self._respond(handler, status, content_type, payload, extra)

    def _respond(self, handler: _Handler, status: int, content_type: str, payload: bytes,
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Vary", "Origin, X-Origin, Referer")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        try:
            handler.wfile.write(payload)
        except OSError:
            handler.close_connection = True

    def _transport_fault(self, handler: _Handler, fault: str, method: str, path: str,
                         params: dict[str, str]) -> bool:  # fmt: skip
        """Serve a fault that breaks the connection; True when it was one."""
        if fault == "hang":
            self._log(method, path, params, 0)
            self._stop.wait(self.hang_seconds)
            handler.close_connection = True
            return True
        if fault == "reset":
            self._log(method, path, params, 0)
            handler.close_connection = True
            # SO_LINGER 0 turns close() into a TCP reset: "connection reset by peer".
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))  # fmt: skip
            handler.connection.close()
            return True
        if fault == "truncated":
            self._log(method, path, params, 200)
            payload = json.dumps(wire.list_response("youtube#videoListResponse", [], 0, 0)).encode()
            payload = payload * 40
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json; charset=UTF-8")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload[: len(payload) // 3])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return True
        return False

    def _content_fault(self, fault: str | None, body: dict[str, Any]) -> bytes:
        if fault == "malformed":
            return b'{"kind": "youtube#videoListResponse", "items": [{"id": "abc'
        if fault == "wrong_shape":
            return json.dumps({"kind": "youtube#videoListResponse", "items": "none",
                               "nextPageToken": 7}).encode()  # fmt: skip
        if fault == "html":
            return b"<html><body>Sign in to the Wi-Fi network</body></html>"
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    # --- the Data API ---------------------------------------------------------------

    def _authorised(self, params: dict[str, str], headers: Any) -> bool:
        bearer = str(headers.get("Authorization", ""))
        if bearer.startswith("Bearer "):
            with self._lock:
                return bearer.removeprefix("Bearer ") in self.oauth.access_tokens
        return params.get("key", "") in self.api_keys

    def _charge(self, method: str) -> bool:
        """Count the call's units; False when the daily limit says quotaExceeded."""
        cost = COSTS.get(method, 1)
        with self._lock:
            if self.quota_limit is not None and sum(self.units.values()) + cost > self.quota_limit:
                return False
            self.units[method] += cost
            return True

    def _api(self, method: str, params: dict[str, str], headers: Any,
             fault: str | None) -> tuple[int, dict[str, Any]]:  # fmt: skip
        if fault == "error_200":
            self._charge(method)
            return wire.ERRORS["backend_500"]
        if fault in wire.ERRORS:
            if fault not in ("quota", "key_invalid", "key_invalid_new"):
                self._charge(method)
            return wire.ERRORS[fault]
        bearer = str(headers.get("Authorization", "")).startswith("Bearer ")
        if not self._authorised(params, headers):
            if bearer:
                return wire.ERRORS["login_required"]
            return wire.ERRORS["key_invalid" if params.get("key") else "forbidden"]
        if not self._charge(method):
            return wire.ERRORS["quota"]
        parts = {p.strip() for p in params.get("part", "").split(",") if p.strip()}
        if not parts:
            return wire.invalid_parameter(
                "part", "No filter selected. Expected one of: id, snippet, contentDetails."
            )
        max_results = params.get("maxResults", "5")
        if not max_results.isdigit() or not 0 <= int(max_results) <= 50:
            return wire.invalid_parameter("maxResults", "Invalid value for parameter maxResults.")
        handler = {
            "channels.list": self._channels,
            "playlistItems.list": self._playlist_items,
            "videos.list": self._videos,
            "subscriptions.list": self._subscriptions,
        }.get(method)
        if handler is None:  # search.list: charged, answered empty; Momentum must never call it
            return 200, wire.list_response("youtube#searchListResponse", [], 0, 0)
        return handler(params, parts, bearer)

    def _video_count(self, channel: EmuChannel) -> int:
        return sum(1 for v in self.world.listed_uploads(channel) if v.privacy == "public")

    def _channels(self, params: dict[str, str], parts: set[str],
                  bearer: bool) -> tuple[int, dict[str, Any]]:  # fmt: skip
        found: list[EmuChannel] = []
        filters = [f for f in ("id", "forHandle", "forUsername", "mine") if f in params]
        if len(filters) > 1:
            return wire.ERRORS["incompatible_parameters"]
        if "forHandle" in params:
            channel = self.world.channel_by_handle(params["forHandle"])
            found = [channel] if channel else []
        elif "forUsername" in params:
            channel = self.world.channel_by_username(params["forUsername"])
            found = [channel] if channel else []
        elif "mine" in params:
            if params["mine"] != "true" or not bearer:
                return wire.ERRORS["login_required"]
            found = [self._account_channel()]
        elif "id" in params:
            ids = [i.strip() for i in params["id"].split(",") if i.strip()]
            if len(ids) > 50:
                return wire.invalid_parameter("id", "Too many ids; at most 50 are allowed.")
            found = [self.world.channels[i] for i in ids if i in self.world.channels]
        else:
            return wire.invalid_parameter("id", "No filter selected. Expected one of: id, "
                                          "forHandle, forUsername, mine.")  # fmt: skip
        items = [wire.channel_resource(c, parts, self._video_count(c)) for c in found]
        # Like the real API, a lookup that finds nothing has no "items" key at all.
        return 200, wire.list_response("youtube#channelListResponse", items or None,
                                       len(items), len(items))  # fmt: skip

    def _playlist_items(self, params: dict[str, str], parts: set[str],
                        _bearer: bool) -> tuple[int, dict[str, Any]]:  # fmt: skip
        playlist = params.get("playlistId", "")
        channel = (
            self.world.channels.get("UC" + playlist[2:]) if playlist.startswith("UU") else None
        )
        if channel is None or not channel.has_uploads_playlist:
            return wire.ERRORS["playlist_not_found"]
        per_page = int(params.get("maxResults", "5"))
        offset = 0
        if params.get("pageToken"):
            decoded = page_offset(params["pageToken"])
            if decoded is None:
                return wire.invalid_page_token()
            offset = decoded
        listed = self.world.listed_uploads(channel)
        page = listed[offset : offset + per_page]
        items = [wire.playlist_item(channel, v, offset + i, parts) for i, v in enumerate(page)]
        next_token = page_token(offset + per_page) if offset + per_page < len(listed) else None
        prev_token = page_token(max(0, offset - per_page)) if offset else None
        return 200, wire.list_response("youtube#playlistItemListResponse", items, len(listed),
                                       per_page, next_token, prev_token)  # fmt: skip

    def _videos(self, params: dict[str, str], parts: set[str],
                _bearer: bool) -> tuple[int, dict[str, Any]]:  # fmt: skip
        ids = [i.strip() for i in params.get("id", "").split(",") if i.strip()]
        if len(ids) > 50:
            return wire.invalid_parameter("id", "Too many ids; at most 50 are allowed.")
        items = []
        for video_id in ids:
            video = self.world.videos.get(video_id)
            if video is not None and video.visible:
                channel = self.world.channels[video.channel_id]
                items.append(wire.video_resource(video, channel, parts))
        return 200, wire.list_response("youtube#videoListResponse", items, len(items), len(items))

    def _subscriptions(self, params: dict[str, str], parts: set[str],
                       bearer: bool) -> tuple[int, dict[str, Any]]:  # fmt: skip
        if params.get("mine") != "true" or not bearer:
            return wire.ERRORS["login_required"]
        per_page = int(params.get("maxResults", "5"))
        offset = page_offset(params["pageToken"]) if params.get("pageToken") else 0
        if offset is None:
            return wire.invalid_page_token()
        channels = [self.world.channels[c] for c in self.subscriptions if c in self.world.channels]
        page = channels[offset : offset + per_page]
        items = [
            wire.subscription_resource(c, self.oauth.account_channel, 1_700_000_000 + n)
            for n, c in enumerate(page)
        ]
        next_token = page_token(offset + per_page) if offset + per_page < len(channels) else None
        return 200, wire.list_response("youtube#subscriptionListResponse", items, len(channels),
                                       per_page, next_token)  # fmt: skip

    # --- feeds ----------------------------------------------------------------------

    def _feed(self, params: dict[str, str], fault: str | None) -> tuple[int, str, bytes]:
        if fault == "feed_down" or fault in ("backend_500", "backend_503"):
            return 500, "text/html; charset=UTF-8", b"<html><title>Error 500 (Server Error)</title>"
        channel = self.world.channels.get(params.get("channel_id", ""))
        if fault == "feed_404" or channel is None:
            return 404, "text/html; charset=UTF-8", b"<html><title>Error 404 (Not Found)</title>"
        if fault == "malformed":
            return 200, "text/xml; charset=UTF-8", b"<?xml version='1.0'?><feed><entry><id>yt:vid"
        if fault == "html":
            return 200, "text/html; charset=UTF-8", b"<html><body>consent.youtube.com</body></html>"
        public = [v for v in self.world.listed_uploads(channel) if v.privacy == "public"]
        xml = wire.atom_feed(channel, public[:FEED_ENTRIES], self.feed_root)
        return 200, "text/xml; charset=UTF-8", xml.encode("utf-8")

    def _account_channel(self) -> EmuChannel:
        """The signed-in account's own channel (made on first use; it has no uploads)."""
        channel_id = self.oauth.account_channel
        with self._lock:
            if channel_id not in self.world.channels:
                self.world.channels[channel_id] = EmuChannel(
                    id=channel_id, title="Momentum Test Account", handle="@momentumtestaccount",
                    description="", published_at=1_600_000_000, has_uploads_playlist=False,
                )  # fmt: skip
            return self.world.channels[channel_id]

    # --- channel pages --------------------------------------------------------------

    def _page(self, path: str) -> tuple[int, str, bytes]:
        """A channel page by /@handle, /user/NAME or /channel/UC…; 404 when there is none."""
        from urllib.parse import unquote

        kind, _, rest = path.lstrip("/").partition("/")
        if kind.startswith("@"):
            channel = self.world.channel_by_handle(unquote(kind))
        elif kind == "user":
            channel = self.world.channel_by_username(unquote(rest.split("/")[0]))
        else:
            channel = self.world.channels.get(rest.split("/")[0])
        if channel is None:
            return 404, "text/html; charset=utf-8", b"<html><head><title>404 Not Found</title>"
        return 200, "text/html; charset=utf-8", wire.channel_page(channel).encode("utf-8")

    def _redirect(self, handler: _Handler, location: str) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    # --- OAuth ----------------------------------------------------------------------

    def _authorize(self, handler: _Handler, params: dict[str, str]) -> None:
        """The consent page, already agreed to: redirect back with a code."""
        redirect = params.get("redirect_uri", "")
        code = "4/" + secrets.token_urlsafe(16)
        with self._lock:
            self.oauth.codes[code] = {
                "redirect_uri": redirect,
                "client_id": params.get("client_id", ""),
                "challenge": params.get("code_challenge", ""),
            }
        query = urlencode({"state": params.get("state", ""), "code": code,
                           "scope": params.get("scope", "")})  # fmt: skip
        handler.send_response(302)
        handler.send_header("Location", f"{redirect}?{query}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _token(self, params: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        client_id, client_secret = params.get("client_id", ""), params.get("client_secret", "")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode("utf-8", "replace")
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.oauth.client_id or client_secret != self.oauth.client_secret:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        grant = params.get("grant_type")
        access = "ya29." + secrets.token_urlsafe(24)
        with self._lock:
            if grant == "authorization_code":
                issued = self.oauth.codes.pop(params.get("code", ""), None)
                verifier = params.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(
                    hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")  # fmt: skip
                if (
                    issued is None
                    or issued["redirect_uri"] != params.get("redirect_uri")
                    or (issued["challenge"] and issued["challenge"] != challenge)
                ):
                    return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
                refresh = "1//" + secrets.token_urlsafe(24)
                self.oauth.refresh_tokens.add(refresh)
                self.oauth.access_tokens.add(access)
                return 200, {"access_token": access, "expires_in": 3599, "refresh_token": refresh,
                             "scope": "https://www.googleapis.com/auth/youtube.readonly",
                             "token_type": "Bearer"}  # fmt: skip
            if grant == "refresh_token":
                if params.get("refresh_token") not in self.oauth.refresh_tokens:
                    expired = "Token has been expired or revoked."
                    return 400, {"error": "invalid_grant", "error_description": expired}
                self.oauth.access_tokens.add(access)
                return 200, {"access_token": access, "expires_in": 3599,
                             "scope": "https://www.googleapis.com/auth/youtube.readonly",
                             "token_type": "Bearer"}  # fmt: skip
        return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}


def follow_world(store, world: World, ids: list[str] | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """Follow the world's channels (by id only, as an import would); returns their ids."""
    from momentum_tui.records import Channel
    from momentum_tui.storage.videos import upsert_channels

    ids = ids if ids is not None else list(world.channels)
    with store.write() as db:
        upsert_channels(db, [Channel(id=i) for i in ids], source="test")
    return ids
