"""Errors a person can meet, each with a one-line title and a hint saying what to do.

Everything the user can cause or run into is raised as a `MomentumError`. The command
line prints `title` and `hint` (no traceback unless `--debug`); the app shows them in
a notification or an error screen.
"""

from __future__ import annotations


class MomentumError(Exception):
    """A failure with a sentence for people: what happened (`title`) and what to do (`hint`)."""

    exit_code = 1
    debug_details: tuple[str, ...] = ()
    """Facts for a bug report (a server's request id…), printed only under `--debug`."""

    def __init__(self, title: str, hint: str = "") -> None:
        super().__init__(title)
        self.title = title
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.title} {self.hint}".strip()


class ConfigError(MomentumError):
    """The configuration file or an environment override is malformed."""


class KeymapError(ConfigError):
    """The keymap in the configuration names an unknown binding or a malformed key."""


class DataDirError(MomentumError):
    """A data or config directory cannot be created or written."""


class CacheError(MomentumError):
    """The SQLite cache cannot be used."""


class CorruptCacheError(CacheError):
    """The cache file exists but is not a healthy SQLite database. Nothing was deleted."""

    def __init__(self, title: str, hint: str = "", *, path: str = "") -> None:
        super().__init__(title, hint)
        self.path = path


class CacheUnavailableError(CacheError):
    """The cache can't be opened right now (a disk, lock or permission problem), though
    nothing says it is damaged: it is never offered to be moved aside."""


class SchemaTooNewError(CacheError):
    """The cache was written by a newer Momentum; it is refused, never changed."""


class NotFoundError(MomentumError):
    """A video, channel or rule the user named does not exist in the cache."""


class SecretsError(MomentumError):
    """A key could not be stored or read."""


class MissingKeyError(SecretsError):
    """A command needs an API key that is not set."""


class NetworkError(MomentumError):
    """The network is unreachable or a server did not answer."""


class QuotaExhaustedError(MomentumError):
    """The YouTube daily quota is spent (or would be by the next call)."""


class BudgetExceededError(MomentumError):
    """The Claude spending budget would be exceeded."""


class ImportFormatError(MomentumError):
    """A subscriptions file could not be read; the title names the line or field at fault."""


class DiskFullError(MomentumError):
    """The disk (or the cache's size limit) is full; the failing change was not saved."""


class BackupError(MomentumError):
    """A backup could not be made, or a file given to restore is not a usable backup."""


class DataFileError(MomentumError):
    """A file given to `import-data` is not a Momentum export, is damaged, or is too new."""
