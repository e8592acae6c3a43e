"""Every error the API answers: one shape, `{"error": {"code", "message"}}`, one sentence each."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

log = logging.getLogger("momentum_server")


class ErrorDetail(BaseModel):
    """What went wrong: a stable code for programs and a sentence for people."""

    code: str = Field(examples=["unauthorized"])
    message: str = Field(examples=["The device token is missing, unknown or revoked."])


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class InvalidField(BaseModel):
    """One part of the request that failed validation (never its value)."""

    location: str = Field(examples=["body.records.0.name"])
    problem: str = Field(examples=["String should match pattern '^[A-Za-z0-9_-]{43}$'"])


class InvalidErrorDetail(ErrorDetail):
    """A validation error, with where the request went wrong."""

    fields: list[InvalidField] = Field(default_factory=list)


class InvalidBody(BaseModel):
    """422: the request's body, query or headers do not match the protocol."""

    error: InvalidErrorDetail


class ConflictBody(BaseModel):
    """412: the account moved on since `If-Match`; pull from your revision, merge, retry."""

    error: ErrorDetail
    revision: int = Field(description="The account's current revision.")


class ApiError(Exception):
    """An error answer: status, code, sentence, and optional headers or extra body fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}

    def response(self) -> JSONResponse:
        """This error as a JSON response."""
        body = {"error": {"code": self.code, "message": self.message}, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def unauthorized() -> ApiError:
    """401 for a missing, malformed, unknown or revoked token — the same answer for all."""
    return ApiError(
        401,
        "unauthorized",
        "The device token is missing, unknown or revoked; sign in again.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def not_found(what: str) -> ApiError:
    """404 for something that does not exist or belongs to another account."""
    return ApiError(404, "not_found", f"No such {what} on this account.")


def rate_limited(wait: float, what: str) -> ApiError:
    """429 with Retry-After (whole seconds, at least 1)."""
    seconds = max(1, int(wait + 0.999))
    return ApiError(
        429,
        "rate_limited",
        f"Too many {what}; try again in {seconds} s.",
        headers={"Retry-After": str(seconds)},
    )


_STATUS_CODES = {
    400: ("bad_request", "The request is malformed."),
    404: ("not_found", "There is no such endpoint."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
    413: (
        "body_too_large",
        "The request body is over 1,048,576 bytes; nothing was stored. "
        "Send fewer records per request.",
    ),
}


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_handlers(app: FastAPI) -> None:
    """Answer every error in the protocol's shape, never with a traceback."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"location": ".".join(str(part) for part in item["loc"]), "problem": item["msg"]}
            for item in exc.errors()[:20]
        ]
        first = fields[0] if fields else {"location": "request", "problem": "invalid"}
        body = {
            "error": {
                "code": "invalid_request",
                "message": f"The request does not match the protocol: "
                f"{first['location']}: {first['problem']}.",
                "fields": fields,
            }
        }
        return JSONResponse(body, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI: a body that is not UTF-8 JSON at all
            return ApiError(
                422, "invalid_request", "The request body is not JSON (UTF-8)."
            ).response()
        code, message = _STATUS_CODES.get(exc.status_code, ("error", str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return ApiError(exc.status_code, code, message, headers).response()

    @app.exception_handler(OperationalError)
    async def _database(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable", extra={"error": type(exc.orig).__name__})
        return ApiError(
            503,
            "unavailable",
            "The server's database is busy or unreachable; retry in a moment.",
            headers={"Retry-After": "2"},
        ).response()

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return ApiError(
            500, "internal_error", "The server failed; the request may not have been applied."
        ).response()
