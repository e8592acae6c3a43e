"""Where Momentum keeps its files.

Paths come from platformdirs, or from one root directory when `MOMENTUM_HOME` is set
(tests, demos, portable installs). Nothing is created at import time: callers ask for
a directory with `ensure_dir` when they are about to write.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

from momentum_tui.errors import DataDirError

APP_NAME = "momentum"
HOME_ENV = "MOMENTUM_HOME"


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


def home_override() -> Path | None:
    """The directory named by `MOMENTUM_HOME`, if set; a `DataDirError` if it is a file."""
    value = os.environ.get(HOME_ENV, "").strip()
    if not value:
        return None
    home = Path(value).expanduser()
    if home.exists() and not home.is_dir():
        raise DataDirError(
            f"{HOME_ENV} points at {home}, which is a file, not a directory.",
            f"Point {HOME_ENV} at a directory (it is made if it doesn't exist), or unset it.",
        )
    return home


def config_dir() -> Path:
    """Directory holding `config.toml`."""
    home = home_override()
    return home if home else Path(_dirs().user_config_dir)


def config_file() -> Path:
    """The TOML configuration file (may not exist)."""
    return config_dir() / "config.toml"


def data_dir() -> Path:
    """Directory holding the cache database and other durable state."""
    home = home_override()
    return home / "data" if home else Path(_dirs().user_data_dir)


def cache_db() -> Path:
    """The SQLite cache of the person's own subscriptions."""
    return data_dir() / "momentum.db"


def demo_dir() -> Path:
    """The demo profile's own directory; it never touches the real cache."""
    return data_dir() / "demo"


def demo_db() -> Path:
    """The demo profile's SQLite cache."""
    return demo_dir() / "momentum-demo.db"


def secrets_file() -> Path:
    """The opt-in 0600 secrets file, used only where no keyring exists."""
    return config_dir() / "secrets.toml"


def thumbnail_dir() -> Path:
    """Thumbnails kept for offline use (disposable: Momentum fetches them again)."""
    home = home_override()
    return home / "cache" / "thumbnails" if home else Path(_dirs().user_cache_dir) / "thumbnails"


def log_dir() -> Path:
    """Directory for the debug log."""
    home = home_override()
    return home / "logs" if home else Path(_dirs().user_log_dir)


def ensure_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed, or say clearly why it cannot be written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataDirError(
            f"Momentum can't create the directory {path} ({error.strerror or error}).",
            f"Fix its permissions, or point {HOME_ENV} at a directory you can write.",
        ) from error
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(
            f"Momentum can't write to the directory {path}.",
            f"Fix its permissions, or point {HOME_ENV} at a directory you can write.",
        )
    return path
