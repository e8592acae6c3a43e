"""The Momentum backend: accounts, device tokens and encrypted records with revisions.

It stores what it cannot read (keyed-hash names, ciphertext blobs, sizes, revisions) and
shares nothing with `momentum_tui` but the protocol in docs/sync-protocol.md.
"""

from __future__ import annotations

from importlib import metadata


def _version() -> str:
    try:
        return metadata.version("momentum-tui")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        return "0+unknown"


__version__ = _version()

API_VERSION = 1
"""The protocol version in the URL (`/api/v1`) and in `GET /api/v1/health`."""
