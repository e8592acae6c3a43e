"""The channels screen: the channels you follow; add, remove, group, import and export.

The list is a `LineTable`, which draws only the rows on screen, so 2,407 channels open
and refill at once; the unwatched counts follow the list in the same worker. Every change
runs in a thread worker (adding a channel calls YouTube once); a failure becomes the
app's error notification. One prompt line at the bottom serves every action that needs
words typed in; Esc closes it, and Esc again goes back to the feed. `s` narrows the list
to clean-up suggestions (dormant, drifted, unwatched), each with why; x then unfollows the
highlighted one as usual. The demo never talks to YouTube: it can't follow or import.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from momentum_tui import words
from momentum_tui.bindings import CHANNELS
from momentum_tui.cells import fit
from momentum_tui.config import Settings
from momentum_tui.models import format_age_short
from momentum_tui.storage import Store
from momentum_tui.storage.channels import normalise_tag, tag_channel, unwatched_by_channel
from momentum_tui.widgets.key_footer import KeyFooter
from momentum_tui.widgets.line_table import Column, LineTable
from momentum_tui.worker_errors import ReportsWorkerErrors
from momentum_tui.youtube import channels as follow

if TYPE_CHECKING:
    from momentum_tui.recommend.cleanup import Suggestion

log = logging.getLogger(__name__)

EXPORT_FORMATS = {".opml": "opml", ".xml": "opml", ".json": "newpipe", ".csv": "csv"}
"""Export format by file extension."""

_PROMPTS = {
    "add": "Channel URL, @handle or UC… id  ·  Enter: follow  ·  Esc: cancel",
    "tag": "Groups, separated by spaces (-name removes one)  ·  Enter: save",
    "import": "Subscriptions file (Takeout CSV, OPML, NewPipe JSON, FreeTube .db)",
    "export": "Export to a path ending .opml, .json (NewPipe) or .csv (Takeout)",
}

EVERY_CHANNEL = [
    Column("Channel", weight=3, minimum=16),
    Column("Handle", weight=1, minimum=14),
    Column("Groups", weight=2, minimum=10),
    Column("Unwatched", 9, right=True),
    Column("Videos", 6, right=True),
    Column("Synced", 6),
    Column("State", 6),
]
"""At 80 columns: the name, groups, unwatched, videos, synced and state (the handle from 100)."""
SUGGESTED = [
    Column("Channel", weight=2, minimum=16),
    Column("Kind", 9),
    Column("Why", weight=3, minimum=20),
    Column("Videos", 6, right=True),
]

DEMO_CANT_FOLLOW = (
    "The demo never talks to YouTube, so it follows only its bundled channels. Run "
    "`momentum` on your own cache to follow or import channels."
)


@dataclass
class ChannelsListed(Message):
    """The channel list was read."""

    rows: list[follow.ChannelListing]


@dataclass
class UnwatchedCounted(Message):
    """Each followed channel's unwatched videos (read after the list)."""

    counts: dict[str, int]


@dataclass
class SuggestionsFound(Message):
    """Clean-up suggestions were worked out."""

    suggestions: list[Suggestion]


@dataclass
class ChannelsChanged(Message):
    """Something was done; say it and show the list again."""

    sentence: str
    counts: bool = False
    """The unwatched counts may have moved (channels came in)."""
    changed: bool = True
    """The cache changed (an export changes nothing)."""


def export_format(path: Path) -> str:
    """The export format a path asks for (OPML unless the extension says otherwise)."""
    return EXPORT_FORMATS.get(path.suffix.casefold(), "opml")


