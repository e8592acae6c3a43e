"""Rules as SQL: the feed query drops what `hide` rules match, and announcements find
what `notify` rules match, inside SQLite.

`hide_clause(specs)` is `spec.matches` for `hide` rules written as one SQL condition
over the `videos` table (aliased `v`), so the Subscriptions list, `momentum feed` and
`momentum search` leave hidden videos out at 100,000 rows without running Python per
row. Its callers are `storage.feed` (the filter-to-SQL step) and `notify.queries` (a
hidden video is never announced); a property test holds it to `spec.matches` on every
row of the demo profile. `notify_clause(rules)` is the same test for enabled `notify`
rules, each for the videos that arrived after the rule was made; its caller is
`notify.queries.unannounced`, and a property test holds it to `spec.matches` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from momentum_tui.rules.spec import Rule, RuleAction, RuleSpec, forms


def _label_in(column: str, values: Sequence[str]) -> str:
    # Not correlated: SQLite builds the set of matching ids once, then probes it per row.
    marks = ",".join("?" * len(values))
    return f"v.id IN (SELECT video_id FROM video_labels WHERE {column} IN ({marks}))"


def _condition_sql(spec: RuleSpec) -> tuple[str, list[Any]]:
    # Cheap column tests first; title searches last.
    parts: list[str] = []
    params: list[Any] = []
    if spec.channels:
        parts.append(f"v.channel_id IN ({','.join('?' * len(spec.channels))})")
        params.extend(spec.channels)
    if spec.shorts is False:
        parts.append("v.is_short = 0")
    if spec.min_seconds is not None:
        parts.append("(v.duration_s IS NOT NULL AND v.duration_s >= ?)")
        params.append(spec.min_seconds)
    if spec.max_seconds is not None:
        parts.append("(v.duration_s IS NOT NULL AND v.duration_s <= ?)")
        params.append(spec.max_seconds)
    kinds: list[str] = []
    if spec.shorts is True:
        kinds.append("v.is_short = 1")
    if spec.formats:
        kinds.append(_label_in("format", spec.formats))
        params.extend(f.value for f in spec.formats)
    if kinds:
        parts.append("(" + " OR ".join(kinds) + ")")
    for column, values in (("topic", spec.topics), ("mood", spec.moods)):
        if values:
            parts.append(_label_in(column, [v.value for v in values]))
            params.extend(v.value for v in values)
    if spec.title_words:
        tests: list[str] = []
        for word in spec.title_words:
            if word.isascii():
                tests.append("instr(lower(v.title), ?) > 0")  # SQLite's lower(): ASCII only
                params.append(word.lower())
            else:
                spellings = forms(word)
                tests.extend("instr(v.title, ?) > 0" for _ in spellings)
                params.extend(spellings)
        parts.append("(" + " OR ".join(tests) + ")")
    return "(" + " AND ".join(parts) + ")", params


def hide_clause(specs: Sequence[RuleSpec]) -> tuple[str, list[Any]] | None:
    """SQL that keeps only rows no `hide` spec matches (`v` is the videos table)."""
    hiding = [spec for spec in specs if spec.action == RuleAction.HIDE]
    if not hiding:
        return None
    sqls, params = [], []
    for spec in hiding:
        sql, values = _condition_sql(spec)
        sqls.append(sql)
        params.extend(values)
    return f"NOT coalesce(({' OR '.join(sqls)}), 0)", params


def notify_clause(rules: Sequence[Rule]) -> tuple[str, list[Any]] | None:
    """SQL true for videos an enabled `notify` rule matches that arrived after it was made.

    A rule made today announces what comes from now on, never what was already cached —
    the same "from now on" as switching a channel's notify on.
    """
    conditions = _notify_conditions(rules)
    if not conditions:
        return None
    params = [value for _, _, values in conditions for value in values]
    return "(" + " OR ".join(sql for _, sql, _ in conditions) + ")", params


def notify_rule_case(rules: Sequence[Rule]) -> tuple[str, list[Any]] | None:
    """SQL naming the id of the first enabled `notify` rule that matches a video (NULL
    when none does): what an announcement says it was made for."""
    conditions = _notify_conditions(rules)
    if not conditions:
        return None
    cases = " ".join(f"WHEN {sql} THEN {int(rule.id)}" for rule, sql, _ in conditions)
    return f"CASE {cases} END", [value for _, _, values in conditions for value in values]


def _notify_conditions(rules: Sequence[Rule]) -> list[tuple[Rule, str, list[Any]]]:
    """Each enabled notify rule with its SQL condition ("arrived after it was made" and
    its match) and that condition's parameters, in the rules' order."""
    conditions = []
    for rule in rules:
        if rule.enabled and rule.spec.action == RuleAction.NOTIFY:
            sql, values = _condition_sql(rule.spec)
            conditions.append(
                (rule, f"(v.first_seen_at >= ? AND {sql})", [rule.created_at, *values])
            )
    return conditions
