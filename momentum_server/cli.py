"""`momentum-server`: run the backend (migrating its database first), or only migrate it."""

from __future__ import annotations

import argparse
import logging
import logging.config
import os
import socket
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from momentum_server import __version__
from momentum_server.settings import ENV_PREFIX, SettingError, Settings

log = logging.getLogger("momentum_server")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="momentum-server",
        description="The Momentum preference-sync backend (see docs/server.md).",
    )
    parser.add_argument("--version", action="version", version=f"momentum-server {__version__}")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="migrate the database, then serve (the default)")
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    _options(parser, serving=True, default=None)
    # On the subcommands too (either place works), without hiding what was given before.
    _options(serve, serving=True, default=argparse.SUPPRESS)
    _options(migrate, serving=False, default=argparse.SUPPRESS)
    return parser


def _options(parser: argparse.ArgumentParser, serving: bool, default: object) -> None:
    parser.add_argument(
        "--database",
        default=default,
        help=f"sqlite:///path or postgresql://user@host/db "
        f"(env {ENV_PREFIX}DATABASE_URL; default sqlite:///momentum-server.db)",
    )
    if not serving:
        return
    parser.add_argument("--host", default=default, help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=default, help="port (8787; 0: any free)")
    parser.add_argument("--workers", type=int, default=default, help="server processes (1)")
    parser.add_argument(
        "--forwarded-allow-ips",
        default=default,
        help="proxies whose X-Forwarded-For/-Proto are trusted (comma-separated, or *)",
    )
    parser.add_argument("--ssl-certfile", default=default, help="serve HTTPS with this PEM")
    parser.add_argument("--ssl-keyfile", default=default, help="the certificate's key (PEM)")
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="refuse to start unless the schema is current, instead of migrating",
    )
    parser.add_argument(
        "--log-level", default=default, choices=["debug", "info", "warning", "error"]
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `momentum-server`."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except SettingError as exc:
        sys.exit(f"momentum-server: {exc}")
    from momentum_server.logs import log_config

    logging.config.dictConfig(log_config(settings.log_level))
    try:
        _run(args, settings)
    except (ValueError, OperationalError) as exc:
        sys.exit(f"momentum-server: {_sentence(exc, settings.database_url)}")


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        "database_url": getattr(args, "database", None),
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "workers": getattr(args, "workers", None),
        "forwarded_allow_ips": getattr(args, "forwarded_allow_ips", None),
        "log_level": getattr(args, "log_level", None),
    }
    return Settings.from_env(**{k: v for k, v in overrides.items() if v is not None})


def _run(args: argparse.Namespace, settings: Settings) -> None:
    from momentum_server import migrate
    from momentum_server.db import open_engine

    engine = open_engine(settings.database_url, settings.pool_size)
    if args.command != "serve" and args.command is not None:  # migrate
        changed = migrate.upgrade(engine)
        print(f"The database is at schema {migrate.head()}{'' if changed else ' (unchanged)'}.")
        return
    if getattr(args, "no_migrate", False):
        at = migrate.current(engine)
        if at != migrate.head():
            raise ValueError(
                f"the database is at schema {at or 'none'} but this server needs "
                f"{migrate.head()}; run `momentum-server migrate` first (nothing was changed)."
            )
    elif migrate.upgrade(engine):
        log.info("database migrated", extra={"database": _redacted(settings.database_url)})
    engine.dispose()
    _serve(args, settings)


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from momentum_server.app import create_app
    from momentum_server.logs import log_config

    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": log_config(settings.log_level),
        "access_log": False,  # Observe writes one JSON line per request instead
        "server_header": False,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        "ssl_certfile": getattr(args, "ssl_certfile", None),
        "ssl_keyfile": getattr(args, "ssl_keyfile", None),
    }
    if settings.workers <= 1:
        uvicorn.run(create_app(settings), **options)
        return
    if settings.port == 0:
        # Workers share a socket the supervisor binds; name a free port so it can say which.
        options["port"] = _free_port(settings.host)
    # Workers build their own app from the environment; metrics add up across them.
    os.environ[f"{ENV_PREFIX}DATABASE_URL"] = settings.database_url
    os.environ[f"{ENV_PREFIX}LOG_LEVEL"] = settings.log_level
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="momentum-metrics-"))
    uvicorn.run(
        "momentum_server.app:app_from_env", factory=True, workers=settings.workers, **options
    )


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"


def _sentence(exc: Exception, url: str) -> str:
    """One sentence for a start-up failure (no traceback; the URL's password hidden)."""
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return (
            f"could not open the database {_redacted(url)}: {reason}. Nothing was changed; "
            "check the URL, that the server is running and that the user may connect."
        )
    return str(exc)
