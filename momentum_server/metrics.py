"""Prometheus metrics (prometheus-client): requests, latency, 412s, bytes — never a name.

Labels are the route's template (`/api/v1/devices/{device_id}`, not the id), the method
and the status, so no record name, username, device id or token can appear. Each app has
its own registry; with `PROMETHEUS_MULTIPROC_DIR` set (the CLI sets it for `--workers`
> 1) `/metrics` adds up every process.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The server's counters and histograms."""

    def __init__(self) -> None:
        # The `_created` series only add noise to every scrape.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        route = ["route", "method"]
        self.requests = Counter(
            "momentum_requests",
            "HTTP requests answered, by route template, method and status.",
            [*route, "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "momentum_request_duration_seconds",
            "Time from the request arriving to the last byte of the answer.",
            route,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.bytes_in = Counter(
            "momentum_request_bytes", "Request body bytes received.", route, registry=self.registry
        )
        self.bytes_out = Counter(
            "momentum_response_bytes", "Response body bytes sent.", route, registry=self.registry
        )
        self.conflicts = Counter(
            "momentum_push_conflicts",
            "Pushes and commits answered 412 (the account had moved on).",
            registry=self.registry,
        )
        self.sign_in_failures = Counter(
            "momentum_sign_in_failures",
            "Sign-ins refused for a wrong password.",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "momentum_rate_limited",
            "Requests answered 429, by limit (token, sign_in, register, back_off).",
            ["limit"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The text exposition format (all processes' figures in multi-process mode)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            return generate_latest(combined)
        return generate_latest(self.registry)
