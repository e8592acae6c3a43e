"""`GET /export`: everything the account holds, streamed as one JSON document.

An account may hold hundreds of megabytes, so the document is written page by page from
one read snapshot instead of being built in memory.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

from sqlalchemy import Engine, select

from momentum_server import schema as t
from momentum_server.accounts import account_row, list_devices
from momentum_server.clock import iso, now_ms
from momentum_server.db import reading
from momentum_server.views import device_view

FORMAT = "momentum-server-export"
FORMAT_VERSION = 1
_PAGE = 500


def export_document(engine: Engine, user_id: int, device_id: str) -> Iterator[bytes]:
    """The export, in chunks of JSON text (records in revision order)."""
    with reading(engine) as conn:
        account = account_row(conn, user_id)
        head = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": iso(now_ms()),
            "username": account.username,
            "created_at": iso(account.created_ms),
            "revision": int(account.revision),
            "devices": [device_view(row, device_id) for row in list_devices(conn, user_id)],
        }
        yield json.dumps(head)[:-1].encode() + b', "records": ['
        after, separator = 0, b""
        while True:
            rows = conn.execute(
                select(t.records.c.name, t.records.c.blob, t.records.c.revision)
                .where(t.records.c.user_id == user_id, t.records.c.revision > after)
                .order_by(t.records.c.revision)
                .limit(_PAGE)
            ).all()
            for row in rows:
                record = {
                    "name": row.name,
                    "blob": base64.b64encode(row.blob).decode("ascii"),
                    "revision": int(row.revision),
                }
                yield separator + json.dumps(record).encode()
                separator = b", "
            if len(rows) < _PAGE:
                break
            after = rows[-1].revision
        yield b"]}"
