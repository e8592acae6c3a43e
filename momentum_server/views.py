"""Rows as the protocol shows them (times as ISO-8601 UTC)."""

from __future__ import annotations

from typing import Any

from momentum_server.clock import iso


def device_view(row: Any, current_device: str) -> dict[str, Any]:
    """A device row as `Device` in the protocol."""
    return {
        "device_id": row.id,
        "name": row.name,
        "created_at": iso(row.created_ms),
        "last_seen_at": iso(row.last_seen_ms),
        "current": row.id == current_device,
    }