class ChannelsScreen(ReportsWorkerErrors, Screen[bool]):
    """Manage followed channels. Dismisses with True when anything changed."""

    BINDINGS = [key.binding() for key in CHANNELS]

    DEFAULT_CSS = """
    ChannelsScreen #channels-title { height: 1; padding: 0 1; background: $panel; }
    ChannelsScreen LineTable { height: 1fr; }
    ChannelsScreen #channel-input { display: none; }
    ChannelsScreen #channel-input.-visible { display: block; }
    """

    def __init__(
        self, store: Store, settings: Settings, *, demo: bool = False, now: float | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.demo = demo
        self._fixed_now = now
        self.mode = ""
        self.changed = False
        self.rows: list[follow.ChannelListing] = []
        """The channels in the table, in its order."""
        self.listed: list[follow.ChannelListing] = []
        self.notifying: set[str] = set()
        """Channels whose new uploads are announced (N switches)."""
        self.unwatched: dict[str, int] | None = None
        """Followed channel id → its unwatched videos, once counted."""
        self.suggestions: dict[str, Suggestion] | None = None
        """Channel id → clean-up suggestion while only suggestions are shown."""
        self._title: tuple[Text, str] = (Text("Reading your channels…", style="bold"), "")

    @property
    def now(self) -> float:
        """Current time (fixed in tests)."""
        return self._fixed_now if self._fixed_now is not None else time.time()

    @property
    def table(self) -> LineTable:
        """The channel table."""
        return self.query_one(LineTable)

    def compose(self) -> ComposeResult:
        """Title, the table, the prompt, keys; the rows are read meanwhile."""
        # Reading starts before the widgets are mounted: SQLite runs without the GIL, so
        # on a second core the rows are ready about when the first frame is.
        self.load()
        yield Static(id="channels-title")
        yield LineTable(id="channel-table")
        yield Input(id="channel-input")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Focus the table and say what is being read."""
        self.table.focus()
        self._show_title()

    def on_resize(self, event: Resize) -> None:
        """Fit the title line to the width."""
        self._show_title()

    @work(thread=True, exclusive=True, group="channels-screen", exit_on_error=False)
    def load(self, *, counts: bool = True) -> None:
        """Read the followed channels, then (unless only the list changed) the unwatched counts."""
        from momentum_tui.notify.queries import notifying_channels

        with self.store.read() as conn:
            self.notifying = {channel_id for channel_id, _ in notifying_channels(conn)}
            rows = follow.list_channels(conn)
            self.post_message(ChannelsListed(rows))
            if counts:  # a GROUP BY over every video: not after a group or a removal
                found = unwatched_by_channel(conn)
                self.post_message(UnwatchedCounted({r.id: found.get(r.id, 0) for r in rows}))

    def on_channels_listed(self, message: ChannelsListed) -> None:
        """Keep the list and show it."""
        self.listed = message.rows
        self._fill()

    def on_unwatched_counted(self, message: UnwatchedCounted) -> None:
        """Show the unwatched counts."""
        self.unwatched = message.counts
        self._fill()

    def _say(self, title: Text, hints: str = "") -> None:
        self._title = (title, hints)
        self._show_title()

    def _show_title(self) -> None:
        """The title, with its key hints when they fit (the footer lists the keys anyway)."""
        title, hints = self._title
        room = max(10, self.size.width - 2)
        line = title.copy()
        if hints and line.cell_len + 2 + len(hints) <= room:
            line.append("  " + hints, style="dim")
        self.query_one("#channels-title", Static).update(fit(line, room))

    def _fill(self) -> None:
        """Fill the table (titles are untrusted: Text, never markup)."""
        if self.suggestions is not None:
            self._fill_suggestions(self.suggestions)
            return
        keep = self.current, self.table.cursor
        self.rows = self.listed
        self.table.show(EVERY_CHANNEL, len(self.rows), self._cells, self._cursor_for(*keep),
                        "No channels followed yet: a follows one, i imports a list.")  # fmt: skip
        failed = sum(1 for r in self.rows if r.status == "failed")
        title = Text(f"{words.plural(len(self.rows), 'channel')} followed", style="bold")
        if failed:
            title.append(f" · {failed} failed last sync", style="red")
        self._say(
            title, "· a add · x remove · t groups · N notify · i import · e export · s clean-up"
        )

    def _cells(self, index: int) -> list[Text]:
        row = self.rows[index]
        never = row.status == "never"  # the state and the age come from the same sync
        synced = "never" if never or not row.last_synced_at else format_age_short(
            row.last_synced_at, self.now)  # fmt: skip
        unwatched = None if self.unwatched is None else self.unwatched.get(row.id, 0)
        name = Text(row.title or row.id)
        if row.id in self.notifying:
            name.append(" 🔔", style="yellow")  # N: its new uploads are announced
        return [
            name,
            Text(row.handle, style="dim"),
            Text(", ".join(row.tags), style="cyan"),
            Text("…" if unwatched is None else f"{unwatched:,}"),
            Text(f"{row.videos:,}", style="dim"),
            Text(synced, style="dim"),
            Text(row.status, style="bold red" if row.status == "failed" else ""),
        ]

    def _cursor_for(self, keep: follow.ChannelListing | None, index: int) -> int:
        """The kept channel's new row, or (it was removed) the row that took its place."""
        if keep is not None:
            for position, row in enumerate(self.rows):
                if row.id == keep.id:
                    return position
        return index

    def _fill_suggestions(self, suggestions: dict[str, Suggestion]) -> None:
        keep = self.current, self.table.cursor
        order = {channel_id: position for position, channel_id in enumerate(suggestions)}
        self.rows = sorted(
            (r for r in self.listed if r.id in suggestions), key=lambda r: order[r.id]
        )

        def cells(index: int) -> list[Text]:
            row = self.rows[index]
            found = suggestions[row.id]
            return [Text(row.title or row.id), Text(found.kind, style="bold"),
                    Text(found.reason), Text(f"{row.videos:,}", style="dim")]  # fmt: skip

        self.table.show(SUGGESTED, len(self.rows), cells, self._cursor_for(*keep))
        if not self.rows:
            title = Text("No clean-up suggestions", style="bold")
            title.append(": every channel still uploads and gets watched")
            self._say(title, "· s shows every channel")
            return
        title = Text(words.plural(len(self.rows), "clean-up suggestion"), style="bold")
        title.append(" (nothing is unfollowed)")
        self._say(title, "· x unfollows the highlighted one · s shows every channel")

    def action_cleanup(self) -> None:
        """Show only channels worth reconsidering, or every channel again."""
        if self.suggestions is not None:
            self.suggestions = None
            self._fill()
            return
        self._say(Text("Looking for channels you might unfollow…", style="bold"))
        self._find_suggestions()

    @work(thread=True, exclusive=True, group="channels-cleanup", exit_on_error=False)
    def _find_suggestions(self) -> None:
        from momentum_tui.recommend.cleanup import suggestions
        from momentum_tui.recommend.ranker import Ranker

        with self.store.read() as conn:
            found = suggestions(Ranker.load(conn, self.settings.recommend, self.now))
        self.post_message(SuggestionsFound(found))

    def on_suggestions_found(self, message: SuggestionsFound) -> None:
        """Show the suggestions (most telling kinds first: dormant, drifted, unwatched)."""
        self.suggestions = {found.channel_id: found for found in message.suggestions}
        self._fill()

    @property
    def current(self) -> follow.ChannelListing | None:
        """The highlighted channel."""
        cursor = self.table.cursor
        return self.rows[cursor] if 0 <= cursor < len(self.rows) else None

    # --- the prompt -----------------------------------------------------------------

    def _ask(self, mode: str, value: str = "") -> None:
        prompt = self.query_one("#channel-input", Input)
        self.mode = mode
        prompt.placeholder = _PROMPTS[mode]
        prompt.value = value
        prompt.add_class("-visible")
        prompt.focus()

    def _close_prompt(self) -> None:
        prompt = self.query_one("#channel-input", Input)
        prompt.remove_class("-visible")
        prompt.value = ""
        self.mode = ""
        self.table.focus()

    def action_add(self) -> None:
        """Follow a channel."""
        if self.demo:
            self.notify(DEMO_CANT_FOLLOW, severity="warning", timeout=8)
            return
        self._ask("add")

    def action_tag(self) -> None:
        """Set the highlighted channel's groups."""
        row = self.current
        if row is None:
            self.notify(words.NO_CHANNEL, severity="warning", timeout=2)
            return
        self._ask("tag", " ".join(row.tags))

    def action_import(self) -> None:
        """Import a subscriptions file."""
        if self.demo:
            self.notify(DEMO_CANT_FOLLOW, severity="warning", timeout=8)
            return
        self._ask("import")

    def action_export(self) -> None:
        """Export the followed channels."""
        self._ask("export", str(Path.home() / "momentum-subscriptions.opml"))

    def action_remove(self) -> None:
        """Stop following the highlighted channel."""
        row = self.current
        if row is None:
            self.notify(words.NO_CHANNEL, severity="warning", timeout=2)
            return
        self._remove(row.id)

    def action_switch_notify(self) -> None:
        """Announce the highlighted channel's new uploads after each sync, or stop."""
        row = self.current
        if row is None:
            self.notify(words.NO_CHANNEL, severity="warning", timeout=2)
            return
        self._notify_switched(row.id, row.title or row.id, row.id not in self.notifying)

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _notify_switched(self, channel_id: str, title: str, on: bool) -> None:
        import time

        from momentum_tui.notify.queries import set_channel_notify

        set_channel_notify(self.store, channel_id, on, int(time.time()))
        said = (f"New uploads of {title} will be announced after each sync." if on
                else f"No more announcements for {title}.")  # fmt: skip
        self.post_message(ChannelsChanged(said, changed=False))

    def action_close(self) -> None:
        """Close the prompt, or go back to the feed."""
        if self.mode:
            self._close_prompt()
        else:
            self.dismiss(self.changed)

    @on(Input.Submitted, "#channel-input")
    def _submitted(self, event: Input.Submitted) -> None:
        value, mode = event.value.strip(), self.mode
        self._close_prompt()
        if not value and mode != "tag":
            return
        if mode == "add":
            self._add(value)
        elif mode == "import":
            self._import(Path(value).expanduser())
        elif mode == "export":
            self._export(Path(value).expanduser())
        elif mode == "tag" and self.current is not None:
            self._tag(self.current.id, self.current.tags, value)

    # --- the work (threads) -----------------------------------------------------------

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _add(self, text: str) -> None:
        channel, new = follow.follow_ref(self.store, self.settings.youtube, text)
        verb = "Now following" if new else "Already following"
        name = channel.title or channel.id
        self.post_message(ChannelsChanged(f"{verb} {name}. R syncs its videos.", counts=True))

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _remove(self, channel_id: str) -> None:
        _, title = follow.remove_channel(self.store, channel_id)
        back = words.DEMO_RESET if self.demo else "a adds it back"
        kept = "its videos and your marks are kept"
        self.post_message(ChannelsChanged(f"Stopped following {title}; {kept} ({back})."))

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _tag(self, channel_id: str, before: tuple[str, ...], text: str) -> None:
        # The prompt holds the full set of groups (pre-filled); only "-name" words means
        # "remove just these".
        words = text.split()
        removed = {normalise_tag(w[1:]) for w in words if w.startswith("-")}
        wanted = [t for t in (normalise_tag(w) for w in words if not w.startswith("-")) if t]
        if wanted:
            dropped = [t for t in before if t not in wanted] + sorted(removed)
        else:
            dropped = sorted(removed)
            wanted = [t for t in before if t not in removed]
        with self.store.transaction():  # both or neither: a kill between loses nothing
            if dropped:
                tag_channel(self.store, channel_id, dropped, remove=True)
            if wanted:
                tag_channel(self.store, channel_id, wanted)
        groups = ", ".join(wanted) or "no groups"
        self.post_message(ChannelsChanged(f"Groups saved: {groups}."))

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _import(self, path: Path) -> None:
        from momentum_tui.youtube.importers import read_subscriptions

        report = follow.import_channels(self.store, read_subscriptions(path))
        sentence = report.sentence().replace("`momentum sync`", "R")
        self.post_message(ChannelsChanged(sentence, counts=True))

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _export(self, path: Path) -> None:
        from momentum_tui.youtube.exporters import export, write_file

        fmt = export_format(path)
        with self.store.read() as conn:
            rows = follow.exportable(conn)
        write_file(path, export(rows, fmt))
        exported = f"Exported {len(rows)} channels to {path} ({fmt})."
        self.post_message(ChannelsChanged(exported, changed=False))

    def on_channels_changed(self, message: ChannelsChanged) -> None:
        """Say what happened and show the new list."""
        self.changed = self.changed or message.changed
        self.notify(message.sentence, timeout=5)
        self.load(counts=message.counts)
