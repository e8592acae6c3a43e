"""The digest screen: what arrived since the last visit, by topic, with the best pick of each.

The digest is built in a thread worker by the feed screen's live recommender (so its
scores and reasons match For you). `s` covers a longer time; Enter closes the screen with
the cursor on the highlighted group's best pick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from momentum_tui.bindings import DIGEST
from momentum_tui.models import format_age, format_duration
from momentum_tui.recommend.digest import Digest, Group
from momentum_tui.recommend.session import LiveRecommender
from momentum_tui.widgets.key_option_list import KeyOptionList
from momentum_tui.worker_errors import ReportsWorkerErrors

DAY = 86400
WEEK = 7 * DAY
BEST_PICK = "▶"
"""Marks a group's best pick (★ is the feed's glyph for saved)."""


@dataclass
class DigestBuilt(Message):
    """The digest for one window arrived."""

    window: int
    digest: Digest


def windows(visit: int | None, now: float) -> list[tuple[str, int]]:
    """The times the digest can start from: the last visit (if any), a day ago, a week ago."""
    choices = [("the last day", int(now - DAY)), ("the last week", int(now - WEEK))]
    if visit is not None and visit < now:
        choices.insert(0, ("your last visit", visit))
    return choices


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def group_prompt(group: Group) -> Text:
    """Three lines for one topic: counts, the best pick, its reasons (each cut to the width)."""
    text = Text(group.topic, style="bold", no_wrap=True, overflow="ellipsis")
    hours, minutes = divmod(group.minutes, 60)
    length = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    text.append(
        f"  {group.count:,} new · {group.unwatched:,} unwatched · {length} · "
        f"{_plural(group.channels, 'channel')}",
        style="dim",
    )
    best = group.best
    text.append(f"\n  {BEST_PICK} ")
    text.append(best.title or best.video_id)
    if best.duration_s:  # before the channel: a long title cuts the channel, not the length
        text.append(f" ({format_duration(best.duration_s)})", style="dim")
    text.append(f" — {best.channel}", style="dim")
    text.append("\n    " + " · ".join(best.reasons), style="dim italic")
    return text


class DigestScreen(ReportsWorkerErrors, Screen[str | None]):
    """The digest; dismisses with the video id of the chosen best pick, or None."""

    BINDINGS = [key.binding() for key in DIGEST]

    DEFAULT_CSS = """
    DigestScreen #digest-title { height: auto; padding: 0 1; background: $panel; }
    DigestScreen OptionList, DigestScreen OptionList:focus {
        height: 1fr; border: none; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, recommender: LiveRecommender, *, visit: int | None, now: float) -> None:
        super().__init__()
        self.recommender = recommender
        self.now = now
        self.choices = windows(visit, now)
        # No visit recorded yet: start with the last week, as `momentum digest` does.
        self.window = 0 if len(self.choices) == 3 else 1
        self.digest: Digest | None = None

    def compose(self) -> ComposeResult:
        """Title, the groups, keys."""
        yield Static(Text("Digest · building…", style="bold"), id="digest-title")
        yield KeyOptionList(id="digest-groups")
        yield Footer()

    def on_mount(self) -> None:
        """Build the first window's digest."""
        self.query_one(OptionList).focus()
        self._build(self.window)

    @work(thread=True, exclusive=True, group="digest", exit_on_error=False)
    def _build(self, window: int) -> None:
        self.post_message(DigestBuilt(window, self.recommender.digest(self.choices[window][1])))

    def on_digest_built(self, message: DigestBuilt) -> None:
        """Show the groups (titles are untrusted: Text, never markup)."""
        if message.window != self.window:
            return
        digest = self.digest = message.digest
        label, since = self.choices[self.window]
        moment = datetime.fromtimestamp(since, UTC).strftime("%a %d %b %H:%M UTC")
        title = Text(f"Since {label}", style="bold")
        title.append(f" ({moment}, {format_age(since, self.now)})", style="dim")
        title.append(
            f" · {_plural(digest.total, 'new video')} from {_plural(digest.channels, 'channel')}"
        )
        title.append("\nj/k: groups · Enter: go to the pick · s: since… · Esc: back", style="dim")
        self.query_one("#digest-title", Static).update(title)
        options = self.query_one(OptionList)
        options.clear_options()
        if not digest.groups:
            options.add_option(
                Option(Text(f"Nothing new since {label}. Press s to cover a longer time."))
            )
            return
        for position, group in enumerate(digest.groups):
            if position:
                options.add_option(None)  # a rule between groups
            options.add_option(Option(group_prompt(group), id=group.best.video_id))
        options.highlighted = 0

    def action_cycle_since(self) -> None:
        """Cover the time since the last visit, the last day or the last week."""
        self.window = (self.window + 1) % len(self.choices)
        self.query_one("#digest-title", Static).update(Text("Digest · building…", style="bold"))
        self._build(self.window)

    def action_jump(self) -> None:
        """Close, with the cursor on the highlighted group's best pick."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id:
            self.dismiss(option.id)

    def action_close(self) -> None:
        """Back to the feed."""
        self.dismiss(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a group goes to its pick."""
        if event.option.id:
            self.dismiss(event.option.id)
