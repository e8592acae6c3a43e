"""Signing in with the real google-auth-oauthlib installed-app flow against the emulator."""

from __future__ import annotations

import json
import threading
import urllib.request
import webbrowser

import pytest

from momentum_tui import locations, secrets
from momentum_tui.config import load_settings
from momentum_tui.youtube.errors import SignInError
from momentum_tui.youtube.oauth import sign_in
from tests.emulators.youtube import YouTubeEmulator

pytest_plugins = ("tests.emulators.youtube_fixtures",)


class ConsentingBrowser(webbrowser.BaseBrowser):
    """A "browser" that opens the consent URL; the emulator consents and redirects back."""

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        def visit() -> None:
            with urllib.request.urlopen(url, timeout=10) as response:  # follows the redirect
                response.read()

        threading.Thread(target=visit, daemon=True).start()
        return True


@pytest.fixture
def oauth_client(youtube: YouTubeEmulator, monkeypatch: pytest.MonkeyPatch) -> YouTubeEmulator:
    """An OAuth client file for the emulator's client, and plain-HTTP OAuth allowed (loopback)."""
    path = locations.ensure_dir(locations.config_dir()) / "client_secret.json"
    path.write_text(json.dumps({"installed": {
        "client_id": youtube.oauth.client_id, "client_secret": youtube.oauth.client_secret,
        "project_id": "momentum-test", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token", "redirect_uris": ["http://localhost"],
    }}))  # fmt: skip
    # oauthlib insists on HTTPS token endpoints; the emulator is plain HTTP on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    webbrowser.register("momentum-consent", None, ConsentingBrowser("momentum-consent"))
    youtube.subscriptions = list(youtube.world.channels)[:30]
    return youtube


def test_sign_in_keeps_only_the_refresh_token_in_the_keyring(oauth_client) -> None:
    where = sign_in(load_settings().youtube, browser="momentum-consent", timeout_s=20)
    assert where == "keyring"
    token = secrets.get_secret("youtube-oauth")
    assert token in oauth_client.oauth.refresh_tokens
    assert oauth_client.calls("auth") == 1
    assert oauth_client.calls("token") == 1


def test_account_subscriptions_are_imported_page_by_page(oauth_client, run_cli) -> None:
    secrets.set_secret("youtube-oauth", oauth_client.issue_refresh_token())
    oauth_client.subscriptions = list(oauth_client.world.channels)[:35]
    oauth_client.world.add_channel("Extra Channel")
    result = run_cli("import", "--account", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["added"] == 35
    assert oauth_client.units == {"subscriptions.list": 1}  # 35 fit in one page of 50
    oauth_client.subscriptions = list(oauth_client.world.channels)
    oauth_client.reset_counters()
    again = json.loads(run_cli("import", "--account", "--json").out)
    assert (again["added"], again["already"]) == (len(oauth_client.world.channels) - 35, 35)
    assert oauth_client.units == {"subscriptions.list": 1}


def test_a_revoked_sign_in_is_one_sentence(oauth_client, run_cli) -> None:
    secrets.set_secret("youtube-oauth", "1//revoked-long-ago")
    result = run_cli("import", "--account")
    assert result.code == 1
    assert "Google no longer accepts the sign-in" in result.err
    assert "momentum signin" in result.err
    assert "revoked-long-ago" not in result.err


def test_not_signed_in(oauth_client, run_cli) -> None:
    result = run_cli("import", "--account")
    assert result.code == 1
    assert "not signed in" in result.err


def test_signing_in_needs_an_oauth_client(youtube, run_cli) -> None:
    result = run_cli("signin")
    assert result.code == 1
    assert "needs an OAuth client" in result.err
    assert "client_secret.json" in result.err


def test_sign_in_that_never_completes_is_reported(oauth_client) -> None:
    with pytest.raises(SignInError, match="did not complete"):
        sign_in(load_settings().youtube, open_browser=False, timeout_s=1)
