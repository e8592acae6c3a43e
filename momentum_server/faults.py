"""Injected faults, for tests only: a push answered 412, or committed and then hung up on.

A client's retry logic is only proven against a server that misbehaves the way real
networks do. `create_app(faults=Faults(...))` or `MOMENTUM_SERVER_FAULTS=push_412=0.2,
push_drop=0.1,seed=7` turns them on; the server logs a warning at start when they are on.
`script` decides the next pushes exactly ("412", "drop", "ok"), before the odds apply.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

ENV = "MOMENTUM_SERVER_FAULTS"

OK, CONFLICT, DROP = "ok", "412", "drop"


@dataclass
class Faults:
    """What to do to the next push (`POST /records`, `POST /uploads/{id}/commit`)."""

    push_412: float = 0.0
    """Chance a push is answered 412 (with the true revision) and not stored."""
    push_drop: float = 0.0
    """Chance a push is stored and committed, then the connection closed with no answer."""
    seed: int | None = None
    script: deque[str] = field(default_factory=deque)
    injected: dict[str, int] = field(default_factory=lambda: {CONFLICT: 0, DROP: 0})
    """How many of each fault were injected (for tests' assertions)."""

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def next_push(self) -> str:
        """The fate of the push being handled: OK, CONFLICT or DROP."""
        with self._lock:
            if self.script:
                fate = self.script.popleft()
            else:
                roll = self._rng.random()
                fate = (
                    CONFLICT
                    if roll < self.push_412
                    else DROP
                    if roll < self.push_412 + self.push_drop
                    else OK
                )
            if fate != OK:
                self.injected[fate] += 1
            return fate

    @property
    def active(self) -> bool:
        """Whether any fault can happen."""
        return bool(self.script) or self.push_412 > 0 or self.push_drop > 0

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """`push_412=0.2,push_drop=0.1,seed=7` (any subset)."""
        values: dict[str, float | int] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, _, raw = part.partition("=")
            if key not in ("push_412", "push_drop", "seed"):
                raise ValueError(f"{ENV}: unknown fault {key!r} (push_412, push_drop, seed).")
            try:
                values[key] = int(raw) if key == "seed" else float(raw)
            except ValueError:
                raise ValueError(f"{ENV}: {part!r} needs a number.") from None
        return cls(**values)  # type: ignore[arg-type]
