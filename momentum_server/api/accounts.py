"""Accounts, sessions (sign-in and logout), devices and the account's own data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import StreamingResponse

from momentum_server import accounts
from momentum_server.api import errors
from momentum_server.clock import iso
from momentum_server.db import reading
from momentum_server.errors import ApiError, rate_limited
from momentum_server.export import export_document
from momentum_server.models import (
    Account,
    AccountCreated,
    ChangePassword,
    ConfirmPassword,
    DeviceList,
    Export,
    Register,
    SessionCreated,
    SignIn,
)
from momentum_server.state import Authenticated, State, client_address
from momentum_server.views import device_view

router = APIRouter(prefix="/api/v1")


@router.post(
    "/accounts",
    status_code=201,
    tags=["accounts"],
    responses=errors(409),
    summary="Create an account",
)
def create_account(body: Register, request: Request, state: State) -> AccountCreated:
    """Register a username and password (then sign in with `POST /sessions`)."""
    wait = state.registrations.take(client_address(request))
    if wait:
        state.metrics.rate_limited.labels("register").inc()
        raise rate_limited(wait, "new accounts from this address")
    user_id = accounts.register(state.engine, state.passwords, body.username, body.password)
    return AccountCreated(user_id=user_id, username=body.username)


@router.post(
    "/sessions",
    status_code=201,
    tags=["accounts"],
    responses=errors(401),
    summary="Sign in: a new device and its token",
)
def sign_in(body: SignIn, request: Request, state: State) -> SessionCreated:
    """Check the password; make a device named `device_name` and return its bearer token."""
    wait = state.sign_ins.take(client_address(request))
    if wait:
        state.metrics.rate_limited.labels("sign_in").inc()
        raise rate_limited(wait, "sign-in attempts from this address")
    try:
        issued = accounts.sign_in(
            state.engine,
            state.passwords,
            state.settings.rates,
            body.username,
            body.password,
            body.device_name,
        )
    except ApiError as exc:
        if exc.status == 401:
            state.metrics.sign_in_failures.inc()
        elif exc.status == 429:
            state.metrics.rate_limited.labels("back_off").inc()
        raise
    return SessionCreated(device_id=issued.device_id, token=issued.token)


@router.delete(
    "/sessions/current",
    status_code=204,
    tags=["accounts"],
    responses=errors(401),
    summary="Sign out this device",
)
def sign_out(caller: Authenticated, state: State) -> Response:
    """Revoke the calling device's token (logout)."""
    accounts.revoke_device(state.engine, caller.user_id, caller.device_id)
    return Response(status_code=204)


@router.get("/devices", tags=["devices"], responses=errors(401), summary="List devices")
def devices(caller: Authenticated, state: State) -> DeviceList:
    """Every device signed in to the account, oldest first."""
    with reading(state.engine) as conn:
        rows = accounts.list_devices(conn, caller.user_id)
    return DeviceList.model_validate(
        {"devices": [device_view(row, caller.device_id) for row in rows]}
    )


@router.delete(
    "/devices/{device_id}",
    status_code=204,
    tags=["devices"],
    responses=errors(401, 404),
    summary="Revoke a device",
)
def revoke(device_id: str, caller: Authenticated, state: State) -> Response:
    """Revoke a device of this account: its token stops working at once."""
    accounts.revoke_device(state.engine, caller.user_id, device_id)
    return Response(status_code=204)


@router.get("/account", tags=["account"], responses=errors(401), summary="This account")
def account(caller: Authenticated, state: State) -> Account:
    """The account, the calling device, the revision and what is stored against the quota."""
    with reading(state.engine) as conn:
        row = accounts.account_row(conn, caller.user_id)
    limits = state.settings.limits
    return Account(
        user_id=caller.user_id,
        username=row.username,
        created_at=iso(row.created_ms),
        device_id=caller.device_id,
        revision=row.revision,
        records=row.record_count,
        bytes=row.byte_count,
        quota_records=limits.quota_records,
        quota_bytes=limits.quota_bytes,
    )


@router.put(
    "/account/password",
    status_code=204,
    tags=["account"],
    responses=errors(401),
    summary="Change the password",
)
def change_password(body: ChangePassword, caller: Authenticated, state: State) -> Response:
    """Replace the password (the current one is required); devices stay signed in."""
    accounts.check_password(state.engine, state.passwords, caller.user_id, body.password)
    accounts.change_password(state.engine, state.passwords, caller.user_id, body.new_password)
    return Response(status_code=204)


@router.delete(
    "/account",
    status_code=204,
    tags=["account"],
    responses=errors(401),
    summary="Erase the account and all its data",
)
def erase(
    body: Annotated[ConfirmPassword, Body()], caller: Authenticated, state: State
) -> Response:
    """Delete the account, its devices, tokens, records and uploads, in one transaction."""
    accounts.check_password(state.engine, state.passwords, caller.user_id, body.password)
    accounts.erase(state.engine, caller.user_id)
    return Response(status_code=204)


@router.get(
    "/export",
    tags=["account"],
    responses={200: {"model": Export}, **errors(401)},
    response_class=StreamingResponse,
    summary="Export everything",
)
def export(caller: Authenticated, state: State) -> StreamingResponse:
    """Everything the server holds for the account: devices and every record (encrypted)."""
    return StreamingResponse(
        export_document(state.engine, caller.user_id, caller.device_id),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="momentum-server-export.json"'},
    )
