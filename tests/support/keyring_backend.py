"""A keyring backend for tests: a JSON file under MOMENTUM_HOME, so subprocesses share it.

Select it with PYTHON_KEYRING_BACKEND=tests.support.keyring_backend.TestKeyring.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class TestKeyring(KeyringBackend):
    """Stores secrets in `$MOMENTUM_HOME/test-keyring.json`."""

    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["MOMENTUM_HOME"]) / "test-keyring.json"

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path().parent.mkdir(parents=True, exist_ok=True)
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if f"{service}/{username}" not in data:
            raise PasswordDeleteError(username)
        del data[f"{service}/{username}"]
        self._path().write_text(json.dumps(data))
