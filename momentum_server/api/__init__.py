"""The HTTP endpoints under `/api/v1`, and how their errors are described in the OpenAPI."""

from __future__ import annotations

from typing import Any

from momentum_server.errors import ConflictBody, ErrorBody, InvalidBody

_WHY = {
    401: "The device token is missing, unknown or revoked (or, for sign-in, the password).",
    404: "No such thing on this account.",
    409: "The username is taken.",
    412: "The account is not at the revision in If-Match: pull, merge, push again.",
    413: "The body is over 1 MiB, or the account would pass its quota.",
    422: "The request does not match the protocol.",
    428: "A push needs an If-Match header.",
    429: "Too many requests; the Retry-After header says when to try again.",
    503: "The database is busy or unreachable; retry.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses (and 429 and 503, which any may get)."""
    wanted = sorted({*statuses, 422, 429, 503})
    models = {412: ConflictBody, 422: InvalidBody}
    return {
        status: {"model": models.get(status, ErrorBody), "description": _WHY[status]}
        for status in wanted
    }
