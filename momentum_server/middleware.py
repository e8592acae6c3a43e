"""The outermost ASGI layers: body-size limit, then observation (log line, metrics, faults).

`Observe` sees uvicorn's own `send`, so it can also carry out an injected "drop": the
handler commits, marks the request, and `Observe` closes the connection instead of
sending the answer.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from momentum_server.errors import ApiError
from momentum_server.metrics import Metrics

log = logging.getLogger("momentum_server.access")

SCOPE_KEY = "momentum"


@dataclass
class RequestInfo:
    """What a handler tells the outer layers about its request."""

    request_id: str
    user_id: int | None = None
    drop_response: bool = False


def request_info(scope: Scope) -> RequestInfo:
    """The request's `RequestInfo` (made by `Observe`)."""
    info = scope.get(SCOPE_KEY)
    assert isinstance(info, RequestInfo)
    return info


class BodyLimit:
    """413 for a body over `limit` bytes: at once by Content-Length, else as it streams in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse before reading when the length is declared; count otherwise."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLargeError
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLargeError:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = ApiError(
            413,
            "body_too_large",
            f"The request body is over {self.limit:,} bytes; nothing was read or stored. "
            "Send fewer records per request.",
            headers={"Connection": "close"},
        )
        await error.response()(scope, receive, send)


class _TooLargeError(HTTPException):
    """The streamed body passed the limit (an HTTPException, so FastAPI lets it through)."""

    def __init__(self) -> None:
        super().__init__(413)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class Observe:
    """One JSON log line and the metrics for every request; carries out injected drops."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request, count its bytes, label it by route template."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(secrets.token_hex(8))
        scope[SCOPE_KEY] = info
        start = time.perf_counter()
        status, bytes_in, bytes_out, dropped = 0, 0, 0, False

        async def counting_receive() -> Message:
            nonlocal bytes_in
            message = await receive()
            bytes_in += len(message.get("body", b""))
            return message

        async def observing_send(message: Message) -> None:
            nonlocal status, bytes_out, dropped
            if info.drop_response:
                if not dropped:
                    dropped = True
                    await _hang_up(send)
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), _request_id(info)]
            elif message["type"] == "http.response.body":
                bytes_out += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, observing_send)
        except Exception:
            # The app's own handler already answered 500; don't let uvicorn log it again.
            status = status or 500
            log.exception("request failed", extra={"request_id": info.request_id})
        finally:
            self._record(scope, info, status, bytes_in, bytes_out, start, dropped)

    def _record(
        self,
        scope: Scope,
        info: RequestInfo,
        status: int,
        bytes_in: int,
        bytes_out: int,
        start: float,
        dropped: bool,
    ) -> None:
        route_obj: Any = scope.get("route")
        route = getattr(route_obj, "path", None) or "unmatched"
        method = scope.get("method", "")
        seconds = time.perf_counter() - start
        shown = "dropped" if dropped else str(status)
        self.metrics.requests.labels(route, method, shown).inc()
        self.metrics.latency.labels(route, method).observe(seconds)
        self.metrics.bytes_in.labels(route, method).inc(bytes_in)
        self.metrics.bytes_out.labels(route, method).inc(bytes_out)
        log.info(
            "request",
            extra={
                "request_id": info.request_id,
                "method": method,
                "route": route,
                "status": shown,
                "ms": round(seconds * 1000, 2),
                "bytes_in": bytes_in,
                "bytes_out": bytes_out,
                "user_id": info.user_id,
            },
        )


def _request_id(info: RequestInfo) -> tuple[bytes, bytes]:
    return (b"x-request-id", info.request_id.encode())


async def _hang_up(send: Send) -> None:
    """Close the connection without an answer (uvicorn's transport; else abort the answer)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("injected drop: no transport to close")
    transport.close()
    # Let the protocol see the connection is gone, so uvicorn sends nothing on it.
    for _ in range(3):
        await asyncio.sleep(0)
