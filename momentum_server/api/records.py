"""Pull and push records; staged replaces (uploads) for record sets over one request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from momentum_server import records, uploads
from momentum_server.api import errors
from momentum_server.clock import iso
from momentum_server.db import reading
from momentum_server.errors import ApiError
from momentum_server.faults import CONFLICT, DROP
from momentum_server.middleware import request_info
from momentum_server.models import (
    MAX_REVISION,
    PAGE_RECORDS,
    Pull,
    Push,
    Pushed,
    PushRecord,
    UploadCreated,
    UploadPart,
    UploadStatus,
)
from momentum_server.state import Authenticated, ServerState, State

router = APIRouter(prefix="/api/v1", tags=["records"])

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The revision the device last saw (`17`, or quoted: `"17"`).',
        examples=["17"],
    ),
]


@router.get("/records", responses=errors(401), summary="Pull records after a revision")
def pull(
    caller: Authenticated,
    state: State,
    since: Annotated[int, Query(ge=0, le=MAX_REVISION, description="Your cursor.")] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_RECORDS, description="Page size.")] = PAGE_RECORDS,
) -> Pull:
    """Records with revision > `since`, in revision order, at most `limit` a page."""
    with reading(state.engine) as conn:
        page = records.pull(conn, caller.user_id, since, limit, state.settings.limits)
    return Pull.model_validate(
        {
            "records": [{"name": n, "blob": b, "revision": r} for n, b, r in page.records],
            "revision": page.revision,
            "more": page.more,
            "reset": page.reset,
        }
    )


@router.post("/records", responses=errors(401, 412, 413, 428), summary="Push records (If-Match)")
def push(
    body: Push, caller: Authenticated, state: State, request: Request, if_match: IfMatch = None
) -> Pushed:
    """Upsert records (or replace the set) if the account is still at `If-Match`."""
    expected = _revision(if_match)
    items = _items(body.records)
    fate = state.faults.next_push()
    if fate == CONFLICT:
        raise _conflict(state, records.conflict(_current(state, caller.user_id)))
    try:
        revision = records.push(
            state.engine, caller.user_id, expected, items, body.replace, state.settings.limits
        )
    except ApiError as exc:
        raise _conflict(state, exc) from None
    request_info(request.scope).drop_response = fate == DROP
    return Pushed(revision=revision)


@router.post("/uploads", status_code=201, responses=errors(401), summary="Open a staged replace")
def open_upload(caller: Authenticated, state: State) -> UploadCreated:
    """Start a replace of the whole record set that takes several requests."""
    limits = state.settings.limits
    upload_id, created = uploads.open_upload(state.engine, caller.user_id, limits)
    return UploadCreated(
        upload_id=upload_id, expires_at=iso(created + limits.upload_ttl_seconds * 1000)
    )


@router.post(
    "/uploads/{upload_id}/records",
    responses=errors(401, 404, 413),
    summary="Add records to a staged replace",
)
def add_to_upload(
    upload_id: str, body: UploadPart, caller: Authenticated, state: State
) -> UploadStatus:
    """Stage up to 500 more records (a name sent again replaces the staged one)."""
    count, size = uploads.add_part(
        state.engine, caller.user_id, upload_id, _items(body.records), state.settings.limits
    )
    return UploadStatus(upload_id=upload_id, records=count, bytes=size)


@router.post(
    "/uploads/{upload_id}/commit",
    responses=errors(401, 404, 412, 428),
    summary="Swap the staged set in (If-Match)",
)
def commit_upload(
    upload_id: str,
    caller: Authenticated,
    state: State,
    request: Request,
    if_match: IfMatch = None,
) -> Pushed:
    """Replace every record of the account with the upload's, atomically."""
    expected = _revision(if_match)
    fate = state.faults.next_push()
    if fate == CONFLICT:
        raise _conflict(state, records.conflict(_current(state, caller.user_id)))
    try:
        revision = uploads.commit(
            state.engine, caller.user_id, upload_id, expected, state.settings.limits
        )
    except ApiError as exc:
        raise _conflict(state, exc) from None
    request_info(request.scope).drop_response = fate == DROP
    return Pushed(revision=revision)


@router.delete(
    "/uploads/{upload_id}",
    status_code=204,
    responses=errors(401, 404),
    summary="Abandon a staged replace",
)
def discard_upload(upload_id: str, caller: Authenticated, state: State) -> Response:
    """Drop an upload without committing it."""
    uploads.discard(state.engine, caller.user_id, upload_id, state.settings.limits)
    return Response(status_code=204)


def _revision(if_match: str | None) -> int:
    """The revision in If-Match (`17` or `"17"`); 428 when missing, 422 when not one."""
    if if_match is None:
        raise ApiError(
            428,
            "if_match_required",
            "A push needs If-Match: the revision you last pulled (0 for a new account).",
        )
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isascii() or not text.isdigit() or int(text) > MAX_REVISION:
        raise ApiError(
            422,
            "invalid_request",
            "If-Match must be a revision: a whole number from 0, such as 17.",
        )
    return int(text)


def _items(wire: list[PushRecord]) -> list[records.Item]:
    names = [record.name for record in wire]
    if len(set(names)) != len(names):
        raise ApiError(
            422,
            "duplicate_name",
            "The same record name appears twice in one request; send each record once.",
        )
    return [records.Item.decoded(record.name, record.blob) for record in wire]


def _current(state: ServerState, user_id: int) -> int:
    with reading(state.engine) as conn:
        return records.current_revision(conn, user_id)


def _conflict(state: ServerState, exc: ApiError) -> ApiError:
    """Count 412s as they pass (other errors go through unchanged)."""
    if exc.status == 412:
        state.metrics.conflicts.inc()
    return exc
