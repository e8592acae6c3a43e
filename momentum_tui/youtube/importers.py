"""Read subscription lists from other places: Takeout, OPML, NewPipe, FreeTube.

The format is recognised from the content, not the file name:

* Google Takeout `subscriptions.csv` (and FreeTube's "YouTube (.csv)" export): a header
  row in the account's language, then id, URL, title — read by column *order*, never by
  header name; a BOM, quoted titles and blank lines are fine.
* OPML: YouTube's old `subscription_manager` export and FreeTube's; folders other than the
  top "YouTube Subscriptions" one become channel tags. Parsed with defusedxml.
* NewPipe's JSON export (`service_id` 0 is YouTube; other services are skipped).
* FreeTube's NeDB `profiles.db`: one JSON object per line, a later line with the same
  `_id` replaces an earlier one, `$$deleted` removes it; every profile other than
  "All Channels" becomes a channel tag.
* The old Takeout `subscriptions.json` (FreeTube's "YouTube (.json)" export).

One bad entry never costs the rest: every valid entry is read, and each one that isn't
is kept in `ImportedList.invalid` with where it is and why (`outline 66: 'UCabc' is not
a channel id`). `strict=True` keeps all-or-nothing: the first bad entry is an
`ImportFormatError`. A file that isn't a subscription list at all (a picture, random
bytes, some other JSON or XML) is always one `ImportFormatError` that names the formats
Momentum reads. A name that is just the channel id (what exports write for a channel
with no title) is read as no title.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from momentum_tui.errors import ImportFormatError

CHANNEL_ID = re.compile(r"^UC[0-9A-Za-z_-]{22}$")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z_-])(UC[0-9A-Za-z_-]{22})(?![0-9A-Za-z_-])")
_ID_HELP = "a channel id is UC followed by 22 letters, digits, - or _"
KNOWN_FORMATS = (
    "Google Takeout subscriptions.csv or .json, OPML (YouTube, FreeTube, feed readers), "
    "NewPipe's JSON export and FreeTube's profiles.db"
)
"""The formats Momentum reads, for the sentence about a file that is none of them."""
MAX_BYTES = 50 * 1024 * 1024
"""Larger files are refused (the biggest real subscription lists are well under 1 MB)."""
_TOP_FOLDERS = {"youtube subscriptions", "subscriptions", "youtube"}


@dataclass(frozen=True)
class ImportedChannel:
    """One followed channel read from a file."""

    id: str
    title: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvalidEntry:
    """An entry that could not be read: where it is in the file, and why."""

    where: str
    why: str

    def sentence(self) -> str:
        """`outline 66: 'UCabc' is not a channel id`."""
        return f"{self.where}: {self.why}"


@dataclass
class ImportedList:
    """What a file holds."""

    format: str
    channels: list[ImportedChannel] = field(default_factory=list)
    skipped: int = 0
    """Entries that are not YouTube channels (other services, other feeds)."""
    invalid: list[InvalidEntry] = field(default_factory=list)
    """Entries that should have been channels but could not be read (left out)."""
    name: str = "the file"
    strict: bool = False

    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def reject(self, where: str, why: str) -> None:
        """Leave a bad entry out (or, when strict, refuse the whole file)."""
        if self.strict:
            raise _fail(f"{self.name}, {where}", why)
        self.invalid.append(InvalidEntry(where, why.rstrip(".")))

    def add(self, channel_id: str, title: str, tags: tuple[str, ...] = ()) -> None:
        """Add a channel; repeats merge (first non-empty title wins, tags add up)."""
        if title.strip() == channel_id:
            title = ""  # an export's stand-in for "no title", not a title
        index = self._index.get(channel_id)
        if index is None:
            self._index[channel_id] = len(self.channels)
            self.channels.append(ImportedChannel(channel_id, title, tags))
            return
        existing = self.channels[index]
        merged = tuple(dict.fromkeys(existing.tags + tags))
        self.channels[index] = ImportedChannel(channel_id, existing.title or title, merged)


def channel_id_in(text: str) -> str | None:
    """The channel id in a bare id, a `/channel/UC…` URL or a feed URL; None when absent."""
    text = text.strip()
    if CHANNEL_ID.match(text):
        return text
    if "://" in text or text.startswith(("www.", "youtube.com")):
        try:  # (the id is in the query or the path, never in the host)
            parts = urlsplit(text)
        except ValueError:  # an unbalanced [ or ] in the host: no URL that names a channel
            return None
        query_id = parse_qs(parts.query).get("channel_id", [""])[0]
        if CHANNEL_ID.match(query_id):
            return query_id
        match = re.search(r"/channel/(UC[0-9A-Za-z_-]{22})(?:[/?#]|$)", parts.path + "/")
        if match:
            return match.group(1)
    return None


def _fail(where: str, problem: str) -> ImportFormatError:
    return ImportFormatError(
        f"{where}: {problem}",
        "Nothing was imported (--strict). Fix that entry (or export the list again) and "
        "re-run the import, or import without --strict to skip it.",
    )


def _unknown(name: str, why: str) -> ImportFormatError:
    return ImportFormatError(
        f"{name} isn't a subscriptions file Momentum knows ({why}).",
        f"Nothing was imported. Momentum reads {KNOWN_FORMATS}.",
    )


def _bad_id(value: object) -> str:
    """Why `value` is not a channel id, in words."""
    if value is None or value == "":
        return "there is no channel id"
    return f"{str(value)[:40]!r} is not a channel id ({_ID_HELP})"


# --- format readers -------------------------------------------------------------------


def _read_csv(text: str, result: ImportedList) -> ImportedList:
    result.format = "takeout-csv"
    reader = csv.reader(io.StringIO(text, newline=""))
    header_seen = False
    names_channels = False
    try:
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue  # Takeout files end with blank lines
            raw_id = cells[0]
            if not header_seen and not CHANNEL_ID.match(raw_id):
                header_seen = True  # the first row names the columns, in any language
                if len(cells) < 2:
                    raise _unknown(
                        result.name,
                        "not a subscriptions CSV: its first line has no columns of "
                        "channel id, URL, title",
                    )
                continue
            header_seen = True
            names_channels = (
                names_channels
                or raw_id.startswith("UC")
                or "youtube.com/" in (cells[1] if len(cells) > 1 else "")
            )
            channel_id = channel_id_in(raw_id) or (
                channel_id_in(cells[1]) if len(cells) > 1 else None
            )
            if channel_id is None:
                result.reject(f"line {line}", _bad_id(raw_id) + ".")
                continue
            title = cells[2] if len(cells) > 2 else ""
            result.add(channel_id, title)
    except csv.Error as error:
        raise _unknown(
            result.name, f"not a CSV that can be read: line {reader.line_num}, {error}"
        ) from None
    if result.invalid and not result.channels and not names_channels:
        # Nothing like a channel id or URL anywhere: some other text, not a broken list.
        raise _unknown(result.name, "not a subscriptions CSV: it names no channel anywhere")
    return result


def _outline_tags(path: list[str]) -> tuple[str, ...]:
    return tuple(p for p in path if p and p.casefold() not in _TOP_FOLDERS)


def _read_opml(text: str, result: ImportedList) -> ImportedList:
    name = result.name
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        line, column = error.position
        raise ImportFormatError(
            f"{name}, line {line}: not valid XML (column {column}).",
            "Nothing was imported. Export the list again; a feed reader's OPML export is "
            "read as it is.",
        ) from None
    except (DefusedXmlException, ValueError) as error:
        raise ImportFormatError(
            f"{name}: the XML was refused ({type(error).__name__}: entities and external "
            "references are never expanded).",
            "Nothing was imported.",
        ) from None
    if root.tag.lower() != "opml":
        raise _unknown(name, f"an XML file, but not OPML: its root is <{root.tag[:30]}>")
    body = root.find("body")
    if body is None:
        raise _unknown(name, "an OPML file with no <body>")
    result.format = "opml"
    feeds = 0

    def walk(element: Element, path: list[str]) -> None:
        nonlocal feeds
        for outline in element.findall("outline"):
            label = outline.get("title") or outline.get("text") or ""
            url = outline.get("xmlUrl") or outline.get("xmlurl") or outline.get("htmlUrl") or ""
            if url:
                feeds += 1
                channel_id = channel_id_in(url)
                if channel_id is not None:
                    result.add(channel_id, label, _outline_tags(path))
                elif "youtube.com" in url and "channel_id" in url:
                    where = f"outline {feeds}" + (f" ({label[:40]!r})" if label else "")
                    query_id = parse_qs(urlsplit(url).query).get("channel_id", [""])[0]
                    result.reject(where, _bad_id(query_id) + ".")
                else:
                    result.skipped += 1  # another site's feed
            walk(outline, [*path, label] if not url else path)

    walk(body, [])
    return result


def _read_newpipe(data: dict[str, Any], result: ImportedList) -> ImportedList:
    subscriptions = data.get("subscriptions")
    if not isinstance(subscriptions, list):
        raise _unknown(result.name, 'JSON with a "subscriptions" field that is not a list')
    result.format = "newpipe"
    for index, entry in enumerate(subscriptions):
        where = f"subscriptions[{index}]"
        if not isinstance(entry, dict):
            result.reject(where, "not an object.")
            continue
        if entry.get("service_id", 0) != 0:
            result.skipped += 1  # SoundCloud, PeerTube, media.ccc.de, Bandcamp
            continue
        url = entry.get("url")
        channel_id = channel_id_in(url) if isinstance(url, str) else None
        if channel_id is None:
            result.reject(
                f"{where}.url",
                f"{str(url)[:80]!r} is not a YouTube channel URL "
                "(https://www.youtube.com/channel/UC…).",
            )
            continue
        title = entry.get("name")
        result.add(channel_id, title if isinstance(title, str) else "")
    return result


def _read_takeout_json(data: list[Any], result: ImportedList) -> ImportedList:
    result.format = "takeout-json"
    if data and not any(isinstance(entry, dict) and "snippet" in entry for entry in data):
        raise _unknown(result.name, "a JSON list, but not of subscriptions")
    for index, entry in enumerate(data):
        where = f"[{index}].snippet.resourceId.channelId"
        snippet = entry.get("snippet") if isinstance(entry, dict) else None
        resource = snippet.get("resourceId") if isinstance(snippet, dict) else None
        channel_id = resource.get("channelId") if isinstance(resource, dict) else None
        if not isinstance(channel_id, str) or not CHANNEL_ID.match(channel_id):
            result.reject(where, _bad_id(channel_id) + ".")
            continue
        assert isinstance(snippet, dict)
        title = snippet.get("title")
        result.add(channel_id, title if isinstance(title, str) else "")
    return result


def _read_nedb(text: str, result: ImportedList) -> ImportedList:
    profiles: dict[str, dict[str, Any]] = {}
    any_document = False  # (until a line with an _id: whether this is NeDB at all)
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {line_number}"
        try:
            document = json.loads(line)
        except ValueError as error:
            if not any_document and line_number == 1:
                raise _unknown(result.name, "JSON, but not a list this version knows") from None
            result.reject(where, f"not JSON ({error}).")
            continue
        if not isinstance(document, dict):
            result.reject(where, "not a JSON object.")
            continue
        if "$$indexCreated" in document:
            continue
        doc_id = document.get("_id")
        if not isinstance(doc_id, str):
            if not any_document:
                raise _unknown(result.name, "JSON, but not a FreeTube profiles.db: no _id")
            result.reject(f"{where}, field _id", "missing.")
            continue
        any_document = True
        if document.get("$$deleted"):
            profiles.pop(doc_id, None)
            continue
        subscriptions = document.get("subscriptions")
        if not isinstance(subscriptions, list):
            result.reject(f"{where}, field subscriptions", "missing or not a list.")
            continue
        document["_line"] = line_number
        profiles[doc_id] = document  # NeDB appends: the last line for an _id is the live one
    result.format = "freetube"
    for doc_id, profile in profiles.items():
        label = profile.get("name") if isinstance(profile.get("name"), str) else ""
        is_all = doc_id == "allChannels" or str(label).casefold() == "all channels"
        tags = () if is_all or not label else (str(label),)
        for index, sub in enumerate(profile["subscriptions"]):
            sub_id = sub.get("id") if isinstance(sub, dict) else None
            if not isinstance(sub_id, str) or not CHANNEL_ID.match(sub_id):
                # FreeTube writes entries without an id for feeds it doesn't recognise.
                result.reject(
                    f"line {profile['_line']}, subscriptions[{index}].id", _bad_id(sub_id) + "."
                )
                continue
            title = sub.get("name")
            result.add(sub_id, title if isinstance(title, str) else "", tags)
    return result


# --- entry points ---------------------------------------------------------------------


def parse_subscriptions(
    data: bytes, name: str = "the file", *, strict: bool = False
) -> ImportedList:
    """Recognise and read a subscriptions file, leaving bad entries out (`strict`: refusing).

    Raises `ImportFormatError` for a file that is no subscription list at all.
    """
    if len(data) > MAX_BYTES:
        raise _unknown(name, f"{len(data) // 1_000_000} MB is too large for a subscription list")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _unknown(name, f"not UTF-8 text: a bad byte at offset {error.start}") from None
    if "\x00" in text:
        raise _unknown(name, "a binary file")
    stripped = text.strip()
    if not stripped:
        raise _unknown(name, "the file is empty")
    result = ImportedList("", name=name, strict=strict)
    if stripped.startswith("<"):
        return _read_opml(stripped, result)
    if stripped[0] in "[{":
        try:
            whole = json.loads(stripped)
        except ValueError:
            whole = None
        if isinstance(whole, dict) and "subscriptions" in whole and "_id" not in whole:
            return _read_newpipe(whole, result)
        if isinstance(whole, list):
            return _read_takeout_json(whole, result)
        if stripped[0] == "{":
            return _read_nedb(text, result)
        raise _unknown(name, "JSON, but not a subscription list this version knows")
    return _read_csv(text, result)


def read_subscriptions(path: Path, *, strict: bool = False) -> ImportedList:
    """Read the subscriptions file at `path` (any supported format)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _unknown(path.name, "too large for a subscription list")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFormatError(
            f"There is no file {path}.", "Check the path and try again."
        ) from None
    except IsADirectoryError:
        raise ImportFormatError(
            f"{path} is a directory, not a file.", "Name the file itself."
        ) from None
    except OSError as error:
        raise ImportFormatError(
            f"{path} can't be read ({error.strerror or error}).", "Check its permissions."
        ) from None
    return parse_subscriptions(data, path.name, strict=strict)
