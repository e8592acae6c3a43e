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

Anything else, or a malformed entry, is one `ImportFormatError` naming the line or field.
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
MAX_BYTES = 50 * 1024 * 1024
"""Larger files are refused (the biggest real subscription lists are well under 1 MB)."""
_TOP_FOLDERS = {"youtube subscriptions", "subscriptions", "youtube"}


@dataclass(frozen=True)
class ImportedChannel:
    """One followed channel read from a file."""

    id: str
    title: str = ""
    tags: tuple[str, ...] = ()


@dataclass
class ImportedList:
    """What a file holds."""

    format: str
    channels: list[ImportedChannel] = field(default_factory=list)
    skipped: int = 0
    """Entries that are not YouTube channels (other services, other feeds)."""

    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def add(self, channel_id: str, title: str, tags: tuple[str, ...] = ()) -> None:
        """Add a channel; repeats merge (first non-empty title wins, tags add up)."""
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
        parts = urlsplit(text if "://" in text else "https://" + text)
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
        "Nothing was imported. Fix that entry (or export the list again) and re-run the import.",
    )


# --- format readers -------------------------------------------------------------------


def _read_csv(text: str, name: str) -> ImportedList:
    result = ImportedList("takeout-csv")
    reader = csv.reader(io.StringIO(text, newline=""))
    header_seen = False
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
                    raise _fail(
                        f"{name}, line {line}",
                        "this is not a subscriptions CSV "
                        "(expected columns: channel id, channel URL, channel title).",
                    )
                continue
            header_seen = True
            channel_id = channel_id_in(raw_id) or (
                channel_id_in(cells[1]) if len(cells) > 1 else None
            )
            if channel_id is None:
                raise _fail(
                    f"{name}, line {line}", f"{raw_id[:40]!r} is not a channel id ({_ID_HELP})."
                )
            title = cells[2] if len(cells) > 2 else ""
            result.add(channel_id, title)
    except csv.Error as error:
        raise _fail(f"{name}, line {reader.line_num}", f"the CSV is malformed ({error}).") from None
    if not result.channels:
        raise _fail(name, "no channels found (expected rows of channel id, URL, title).")
    return result


def _outline_tags(path: list[str]) -> tuple[str, ...]:
    return tuple(p for p in path if p and p.casefold() not in _TOP_FOLDERS)


def _read_opml(text: str, name: str) -> ImportedList:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise _fail(f"{name}, line {line}", f"not valid XML (column {column}).") from None
    except (DefusedXmlException, ValueError) as error:
        raise _fail(name, f"the XML was refused ({type(error).__name__}).") from None
    if root.tag.lower() != "opml":
        raise _fail(name, f"an XML file, but not OPML (its root is <{root.tag[:30]}>).")
    body = root.find("body")
    if body is None:
        raise _fail(name, "an OPML file with no <body>.")
    result = ImportedList("opml")

    def walk(element: Element, path: list[str], trail: str) -> None:
        for index, outline in enumerate(element.findall("outline")):
            where = f"{trail}/outline[{index + 1}]"
            label = outline.get("title") or outline.get("text") or ""
            url = outline.get("xmlUrl") or outline.get("xmlurl") or outline.get("htmlUrl") or ""
            if url:
                channel_id = channel_id_in(url)
                if channel_id is None:
                    if "youtube.com" in url and "channel_id" in url:
                        raise _fail(
                            f"{name}, {where} xmlUrl",
                            f"{url[:80]!r} has no valid channel id ({_ID_HELP}).",
                        )
                    result.skipped += 1  # another site's feed
                else:
                    result.add(channel_id, label, _outline_tags(path))
            walk(outline, [*path, label] if not url else path, where)

    walk(body, [], "body")
    if not result.channels:
        raise _fail(name, "an OPML file with no YouTube channel feeds in it.")
    return result


def _read_newpipe(data: dict[str, Any], name: str) -> ImportedList:
    subscriptions = data.get("subscriptions")
    if not isinstance(subscriptions, list):
        raise _fail(
            f"{name}, field subscriptions", "missing or not a list (is this a NewPipe export?)."
        )
    result = ImportedList("newpipe")
    for index, entry in enumerate(subscriptions):
        where = f"{name}, subscriptions[{index}]"
        if not isinstance(entry, dict):
            raise _fail(where, "not an object.")
        if entry.get("service_id", 0) != 0:
            result.skipped += 1  # SoundCloud, PeerTube, media.ccc.de, Bandcamp
            continue
        url = entry.get("url")
        channel_id = channel_id_in(url) if isinstance(url, str) else None
        if channel_id is None:
            raise _fail(
                f"{where}.url",
                f"{str(url)[:80]!r} is not a YouTube channel URL "
                "(https://www.youtube.com/channel/UC…).",
            )
        title = entry.get("name")
        result.add(channel_id, title if isinstance(title, str) else "")
    return result


