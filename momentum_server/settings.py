"""Server settings: defaults < `MOMENTUM_SERVER_*` environment < command-line options."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

ENV_PREFIX = "MOMENTUM_SERVER_"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The operator's limits (the protocol's own are in `models`); all in docs/server.md."""

    page_bytes: int = 4 * MIB
    """A pull page stops growing once its blobs reach this many bytes (at least one record)."""
    quota_records: int = 200_000
    """Records one account may hold."""
    quota_bytes: int = 256 * MIB
    """Blob bytes one account may hold."""
    open_uploads: int = 4
    """Staged replace uploads open at once per account (the oldest is dropped)."""
    upload_ttl_seconds: int = 24 * 3600
    """An upload not committed within this time is dropped."""


@dataclass(frozen=True)
class RateLimits:
    """Token buckets (per process) and the sign-in back-off (shared through the database)."""

    token_per_second: float = 20.0
    """Sustained requests per second for one device token."""
    token_burst: int = 200
    """Requests one device token may make at once before it is slowed."""
    sign_in_per_minute: float = 10.0
    """Sign-in attempts per minute from one client address."""
    sign_in_burst: int = 10
    """Sign-in attempts one client address may make at once."""
    register_per_hour: float = 20.0
    """Accounts per hour from one client address."""
    register_burst: int = 5
    """Accounts one client address may create at once."""
    free_failures: int = 5
    """Wrong passwords in a row for one account before each further try must wait."""
    failure_delay_seconds: int = 1
    """The first wait after `free_failures` wrong passwords; it doubles with each one more."""
    max_failure_delay_seconds: int = 900
    """The longest wait between tries after many wrong passwords."""


@dataclass(frozen=True)
class PasswordHashing:
    """Argon2id cost (OWASP's minimum by default: 19 MiB, 2 passes, 1 lane)."""

    time_cost: int = 2
    memory_kib: int = 19_456
    parallelism: int = 1
    concurrency: int = 2
    """Hashes computed at once per process (each holds `memory_kib`); others wait."""


@dataclass(frozen=True)
class Settings:
    """Everything the server is configured by."""

    database_url: str = "sqlite:///momentum-server.db"
    """`sqlite:///path` (the default, zero set-up) or `postgresql://user@host/db`."""
    host: str = "127.0.0.1"
    port: int = 8787
    workers: int = 1
    """Server processes sharing the port (uvicorn `--workers`)."""
    forwarded_allow_ips: str = ""
    """Proxies whose X-Forwarded-For is trusted (comma-separated; `*` for any)."""
    keep_alive_seconds: int = 75
    """How long an idle connection is kept open: longer than clients keep theirs (httpx:
    5 s), so the client always closes first and never sends on a connection being closed."""
    metrics: bool = True
    """Serve Prometheus metrics at `/metrics`."""
    log_level: str = "info"
    pool_size: int = 10
    """Database connections per process (PostgreSQL), plus as many again on bursts."""
    limits: Limits = field(default_factory=Limits)
    rates: RateLimits = field(default_factory=RateLimits)
    hashing: PasswordHashing = field(default_factory=PasswordHashing)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `MOMENTUM_SERVER_<FIELD>` (nested: `MOMENTUM_SERVER_TOKEN_BURST`)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, kind, target in _flat_fields():
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values.setdefault(target, {})[name] = _convert(name, raw, kind)
        top = values.pop("", {})
        nested = {
            section: dataclasses.replace(getattr(cls(), section), **changes)
            for section, changes in values.items()
        }
        return cls(**{**top, **nested, **overrides})


_SECTIONS = {"limits": Limits, "rates": RateLimits, "hashing": PasswordHashing}


def _flat_fields() -> list[tuple[str, type, str]]:
    """(field name, its type, its section or "") for every scalar setting."""
    out: list[tuple[str, type, str]] = []
    defaults = Settings()
    for item in fields(Settings):
        if item.name in _SECTIONS:
            section = getattr(defaults, item.name)
            out += [(f.name, type(getattr(section, f.name)), item.name) for f in fields(section)]
        else:
            out.append((item.name, type(getattr(defaults, item.name)), ""))
    return out


def _convert(name: str, raw: str, kind: type) -> Any:
    """Parse one environment value as its field's type, with a sentence when it isn't one."""
    try:
        if kind is bool:
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        return kind(raw)
    except ValueError:
        raise SettingError(
            f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}."
        ) from None


class SettingError(ValueError):
    """A setting has a value of the wrong kind."""
