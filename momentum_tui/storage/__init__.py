"""The SQLite cache: opening it safely, its schema, and the queries every layer shares."""

from momentum_tui.storage.db import Store

__all__ = ["Store"]
