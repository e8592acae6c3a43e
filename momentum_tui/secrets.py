"""API keys and tokens: environment override, then the system keyring, then an opt-in file.

Secrets never go into SQLite, logs, exports, exceptions or snapshots. Where the machine
has no keyring (headless Linux, containers) Momentum says so and offers a file readable
only by its owner (0600), with a warning; it never falls back to it silently.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal

from momentum_tui import locations
from momentum_tui.errors import SecretsError

SERVICE = "momentum"

SecretSource = Literal["env", "keyring", "file"]


@dataclass(frozen=True)
class SecretSpec:
    """One secret Momentum knows: its keyring user name, env override and human label."""

    name: str
    env: str
    label: str


SECRETS: dict[str, SecretSpec] = {
    "youtube": SecretSpec("youtube", "MOMENTUM_YOUTUBE_API_KEY", "YouTube Data API key"),
    "anthropic": SecretSpec("anthropic", "ANTHROPIC_API_KEY", "Anthropic (Claude) API key"),
    "youtube-oauth": SecretSpec(
        "youtube-oauth", "MOMENTUM_YOUTUBE_OAUTH_TOKEN", "YouTube sign-in (refresh token)"
    ),
    "backend": SecretSpec("backend", "MOMENTUM_BACKEND_TOKEN", "Momentum backend token"),
    "sync-key": SecretSpec("sync-key", "MOMENTUM_SYNC_KEY", "Preference-sync key"),
    # A rotation writes the new key here before the server has it, so a crash in between
    # can always be settled (prefsync/rotate.py); it is never set by hand.
    "sync-key-next": SecretSpec(
        "sync-key-next", "MOMENTUM_SYNC_KEY_NEXT", "Preference-sync key being rotated in"
    ),
}


def _keyring() -> ModuleType:
    """The keyring package, imported on first use: it costs ~0.1 s, which a command or the
    app's first screen that reads no secret must not pay."""
    import keyring
    import keyring.backends.fail
    import keyring.errors

    return keyring


def _spec(name: str) -> SecretSpec:
    try:
        return SECRETS[name]
    except KeyError:
        known = ", ".join(SECRETS)
        raise SecretsError(f"Unknown key name {name!r}.", f"Use one of: {known}.") from None


def keyring_backend_name() -> str:
    """A readable name for the keyring backend in use."""
    keyring = _keyring()
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


_BACKEND_WORDS = {
    "SecretService": "the Secret Service (GNOME Keyring or KWallet)",
    "kwallet": "KWallet",
    "macOS": "the macOS Keychain",
    "Windows": "the Windows Credential Manager",
    "libsecret": "libsecret (GNOME Keyring)",
    "chainer": "the first keyring that works (chained)",
    "null": "none: keyring turned off (the null backend)",
    "fail": "none: no keyring on this machine",
}


def keyring_backend_words() -> str:
    """The keyring backend in words: `the macOS Keychain`, `none: no keyring on this machine`."""
    keyring = _keyring()
    backend = keyring.get_keyring()
    module = type(backend).__module__.rsplit(".", 1)[-1]
    words = _BACKEND_WORDS.get(module)
    if words is None:
        name = getattr(backend, "name", "") or type(backend).__name__
        words = f"{name} (a third-party keyring backend)"
    return words


def keyring_available() -> bool:
    """True when a real keyring backend is available on this machine."""
    keyring = _keyring()
    return not isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)


def _read_file(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):  # no such file, or no such directory
        return {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SecretsError(
            f"The secrets file {path} can't be read.", "Move it aside and set the keys again."
        ) from error
    return {key: value for key, value in data.items() if isinstance(value, str)}


def _write_file(path: Path, values: dict[str, str]) -> None:
    locations.ensure_dir(path.parent)
    # JSON string literals are valid TOML basic strings.
    body = "".join(f"{key} = {json.dumps(value)}\n" for key, value in sorted(values.items()))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def secret_source(name: str) -> SecretSource | None:
    """Where the secret `name` would be read from, or None when it is not set."""
    spec = _spec(name)
    if os.environ.get(spec.env):
        return "env"
    keyring = _keyring()
    if keyring_available():
        try:
            if keyring.get_password(SERVICE, spec.name):
                return "keyring"
        except keyring.errors.KeyringError:
            pass
    if spec.name in _read_file(locations.secrets_file()):
        return "file"
    return None


def get_secret(name: str) -> str | None:
    """The secret `name`: environment first, then keyring, then the opt-in file."""
    spec = _spec(name)
    value = os.environ.get(spec.env)
    if value:
        return value.strip()
    keyring = _keyring()
    if keyring_available():
        try:
            value = str(keyring.get_password(SERVICE, spec.name) or "")
        except keyring.errors.KeyringError:
            value = None
        if value:
            return value
    return _read_file(locations.secrets_file()).get(spec.name)


def set_secret(name: str, value: str, *, allow_file: bool = False) -> SecretSource:
    """Store `value`; returns where it went. Raises `SecretsError` with a way out when it can't."""
    keyring = _keyring()
    spec = _spec(name)
    value = value.strip()
    if not value:
        raise SecretsError("The key is empty; nothing was stored.", "Paste the key and try again.")
    if keyring_available() and not allow_file:
        try:
            keyring.set_password(SERVICE, spec.name, value)
        except keyring.errors.KeyringError as error:
            raise SecretsError(
                f"The system keyring refused to store the key ({type(error).__name__}).",
                "Unlock the keyring and retry, or use --file to keep it in a 0600 file.",
            ) from None
        return "keyring"
    if not allow_file:
        raise SecretsError(
            "No system keyring is available on this machine, so the key was not stored.",
            f"Re-run with --file to keep it in {locations.secrets_file()} (readable only by "
            f"you), or set {spec.env} in your environment.",
        )
    values = _read_file(locations.secrets_file())
    values[spec.name] = value
    _write_file(locations.secrets_file(), values)
    return "file"


def delete_secret(name: str) -> bool:
    """Forget the stored secret `name` (keyring and file). True if something was removed."""
    keyring = _keyring()
    spec = _spec(name)
    removed = False
    if keyring_available():
        try:
            keyring.delete_password(SERVICE, spec.name)
            removed = True
        except keyring.errors.KeyringError:
            pass
    path = locations.secrets_file()
    values = _read_file(path)
    if spec.name in values:
        del values[spec.name]
        _write_file(path, values)
        removed = True
    return removed
