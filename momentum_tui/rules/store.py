"""Every SQL statement about rules: the `rules` table, and channel names made into ids.

* `list_rules` — the rules screen, `momentum rules list`, the ranker
  (`recommend.ranker`, enabled rules only) and the announcements after a sync
  (`notify.queries`, enabled `notify` rules through `rules.sql.notify_clause`);
* `hide_specs` — the feed query (`storage.feed`) and the announcements (a hidden video
  is never announced), which hand them to `rules.sql`;
* `add_rule` / `update_rule` / `remove_rule` / `get_rule` — `momentum rules …` and the
  rules screen;
* `read_rules` — also names the rules whose stored spec this version can't read (written by a
  newer Momentum, or changed by hand): every reader above skips them rather than fail,
  and `momentum rules list` and the rules screen say how to remove them;
* `resolve_channels` — names a person wrote (a sentence read by `rules.claude`, or
  `--channel` on `momentum rules add`) to followed channel ids, locally: Claude never
  sees the channel list. `resolve_channel_refs` also takes `UC…` ids as they are.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import TYPE_CHECKING

from pydantic import ValidationError

from momentum_tui import sanitize
from momentum_tui.errors import MomentumError, NotFoundError
from momentum_tui.rules.spec import Rule, RuleParseError, RuleSpec
from momentum_tui.storage.channels import channel_titles

if TYPE_CHECKING:
    from sqlite_utils import Database

_COLUMNS = "id, spec, text, enabled, source, created_at"

log = logging.getLogger(__name__)


class UnreadableRuleError(MomentumError):
    """A stored rule this version of Momentum can't read."""


def unreadable_words(rule_id: int) -> str:
    """What to say about an unreadable rule, and how to remove it."""
    return (
        f"Rule {rule_id} can't be read by this version of Momentum (a newer version wrote "
        f"it, or it was changed by hand), so it is ignored; `momentum rules remove {rule_id}` "
        "deletes it."
    )


def _spec(raw: object) -> RuleSpec | None:
    try:
        return RuleSpec.model_validate_json(str(raw))
    except ValidationError:
        return None


def _rule(row: tuple[object, ...]) -> Rule | None:
    spec = _spec(row[1])
    if spec is None:
        log.warning("rule %s has a spec this version can't read; ignored", row[0])
        return None
    return Rule(
        id=int(str(row[0])),
        spec=spec,
        text=str(row[2] or ""),
        enabled=bool(row[3]),
        source=str(row[4] or "manual"),
        created_at=int(str(row[5] or 0)),
    )


def read_rules(
    conn: sqlite3.Connection, *, enabled_only: bool = False
) -> tuple[list[Rule], list[int]]:
    """Stored rules this version can read, oldest first, and the ids of those it can't."""
    where = " WHERE enabled = 1" if enabled_only else ""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM rules{where} ORDER BY id").fetchall()
    rules: list[Rule] = []
    unreadable: list[int] = []
    for row in rows:
        rule = _rule(row)
        if rule is None:
            unreadable.append(int(str(row[0])))
        else:
            rules.append(rule)
    return rules, unreadable


def list_rules(conn: sqlite3.Connection, *, enabled_only: bool = False) -> list[Rule]:
    """Stored rules this version can read, oldest first (the others: `read_rules`)."""
    return read_rules(conn, enabled_only=enabled_only)[0]


def get_rule(conn: sqlite3.Connection, rule_id: int) -> Rule:
    """One rule, or `NotFoundError`, or `UnreadableRuleError`."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM rules WHERE id = ?", (rule_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"There is no rule {rule_id}.", "See `momentum rules list`.")
    rule = _rule(row)
    if rule is None:
        raise UnreadableRuleError(unreadable_words(rule_id))
    return rule


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


def remove_rule(db: Database, rule_id: int) -> Rule | None:
    """Delete a rule; returns what was deleted (None: a rule that couldn't be read)."""
    try:
        rule: Rule | None = get_rule(db.conn, rule_id)
    except UnreadableRuleError:
        rule = None
    db.conn.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
    return rule


def hide_specs(conn: sqlite3.Connection) -> list[RuleSpec]:
    """The specs of enabled `hide` rules (for the feed query)."""
    rows = conn.execute("SELECT spec FROM rules WHERE enabled = 1 AND action = 'hide' ORDER BY id")
    return [spec for row in rows if (spec := _spec(row[0])) is not None]


def resolve_channels(conn: sqlite3.Connection, names: list[str]) -> tuple[list[str], list[str]]:
    """Followed channel ids and names for `names` (exact name or @handle, else one partial)."""
    rows = conn.execute("SELECT id, title, handle FROM channels WHERE followed = 1").fetchall()
    ids: list[str] = []
    titles: list[str] = []
    for raw in names:
        name = sanitize.clean_line(raw, max_len=120).casefold().lstrip("@")
        if not name:
            continue
        exact = [r for r in rows if name in (r[1].casefold(), (r[2] or "").casefold().lstrip("@"))]
        partial = [r for r in rows if name in r[1].casefold()]
        found = exact or (partial if len(partial) == 1 else [])
        if len(found) != 1:
            suggestions = ", ".join(sorted(r[1] for r in partial)[:5])
            hint = f"Did you mean: {suggestions}?" if suggestions else "See `momentum channels`."
            raise RuleParseError(
                f"No followed channel is called {raw!r}; no rule was saved.",
                hint,
            )
        ids.append(found[0][0])
        titles.append(found[0][1])
    return ids, titles


def resolve_channel_refs(conn: sqlite3.Connection, refs: list[str]) -> tuple[list[str], list[str]]:
    """Like `resolve_channels`, but a `UC…` id is taken as given (named by its cached title)."""
    given = [ref for ref in refs if ref.startswith("UC") and len(ref) == 24]
    ids, titles = resolve_channels(conn, [ref for ref in refs if ref not in given])
    known = channel_titles(conn, given)
    ids.extend(given)
    titles.extend(known.get(channel_id, channel_id) for channel_id in given)
    return ids, titles
