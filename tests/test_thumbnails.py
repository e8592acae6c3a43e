"""The thumbnail cache: fetched from the configured host, kept within its cap (least
recently shown out first), shown offline from disk, never an error when it can't fetch."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from momentum_tui.watch.thumbnails import ThumbnailCache

JPEG = b"\xff\xd8\xff\xe0" + b"thumbnail" * 1000 + b"\xff\xd9"  # ~9 KB, opaque to the cache


class ThumbnailServer:
    """A loopback image host: /vi/<id>/mqdefault.jpg, 404 for ids starting with 'missing'."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if "/missing" in self.path:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(JPEG)))
                self.end_headers()
                self.wfile.write(JPEG)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host() -> Iterator[ThumbnailServer]:
    server = ThumbnailServer()
    yield server
    server.close()


def test_fetched_once_then_served_from_disk(tmp_path: Path, host: ThumbnailServer) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs", max_mb=1, root=host.root)
    path = cache.get("dQw4w9WgXcQ")
    assert path is not None and path.read_bytes() == JPEG
    assert host.requests == ["/vi/dQw4w9WgXcQ/mqdefault.jpg"]
    assert cache.get("dQw4w9WgXcQ") == path
    assert len(host.requests) == 1
    assert cache.stats.hits == 1 and cache.stats.fetched == 1 and cache.stats.hit_rate == 0.5


def test_offline_shows_what_is_kept_and_nothing_else(tmp_path: Path, host: ThumbnailServer) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs", max_mb=1, root=host.root)
    cache.get("aaaaaaaaaaa")
    host.close()  # the network is gone
    assert cache.get("aaaaaaaaaaa", offline=True) is not None
    assert cache.get("bbbbbbbbbbb", offline=True) is None
    assert cache.get("bbbbbbbbbbb") is None  # refused connection: absent, not an error
    assert cache.stats.failed == 1


def test_a_missing_thumbnail_or_a_bad_id_is_simply_absent(
    tmp_path: Path, host: ThumbnailServer
) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs", max_mb=1, root=host.root)
    assert cache.get("missing0001") is None
    assert cache.get("../../etc/passwd") is None
    assert host.requests == ["/vi/missing0001/mqdefault.jpg"]


def test_the_cap_evicts_the_least_recently_shown_first(
    tmp_path: Path, host: ThumbnailServer
) -> None:
    cap_mb = 3.5 * len(JPEG) / (1024 * 1024)  # room for three
    cache = ThumbnailCache(tmp_path / "thumbs", max_mb=cap_mb, root=host.root)
    ids = [f"video{n:06d}" for n in range(3)]
    for n, vid in enumerate(ids):
        cache.get(vid)
        os.utime(cache.path_for(vid), (time.time() - 100 + n, time.time() - 100 + n))
    cache.get(ids[0])  # shown again: now the most recent
    cache.get("video000003")  # a fourth: the least recently shown (ids[1]) goes
    kept = sorted(p.stem for p in (tmp_path / "thumbs").glob("*.jpg"))
    assert kept == [ids[0], ids[2], "video000003"]
    assert cache.size_bytes() <= cache.max_bytes and cache.stats.evicted == 1


def test_a_zero_cap_turns_the_cache_off(tmp_path: Path, host: ThumbnailServer) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs", max_mb=0, root=host.root)
    assert cache.get("dQw4w9WgXcQ") is None and host.requests == []


def test_fetches_share_one_client_and_a_closed_cache_fetches_again(
    tmp_path: Path, host: ThumbnailServer
) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs", max_mb=1, root=host.root)
    assert cache.get("aaaaaaaaaaa") is not None
    client = cache._http()
    assert cache.get("bbbbbbbbbbb") is not None and cache._http() is client
    cache.close()  # the detail pane went away
    assert cache.get("ccccccccccc") is not None  # a new client, the same behaviour
    assert len(host.requests) == 3 and cache.stats.fetched == 3
    cache.close()


def test_the_directory_is_scanned_only_when_the_cap_may_be_passed(
    tmp_path: Path, host: ThumbnailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under its cap the cache keeps a running total rather than listing every file it
    holds after each fetch (thousands, for someone with 300 subscriptions)."""
    cap_mb = 3.5 * len(JPEG) / (1024 * 1024)  # room for three
    cache = ThumbnailCache(tmp_path / "thumbs", max_mb=cap_mb, root=host.root)
    scans: list[str] = []
    real_scandir = os.scandir

    def counted(path: Path) -> object:
        scans.append(str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counted)
    for n in range(3):
        cache.get(f"video{n:06d}")
    assert len(scans) == 1  # the first fetch learns the size; the next two add to it
    cache.get("video000003")  # past the cap: scanned, and the oldest goes
    assert len(scans) == 2 and cache.stats.evicted == 1
    assert sorted(p.stem for p in (tmp_path / "thumbs").glob("*.jpg")) == [
        "video000001",
        "video000002",
        "video000003",
    ]
