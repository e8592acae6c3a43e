"""Structured logs: one JSON object a line, carrying only fields on a fixed list.

Nothing outside `FIELDS` reaches the log, so a token, a password or a body can't slip
into it through an `extra=`; an exception is logged as its type and frames, never its
message (which may quote the data it failed on).
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from momentum_server.clock import iso, now_ms

FIELDS = (
    "request_id",
    "method",
    "route",
    "status",
    "ms",
    "bytes_in",
    "bytes_out",
    "user_id",
    "error",
    "database",
    "faults",
)


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", …FIELDS}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        entry: dict[str, Any] = {
            "time": iso(now_ms()),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            # The frames only: an exception's message may quote the data it choked on.
            entry["traceback"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(entry, ensure_ascii=False)


def log_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn and the server: JSON lines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logger = {"handlers": ["json"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "loggers": {
            "momentum_server": logger,
            "uvicorn": logger,
            "uvicorn.error": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
