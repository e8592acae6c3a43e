"""Keys: environment first, keyring next, an opt-in 0600 file where no keyring exists."""

from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backends import fail

from momentum_tui import locations, secrets
from momentum_tui.errors import SecretsError


def test_keyring_round_trip() -> None:
    assert secrets.get_secret("youtube") is None
    assert secrets.set_secret("youtube", "  AIza-test  ") == "keyring"
    assert secrets.get_secret("youtube") == "AIza-test"
    assert secrets.secret_source("youtube") == "keyring"
    assert secrets.delete_secret("youtube")
    assert secrets.get_secret("youtube") is None


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets.set_secret("anthropic", "from-keyring")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    assert secrets.get_secret("anthropic") == "from-env"
    assert secrets.secret_source("anthropic") == "env"


def test_without_a_keyring_the_file_is_opt_in() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretsError, match="No system keyring") as raised:
        secrets.set_secret("youtube", "k1")
    assert "--file" in raised.value.hint
    assert not locations.secrets_file().exists()
    assert secrets.set_secret("youtube", "k1", allow_file=True) == "file"
    mode = stat.S_IMODE(locations.secrets_file().stat().st_mode)
    assert mode == 0o600
    assert secrets.get_secret("youtube") == "k1"
    assert secrets.secret_source("youtube") == "file"


def test_empty_and_unknown_keys_are_refused() -> None:
    with pytest.raises(SecretsError, match="empty"):
        secrets.set_secret("youtube", "   ")
    with pytest.raises(SecretsError, match="Unknown key"):
        secrets.get_secret("github")
