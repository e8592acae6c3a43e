"""The tables (SQLAlchemy Core). Alembic's revisions create them; this is what queries use.

What is here is all the server keeps: the username and password hash, device names and
token hashes, keyed-hash record names, ciphertext, sizes, revisions and a few timestamps
(milliseconds since the epoch). Records carry no timestamp: revisions order them, and a
per-record time would be a history of when someone watched what.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    # The user's current revision: every push adds one per record. Its row is the lock
    # that serialises pushes (SELECT … FOR UPDATE on PostgreSQL).
    Column("revision", BigInteger, nullable=False, server_default="0"),
    # The first revision of the record set a replace (key rotation) stored: a device whose
    # cursor is below it has to start over.
    Column("replaced_at", BigInteger, nullable=False, server_default="0"),
    Column("record_count", BigInteger, nullable=False, server_default="0"),
    Column("byte_count", BigInteger, nullable=False, server_default="0"),
    # Wrong passwords in a row, and when the next try is allowed (sign-in back-off).
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("sign_in_after_ms", BigInteger, nullable=False, server_default="0"),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(22), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_salt", LargeBinary(16), nullable=False),
    Column("token_hash", LargeBinary(32), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(43), primary_key=True),
    Column("revision", BigInteger, nullable=False),
    Column("size", Integer, nullable=False),
    Column("blob", LargeBinary, nullable=False),
    Index("records_by_revision", "user_id", "revision", unique=True),
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", String(22), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("record_count", BigInteger, nullable=False, server_default="0"),
    Column("byte_count", BigInteger, nullable=False, server_default="0"),
)

upload_records = Table(
    "upload_records",
    metadata,
    Column("upload_id", ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(43), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("blob", LargeBinary, nullable=False),
)
