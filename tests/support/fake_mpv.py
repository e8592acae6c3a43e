"""A stand-in for mpv that speaks its JSON IPC protocol, for tests (no real mpv, no video).

Installed by `tests/support/players.py` as an executable named `mpv` on PATH. It reads
`--input-ipc-server=PATH` and `--start=+N` from its arguments, listens on the socket,
answers every command with `{"request_id": N, "error": "success"}`, and once both
`time-pos` and `duration` are observed plays the plan in `FAKE_MPV_PLAN` (JSON):

    {"duration": 600, "positions": [0, 5, 10, 550], "end": "eof" | "quit" | "vanish",
     "log": "/path/to/log.jsonl"}

— a `property-change` for the duration, one per position (offset by `--start`), then
`end-file` with the plan's reason and `shutdown` ("vanish" closes the socket without a
word, like a crash). Each run appends its arguments and the commands it heard to `log`.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from pathlib import Path


def _send(conn: socket.socket, message: dict[str, object]) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def main() -> int:
    plan = json.loads(os.environ.get("FAKE_MPV_PLAN", "{}"))
    args = sys.argv[1:]
    ipc = next((a.split("=", 1)[1] for a in args if a.startswith("--input-ipc-server=")), None)
    start = next((float(a.split("+", 1)[1]) for a in args if a.startswith("--start=+")), 0.0)
    log = Path(plan["log"]) if plan.get("log") else None
    heard: list[object] = []
    if ipc is None:
        time.sleep(float(plan.get("run_s", 0.1)))
    else:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        time.sleep(float(plan.get("open_delay_s", 0.0)))
        server.bind(ipc)
        server.listen(1)
        conn, _ = server.accept()
        observed: set[str] = set()
        buffer = b""
        while observed != {"time-pos", "duration"}:
            chunk = conn.recv(4096)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                heard.append(message["command"])
                _send(conn, {"request_id": message.get("request_id"), "error": "success"})
                if message["command"][0] == "observe_property":
                    observed.add(message["command"][2])
        _send(conn, {"event": "property-change", "id": 2, "name": "time-pos", "data": None})
        _send(conn, {"event": "property-change", "id": 2, "name": "duration",
                     "data": plan.get("duration")})  # fmt: skip
        for position in plan.get("positions", []):
            _send(conn, {"event": "property-change", "id": 1, "name": "time-pos",
                         "data": start + position})  # fmt: skip
        end = plan.get("end", "eof")
        # Logged before the goodbye: the client may close the socket (and stop waiting)
        # the moment it reads end-file, so nothing after that is sure to run.
        _log(log, args, heard)
        log = None
        if end != "vanish":
            with contextlib.suppress(OSError):
                _send(conn, {"event": "end-file", "reason": end})
                _send(conn, {"event": "shutdown"})
        conn.close()
        server.close()
    _log(log, args, heard)
    return 0


def _log(log: Path | None, args: list[str], heard: list[object]) -> None:
    if log is not None:
        with log.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"args": args, "heard": heard}) + "\n")


if __name__ == "__main__":
    sys.exit(main())
