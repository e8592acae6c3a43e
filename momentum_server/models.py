"""The protocol's bodies (pydantic): every request is validated against these, strictly.

The limits here are the protocol's, the same for every server (docs/sync-protocol.md):
a client can be written against them without asking. Account quotas and page sizes are
the operator's (settings) and are reported by `GET /api/v1/health`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body (1 MiB); larger ones get 413 before they are read."""
MAX_RECORDS_PER_PUSH = 500
"""Records in one push or one upload part."""
MAX_BLOB_CHARS = 65_536
"""Base64 characters in one blob (at most 49,152 bytes of ciphertext)."""
PAGE_RECORDS = 1000
"""The default and largest `limit` of a pull page."""
MAX_REVISION = 2**53 - 1
"""Revisions stay exact in every JSON parser (IEEE doubles)."""

NAME_PATTERN = r"^[A-Za-z0-9_-]{43}$"
BLOB_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
DEVICE_NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]{1,100}$"


def _lower(value: str) -> str:
    return value.lower()


class Strict(BaseModel):
    """A request body: unknown fields are an error, and nothing is coerced ("yes" is no bool)."""

    model_config = ConfigDict(extra="forbid", strict=True)


Username = Annotated[
    str,
    Field(
        pattern=USERNAME_PATTERN,
        description="3–64 letters, digits, `.`, `_` or `-`, starting with a letter or "
        "digit; case does not matter (stored in lower case).",
        examples=["alice"],
    ),
    AfterValidator(_lower),
]
Password = Annotated[
    str, Field(min_length=10, max_length=1024, description="10 to 1,024 characters.")
]
RecordName = Annotated[
    str,
    Field(
        pattern=NAME_PATTERN,
        description="A keyed hash of the record's key (HMAC-SHA256, base64url, no padding).",
        examples=["n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"],
    ),
]
Blob = Annotated[
    str,
    Field(
        min_length=4,
        max_length=MAX_BLOB_CHARS,
        pattern=BLOB_PATTERN,
        description="The encrypted value (standard base64 with padding); opaque to the server.",
        examples=["AAECAwQFBgcICQoLDA0ODw=="],
    ),
]


class Register(Strict):
    """`POST /accounts`: a new account."""

    username: Username
    password: Password


class SignIn(Strict):
    """`POST /sessions`: sign in, making a new device and its token."""

    username: Username
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    device_name: Annotated[
        str,
        Field(
            pattern=DEVICE_NAME_PATTERN,
            description="Shown in the device list (the client defaults to the hostname); "
            "1–100 characters, no control characters.",
            examples=["laptop"],
        ),
    ]


class ChangePassword(Strict):
    """`PUT /account/password`: the current password and the new one."""

    password: Annotated[str, Field(min_length=1, max_length=1024)]
    new_password: Password


class ConfirmPassword(Strict):
    """`DELETE /account`: the password, so a stolen device token cannot erase an account."""

    password: Annotated[str, Field(min_length=1, max_length=1024)]


class PushRecord(Strict):
    """One record to store: its name and its encrypted value."""

    name: RecordName
    blob: Blob


class Push(Strict):
    """`POST /records`: records to upsert, or (`replace`) the account's whole new set."""

    records: Annotated[list[PushRecord], Field(max_length=MAX_RECORDS_PER_PUSH)]
    replace: bool = Field(
        default=False,
        description="Delete every record of the account and store these instead, "
        "atomically (key rotation). For more than one request's worth, use `/uploads`.",
    )


class UploadPart(Strict):
    """`POST /uploads/{upload_id}/records`: more records for a staged replace."""

    records: Annotated[list[PushRecord], Field(max_length=MAX_RECORDS_PER_PUSH)]


class Limits(BaseModel):
    """What this server accepts (the protocol's limits and the operator's quotas)."""

    max_body_bytes: int
    max_records_per_push: int
    max_blob_chars: int
    page_records: int
    quota_records: int
    quota_bytes: int


class Health(BaseModel):
    """`GET /health`: the server is up and its database answers."""

    status: str = Field(examples=["ok"])
    version: str = Field(description="The server's version.")
    api: int = Field(description="The protocol version (the `v1` in the URL).")
    limits: Limits


class AccountCreated(BaseModel):
    """A new account."""

    user_id: int
    username: str


class SessionCreated(BaseModel):
    """A new device and its bearer token (shown once; the server keeps only a hash)."""

    device_id: str
    token: str


class Device(BaseModel):
    """A signed-in device."""

    device_id: str
    name: str
    created_at: str = Field(description="ISO-8601 UTC.")
    last_seen_at: str = Field(description="ISO-8601 UTC, to the minute.")
    current: bool = Field(description="Whether this is the device asking.")


class DeviceList(BaseModel):
    """Every device signed in to the account."""

    devices: list[Device]


class Account(BaseModel):
    """The account the token belongs to, and what it holds."""

    user_id: int
    username: str
    created_at: str
    device_id: str = Field(description="The device asking.")
    revision: int
    records: int
    bytes: int = Field(description="Blob bytes stored (decoded).")
    quota_records: int
    quota_bytes: int


class PulledRecord(BaseModel):
    """A stored record and the revision it was stored at."""

    name: str
    blob: str
    revision: int


class Pull(BaseModel):
    """A page of records after `since`, in revision order."""

    records: list[PulledRecord]
    revision: int = Field(description="The account's current revision.")
    more: bool = Field(description="Another page follows: ask with since = last revision.")
    reset: bool = Field(
        description="The record set was replaced (or the server's history differs from "
        "yours) since your `since`: drop what you pulled before; these pages, from 0, "
        "are the whole set."
    )


class Pushed(BaseModel):
    """A push was stored: the account's new revision."""

    revision: int


class UploadCreated(BaseModel):
    """A staged replace was opened."""

    upload_id: str
    expires_at: str


class UploadStatus(BaseModel):
    """What a staged replace holds so far."""

    upload_id: str
    records: int
    bytes: int


class ExportedRecord(BaseModel):
    """A record as exported (as pulled)."""

    name: str
    blob: str
    revision: int


class Export(BaseModel):
    """`GET /export`: everything the server holds for the account."""

    format: str = Field(examples=["momentum-server-export"])
    format_version: int
    exported_at: str
    username: str
    created_at: str
    revision: int
    devices: list[Device]
    records: list[ExportedRecord]
