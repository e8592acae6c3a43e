"""The backend side of the preference-sync crash proofs (bench/crash_prefsync.py).

`Server` runs the real `momentum_server` app under uvicorn in a thread of the harness, on
one loopback port for every restart (a signed-in home records the server's URL), each
time on a fresh copy of its SQLite database. `server_view` reads back, through the
protocol and with the account's own token and key, every record the server holds.
"""

from __future__ import annotations

import socket
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Server:
    """The real backend under uvicorn, on one loopback port, restartable on another file."""

    def __init__(self) -> None:
        with socket.socket() as probe:  # one port for every restart: homes record the URL
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop: Callable[[], None] | None = None
        self.requests = 0
        """Requests the server has received since it last started."""

    def start(self, database: Path) -> None:
        """Migrate `database` and serve it (the default settings of `momentum-server`)."""
        import uvicorn

        from momentum_server import migrate
        from momentum_server.app import create_app
        from momentum_server.db import open_engine
        from momentum_server.settings import Settings

        self.stop()
        self.requests = 0
        settings = Settings(database_url=f"sqlite:///{database}", port=self.port)
        engine = open_engine(settings.database_url, settings.pool_size)
        migrate.upgrade(engine)
        app = create_app(settings, engine=engine)

        async def logged(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.requests += 1
            await app(scope, receive, send)

        server = uvicorn.Server(uvicorn.Config(
            logged, host="127.0.0.1", port=self.port,
            log_config=None, access_log=False, lifespan="on",
            timeout_keep_alive=settings.keep_alive_seconds,
        ))  # fmt: skip
        thread = threading.Thread(target=server.run, name="crash-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the backend did not start")
            time.sleep(0.01)

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=60)
            engine.dispose()

        self._stop = stop

    def stop(self) -> None:
        """Stop serving (after the requests in flight are answered)."""
        if self._stop is not None:
            self._stop()
            self._stop = None


@dataclass(frozen=True)
class ServerView:
    """What the server holds for an account, opened with the key."""

    records: dict[str, tuple[Any, ...]]
    """Plain name → (hlc, device, value JSON, revision); the key check left out."""
    revision: int
    key_checks: int
    repeated: int
    """Names listed more than once (the server keeps one row per record)."""


def server_view(server: Server, home: Path) -> ServerView:
    """Every record the server holds for `home`'s account, pulled with its token and key."""
    from momentum_tui.prefsync.client import BackendClient
    from momentum_tui.prefsync.crypto import KEY_CHECK_HASH, Cipher, SyncKey

    secrets = tomllib.loads((home / "secrets.toml").read_text())
    cipher = Cipher(SyncKey.from_secret(secrets["sync-key"]))
    found: dict[str, tuple[Any, ...]] = {}
    key_checks = repeated = revision = since = 0
    with BackendClient(server.url, secrets["backend"], timeout=60, retries=3) as client:
        while True:
            page = client.pull(since, 1000)
            revision = page.revision
            for remote in page.records:
                if remote.name == KEY_CHECK_HASH:
                    key_checks += 1
                    continue
                record = cipher.open(remote.name, remote.blob)
                repeated += record.name in found
                found[record.name] = (record.stamp.hlc, record.stamp.device,
                                      record.value_json(), remote.revision)  # fmt: skip
            if not page.more or not page.records:
                break
            since = page.records[-1].revision
    return ServerView(found, revision, key_checks, repeated)
