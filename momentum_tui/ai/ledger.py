"""The AI ledger: every request's tokens and dollars, and the budgets checked before each one.

Prices come from the settings (dollars per million tokens, per model: input, output,
cache_write, cache_read); the Message Batches API costs `batch_discount` of that. Days
and months are UTC, like Anthropic's console. A budget is checked *before* a request
with a conservative estimate (all input priced as if new, the whole `max_tokens` as
output), so a run stops before it would cross a limit, never after. The ledger's SQL
is in `queries`.
"""

from __future__ import annotations

import json
import math
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from momentum_tui.ai import queries
from momentum_tui.config import ClaudeSettings
from momentum_tui.errors import ConfigError

if TYPE_CHECKING:
    from sqlite_utils import Database

PRICE_KEYS = ("input", "output", "cache_write", "cache_read")


@dataclass
class Usage:
    """Tokens one request (or a run) used."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def add(self, other: Usage) -> None:
        """Add `other` to this tally."""
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_write_tokens += other.cache_write_tokens
        self.cache_read_tokens += other.cache_read_tokens


def usage_of(sdk_usage: Any) -> Usage:
    """`Usage` from the SDK's usage object (missing cache fields count as 0)."""
    return Usage(
        input_tokens=int(getattr(sdk_usage, "input_tokens", 0) or 0),
        output_tokens=int(getattr(sdk_usage, "output_tokens", 0) or 0),
        cache_write_tokens=int(getattr(sdk_usage, "cache_creation_input_tokens", 0) or 0),
        cache_read_tokens=int(getattr(sdk_usage, "cache_read_input_tokens", 0) or 0),
    )


def prices_for(settings: ClaudeSettings, model: str | None = None) -> dict[str, float]:
    """The price table of `model` (default: the configured one); refuses a model without one."""
    model = model or settings.model
    table = settings.prices.get(model)
    if table is None or any(key not in table for key in PRICE_KEYS):
        raise ConfigError(
            f"There is no complete price for the model {model!r} in claude.prices, so its "
            "spending can't be counted; nothing was sent.",
            f"Add `[claude.prices.{model}]` with input, output, cache_write and cache_read "
            "(dollars per million tokens) to the config file.",
        )
    return table


def cost_usd(usage: Usage, prices: dict[str, float], *, batch_factor: float = 1.0) -> float:
    """Dollars for `usage` at `prices` (per million tokens), times `batch_factor`."""
    total = (
        usage.input_tokens * prices["input"]
        + usage.output_tokens * prices["output"]
        + usage.cache_write_tokens * prices["cache_write"]
        + usage.cache_read_tokens * prices["cache_read"]
    )
    return total / 1_000_000 * batch_factor


def conservative_tokens(text: str) -> int:
    """An over-estimate of the tokens in `text` (3 UTF-8 bytes a token; real text is ~4)."""
    return math.ceil(len(text.encode("utf-8")) / 3)


def estimate_request_usd(
    params: dict[str, Any], prices: dict[str, float], *, batch_factor: float = 1.0
) -> float:
    """The most a request built by `prompt.request_params` can cost (used before sending it)."""
    fixed = json.dumps(params.get("system", ""), ensure_ascii=False) + json.dumps(
        params.get("output_config") or params.get("tools") or "", ensure_ascii=False
    )
    messages = json.dumps(params.get("messages", []), ensure_ascii=False)
    input_price = max(prices["input"], prices["cache_write"])
    dollars = (
        conservative_tokens(fixed) * input_price
        + conservative_tokens(messages) * prices["input"]
        + int(params.get("max_tokens", 0)) * prices["output"]
    )
    return dollars / 1_000_000 * batch_factor


def estimate_request_usage(params: dict[str, Any]) -> Usage:
    """The most tokens a request built by `prompt.request_params` can use (all input as new)."""
    sent = json.dumps(params.get("system", ""), ensure_ascii=False) + json.dumps(
        params.get("output_config") or params.get("tools") or "", ensure_ascii=False
    )
    sent += json.dumps(params.get("messages", []), ensure_ascii=False)
    return Usage(
        input_tokens=conservative_tokens(sent), output_tokens=int(params.get("max_tokens", 0))
    )


UNSETTLED = "unsettled:"
"""`request_id` prefix of a row written before its request went out, not yet settled.

A row still unsettled after its run is a request whose answer never arrived (the process
was killed, or the connection dropped): Claude may have billed it, so it stays in the
ledger at its upper bound (`estimate_request_usage`, `estimate_request_usd`).
"""


