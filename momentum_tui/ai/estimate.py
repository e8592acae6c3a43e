"""What labelling the backlog would cost (`momentum classify --estimate`), key or no key.

A sample request — the next `batch_size` videos, built exactly as a run would build it
— is measured twice: as it is, and with no videos, which gives the prompt's fixed
tokens and the tokens per video. With an Anthropic key the measuring is Claude's own
token counter (`count_tokens`: free, exact); without one it is done locally at about 4
UTF-8 bytes a token, so a person can price Claude before buying a key. Output is
priced at `EXPECTED_OUTPUT_TOKENS_PER_VIDEO`, and the prompt as written once to the
cache and read by every later request.

Only a given client loads the anthropic SDK; the local estimate never does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from momentum_tui.ai import ledger, prompt
from momentum_tui.ai.queries import claude_candidates, count_candidates
from momentum_tui.config import ClaudeSettings
from momentum_tui.storage import Store

if TYPE_CHECKING:
    import anthropic

EXPECTED_OUTPUT_TOKENS_PER_VIDEO = 90
"""What a label costs in output tokens on average (measured by `bench/classify.py`)."""
LOCAL_BYTES_PER_TOKEN = 4
"""What a token is worth in UTF-8 bytes when counted locally (Claude's counter is exact)."""


@dataclass
class Estimate:
    """What labelling the backlog would cost (`momentum classify --estimate`)."""

    candidates: int
    requests: int
    prompt_tokens: int
    video_tokens_per_request: int
    usd: float
    batch_usd: float
    counted_by: str = "claude"
    """`claude` (the free count_tokens endpoint) or `local` (no key: about 4 bytes a token)."""

    def as_json(self) -> dict[str, Any]:
        """Stable JSON for scripts."""
        return {
            "candidates": self.candidates,
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "video_tokens_per_request": self.video_tokens_per_request,
            "usd": round(self.usd, 4),
            "batch_usd": round(self.batch_usd, 4),
            "counted_by": self.counted_by,
        }


def local_tokens(params: dict[str, Any]) -> int:
    """About how many input tokens Claude would count for a request (no network)."""
    parts = (params.get("system"), params.get("output_config") or params.get("tools"),
             params.get("messages"))  # fmt: skip
    text = "".join(json.dumps(part, ensure_ascii=False) for part in parts if part)
    return math.ceil(len(text.encode("utf-8")) / LOCAL_BYTES_PER_TOKEN)


def estimate_backlog(
    store: Store, settings: ClaudeSettings, client: anthropic.Anthropic | None = None
) -> Estimate:
    """Price the backlog: two free `count_tokens` calls with `client`, else counted locally."""
    prices = ledger.prices_for(settings)
    with store.read() as conn:
        total = count_candidates(conn)
        sample = claude_candidates(conn, settings.batch_size)
    counted_by = "local" if client is None else "claude"
    if not sample:
        return Estimate(0, 0, 0, 0, 0.0, 0.0, counted_by)
    params, _ = prompt.params_for(sample, settings)
    counted = {key: value for key, value in params.items() if key != "max_tokens"}
    empty = {**counted, "messages": [{"role": "user", "content": "-"}]}
    if client is None:
        full, fixed = local_tokens(counted), local_tokens(empty)
    else:
        full, fixed = _count_with_claude(client, settings, counted, empty)
    per_video = max(0, full - fixed) / len(sample)
    requests = math.ceil(total / settings.batch_size)
    usage = ledger.Usage(
        input_tokens=round(per_video * total),
        output_tokens=EXPECTED_OUTPUT_TOKENS_PER_VIDEO * total,
        cache_write_tokens=fixed,
        cache_read_tokens=fixed * max(0, requests - 1),
    )
    usd = ledger.cost_usd(usage, prices)
    return Estimate(
        candidates=total,
        requests=requests,
        prompt_tokens=fixed,
        video_tokens_per_request=full - fixed,
        usd=usd,
        batch_usd=usd * settings.batch_discount,
        counted_by=counted_by,
    )


def _count_with_claude(
    client: anthropic.Anthropic,
    settings: ClaudeSettings,
    counted: dict[str, Any],
    empty: dict[str, Any],
) -> tuple[int, int]:
    from momentum_tui.ai.transport import Situation, Transport

    situation = Situation(
        "nothing was sent to be labelled and nothing was spent",
        "Run `momentum classify --estimate` again; counting tokens is free.",
    )
    transport = Transport(client, settings)
    full = transport.call(lambda: client.messages.count_tokens(**counted), situation=situation)
    fixed = transport.call(lambda: client.messages.count_tokens(**empty), situation=situation)
    return full.input_tokens, fixed.input_tokens
