"""What can go wrong talking to YouTube, each with a sentence for people.

Fatal for a whole sync: an invalid or blocked key, the quota. Per channel (the next
sync retries): rate limits, server errors, timeouts and broken responses that outlived
their retries. None of these messages ever include the API key or a request URL (the
client library puts the key in the URL).
"""

from __future__ import annotations

from momentum_tui.errors import MomentumError, NetworkError, NotFoundError

KEY_HINT = "Run `momentum keys set youtube` with a YouTube Data API v3 key."


class YouTubeError(MomentumError):
    """A YouTube call failed in a way the person should hear about."""

    retryable = False
    """True when trying the same call again later may well succeed."""


class InvalidKeyError(YouTubeError):
    """The API key is missing, invalid, or not allowed to call the YouTube Data API."""


class RateLimitedError(YouTubeError):
    """YouTube kept saying "too many requests" after every retry."""

    retryable = True
    retry_after: float | None = None
    """Seconds the server asked us to wait (`Retry-After`), when it said."""


class ServerError(YouTubeError):
    """YouTube answered with a server error (5xx) after every retry."""

    retryable = True


class BadResponseError(YouTubeError):
    """YouTube's answer was cut short or was not the JSON/XML expected."""

    retryable = True


class YouTubeNetworkError(NetworkError, YouTubeError):
    """YouTube could not be reached, or did not answer in time, after every retry."""

    retryable = True


class RequestRejectedError(YouTubeError):
    """YouTube refused one request (a 4xx other than key and quota problems)."""


class FeedUnavailableError(YouTubeError):
    """A channel's feed could not be read (the sync uses the API for that channel instead)."""

    retryable = True


class FeedNotFoundError(FeedUnavailableError):
    """YouTube has no feed for this channel id (404): no such channel, or it was removed."""


class FeedUnreachableError(FeedUnavailableError, YouTubeNetworkError):
    """A channel's feed could not be reached at all (no network, DNS, refused, timed out)."""


class ChannelNotFoundError(NotFoundError, YouTubeError):
    """No channel matches the URL, @handle or id given."""


class SignInError(YouTubeError):
    """Signing in with Google (OAuth) failed or is needed."""


class SyncCancelledError(MomentumError):
    """The sync was cancelled; finished channels are kept."""

    exit_code = 130  # Ctrl-C on the command line, like any other interrupted command
