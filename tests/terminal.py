"""Run `momentum` on a real pseudo-terminal: answer its prompts, press keys in the app."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.conftest import REPO


class Terminal:
    """`python -m momentum_tui ARGS` with a pty for stdin/stdout/stderr."""

    def __init__(
        self, *args: str, env: dict[str, str] | None = None, size: tuple[int, int] = (30, 100)
    ) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
        environment = {**os.environ, "TERM": "xterm-256color", **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "momentum_tui", *args],
            stdin=slave, stdout=slave, stderr=slave, cwd=REPO, env=environment,
            close_fds=True,
        )  # fmt: skip
        os.close(slave)
        self.seen = b""

    def expect(self, text: str, timeout: float = 60.0) -> str:
        """Read until `text` has appeared (or fail with what was seen)."""
        deadline = time.monotonic() + timeout
        wanted = text.encode()
        while wanted not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"never saw {text!r}; saw {self.text()[-2000:]!r}")
        return self.text()

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], min(timeout, 1.0))
        if not ready:
            return self.process.poll() is None
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the other end closed
            return False
        self.seen += chunk
        return bool(chunk)

    def send(self, keys: str) -> None:
        """Type `keys`."""
        os.write(self.master, keys.encode())

    def text(self) -> str:
        """Everything written so far."""
        return self.seen.decode("utf-8", "replace")

    def wait(self, timeout: float = 60.0) -> int:
        """The exit code, after reading whatever is left."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        code = self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        while self._read(0.05):
            pass
        os.close(self.master)
        return code


def home_env(home: Path) -> dict[str, str]:
    """The environment that points a child `momentum` at the test's home and keyring."""
    return {
        "MOMENTUM_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "tests.support.keyring_backend.TestKeyring",
        "PYTHONPATH": str(REPO),
    }
