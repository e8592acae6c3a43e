"""The real `momentum-server` command in a child process, on a port it picks itself.

For tests of the command line and for the benchmark: it starts `momentum-server … --port
0`, reads the address uvicorn reports from the JSON log on stderr, and stops the process
(SIGTERM, then SIGKILL) afterwards. The log is kept in a file for inspection.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_RUNNING = re.compile(r"Uvicorn running on (http://[\d.]+:\d+)")


@dataclass
class ServerProcess:
    """A running `momentum-server` process."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_lines(self) -> list[dict[str, object]]:
        """Its log so far, parsed (lines that are not JSON are skipped)."""
        lines = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                lines.append(json.loads(line))
        return lines

    def log_lines_once(
        self, condition: Callable[[list[dict[str, object]]], bool], timeout: float = 30
    ) -> list[dict[str, object]]:
        """Its log once `condition` holds for it (or as it is after `timeout` seconds).

        A request's line is written after its answer went out, so a client that just
        got the answer may read the log before the line is there.
        """
        deadline = time.monotonic() + timeout
        while not condition(lines := self.log_lines()) and time.monotonic() < deadline:
            time.sleep(0.02)
        return lines


def command(*args: str) -> list[str]:
    """`momentum-server ARGS` with this interpreter (the project's own environment)."""
    return [sys.executable, "-m", "momentum_server", *args]


@contextlib.contextmanager
def server_process(
    args: list[str], log_path: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Iterator[ServerProcess]:
    """Run `momentum-server ARGS --port 0` until the block ends."""
    environment = {**os.environ, **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command(*args, "--port", "0"), stdout=log, stderr=subprocess.STDOUT, env=environment
        )
    try:
        url = _wait_for_address(process, log_path, timeout)
        _wait_for_health(url, process, timeout)
        yield ServerProcess(url, process, log_path)
    finally:
        stop(process)


def _wait_for_address(process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(encoding="utf-8", errors="replace")
        if found := _RUNNING.search(text):
            return found.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"momentum-server exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    raise RuntimeError(f"momentum-server did not start within {timeout} s")


def _wait_for_health(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Until the health check answers (with --workers the port is announced before)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/api/v1/health", timeout=10).status_code == 200:
                return
        if process.poll() is not None:
            raise RuntimeError(f"momentum-server exited with {process.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"momentum-server did not answer within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM (uvicorn's graceful stop), then SIGKILL if it lingers; the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
    return process.returncode
