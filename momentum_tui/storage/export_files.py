"""The export document as files: JSON (plain, or compressed by its name), or a zip of CSVs.

The CSV form is one zip archive holding `document.json` (the format, version, time and
settings) and one `<section>.csv` per section, with a header row of the field names.
Empty cells are nulls; `true`/`false` are booleans; nested values (a rule's spec, a
mark's previous state, tags, cached labels) are JSON in their cell. Spreadsheets open
the CSVs; `import-data` reads the archive back into the same document.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import types
import typing
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from pydantic import BaseModel, ValidationError

from momentum_tui.errors import DataFileError
from momentum_tui.storage import compression
from momentum_tui.storage.export import READERS, header, write_json
from momentum_tui.storage.export_model import FORMAT, SECTIONS, VERSION, ExportDocument
from momentum_tui.storage.files import atomic_output

CSV_HEADER_FILE = "document.json"


@contextmanager
def compressed_by_name(path: Path, out: BinaryIO) -> Iterator[BinaryIO]:
    """`out`, compressed when `path` ends in `.zst` or `.gz` (`export-data f.json.zst`)."""
    if path.suffix == ".zst":
        import zstandard

        with zstandard.ZstdCompressor(level=compression.ZSTD_LEVEL).stream_writer(
            out, closefd=False
        ) as writer:
            yield writer
    elif path.suffix == ".gz":
        import gzip

        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as writer:
            yield writer  # type: ignore[misc]
    else:
        yield out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_csv_zip(
    conn: sqlite3.Connection, settings: dict[str, Any], now: float, out: BinaryIO
) -> dict[str, int]:
    """Write the document as a zip of CSVs to `out` (one read transaction); counts."""
    counts: dict[str, int] = {}
    stamp = datetime.fromtimestamp(int(now), UTC).timetuple()[:6]
    conn.execute("BEGIN")
    try:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            first = zipfile.ZipInfo(CSV_HEADER_FILE, date_time=stamp)
            text = json.dumps(header(settings, now), ensure_ascii=False, indent=2) + "\n"
            archive.writestr(first, text, compress_type=zipfile.ZIP_DEFLATED)
            for section, read in READERS.items():
                columns = list(SECTIONS[section].model_fields)
                info = zipfile.ZipInfo(f"{section}.csv", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                with (
                    archive.open(info, "w") as raw,
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle,
                ):
                    writer = csv.writer(handle)
                    writer.writerow(columns)
                    count = 0
                    for row in read(conn):
                        writer.writerow([_cell(row[c]) for c in columns])
                        count += 1
                counts[section] = count
    finally:
        conn.rollback()
    return counts


def export_to_stream(
    conn: sqlite3.Connection, settings: dict[str, Any], now: float, kind: str
) -> dict[str, int]:
    """Write the document (`json` or `csv`) to standard output; counts per section."""
    import sys

    if kind == "csv":
        counts = write_csv_zip(conn, settings, now, sys.stdout.buffer)
    else:
        counts = write_json(conn, settings, now, sys.stdout)
    sys.stdout.flush()
    return counts


def export_to_file(
    conn: sqlite3.Connection, settings: dict[str, Any], now: float, kind: str, path: Path
) -> dict[str, int]:
    """Write the document to `path` atomically (compressed by its name); counts."""
    with atomic_output(path) as raw:
        if kind == "csv":
            return write_csv_zip(conn, settings, now, raw)
        with compressed_by_name(path, raw) as out:
            text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
            counts = write_json(conn, settings, now, text)
            text.flush()
            text.detach()  # leave `out` to its own context
            return counts


def _json_cell(annotation: Any) -> bool:
    """Whether a field's CSV cell holds JSON (lists, objects, nested records)."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    for part in typing.get_args(annotation) if union else (annotation,):
        origin = typing.get_origin(part) or part
        if origin in (list, dict) or (isinstance(origin, type) and issubclass(origin, BaseModel)):
            return True
    return False


