"""Failures talking to Claude, each a sentence a person can act on.

Every title says what happened and what was kept (labels already paid for are always
written before the error surfaces); every hint says what to do. No API key, request
body or raw server text beyond a short, cleaned message ever appears in them.
"""

from __future__ import annotations

from momentum_tui import sanitize
from momentum_tui.errors import MomentumError, NetworkError, SecretsError


class ClaudeKeyError(SecretsError):
    """Claude refused the API key (401) or the key may not use the API (403)."""


class ClaudeSpendLimitError(MomentumError):
    """The Anthropic account is out of credit or over its spend limit; retrying won't help."""


class ClaudeUnavailableError(NetworkError):
    """Claude kept rate-limiting or was overloaded or unreachable after every retry."""


class ClaudeRequestError(MomentumError):
    """Claude rejected a request as invalid (unknown model, malformed request)."""


def kept_phrase(labelled: int) -> str:
    """`the 50 videos labelled before that are kept` / `nothing was labelled`."""
    if labelled <= 0:
        return "nothing was labelled"
    noun = "video" if labelled == 1 else "videos"
    verb = "is" if labelled == 1 else "are"
    return f"the {labelled} {noun} labelled before that {verb} kept"


def server_words(message: object, limit: int = 160) -> str:
    """A server's error message, cleaned and cut (it is untrusted text)."""
    return sanitize.clean_line(str(message or ""), max_len=limit)
