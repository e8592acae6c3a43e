"""Signing in with Google (installed-app OAuth flow) to read your own subscriptions.

Only `subscriptions.list mine=true` needs it; syncing uses the API key. The flow is
google-auth-oauthlib's `InstalledAppFlow.run_local_server`: a browser opens Google's
consent page, which redirects to a one-shot server on 127.0.0.1 with a code that is
exchanged (with PKCE) for tokens. Only the refresh token is kept, in the keyring
(`youtube-oauth`); access tokens live in memory. The consent page and token endpoint are
the `youtube.oauth_auth_uri` / `youtube.oauth_token_uri` settings.

Google requires each app to bring an OAuth client: create a "Desktop app" OAuth client
in Google Cloud Console and save its JSON as `client_secret.json` next to `config.toml`
(or point `youtube.oauth_client_file` at it). Google does not treat an installed app's
client secret as confidential; the refresh token is, and it never leaves the keyring.
"""

from __future__ import annotations

import json
import webbrowser
from pathlib import Path
from typing import Any

from momentum_tui import locations, secrets
from momentum_tui.config import YouTubeSettings
from momentum_tui.youtube.errors import SignInError

SCOPES = ["https://www.googleapis.com/auth/youtube.readonly"]
"""Read-only access: Momentum never changes anything on your account."""


def client_file(settings: YouTubeSettings) -> Path:
    """Where the OAuth client JSON is expected."""
    if settings.oauth_client_file:
        return Path(settings.oauth_client_file).expanduser()
    return locations.config_dir() / "client_secret.json"


def client_config(settings: YouTubeSettings) -> dict[str, Any]:
    """The OAuth client, in Google's client-secrets format, with our endpoints applied."""
    path = client_file(settings)
    setup = (
        "Create an OAuth client ID of type “Desktop app” in Google Cloud Console (APIs & "
        f"Services → Credentials), download its JSON and save it as {path}."
    )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SignInError("Signing in needs an OAuth client, and none is set up.", setup) from None
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise SignInError(f"The OAuth client file {path} can't be read ({error}).", setup) from None
    section = data.get("installed") or data.get("web") if isinstance(data, dict) else None
    if not isinstance(section, dict) or not section.get("client_id"):
        raise SignInError(f"{path} is not an OAuth client file (no client_id).", setup)
    section = {
        **section,
        "auth_uri": settings.oauth_auth_uri,
        "token_uri": settings.oauth_token_uri,
        "redirect_uris": section.get("redirect_uris") or ["http://localhost"],
    }
    return {"installed": section}


def _browser_available() -> bool:
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def sign_in(
    settings: YouTubeSettings,
    *,
    browser: str | None = None,
    open_browser: bool | None = None,
    timeout_s: int = 300,
) -> str:
    """Run the consent flow and keep the refresh token in the keyring; returns where it went."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    config = client_config(settings)
    flow = InstalledAppFlow.from_client_config(config, scopes=SCOPES)
    if open_browser is None:
        open_browser = browser is not None or _browser_available()
    try:
        credentials = flow.run_local_server(
            host="127.0.0.1",
            port=0,
            open_browser=open_browser,
            browser=browser,
            timeout_seconds=timeout_s,
            authorization_prompt_message=(
                "Opening Google's sign-in page. If no browser opens, visit:\n{url}\n"
            ),
            success_message="Momentum is signed in. You can close this window.",
            prompt="consent",  # ask again so Google issues a refresh token every time
        )
    except Exception as error:  # oauthlib, requests and wsgiref errors: one sentence
        raise SignInError(
            f"Signing in with Google did not complete ({type(error).__name__}).",
            "Run `momentum signin` again; nothing was changed.",
        ) from None
    refresh = getattr(credentials, "refresh_token", None)
    if not refresh:
        raise SignInError(
            "Google signed you in but sent no refresh token, so it can't be kept.",
            "Remove Momentum's access at myaccount.google.com/permissions and sign in again.",
        )
    return secrets.set_secret("youtube-oauth", refresh)


def stored_credentials(settings: YouTubeSettings) -> Any:
    """Credentials built from the kept refresh token (refreshed on first use)."""
    from google.oauth2.credentials import Credentials

    refresh = secrets.get_secret("youtube-oauth")
    if not refresh:
        raise SignInError(
            "You are not signed in with Google.",
            "Run `momentum signin` to import your own subscriptions.",
        )
    section = client_config(settings)["installed"]
    return Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=refresh,
        token_uri=section["token_uri"],
        client_id=section["client_id"],
        client_secret=section.get("client_secret"),
        scopes=SCOPES,
    )


def sign_out() -> bool:
    """Forget the refresh token."""
    return secrets.delete_secret("youtube-oauth")
