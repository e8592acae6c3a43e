"""The SQL of notifications: which channels notify, which uploads are new, what was told.

Which uploads a `notify` rule matches is the rules' own SQL (`rules.sql.notify_clause`);
this module joins it to the per-channel switch and the record of what was announced.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from momentum_tui.storage.db import Store


@dataclass(frozen=True)
class NewUpload:
    """An upload worth announcing."""

    id: str
    title: str
    channel_id: str
    channel: str
    published_at: int
    duration_s: int | None
    is_short: bool
    why: str = ""
    """Why it is announced: "<channel> notifies", or the notify rule that matched it."""
    rule_id: int | None = None
    """The notify rule that matched it (the first, when several did), if any."""


def set_channel_notify(store: Store, channel_id: str, on: bool, now: int) -> bool:
    """Switch announcements for a followed channel; False when it isn't followed.

    `channels.notify` keeps the time they were switched on (0: off), so only what
    arrives from then on is news; switching on again keeps the first time.
    """
    with store.write() as db:
        cursor = db.conn.execute(
            "UPDATE channels SET notify = CASE WHEN ? THEN max(notify, 0) + "
            "CASE WHEN notify = 0 THEN ? ELSE 0 END ELSE 0 END "
            "WHERE id = ? AND followed = 1",
            (int(on), now, channel_id),
        )
    return cursor.rowcount > 0


def notifying_channels(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Followed channels that announce new uploads: (id, title)."""
    return conn.execute(
        "SELECT id, title FROM channels WHERE notify > 0 AND followed = 1 ORDER BY title"
    ).fetchall()


def unannounced(conn: sqlite3.Connection, *, published_since: int) -> list[NewUpload]:
    """Uploads worth announcing: from followed channels, published since `published_since`,
    never announced, not watched, not hidden (by hand or by a `hide` rule), and either
    from a notifying channel since it was switched on or matched by an enabled `notify`
    rule since that rule was made."""
    from momentum_tui.rules import store as rule_store
    from momentum_tui.rules.sql import hide_clause, notify_clause, notify_rule_case

    by_channel = "(c.notify > 0 AND v.first_seen_at >= c.notify)"
    wanted = [by_channel]
    params: list[object] = []
    rules = rule_store.list_rules(conn, enabled_only=True)
    by_rule = notify_clause(rules)
    which_rule = notify_rule_case(rules)
    if by_rule is not None and which_rule is not None:
        wanted.append(by_rule[0])
        params.extend(by_rule[1])
    not_hidden = hide_clause(rule_store.hide_specs(conn))
    hidden_sql = f"AND {not_hidden[0]}" if not_hidden else ""
    rows = conn.execute(
        f"""
        SELECT v.id, v.title, v.channel_id, COALESCE(NULLIF(c.title, ''), v.channel_title),
               v.published_at, v.duration_s, v.is_short, {by_channel},
               {which_rule[0] if which_rule else "NULL"}
        FROM videos v JOIN channels c ON c.id = v.channel_id
        LEFT JOIN video_state s ON s.video_id = v.id
        WHERE c.followed = 1 AND v.status = 'ok' AND v.published_at >= ?
          AND ({" OR ".join(wanted)})
          AND s.watched_at IS NULL AND s.hidden_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM notified n WHERE n.video_id = v.id)
          {hidden_sql}
        ORDER BY v.published_at
        """,
        [*(which_rule[1] if which_rule else []), published_since, *params,
         *(not_hidden[1] if not_hidden else [])],
    )  # fmt: skip
    by_id = {rule.id: rule for rule in rules}
    found = []
    for vid, title, channel_id, channel, published, duration, short, notifies, rule_id in rows:
        why = (
            f"{channel} notifies"
            if notifies
            else f"Rule {rule_id}: {by_id[rule_id].spec.describe()}"
        )
        found.append(
            NewUpload(vid, title, channel_id, channel, published, duration, bool(short),
                      why=why, rule_id=rule_id)
        )  # fmt: skip
    return found


def record_announced(store: Store, video_ids: list[str], now: int) -> None:
    """Remember these were announced (preference sync carries it to the other machines)."""
    with store.write() as db:
        db.conn.executemany(
            "INSERT OR IGNORE INTO notified (video_id, at) VALUES (?, ?)",
            [(vid, now) for vid in video_ids],
        )
