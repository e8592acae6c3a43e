"""Token buckets kept in this process: per device token, and per client address.

They protect the process (CPU, connections) from one noisy client, so they live where
the load is: behind N processes a client gets N times the rate, which is fine for that
purpose and costs no database write per request. The limit that protects accounts —
the back-off after wrong passwords — is kept on the user's row instead, so every
process sees it (see `accounts.sign_in`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class Buckets:
    """Token buckets by key: `rate` tokens a second up to `burst`, oldest keys forgotten."""

    def __init__(
        self,
        rate: float,
        burst: int,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Spend one token for `key`: 0.0 if allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            tokens, stamp = self._state.pop(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - stamp) * self._rate)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._state[key] = (tokens, now)
                wait = (1.0 - tokens) / self._rate if self._rate > 0 else math.inf
            while len(self._state) > self._max_keys:
                self._state.popitem(last=False)
        return wait
