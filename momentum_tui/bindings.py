"""Every key binding in one place: ids, default keys, descriptions, help text, groups.

Screens and widgets build their `BINDINGS` from here, the help screen and the command
palette list them from here, and the config file's `[keymap]` section is checked
against these ids, so a typo gets a clear sentence instead of silently doing nothing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from textual.binding import Binding

from momentum_tui.errors import KeymapError


@dataclass(frozen=True)
class Key:
    """One remappable binding: what it does and how people find it."""

    id: str
    keys: str
    action: str
    description: str
    help: str
    show: bool = False
    priority: bool = False

    @property
    def group(self) -> str:
        """The part of the id before the dot: nav, video, filter, view, app."""
        return self.id.split(".", 1)[0]

    def binding(self) -> Binding:
        """The Textual `Binding` for this key."""
        return Binding(
            self.keys,
            self.action,
            self.description,
            show=self.show,
            tooltip=self.help,
            id=self.id,
            priority=self.priority,
        )


GROUP_TITLES = {
    "nav": "Move (lists, panels)",
    "list": "Channel list",
    "video": "The highlighted video",
    "filter": "Filter and sort",
    "view": "View",
    "ai": "Labels and rules",
    "app": "App",
    "sync": "Sync",
    "channels": "Channels screen",
    "digest": "Digest screen",
    "why": "Why panel",
    "help": "Help screen",
    "rules": "Rules screen",
    "filters": "Filter panel",
    "smart": "Smart-feed picker",
    "queue": "Watch-later queue",
    "trends": "Trends screen",
}

NAVIGATION = [
    Key("nav.down", "j,down", "cursor_down", "Down", "Next video, channel or group."),
    Key("nav.up", "k,up", "cursor_up", "Up", "Previous video, channel or group."),
    Key("nav.top", "g,home", "cursor_top", "Top", "The first one (or the top)."),
    Key("nav.bottom", "G,end", "cursor_bottom", "Bottom", "The last one (or the end)."),
    Key("nav.half_down", "ctrl+d", "half_page_down", "Half page down", "Half a page down."),
    Key("nav.half_up", "ctrl+u", "half_page_up", "Half page up", "Half a page up."),
    Key("nav.page_down", "pagedown", "page_down", "Page down", "A page down."),
    Key("nav.page_up", "pageup", "page_up", "Page up", "A page up."),
]  # fmt: skip
"""The same moving keys in every list (feed, channel list, channels, digest, rules) and
every panel that scrolls (why, help): each of them has these actions."""

SELECT = [
    Key("list.select", "enter,space", "select", "Show",
        "Show the highlighted channel's (or group's) videos in the feed."),
]  # fmt: skip

VIDEO = [
    Key("video.open", "o,enter", "open_video", "Open", "Open the video in your browser."),
    Key(
        "video.watched", "w", "toggle_watched", "Watched", "Mark watched, or unwatched again.", True
    ),
    Key("video.hide", "x", "toggle_hidden", "Hide", "Hide it from the feed (u undoes).", True),
    Key("video.like", "l", "toggle_like", "Like", "Like it (more like this), or clear it.", True),
    Key("video.dislike", "d", "toggle_dislike", "Dislike", "Dislike it (less like this)."),
    Key("video.save", "s", "toggle_saved", "Save", "Save it for later, or unsave."),
    Key("video.copy_url", "y", "copy_url", "Copy URL", "Copy the video's URL to the clipboard."),
    Key("video.undo", "u", "undo", "Undo", "Undo the last mark, hide, like or save."),
    Key(
        "video.play",
        "p",
        "play",
        "Play",
        "Play it in mpv (or player.command), resuming where you stopped; on the Queue tab, "
        "play the queue from it.",
    ),
    Key(
        "video.play_audio",
        "P",
        "play_audio",
        "Play sound",
        "Play its sound only (player.audio_command; mpv without video by default).",
    ),
    Key(
        "queue.add",
        "a",
        "queue_toggle",
        "Queue",
        "Add it to the end of the watch-later queue, or take it out again.",
    ),
    Key(
        "video.why",
        "e",
        "why",
        "Why",
        "Explain its For-you score: every term, its weight and what it adds.",
    ),
]

FILTERS = [
    Key(
        "filter.search",
        "slash",
        "search",
        "Search",
        "Search titles, descriptions, channels and tags as you type (on Subscriptions).",
        True,
    ),
    Key(
        "filter.unwatched",
        "U",
        "toggle_unwatched",
        "Unwatched only",
        "Show only videos you have not watched.",
    ),
    Key("filter.shorts", "S", "toggle_shorts", "Hide Shorts", "Hide or show Shorts."),
    Key("filter.live", "V", "toggle_live", "Hide live", "Hide or show live and upcoming streams."),
    Key(
        "filter.sort",
        "O",
        "cycle_sort",
        "Sort",
        "Cycle: newest, most viewed, longest, shortest, channel (For you keeps its order).",
    ),
    Key(
        "filter.panel",
        "f",
        "filters",
        "Filters",
        "All filters: length, channel group, unwatched, Shorts, live, saved (they narrow For you).",
        True,
    ),
    Key(
        "filter.channels",
        "c",
        "focus_channels",
        "Channels",
        "Pick one channel or a channel group (shows the channel list).",
    ),
    Key(
        "filter.clear",
        "escape",
        "clear_filters",
        "Clear",
        "Close the search, or clear the channel and search filters.",
    ),
]

APP = [
    Key("app.help", "question_mark", "help", "Help", "Show every key and what it does.", True),
    Key("app.quit", "q", "quit", "Quit", "Leave Momentum.", True),
]

VIEWS = [
    Key("view.sidebar", "b", "toggle_sidebar", "Channel list", "Show or hide the channel list."),
    Key(
        "view.for_you",
        "1",
        "show_tab('for-you')",
        "For you",
        "The For-you tab: your subscriptions ranked for you, each with its reasons.",
        priority=True,  # see FeedScreen.action_show_tab
    ),
    Key(
        "view.subscriptions",
        "2",
        "show_tab('subscriptions')",
        "Subscriptions",
        "The Subscriptions tab: every upload, newest first (search and sort work here).",
        priority=True,
    ),
    Key(
        "view.queue",
        "3",
        "show_tab('queue')",
        "Queue",
        "The Queue tab: your watch-later queue, in your order (J/K move, p plays it).",
        priority=True,
    ),
    Key(
        "view.trends",
        "I",
        "trends",
        "Trends",
        "What is rising in your subscriptions this week, and channels breaking out.",
    ),
    Key(
        "view.smart",
        "m",
        "smart_feed",
        "Smart feed",
        "Pick a mood, minutes and topics: For you shows a list that fits (Esc returns).",
    ),
    Key(
        "view.digest",
        "D",
        "digest",
        "Digest",
        "What arrived since your last visit, by topic, with the best pick of each.",
    ),
]

AI = [
    Key(
        "ai.classify",
        "L",
        "app.classify",
        "Classify",
        "Label new videos: offline at once, then with Claude within your budget.",
    ),
    Key(
        "ai.plain_titles",
        "T",
        "toggle_plain_titles",
        "Plain titles",
        "Show the plain, de-baited titles from the labels, or the originals.",
    ),
    Key(
        "ai.rules",
        "H",
        "rules",
        "Rules",
        "Hide, boost, bury or be notified of videos with rules: in plain English or by hand.",
    ),
]

SYNC = [
    Key(
        "sync.run",
        "R",
        "sync",
        "Sync",
        "Fetch new uploads from YouTube (press again to cancel; finished channels are kept).",
    ),
    Key(
        "sync.prefs",
        "ctrl+r",
        "prefsync_now",
        "Sync prefs",
        "Sync your preferences with your other machines now (they also sync by themselves).",
    ),
    Key(
        "sync.channels",
        "C",
        "channels",
        "Channels",
        "Manage channels: add, remove, group, import and export subscriptions.",
    ),
]

CHANNELS = [
    Key("channels.add", "a", "add", "Add", "Follow a channel by URL, @handle or UC… id.", True),
    Key(
        "channels.remove", "x,delete", "remove", "Remove", "Stop following it (videos kept).", True
    ),
    Key("channels.tag", "t", "tag", "Groups", "Set its groups (-name removes one).", True),
    Key("channels.import", "i", "import", "Import", "Import a subscriptions file.", True),
    Key(
        "channels.notify",
        "N",
        "switch_notify",
        "Notify",
        "Announce its new uploads after each sync (desktop notification or notify.command), "
        "or stop.",
    ),
    Key("channels.export", "e", "export", "Export", "Export to OPML, NewPipe JSON or CSV.", True),
    Key(
        "channels.cleanup",
        "s",
        "cleanup",
        "Clean-up",
        "Show only channels you might unfollow (dormant, drifted, unwatched), with why.",
        True,
    ),
    Key(
        "channels.close",
        "escape",
        "close",
        "Back",
        "Close the prompt, or go back to the feed.",
        True,
    ),
]

DIGEST = [
    Key(
        "digest.jump",
        "enter",
        "jump",
        "Go to pick",
        "Close the digest with the cursor on the highlighted group's best pick.",
        True,
        priority=True,
    ),
    Key(
        "digest.since",
        "s",
        "cycle_since",
        "Since…",
        "Cover the time since your last visit, the last day, or the last week.",
        True,
    ),
    Key("digest.close", "escape", "close", "Back", "Go back to the feed.", True),
]

WHY = [Key("why.close", "escape,e,q", "close", "Close", "Close the why panel.", True)]

HELP = [Key("help.close", "escape,q,question_mark", "close", "Close", "Close the help.", True)]

RULES = [
    Key("rules.add", "a", "add", "Add", "Type a rule in plain English (Claude reads it once).",
        True),
    Key("rules.by_hand", "n", "by_hand", "By hand",
        "Make a rule without Claude: hide, boost, bury or notify; a field, words, a channel.",
        True),
    Key("rules.save", "ctrl+s", "save", "Save rule", "Save the rule shown (or the form's).", True),
    Key("rules.switch", "space", "switch", "On/off", "Switch the highlighted rule on or off.",
        True),
    Key("rules.delete", "x,delete", "delete", "Delete", "Delete the highlighted rule.", True),
    Key("rules.test", "t", "test", "Test", "Count the cached videos the rule matches.", True),
    Key("rules.close", "escape", "close", "Close",
        "Close the form, or go back to the feed (shown again if a rule changed).", True),
]  # fmt: skip

FILTER_PANEL = [
    Key("filters.apply", "ctrl+s", "apply", "Apply", "Apply the filters (Enter in a box too).",
        True),
    Key("filters.cancel", "escape", "cancel", "Cancel", "Close the panel, changing nothing.",
        True),
]  # fmt: skip

SMART = [
    Key("smart.apply", "ctrl+s", "apply", "Show", "Show the smart feed (Enter in a box too).",
        True),
    Key("smart.cancel", "escape", "cancel", "Cancel", "Close the picker, changing nothing.",
        True),
]  # fmt: skip

QUEUE = [
    Key("queue.down", "J", "queue_move(1)", "Move down", "Move the queued video one place down."),
    Key("queue.up", "K", "queue_move(-1)", "Move up", "Move the queued video one place up."),
]

TRENDS = [
    Key("trends.switch", "tab", "switch_pane", "Videos",
        "Move between the trends and the highlighted row's videos.", True, priority=True),
    Key("trends.open", "enter", "open", "Show",
        "On a trend: its videos; on a video: back to the feed with the cursor on it.", True,
        priority=True),
    Key("trends.window", "d", "window", "Window", "Compare a week, a day or a month.", True),
    Key("trends.close", "escape,q", "close", "Back", "Go back to the feed.", True),
]  # fmt: skip

ALL_KEYS: list[Key] = [
    *NAVIGATION,
    *SELECT,
    *VIDEO,
    *QUEUE,
    *FILTERS,
    *AI,
    *APP,
    *VIEWS,
    *SYNC,
    *CHANNELS,
    *DIGEST,
    *TRENDS,
    *WHY,
    *HELP,
    *RULES,
    *FILTER_PANEL,
    *SMART,
]
BY_ID: dict[str, Key] = {key.id: key for key in ALL_KEYS}

_NAMED_KEYS = {
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "enter",
    "escape",
    "tab",
    "space",
    "backspace",
    "delete",
    "insert",
    "slash",
    "question_mark",
    "plus",
    "minus",
    "comma",
    "full_stop",
    "colon",
    "semicolon",
    "exclamation_mark",
    "less_than_sign",
    "greater_than_sign",
    "equals_sign",
    "number_sign",
    "asterisk",
    "underscore",
    "left_square_bracket",
    "right_square_bracket",
    "apostrophe",
    "quotation_mark",
    "vertical_line",
    "tilde",
    "grave_accent",
    "ampersand",
    "at",
    "dollar_sign",
    "percent_sign",
    "circumflex_accent",
    "left_parenthesis",
    "right_parenthesis",
    "left_curly_bracket",
    "right_curly_bracket",
    "reverse_solidus",
} | {f"f{n}" for n in range(1, 25)}
_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_ONE_KEY = re.compile(r"^\S$")


def _valid_key(key: str) -> bool:
    *modifiers, name = key.strip().split("+") if key.strip() != "+" else ["+"]
    if any(m.lower() not in _MODIFIERS for m in modifiers):
        return False
    return bool(_ONE_KEY.match(name)) or name.lower() in _NAMED_KEYS


def key_names(keys: str) -> list[str]:
    """The keys of a binding's or keymap entry's comma-separated list (`,` alone is a key)."""
    return [part.strip() for part in keys.split(",")] if keys.strip() != "," else [","]


def validate_keymap(keymap: dict[str, str]) -> dict[str, str]:
    """Check `[keymap]` from the config; raise `KeymapError` naming the first bad entry."""
    for binding_id, keys in keymap.items():
        if binding_id not in BY_ID:
            close = difflib.get_close_matches(binding_id, BY_ID, n=1)
            suggestion = f" Did you mean {close[0]!r}?" if close else ""
            raise KeymapError(
                f"The keymap in your config names an unknown binding {binding_id!r}.{suggestion}",
                "Fix or remove that line; press ? in the app (or see the README) for every id.",
            )
        parts = key_names(keys)
        bad = [part for part in parts if not part or not _valid_key(part)]
        if bad:
            raise KeymapError(
                f"The keymap entry {binding_id!r} has a key Momentum can't read: {bad[0]!r}.",
                "Use names like 'j', 'ctrl+d', 'pagedown' or 'f5', separated by commas.",
            )
    return keymap


def usable_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The valid part of a keymap, and a sentence for each entry that had to be ignored."""
    good: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        try:
            validate_keymap({binding_id: keys})
        except KeymapError as error:
            problems.append(error.title)
        else:
            good[binding_id] = keys
    return good, problems