def _literal_ints(annotation: Any) -> bool:
    """`Literal[-1, 0, 1]` (ratings): CSV gives text, and pydantic won't read "1" as 1 there."""
    return typing.get_origin(annotation) is typing.Literal and all(
        isinstance(value, int) for value in typing.get_args(annotation)
    )


def _nullable(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def _from_cells(record_type: type[BaseModel], row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, cell in row.items():
        field = record_type.model_fields.get(name)
        if field is None:
            values[name] = cell  # an unknown column: validation names it
        elif cell == "":
            if _nullable(field.annotation):
                values[name] = None
            elif field.annotation is str or "str" in str(field.annotation):
                values[name] = ""
        elif _json_cell(field.annotation):
            values[name] = json.loads(cell)
        elif cell in ("true", "false") and field.annotation is bool:
            values[name] = cell == "true"
        elif _literal_ints(field.annotation):
            values[name] = int(cell) if cell.lstrip("-").isdigit() else cell
        else:
            values[name] = cell
    return values


def _read_csv_zip(source: IO[bytes], name: str) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(source) as archive:
            members = set(archive.namelist())
            if CSV_HEADER_FILE not in members:
                raise DataFileError(
                    f"{name} is a zip archive but not a Momentum export (no {CSV_HEADER_FILE}).",
                    "Give a file made by `momentum export-data`.",
                )
            document: dict[str, Any] = json.loads(archive.read(CSV_HEADER_FILE))
            for section, record_type in SECTIONS.items():
                if f"{section}.csv" not in members:
                    continue
                with archive.open(f"{section}.csv") as raw:
                    rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
                    document[section] = [_from_cells(record_type, row) for row in rows]
    except (zipfile.BadZipFile, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(name, str(error)) from error
    return document


def _damaged(name: str, why: str) -> DataFileError:
    return DataFileError(f"{name} is damaged ({why}); nothing was imported.",
                         "Export it again from the machine it came from.")  # fmt: skip


def read_export(path: Path) -> ExportDocument:
    """Read and validate an export (JSON, compressed JSON, or the CSV zip)."""
    name = str(path)
    try:
        kind = compression.file_format(path)
        raw = io.BytesIO()
        if kind in ("zstd", "gzip", "xz"):
            compression.decompress_into(path, kind, raw)
        else:
            raw.write(path.read_bytes())
    except IsADirectoryError:
        raise DataFileError(f"{name} is a directory, not an export file.") from None
    except FileNotFoundError:
        raise DataFileError(f"There is no file {name}.", "Check the name and try again.") from None
    except compression.DamagedStreamError as error:
        raise _damaged(name, "its compressed data is cut short or corrupt") from error
    except OSError as error:
        raise DataFileError(f"{name} can't be read ({error.strerror or error}).") from error
    raw.seek(0)
    if compression.sniff(raw.getvalue()[:16]) == "zip":
        data = _read_csv_zip(raw, name)
    else:
        try:
            data = json.loads(raw.getvalue().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            if raw.getvalue().lstrip()[:1] != b"{":
                raise _not_export(name) from None
            raise _damaged(name, f"not valid JSON: {error}") from error
    return _validate(data, name)


def _not_export(name: str) -> DataFileError:
    return DataFileError(
        f"{name} is not a Momentum export; nothing was imported.",
        "Give a file made by `momentum export-data` (JSON or the CSV zip).",
    )


def _validate(data: object, name: str) -> ExportDocument:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _not_export(name)
    version = data.get("version")
    if isinstance(version, int) and version > VERSION:
        raise DataFileError(
            f"{name} comes from a newer Momentum (export version {version}; this one reads "
            f"up to {VERSION}); nothing was imported.",
            "Upgrade Momentum (`pip install -U momentum-tui`) to import it.",
        )
    try:
        return ExportDocument.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        raise DataFileError(
            f"{name} is not a valid Momentum export: {where.lstrip('.')}: "
            f"{first['msg'].lower()}; nothing was imported.",
            "Fix that entry (or export it again), then import again.",
        ) from None
