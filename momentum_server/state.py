"""What every request handler reaches through `request.app.state.momentum`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from momentum_server.accounts import Caller, device_row, touch_device
from momentum_server.credentials import Passwords, parse_token, token_matches
from momentum_server.db import reading
from momentum_server.errors import rate_limited, unauthorized
from momentum_server.faults import Faults
from momentum_server.metrics import Metrics
from momentum_server.middleware import request_info
from momentum_server.ratelimit import Buckets
from momentum_server.settings import Settings


@dataclass
class ServerState:
    """The engine, settings and per-process helpers of one app."""

    settings: Settings
    engine: Engine
    passwords: Passwords
    metrics: Metrics
    faults: Faults
    tokens: Buckets = field(init=False)
    sign_ins: Buckets = field(init=False)
    registrations: Buckets = field(init=False)

    def __post_init__(self) -> None:
        rates = self.settings.rates
        self.tokens = Buckets(rates.token_per_second, rates.token_burst)
        self.sign_ins = Buckets(rates.sign_in_per_minute / 60, rates.sign_in_burst)
        self.registrations = Buckets(rates.register_per_hour / 3600, rates.register_burst)


async def server(request: Request) -> ServerState:
    """The app's state (async: it blocks on nothing, so it needn't hop to a thread)."""
    state = request.app.state.momentum
    assert isinstance(state, ServerState)
    return state


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="deviceToken",
    description="The device token from `POST /api/v1/sessions`.",
)


def authenticated(
    request: Request,
    state: Annotated[ServerState, Depends(server)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller of a request with a valid device token; 401 otherwise, 429 when too fast."""
    parsed = parse_token(credentials.credentials) if credentials else None
    if parsed is None:
        raise unauthorized()
    device_id, secret = parsed
    with reading(state.engine) as conn:
        row = device_row(conn, device_id)
    if row is None or not token_matches(row.token_salt, row.token_hash, secret):
        raise unauthorized()
    request_info(request.scope).user_id = int(row.user_id)
    wait = state.tokens.take(device_id)
    if wait:
        state.metrics.rate_limited.labels("token").inc()
        raise rate_limited(wait, "requests from this device")
    touch_device(state.engine, device_id, row.last_seen_ms)
    return Caller(int(row.user_id), device_id)


def client_address(request: Request) -> str:
    """The client's address (uvicorn applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


State = Annotated[ServerState, Depends(server)]
Authenticated = Annotated[Caller, Depends(authenticated)]
