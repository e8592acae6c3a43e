"""Feed rules in the cache: list, add, change, remove (the `rules` table from m001)."""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

from momentum_tui.errors import NotFoundError
from momentum_tui.rules import Rule, RuleSpec

if TYPE_CHECKING:
    from sqlite_utils import Database

_COLUMNS = "id, spec, text, enabled, source, created_at"


def _rule(row: tuple[object, ...]) -> Rule:
    return Rule(
        id=int(str(row[0])),
        spec=RuleSpec.model_validate_json(str(row[1])),
        text=str(row[2] or ""),
        enabled=bool(row[3]),
        source=str(row[4] or "manual"),
        created_at=int(str(row[5] or 0)),
    )


def list_rules(conn: sqlite3.Connection, *, enabled_only: bool = False) -> list[Rule]:
    """Stored rules, oldest first."""
    where = " WHERE enabled = 1" if enabled_only else ""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM rules{where} ORDER BY id").fetchall()
    return [_rule(row) for row in rows]


def get_rule(conn: sqlite3.Connection, rule_id: int) -> Rule:
    """One rule, or `NotFoundError`."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM rules WHERE id = ?", (rule_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"There is no rule {rule_id}.", "See `momentum rules list`.")
    return _rule(row)


def add_rule(db: Database, spec: RuleSpec, *, text: str = "", source: str = "manual",
             now: int | None = None) -> int:  # fmt: skip
    """Store a new, enabled rule; returns its id."""
    cursor = db.conn.execute(
        "INSERT INTO rules (text, spec, action, enabled, source, created_at) "
        "VALUES (?, ?, ?, 1, ?, ?)",
        (text, spec.model_dump_json(exclude_defaults=True), spec.action.value, source,
         int(time.time()) if now is None else now),
    )  # fmt: skip
    return int(cursor.lastrowid or 0)


def update_rule(db: Database, rule_id: int, *, spec: RuleSpec | None = None,
                enabled: bool | None = None) -> Rule:  # fmt: skip
    """Change a rule's spec and/or switch it on or off; returns the rule as stored."""
    rule = get_rule(db.conn, rule_id)
    if spec is not None:
        db.conn.execute(
            "UPDATE rules SET spec = ?, action = ? WHERE id = ?",
            (spec.model_dump_json(exclude_defaults=True), spec.action.value, rule_id),
        )
    if enabled is not None:
        db.conn.execute("UPDATE rules SET enabled = ? WHERE id = ?", (int(enabled), rule_id))
    return get_rule(db.conn, rule.id)


def remove_rule(db: Database, rule_id: int) -> Rule:
    """Delete a rule; returns what was deleted."""
    rule = get_rule(db.conn, rule_id)
    db.conn.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
    return rule


def hide_specs(conn: sqlite3.Connection) -> list[RuleSpec]:
    """The specs of enabled `hide` rules (for the feed query)."""
    rows = conn.execute("SELECT spec FROM rules WHERE enabled = 1 AND action = 'hide' ORDER BY id")
    return [RuleSpec.model_validate_json(row[0]) for row in rows]
