"""The first schema: users, devices, records, staged uploads.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "users",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("replaced_at", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("record_count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("byte_count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sign_in_after_ms", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(22), primary_key=True),
        sa.Column(
            "user_id",
            _ID,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_salt", sa.LargeBinary(16), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("last_seen_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(43), primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("blob", sa.LargeBinary, nullable=False),
    )
    op.create_index("records_by_revision", "records", ["user_id", "revision"], unique=True)
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(22), primary_key=True),
        sa.Column(
            "user_id",
            _ID,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("record_count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("byte_count", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "upload_records",
        sa.Column(
            "upload_id",
            sa.String(22),
            sa.ForeignKey("uploads.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(43), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("blob", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in ("upload_records", "uploads", "records", "devices", "users"):
        op.drop_table(table)
