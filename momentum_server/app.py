"""The FastAPI application: `create_app(settings)` (and `app_from_env` for uvicorn workers)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy import Engine, text
from starlette.types import ASGIApp

from momentum_server import API_VERSION, __version__, migrate
from momentum_server.api import accounts, records
from momentum_server.credentials import Passwords
from momentum_server.db import open_engine, reading
from momentum_server.errors import ApiError, ErrorBody, install_handlers
from momentum_server.faults import ENV as FAULTS_ENV
from momentum_server.faults import Faults
from momentum_server.metrics import Metrics
from momentum_server.middleware import BodyLimit, Observe
from momentum_server.models import (
    MAX_BLOB_CHARS,
    MAX_BODY_BYTES,
    MAX_RECORDS_PER_PUSH,
    PAGE_RECORDS,
    Health,
    Limits,
)
from momentum_server.settings import Settings
from momentum_server.state import ServerState, State

log = logging.getLogger("momentum_server")

DESCRIPTION = """\
Momentum's preference-sync backend. It stores what it cannot read: record names are
keyed hashes and values are encrypted on the device. The rules (revisions, 412, limits,
what is stored) are in docs/sync-protocol.md.
"""


class SchemaNotCurrentError(RuntimeError):
    """The database is not at the schema this server's code expects."""


class MomentumAPI(FastAPI):
    """FastAPI with the server's own outermost layers (they need uvicorn's raw `send`)."""

    def build_middleware_stack(self) -> ASGIApp:
        """Observe(BodyLimit(the usual Starlette stack))."""
        state: ServerState = self.state.momentum
        return Observe(BodyLimit(super().build_middleware_stack(), MAX_BODY_BYTES), state.metrics)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    faults: Faults | None = None,
) -> FastAPI:
    """The app for `settings` (default: from the environment); the schema must be current."""
    settings = settings or Settings.from_env()
    engine = engine or open_engine(settings.database_url, settings.pool_size)
    if faults is None:
        spec = os.environ.get(FAULTS_ENV)
        faults = Faults.parse(spec) if spec else Faults()
    state = ServerState(settings, engine, Passwords(settings.hashing), Metrics(), faults)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        at, wanted = migrate.current(engine), migrate.head()
        if at != wanted:
            raise SchemaNotCurrentError(
                f"The database is at schema {at or 'none'}, this server needs {wanted}; "
                "run `momentum-server migrate --database URL` first."
            )
        if faults.active:
            log.warning("fault injection is on (tests only)", extra={"faults": repr(faults)})
        yield
        engine.dispose()

    app = MomentumAPI(
        title="Momentum sync server",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # the bundled docs pages load scripts from a CDN; the JSON is enough
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.momentum = state
    install_handlers(app)
    app.include_router(accounts.router)
    app.include_router(records.router)
    _add_service_routes(app, settings)
    return app


def _add_service_routes(app: FastAPI, settings: Settings) -> None:
    @app.get(
        "/api/v1/health",
        tags=["service"],
        responses={503: {"model": ErrorBody, "description": "The database is unreachable."}},
        summary="Is the server up?",
    )
    def health(state: State) -> Health:
        """The server answers and its database does (503 otherwise); its version and limits."""
        try:
            with reading(state.engine) as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            raise ApiError(
                503, "unavailable", "The server's database is unreachable; try again soon."
            ) from None
        limits = state.settings.limits
        return Health(
            status="ok",
            version=__version__,
            api=API_VERSION,
            limits=Limits(
                max_body_bytes=MAX_BODY_BYTES,
                max_records_per_push=MAX_RECORDS_PER_PUSH,
                max_blob_chars=MAX_BLOB_CHARS,
                page_records=PAGE_RECORDS,
                quota_records=limits.quota_records,
                quota_bytes=limits.quota_bytes,
            ),
        )

    if settings.metrics:

        @app.get(
            "/metrics",
            tags=["service"],
            response_class=PlainTextResponse,
            summary="Prometheus metrics",
        )
        def metrics(state: State) -> PlainTextResponse:
            """Counters and histograms in the Prometheus text format (no names, no tokens)."""
            return PlainTextResponse(
                state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
            )


def app_from_env() -> FastAPI:
    """The app uvicorn's worker processes build (settings from `MOMENTUM_SERVER_*`)."""
    return create_app()