def _read_takeout_json(data: list[Any], name: str) -> ImportedList:
    result = ImportedList("takeout-json")
    for index, entry in enumerate(data):
        where = f"{name}, [{index}].snippet.resourceId.channelId"
        snippet = entry.get("snippet") if isinstance(entry, dict) else None
        resource = snippet.get("resourceId") if isinstance(snippet, dict) else None
        channel_id = resource.get("channelId") if isinstance(resource, dict) else None
        if not isinstance(channel_id, str) or not CHANNEL_ID.match(channel_id):
            raise _fail(where, f"missing or not a channel id ({_ID_HELP}).")
        assert isinstance(snippet, dict)
        title = snippet.get("title")
        result.add(channel_id, title if isinstance(title, str) else "")
    if not result.channels:
        raise _fail(name, "a JSON list with no subscriptions in it.")
    return result


def _read_nedb(text: str, name: str) -> ImportedList:
    profiles: dict[str, dict[str, Any]] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except ValueError as error:
            raise _fail(f"{name}, line {line_number}", f"not JSON ({error}).") from None
        if not isinstance(document, dict):
            raise _fail(f"{name}, line {line_number}", "not a JSON object.")
        if "$$indexCreated" in document:
            continue
        doc_id = document.get("_id")
        if not isinstance(doc_id, str):
            raise _fail(
                f"{name}, line {line_number}, field _id",
                "missing (is this a FreeTube profiles.db?).",
            )
        if document.get("$$deleted"):
            profiles.pop(doc_id, None)
            continue
        subscriptions = document.get("subscriptions")
        if not isinstance(subscriptions, list):
            raise _fail(
                f"{name}, line {line_number}, field subscriptions", "missing or not a list."
            )
        for index, sub in enumerate(subscriptions):
            sub_id = sub.get("id") if isinstance(sub, dict) else None
            if not isinstance(sub_id, str) or not CHANNEL_ID.match(sub_id):
                raise _fail(
                    f"{name}, line {line_number}, subscriptions[{index}].id",
                    f"{str(sub_id)[:40]!r} is not a channel id ({_ID_HELP}).",
                )
        document["_line"] = line_number
        profiles[doc_id] = document  # NeDB appends: the last line for an _id is the live one
    result = ImportedList("freetube")
    for doc_id, profile in profiles.items():
        label = profile.get("name") if isinstance(profile.get("name"), str) else ""
        is_all = doc_id == "allChannels" or str(label).casefold() == "all channels"
        tags = () if is_all or not label else (str(label),)
        for sub in profile["subscriptions"]:
            title = sub.get("name")
            result.add(sub["id"], title if isinstance(title, str) else "", tags)
    if not result.channels:
        raise _fail(name, "a FreeTube profiles file with no subscriptions in it.")
    return result


# --- entry points ---------------------------------------------------------------------


def parse_subscriptions(data: bytes, name: str = "the file") -> ImportedList:
    """Recognise and read a subscriptions file; raise `ImportFormatError` naming the fault."""
    if len(data) > MAX_BYTES:
        raise _fail(name, f"too large ({len(data) // 1_000_000} MB) for a subscription list.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(name, f"not UTF-8 text (a bad byte at offset {error.start}).") from None
    if "\x00" in text:
        raise _fail(name, "a binary file, not a subscription list.")
    stripped = text.strip()
    if not stripped:
        raise _fail(name, "the file is empty.")
    if stripped.startswith("<"):
        return _read_opml(stripped, name)
    if stripped[0] in "[{":
        try:
            whole = json.loads(stripped)
        except ValueError:
            whole = None
        if isinstance(whole, dict) and "subscriptions" in whole and "_id" not in whole:
            return _read_newpipe(whole, name)
        if isinstance(whole, list):
            return _read_takeout_json(whole, name)
        if stripped[0] == "{":
            return _read_nedb(text, name)
        raise _fail(f"{name}, line 1", "JSON, but not a subscription list this version knows.")
    return _read_csv(text, name)


def read_subscriptions(path: Path) -> ImportedList:
    """Read the subscriptions file at `path` (any supported format)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _fail(path.name, "too large for a subscription list.")
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
    return parse_subscriptions(data, path.name)
