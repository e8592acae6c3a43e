"""Video thumbnails: fetched once, kept on disk within a size cap, shown offline from there.

Files live in the cache directory as `<video id>.jpg`. A file's modification time is
when it was last shown (a hit touches it), so evicting the oldest first is "least
recently used first out", with nothing else to keep in step. The host is a setting
(`cache.thumbnail_root`, env `MOMENTUM_CACHE_THUMBNAIL_ROOT`); a thumbnail that can't be
fetched (offline, 404, a slow host) is simply absent — never an error on screen.
Blocking: the app calls it from a worker thread.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

MAX_BYTES_ONE = 2 * 1024 * 1024
"""A thumbnail larger than this isn't one (the host sent something else)."""
TIMEOUT_S = 5.0
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


@dataclass
class CacheStats:
    """Counts for the benchmark and `momentum doctor`: hits, fetches, failures, evictions."""

    hits: int = 0
    fetched: int = 0
    failed: int = 0
    evicted: int = 0

    @property
    def hit_rate(self) -> float:
        """Share of requests served from disk."""
        asked = self.hits + self.fetched + self.failed
        return self.hits / asked if asked else 0.0


class ThumbnailCache:
    """The on-disk thumbnail cache (thread-safe; one per app)."""

    def __init__(self, directory: Path, *, max_mb: float, root: str,
                 timeout: float = TIMEOUT_S) -> None:  # fmt: skip
        self.directory = directory
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.root = root.rstrip("/")
        self.timeout = timeout
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._bytes: int | None = None
        """The cache's size as of the last scan plus what was stored since (None: not
        scanned yet). Another app window adding files makes it a lower bound, so the
        cap can be passed by what that window fetched until this one scans again."""

    def url_for(self, video_id: str) -> str:
        """Where a video's medium-size thumbnail is fetched from."""
        return f"{self.root}/vi/{video_id}/mqdefault.jpg"

    def path_for(self, video_id: str) -> Path:
        """Where a video's thumbnail is kept."""
        return self.directory / f"{video_id}.jpg"

    def cached(self, video_id: str) -> Path | None:
        """The kept file, if any, marked as just used (no network)."""
        path = self.path_for(video_id)
        try:
            os.utime(path)
        except OSError:
            return None
        with self._lock:
            self.stats.hits += 1
        return path

    def get(self, video_id: str, *, offline: bool = False) -> Path | None:
        """The thumbnail's file: from disk, else fetched (unless `offline`); None if neither."""
        if not _VIDEO_ID.match(video_id) or self.max_bytes <= 0:
            return None
        found = self.cached(video_id)
        if found is not None or offline:
            return found
        data = self._fetch(video_id)
        if data is None:
            with self._lock:
                self.stats.failed += 1
            return None
        path = self._store(video_id, data)
        with self._lock:
            self.stats.fetched += 1
            if self._bytes is not None and path is not None:
                self._bytes += len(data)
            over = self._bytes is None or self._bytes > self.max_bytes
        if over:  # a scan of the directory only when the cap may have been passed
            self.evict()
        return path

    def _http(self) -> httpx.Client:
        """The one HTTP client, made on the first fetch.

        A new client builds a TLS context from the CA bundle — tens of milliseconds of
        CPU, most of it holding the interpreter, which the cursor then waits for — so
        every fetch shares this one (and its kept-alive connection to the host).
        """
        import httpx

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout, follow_redirects=True)
            return self._client

    def close(self) -> None:
        """Close the HTTP client (a later fetch makes another)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _fetch(self, video_id: str) -> bytes | None:
        import httpx

        try:
            response = self._http().get(self.url_for(video_id))
        except (httpx.HTTPError, RuntimeError):  # RuntimeError: closed meanwhile (app exit)
            return None
        if response.status_code != 200 or not response.content:
            return None
        if len(response.content) > MAX_BYTES_ONE:
            return None
        return response.content

    def _store(self, video_id: str, data: bytes) -> Path | None:
        path = self.path_for(video_id)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, path)  # a reader never sees half a file
        except OSError:
            return None  # a full or read-only disk: show nothing, lose nothing
        return path

    def evict(self) -> None:
        """Delete the least recently shown thumbnails until the cache fits its cap."""
        try:
            entries = [(e.stat().st_mtime, e.stat().st_size, Path(e.path))
                       for e in os.scandir(self.directory) if e.name.endswith(".jpg")]  # fmt: skip
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            with self._lock:
                self.stats.evicted += 1
        with self._lock:
            self._bytes = total

    def size_bytes(self) -> int:
        """Bytes the cache holds now."""
        try:
            return sum(e.stat().st_size for e in os.scandir(self.directory) if e.is_file())
        except OSError:
            return 0
