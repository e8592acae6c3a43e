"""Following channels: add by URL / @handle / id, remove, list, import and export.

Adding costs one `channels.list` call with a key. Without one, a `UC…` id is followed at
once (its title from its feed) and an @handle or /user/ name is resolved from the
channel's public page (`youtube/pages.py`): no quota either way. Removing keeps the
channel's videos and your marks (it only stops following; `purge` forgets them too).
Importing the same file twice changes nothing, and a channel you removed stays removed
when an old export that still lists it is imported again (add it back with
`momentum channels add`).
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from momentum_tui.errors import ImportFormatError, NotFoundError
from momentum_tui.records import Channel
from momentum_tui.storage import Store
from momentum_tui.storage import channels as channel_store
from momentum_tui.storage.channels import ChannelListing as ChannelListing
from momentum_tui.storage.channels import list_channels as list_channels
from momentum_tui.storage.channels import normalise_tag
from momentum_tui.storage.videos import upsert_channels
from momentum_tui.youtube.errors import ChannelNotFoundError
from momentum_tui.youtube.exporters import ExportedChannel
from momentum_tui.youtube.importers import CHANNEL_ID, ImportedList, InvalidEntry
from momentum_tui.youtube.queries import save_channel_details

if TYPE_CHECKING:  # the Google client costs ~0.2 s to import: only syncs and adds need it
    from momentum_tui.config import YouTubeSettings
    from momentum_tui.youtube.api import YouTubeClient

_HANDLE = re.compile(r"^@[\w.\-·]{3,100}$", re.UNICODE)
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_REF_HINT = "Give a channel URL, an @handle or a UC… channel id."


@dataclass(frozen=True)
class ChannelRef:
    """How a person named a channel: `id`, `handle` or `username` (legacy /user/ URLs)."""

    kind: str
    value: str


def parse_channel_ref(text: str) -> ChannelRef:
    """Read `UC…`, `@handle`, or a youtube.com channel URL; raise `NotFoundError` otherwise."""
    value = text.strip()
    if CHANNEL_ID.match(value):
        return ChannelRef("id", value)
    if _HANDLE.match(value):
        return ChannelRef("handle", value)
    candidate = value if "://" in value else f"https://{value}"
    try:
        parts = urlsplit(candidate)
    except ValueError:  # an unbalanced [ or ] in the host: no URL at all
        raise _not_a_channel(value) from None
    host = (parts.hostname or "").casefold()
    if host in _YOUTUBE_HOSTS:
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if segments and segments[0].startswith("@") and _HANDLE.match(segments[0]):
            return ChannelRef("handle", segments[0])
        if len(segments) >= 2 and segments[0] == "channel" and CHANNEL_ID.match(segments[1]):
            return ChannelRef("id", segments[1])
        if len(segments) >= 2 and segments[0] == "user":
            return ChannelRef("username", segments[1])
        if segments and segments[0] in ("watch", "shorts", "live", "playlist"):
            raise NotFoundError(
                f"{value[:80]} is a video or playlist link, not a channel.", _REF_HINT
            )
        if len(segments) >= 2 and segments[0] == "c":
            raise NotFoundError(
                f"Old /c/ channel URLs can't be looked up without YouTube's 100-unit search "
                f"({value[:80]}).",
                "Open the channel in a browser and use its @handle or /channel/UC… URL instead.",
            )
    if host == "youtu.be":
        raise NotFoundError(f"{value[:80]} is a video link, not a channel.", _REF_HINT)
    raise _not_a_channel(value)


def _not_a_channel(value: str) -> NotFoundError:
    return NotFoundError(f"{value[:80]!r} is not a channel URL, @handle or channel id.", _REF_HINT)


def resolve(client: YouTubeClient, ref: ChannelRef) -> Channel:
    """Look a channel up with one `channels.list` call."""
    if ref.kind == "id":
        found = client.channels([ref.value])
        channel = found[0] if found else None
    elif ref.kind == "handle":
        channel = client.channel_by_handle(ref.value)
    else:
        channel = client.channel_by_username(ref.value)
    if channel is None:
        raise ChannelNotFoundError(
            f"YouTube has no channel {ref.value}.", "Check the spelling, or copy the URL again."
        )
    return channel


def follow(
    store: Store, channel: Channel, source: str, now: int | None = None, *, details: bool = True
) -> bool:
    """Follow a resolved channel (again, if it was removed); True when it was not followed.

    `details`: the channel came from `channels.list`, so a sync need not ask again. A
    channel named without a key has no avatar or uploads playlist yet: the first sync
    with a key asks for them.
    """
    now = int(time.time()) if now is None else now
    with store.write() as db:
        was_followed = channel_store.is_followed(db.conn, channel.id)
        if details:
            save_channel_details(db, [channel], now, source)  # details fresh: sync won't re-ask
        else:
            upsert_channels(db, [channel], source=source, now=now)
        channel_store.set_followed(db, channel.id, True)
    return not was_followed


def add_channel(store: Store, client: YouTubeClient, text: str) -> tuple[Channel, bool]:
    """Resolve `text` (URL, @handle, id) and follow it; returns it and whether it is new."""
    channel = resolve(client, parse_channel_ref(text))
    return channel, follow(store, channel, "added")


def resolve_without_key(settings: YouTubeSettings, ref: ChannelRef) -> Channel:
    """Look a channel up for free: an id through its feed, a handle or name through its page."""
    from momentum_tui.youtube.errors import FeedNotFoundError, FeedUnavailableError
    from momentum_tui.youtube.pages import read_channel_page
    from momentum_tui.youtube.rss import FeedReader

    channel_id, title = ref.value, ""
    if ref.kind != "id":
        page = read_channel_page(settings, ref.kind, ref.value)
        channel_id, title = page.channel_id, page.title
    if not title:
        reader = FeedReader(settings)
        try:
            title = reader.fetch(channel_id).title
        except FeedNotFoundError:
            raise ChannelNotFoundError(
                f"YouTube has no channel {channel_id} (its feed answers 404).",
                "Check the id, or copy the channel's URL again.",
            ) from None
        except FeedUnavailableError:
            title = ""  # followed anyway: the first sync brings the title
        finally:
            reader.close()
    handle = ref.value if ref.kind == "handle" else ""
    return Channel(id=channel_id, title=title, handle=handle)


def follow_ref(
    store: Store, settings: YouTubeSettings, text: str, api_key: str | None = None
) -> tuple[Channel, bool]:
    """Follow the channel `text` names: through the API with a key, for free without one."""
    from momentum_tui import secrets

    ref = parse_channel_ref(text)
    key = api_key or secrets.get_secret("youtube")
    if key:
        from momentum_tui.youtube.api import YouTubeClient
        from momentum_tui.youtube.quota import QuotaLedger

        client = YouTubeClient(settings, QuotaLedger.for_settings(store, settings), api_key=key)
        channel = resolve(client, ref)
        return channel, follow(store, channel, "added")
    channel = resolve_without_key(settings, ref)
    return channel, follow(store, channel, "added", details=False)


def find_cached(conn: sqlite3.Connection, text: str) -> tuple[str, str]:
    """A cached channel by id, @handle or exact title (any case): (id, title)."""
    value = text.strip()
    rows = channel_store.channels_named(conn, value)
    if not rows and "/" in value:
        try:
            ref = parse_channel_ref(value)
        except NotFoundError:
            ref = None
        if ref is not None and ref.kind in ("id", "handle"):
            return find_cached(conn, ref.value)
    if not rows:
        raise NotFoundError(
            f"No channel {value!r} is in the cache.", "See `momentum channels list`."
        )
    if len(rows) > 1:
        raise NotFoundError(
            f"{len(rows)} channels match {value!r}.",
            "Use the channel id from `momentum channels list`.",
        )
    return str(rows[0][0]), str(rows[0][1])


def remove_channel(store: Store, text: str, *, purge: bool = False) -> tuple[str, str]:
    """Stop following a channel (keeping its videos and marks, unless `purge`)."""
    with store.write() as db:
        channel_id, title = find_cached(db.conn, text)
        if purge:
            channel_store.forget_channel(db, channel_id)
        else:
            channel_store.set_followed(db, channel_id, False)
    return channel_id, title


@dataclass
class ImportReport:
    """What an import did."""

    format: str
    added: int = 0
    already: int = 0
    kept_removed: int = 0
    tagged: int = 0
    skipped: int = 0
    invalid: list[InvalidEntry] = field(default_factory=list)
    """Entries left out because they could not be read (where, why)."""

    def sentence(self) -> str:
        """`Imported 12 new channels from a Takeout CSV list (3 already followed).`"""
        listed = f"{_article(self.format)} {_FORMAT_NAMES.get(self.format, self.format)} list"
        if not (self.added or self.already or self.kept_removed or self.invalid):
            others = f" ({self.skipped} non-YouTube entries skipped)" if self.skipped else ""
            return f"0 channels in {listed}, nothing to do{others}."
        parts = [f"Imported {self.added} new channel{'s' if self.added != 1 else ''} from {listed}"]
        extra: list[str] = []
        if self.already:
            extra.append(f"{self.already} already followed")
        if self.kept_removed:
            extra.append(
                f"{self.kept_removed} you had removed left out — "
                "`momentum channels add` brings one back"
            )
        if self.tagged:
            extra.append(f"{self.tagged} group tags added")
        if self.skipped:
            extra.append(f"{self.skipped} non-YouTube entries skipped")
        text = parts[0] + (f" ({'; '.join(extra)})" if extra else "")
        if self.invalid:
            first = self.invalid[0].sentence()
            more = f"; and {len(self.invalid) - 1} more" if len(self.invalid) > 1 else ""
            text += f"; skipped {len(self.invalid)} that could not be read: {first}{more}"
        text += "."
        return text + (" Run `momentum sync` to fetch their videos." if self.added else "")


_FORMAT_NAMES = {
    "takeout-csv": "Takeout CSV",
    "takeout-json": "Takeout JSON",
    "opml": "OPML",
    "newpipe": "NewPipe",
    "freetube": "FreeTube",
    "account": "YouTube account",
}


def _article(fmt: str) -> str:
    """`an` before a name said with a vowel first (OPML), `a` otherwise."""
    return "an" if _FORMAT_NAMES.get(fmt, fmt)[:1] in "AEIOU" else "a"


def import_channels(store: Store, imported: ImportedList, now: int | None = None) -> ImportReport:
    """Follow the channels of an imported list; one transaction, idempotent.

    Raises `ImportFormatError` when the list had entries but none could be read.
    """
    now = int(time.time()) if now is None else now
    if imported.invalid and not imported.channels:
        first, others = imported.invalid[0].sentence(), len(imported.invalid) - 1
        more = f" (and {others} more like it)" if others else ""
        raise ImportFormatError(
            f"Nothing could be imported from {imported.name}: {first}{more}.",
            "Each entry must name a channel by its UC… id or /channel/ URL; export the list "
            "again, or add channels with `momentum channels add`.",
        )
    report = ImportReport(imported.format, skipped=imported.skipped, invalid=imported.invalid)
    with store.write() as db:
        known = channel_store.follow_states(db.conn)
        fresh = [c for c in imported.channels if c.id not in known]
        upsert_channels(
            db, (Channel(id=c.id, title=c.title) for c in fresh), source=imported.format, now=now
        )
        # Existing channels keep their (synced, newer) titles; only a missing one is filled.
        channel_store.fill_missing_titles(
            db,
            [
                (c.id, Channel(id=c.id, title=c.title).title)
                for c in imported.channels
                if c.id in known and c.title
            ],
        )
        report.added = len(fresh)
        report.already = sum(1 for c in imported.channels if known.get(c.id) is True)
        report.kept_removed = sum(1 for c in imported.channels if known.get(c.id) is False)
        tags = [(c.id, t) for c in imported.channels for t in map(normalise_tag, c.tags) if t]
        report.tagged = channel_store.add_tags(db, tags)
    return report


def import_account(store: Store, client: YouTubeClient) -> ImportReport:
    """Follow the signed-in account's subscriptions (`subscriptions.list mine=true`)."""
    imported = ImportedList("account")
    for channel in client.my_subscriptions():
        imported.add(channel.id, channel.title)
    return import_channels(store, imported)


def exportable(conn: sqlite3.Connection) -> list[ExportedChannel]:
    """Followed channels for an export, by title, with their groups."""
    return [
        ExportedChannel(channel_id, title, groups)
        for channel_id, title, groups in channel_store.followed_with_groups(conn)
    ]
