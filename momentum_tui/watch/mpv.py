"""A small client for mpv's JSON IPC protocol (one JSON object per line on a Unix socket).

Momentum starts mpv with `--input-ipc-server=PATH`, connects, asks it to report
`time-pos` and `duration` (`observe_property`), and reads events until the file ends.
Only what following a playback needs is here; see mpv's manual, "JSON IPC".
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONNECT_TIMEOUT_S = 15.0
"""How long mpv may take to open its socket (it resolves the URL through yt-dlp first)."""


class MpvGoneError(Exception):
    """The player closed its socket (it quit, or was never reachable)."""


@dataclass(frozen=True)
class PropertyChange:
    """mpv reported a new value of an observed property."""

    name: str
    value: Any


@dataclass(frozen=True)
class EndFile:
    """The file stopped: `reason` is eof, stop, quit, error or redirect."""

    reason: str


Event = PropertyChange | EndFile


class MpvConnection:
    """One connection to a running mpv's IPC socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self._next_id = 1

    @classmethod
    def connect(
        cls, path: Path, *, timeout: float = CONNECT_TIMEOUT_S, alive: Any = None
    ) -> MpvConnection:
        """Connect to `path`, waiting for mpv to create it; `alive()` False gives up early."""
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(path))
                return cls(sock)
            except OSError:
                sock.close()
                if time.monotonic() > deadline or (alive is not None and not alive()):
                    raise MpvGoneError(f"mpv did not open its control socket {path}") from None
                time.sleep(0.05)

    def send(self, *command: Any) -> None:
        """Send one command (its reply arrives among the events and is skipped)."""
        message = {"command": list(command), "request_id": self._next_id}
        self._next_id += 1
        try:
            self._sock.sendall(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        except OSError as error:
            raise MpvGoneError(str(error)) from error

    def observe(self, *names: str) -> None:
        """Ask mpv to report every change of these properties."""
        for number, name in enumerate(names, start=1):
            self.send("observe_property", number, name)

    def events(self) -> Iterator[Event]:
        """The events that matter, until mpv closes the socket."""
        while True:
            for line in self._lines():
                try:
                    message = json.loads(line)
                except ValueError:
                    continue  # not ours to judge; mpv writes one object per line
                event = message.get("event") if isinstance(message, dict) else None
                if event == "property-change":
                    yield PropertyChange(str(message.get("name")), message.get("data"))
                elif event == "end-file":
                    yield EndFile(str(message.get("reason", "")))
                elif event == "shutdown":
                    return

    def _lines(self) -> Iterator[bytes]:
        try:
            chunk = self._sock.recv(65536)
        except OSError:
            chunk = b""
        if not chunk:
            raise MpvGoneError("mpv closed its control socket")
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        yield from (line for line in lines if line.strip())

    def close(self) -> None:
        """Close the connection (mpv keeps playing if it is still running)."""
        self._sock.close()
