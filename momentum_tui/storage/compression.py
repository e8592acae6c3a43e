"""Compressed files: backups are written with Zstandard; zstd, gzip, xz and plain are read.

Zstandard (level 3) makes a cache about a third of its size in a fraction of a second —
smaller than gzip at its best setting and several times faster (figures in
docs/data.md) — and the `zstd` tool that opens it by hand is packaged everywhere. What
is read is recognised by its first bytes, never by its name, so a backup renamed, or a
cache compressed by hand with gzip or xz, restores all the same.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, BinaryIO, Literal

if TYPE_CHECKING:
    import zstandard

Format = Literal["zstd", "gzip", "xz", "sqlite", "zip", "unknown"]

ZSTD_LEVEL = 3
"""Fast and about 3x smaller on a cache; higher levels cost seconds for a few percent."""

_CHUNK = 1024 * 1024
_MAGIC: list[tuple[bytes, Format]] = [
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"PK\x03\x04", "zip"),
]


def sniff(head: bytes) -> Format:
    """What a file is, from its first 16 bytes."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "unknown"


def file_format(path: Path) -> Format:
    """What the file at `path` is (raises `OSError` when it can't be read)."""
    with path.open("rb") as handle:
        return sniff(handle.read(16))


def _zstd() -> type[zstandard.ZstdCompressor]:
    import zstandard  # only backups and restores pay for it

    return zstandard.ZstdCompressor


def compress_into(source: Path, target: BinaryIO, level: int = ZSTD_LEVEL) -> None:
    """Stream `source` into `target` as one Zstandard frame (with a checksum)."""
    compressor = _zstd()(level=level, write_checksum=True)
    with source.open("rb") as handle:
        compressor.copy_stream(handle, target, read_size=_CHUNK, write_size=_CHUNK)


class DamagedStreamError(Exception):
    """The compressed data is truncated or corrupt."""


def decompress_into(source: Path, kind: Format, target: BinaryIO) -> None:
    """Write `source`'s content, uncompressed, to `target` (`DamagedStreamError` if broken)."""
    import gzip
    import lzma
    import zlib

    if kind == "zstd":
        import zstandard

        try:
            _unzstd(zstandard, source, target)
        except zstandard.ZstdError as error:
            raise DamagedStreamError(str(error)) from error
        return
    try:
        if kind == "gzip":
            with gzip.open(source, "rb") as stream:
                shutil.copyfileobj(stream, target, _CHUNK)
        elif kind == "xz":
            with lzma.open(source, "rb") as stream:
                shutil.copyfileobj(stream, target, _CHUNK)
        else:
            with source.open("rb") as handle:
                shutil.copyfileobj(handle, target, _CHUNK)
    except (EOFError, gzip.BadGzipFile, lzma.LZMAError, zlib.error) as error:
        raise DamagedStreamError(str(error)) from error


def _unzstd(zstd: ModuleType, source: Path, target: BinaryIO) -> None:
    """Decompress every frame; a file that ends inside a frame is damaged (truncated)."""
    frame = zstd.ZstdDecompressor().decompressobj()
    in_frame = False  # has the current frame taken any input yet?
    with source.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            while chunk:
                target.write(frame.decompress(chunk))
                in_frame = True
                if not frame.eof:
                    break
                chunk = frame.unused_data  # another frame follows (`zstd` can write several)
                frame = zstd.ZstdDecompressor().decompressobj()
                in_frame = False
    if in_frame and not frame.eof:
        raise DamagedStreamError("the file ends in the middle of its compressed data")