def reserve(
    db: Database, *, model: str, kind: str, videos: int, usage: Usage, usd: float, now: float
) -> int:
    """Write a request's row at its upper bound *before* it is sent; returns the row id.

    A request that reached Claude has been paid for, even if this process dies before the
    answer: so it is in the ledger from the moment it may have been billed (like the
    quota ledger). `settle` replaces the bound with the real usage; `release` removes the
    row of a request Claude refused without billing.
    """
    return queries.insert_ledger_row(
        db,
        (int(now), day_of(now), model, kind, videos, usage.input_tokens, usage.output_tokens,
         usage.cache_write_tokens, usage.cache_read_tokens, usd,
         UNSETTLED + secrets.token_hex(8)),
    )  # fmt: skip


def settle(db: Database, row_id: int, *, usage: Usage, usd: float, request_id: str) -> None:
    """Put the answer's real usage in a reserved row (inside the answer's transaction)."""
    queries.settle_ledger_row(
        db,
        row_id,
        (usage.input_tokens, usage.output_tokens, usage.cache_write_tokens,
         usage.cache_read_tokens, usd, request_id),
    )  # fmt: skip


def release(db: Database, row_id: int) -> None:
    """Remove a reserved row: Claude refused the request before doing (and billing) it."""
    queries.delete_ledger_row(db, row_id)


def day_of(timestamp: float) -> str:
    """The UTC day `YYYY-MM-DD` of a Unix time."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def record(
    db: Database,
    *,
    model: str,
    kind: str,
    videos: int,
    usage: Usage,
    usd: float,
    request_id: str = "",
    now: float | None = None,
) -> None:
    """Write one ledger row (call inside `Store.write()`, with the labels it paid for)."""
    now = time.time() if now is None else now
    queries.insert_ledger_row(
        db,
        (int(now), day_of(now), model, kind, videos, usage.input_tokens, usage.output_tokens,
         usage.cache_write_tokens, usage.cache_read_tokens, usd, request_id),
    )  # fmt: skip


def spent_usd(conn: sqlite3.Connection, now: float | None = None) -> tuple[float, float]:
    """Dollars recorded today and this month (UTC)."""
    return queries.spent_on(conn, day_of(time.time() if now is None else now))


def pending_batch_usd(conn: sqlite3.Connection) -> float:
    """The estimated cost of submitted batches whose results are not collected yet."""
    return queries.pending_batch_usd(conn)


@dataclass
class Budget:
    """The limits a run must stay under: today's, this month's and (optionally) this run's."""

    daily_usd: float
    monthly_usd: float
    run_usd: float | None = None

    @classmethod
    def from_settings(cls, settings: ClaudeSettings, run_usd: float | None = None) -> Budget:
        """The configured daily and monthly budgets, plus an optional cap for one run."""
        return cls(settings.daily_budget_usd, settings.monthly_budget_usd, run_usd)

    def blocker(
        self,
        conn: sqlite3.Connection,
        estimate: float,
        *,
        run_spent: float = 0.0,
        reserved: float = 0.0,
        now: float | None = None,
    ) -> str | None:
        """Which limit `estimate` more dollars would cross (`daily`, `monthly`, `run`), if any.

        `reserved` is money already promised to requests in flight and pending batches.
        """
        today, month = spent_usd(conn, now)
        pending = reserved + pending_batch_usd(conn)
        if today + pending + estimate > self.daily_usd:
            return "daily"
        if month + pending + estimate > self.monthly_usd:
            return "monthly"
        if self.run_usd is not None and run_spent + reserved + estimate > self.run_usd:
            return "run"
        return None

    def describe(self, limit: str) -> str:
        """`the daily budget ($0.50)` and friends, for sentences."""
        amount = {"daily": self.daily_usd, "monthly": self.monthly_usd}.get(
            limit, self.run_usd or 0.0
        )
        name = {"daily": "today's budget", "monthly": "this month's budget"}.get(
            limit, "this run's --budget"
        )
        return f"{name} (${amount:.2f})"


@dataclass(frozen=True)
class SpendRow:
    """Spending on one day with one model."""

    day: str
    model: str
    requests: int
    videos: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    usd: float


def spend_by_day(
    conn: sqlite3.Connection, days: int = 30, now: float | None = None
) -> list[SpendRow]:
    """Spending per UTC day and model over the last `days` days, newest first."""
    since = day_of((time.time() if now is None else now) - (days - 1) * 86400)
    return [SpendRow(*row) for row in queries.spend_since(conn, since)]
