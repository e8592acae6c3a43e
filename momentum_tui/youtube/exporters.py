"""Write the followed channels out so nobody is locked in: OPML, NewPipe JSON, Takeout CSV.

The files name channels by their canonical youtube.com URLs — that is the exchange
format other apps read; it is data, not a place Momentum connects to. Each export
imports whole in the program it is for: a channel with no title is named by its id
(NewPipe drops nameless entries; Momentum's importer reads an id-as-name as no title),
and OPML keeps channel groups as folders. NewPipe's JSON and Takeout's CSV have no
place for groups.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from momentum_tui.errors import MomentumError

FORMATS = ("opml", "newpipe", "csv")
"""Export formats, as `momentum export --format` names them."""

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all (e.g. the noncharacters U+FFFE, U+FFFF)."""
_CHANNEL_URL = "https://www.youtube.com/channel/{id}"
_FEED_URL = "https://www.youtube.com/feeds/videos.xml?channel_id={id}"


@dataclass(frozen=True)
class ExportedChannel:
    """A channel as exports write it."""

    id: str
    title: str
    groups: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The title, or the id when there is none: NewPipe drops entries with no name."""
        return self.title or self.id


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return _XML_ILLEGAL.sub("", text)


def _feed_outline(channel: ExportedChannel) -> str:
    label = quoteattr(xml_text(channel.title) or channel.id)
    feed = quoteattr(_FEED_URL.format(id=channel.id))
    return f'<outline text={label} title={label} type="rss" xmlUrl={feed} />'


def to_opml(channels: Sequence[ExportedChannel]) -> str:
    """YouTube's `subscription_manager` OPML 1.1 shape (FreeTube and feed readers read it).

    Groups become folders (nested outlines) inside the top "YouTube Subscriptions" one,
    as feed readers, newsboat and Momentum's own importer read them; a channel in two
    groups is in both folders, and one in none sits directly in the top folder.
    """
    folders: dict[str, list[ExportedChannel]] = {}
    for channel in channels:
        for group in channel.groups:
            folders.setdefault(group, []).append(channel)
    parts = []
    for group in sorted(folders):
        label = quoteattr(xml_text(group))
        inner = "".join(_feed_outline(c) for c in folders[group])
        parts.append(f"<outline text={label} title={label}>{inner}</outline>")
    parts += [_feed_outline(c) for c in channels if not c.groups]
    body = "".join(parts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="1.1">\n'
        "<head><title>Momentum subscriptions</title></head>\n<body>"
        '<outline text="YouTube Subscriptions" title="YouTube Subscriptions">'
        f"{body}</outline></body>\n</opml>\n"
    )


def to_newpipe(channels: Sequence[ExportedChannel]) -> str:
    """NewPipe's subscriptions export (`service_id` 0 = YouTube)."""
    body = {
        "app_version": "0.27.6",
        "app_version_int": 1006,
        "subscriptions": [
            {"service_id": 0, "url": _CHANNEL_URL.format(id=c.id), "name": c.name} for c in channels
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def to_takeout_csv(channels: Sequence[ExportedChannel]) -> str:
    """Google Takeout's `subscriptions.csv`: id, URL, title, with the English header."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Channel Id", "Channel Url", "Channel Title"])
    for c in channels:
        # Never an empty last field: NewPipe reads this CSV with Java's split, which drops
        # a trailing empty field, and then drops the whole entry.
        writer.writerow([c.id, _CHANNEL_URL.format(id=c.id), c.name])
    return out.getvalue()


def export(channels: Sequence[ExportedChannel], fmt: str) -> str:
    """The text of an export in `fmt` (one of `FORMATS`)."""
    writers = {"opml": to_opml, "newpipe": to_newpipe, "csv": to_takeout_csv}
    return writers[fmt](channels)


def write_file(path: Path, text: str) -> None:
    """Write an export beside its target and rename it in place: never half a file."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".momentum-")
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise MomentumError(
            f"Could not write {path} ({error.strerror or error}).", "Choose another path."
        ) from None
