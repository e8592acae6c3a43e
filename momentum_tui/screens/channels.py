"""The channels screen: the channels you follow; add, remove, group, import and export.

Every change runs in a thread worker (adding a channel calls YouTube once); a failure
becomes the app's error notification. One prompt line at the bottom serves every action
that needs words typed in; Esc closes it, and Esc again goes back to the feed. `s`
narrows the list to clean-up suggestions (dormant, drifted, unwatched), each with why;
x then unfollows the highlighted one as usual.
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
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from momentum_tui.bindings import CHANNELS
from momentum_tui.config import Settings
from momentum_tui.models import format_age_short
from momentum_tui.storage import Store
from momentum_tui.storage.channels import normalise_tag, tag_channel
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
    "import": "Path of a subscriptions file (Takeout CSV, OPML, NewPipe JSON, FreeTube .db)",
    "export": "Export to a path ending .opml, .json (NewPipe) or .csv (Takeout)",
}


@dataclass
class ChannelsListed(Message):
    """The channel list was read."""

    rows: list[follow.ChannelListing]


@dataclass
class SuggestionsFound(Message):
    """Clean-up suggestions were worked out."""

    suggestions: list[Suggestion]


@dataclass
class ChannelsChanged(Message):
    """Something changed; say it and reload."""

    sentence: str


def export_format(path: Path) -> str:
    """The export format a path asks for (OPML unless the extension says otherwise)."""
    return EXPORT_FORMATS.get(path.suffix.casefold(), "opml")


class ChannelsScreen(ReportsWorkerErrors, Screen[bool]):
    """Manage followed channels. Dismisses with True when anything changed."""

    BINDINGS = [key.binding() for key in CHANNELS]

    DEFAULT_CSS = """
    ChannelsScreen #channels-title { height: 1; padding: 0 1; background: $panel; }
    ChannelsScreen DataTable { height: 1fr; }
    ChannelsScreen #channel-input { display: none; }
    ChannelsScreen #channel-input.-visible { display: block; }
    """

    def __init__(self, store: Store, settings: Settings, *, now: float | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self._fixed_now = now
        self.mode = ""
        self.changed = False
        self.rows: list[follow.ChannelListing] = []
        """The channels in the table, in its order."""
        self.listed: list[follow.ChannelListing] = []
        self.suggestions: dict[str, Suggestion] | None = None
        """Channel id → clean-up suggestion while only suggestions are shown."""

    @property
    def now(self) -> float:
        """Current time (fixed in tests)."""
        return self._fixed_now if self._fixed_now is not None else time.time()

    def compose(self) -> ComposeResult:
        """Title, the table, the prompt, keys."""
        yield Static(id="channels-title")
        yield DataTable(id="channel-table", cursor_type="row", zebra_stripes=True)
        yield Input(id="channel-input")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then the rows."""
        self.query_one(DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="channels-screen", exit_on_error=False)
    def load(self) -> None:
        """Read the followed channels."""
        with self.store.read() as conn:
            rows = follow.list_channels(conn)
        self.post_message(ChannelsListed(rows))

    def on_channels_listed(self, message: ChannelsListed) -> None:
        """Keep the list and show it."""
        self.listed = message.rows
        self._fill()

    def _fill(self) -> None:
        """Fill the table (titles are untrusted: Text, never markup)."""
        if self.suggestions is not None:
            self._fill_suggestions(self.suggestions)
            return
        table = self.query_one(DataTable)
        keep = self.current
        self.rows = self.listed
        table.clear(columns=True)
        table.add_columns("Channel", "Handle", "Groups", "Videos", "Synced", "State")
        for row in self.rows:
            synced = (
                format_age_short(row.last_synced_at, self.now) if row.last_synced_at else "never"
            )
            state = Text(row.status, style="bold red" if row.status == "failed" else "")
            table.add_row(
                Text(row.title or row.id),
                Text(row.handle),
                Text(", ".join(row.tags)),
                Text(f"{row.videos:,}", justify="right"),
                Text(synced),
                state,
                key=row.id,
            )
        self._keep_cursor(keep)
        failed = sum(1 for r in self.rows if r.status == "failed")
        title = Text(f"{len(self.rows):,} channels followed", style="bold")
        if failed:
            title.append(f" · {failed} failed last sync", style="red")
        title.append(
            "  ·  a add · x remove · t groups · i import · e export · s clean-up · Esc back",
            style="dim",
        )
        self.query_one("#channels-title", Static).update(title)

    def _keep_cursor(self, keep: follow.ChannelListing | None) -> None:
        if keep is not None:
            for index, row in enumerate(self.rows):
                if row.id == keep.id:
                    self.query_one(DataTable).move_cursor(row=index)

    def _fill_suggestions(self, suggestions: dict[str, Suggestion]) -> None:
        table = self.query_one(DataTable)
        keep = self.current
        self.rows = [row for row in self.listed if row.id in suggestions]
        order = list(suggestions)
        self.rows.sort(key=lambda row: order.index(row.id))
        table.clear(columns=True)
        table.add_columns("Channel", "Kind", "Why", "Videos")
        for row in self.rows:
            found = suggestions[row.id]
            table.add_row(
                Text(row.title or row.id),
                Text(found.kind, style="bold"),
                Text(found.reason),
                Text(f"{row.videos:,}", justify="right"),
                key=row.id,
            )
        self._keep_cursor(keep)
        if not self.rows:
            days = self.settings.recommend.cleanup_days
            title = Text("No clean-up suggestions", style="bold")
            title.append(
                f": every channel still uploads, and none followed for {days} days goes unwatched"
            )
            title.append("  ·  s shows every channel", style="dim")
            self.query_one("#channels-title", Static).update(title)
            return
        title = Text(f"{len(self.rows):,} clean-up suggestions", style="bold")
        title.append(" (nothing is unfollowed)")
        title.append("  ·  x unfollows the highlighted one · s shows every channel", style="dim")
        self.query_one("#channels-title", Static).update(title)

    def action_cleanup(self) -> None:
        """Show only channels worth reconsidering, or every channel again."""
        if self.suggestions is not None:
            self.suggestions = None
            self._fill()
            return
        self.query_one("#channels-title", Static).update(
            Text("Looking for channels you might unfollow…", style="bold")
        )
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
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

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
        self.query_one(DataTable).focus()

    def action_add(self) -> None:
        """Follow a channel."""
        self._ask("add")

    def action_tag(self) -> None:
        """Set the highlighted channel's groups."""
        row = self.current
        if row is None:
            self.notify("No channel is highlighted.", severity="warning", timeout=2)
            return
        self._ask("tag", " ".join(row.tags))

    def action_import(self) -> None:
        """Import a subscriptions file."""
        self._ask("import")

    def action_export(self) -> None:
        """Export the followed channels."""
        self._ask("export", str(Path.home() / "momentum-subscriptions.opml"))

    def action_remove(self) -> None:
        """Stop following the highlighted channel."""
        row = self.current
        if row is None:
            self.notify("No channel is highlighted.", severity="warning", timeout=2)
            return
        self._remove(row.id)

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
        self.post_message(ChannelsChanged(f"{verb} {name}. R syncs its videos."))

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _remove(self, channel_id: str) -> None:
        _, title = follow.remove_channel(self.store, channel_id)
        self.post_message(
            ChannelsChanged(
                f"Stopped following {title}; its videos and your marks are kept (a adds it back)."
            )
        )

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
        self.post_message(ChannelsChanged(report.sentence().replace("`momentum sync`", "R")))

    @work(thread=True, group="channels-change", exit_on_error=False)
    def _export(self, path: Path) -> None:
        from momentum_tui.youtube.exporters import export, write_file

        fmt = export_format(path)
        with self.store.read() as conn:
            rows = follow.exportable(conn)
        write_file(path, export(rows, fmt))
        self.post_message(ChannelsChanged(f"Exported {len(rows)} channels to {path} ({fmt})."))

    def on_channels_changed(self, message: ChannelsChanged) -> None:
        """Say what happened and show the new list."""
        self.changed = True
        self.notify(message.sentence, timeout=5)
        self.load()
