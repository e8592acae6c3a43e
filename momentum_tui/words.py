"""What the app says in more than one place: one module, so a sentence changes everywhere at once.

Words said by one screen only stay with that screen. Titles, channel names and rule text
put into these sentences are data: notifications are shown as plain text (see
`MomentumApp.notify`) and everything else as `rich.text.Text`.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size

from momentum_tui.models import Sort

NO_VIDEO = "No video is highlighted."
NO_CHANNEL = "No channel is highlighted."
LOADING = "Loading…"
RANKING = "Ranking your feed…"
KEY_HINTS = "p play · e why · m smart · D digest · I trends"
QUEUE_KEYS = "p plays from here · J/K move · a takes it out"
QUEUE_EMPTY = "The queue is empty. Press a on a video in For you or Subscriptions to queue it."
"""The right side of the tab line when nothing else needs saying."""
COLD_HINT = "No likes yet: l on what you enjoy teaches it"

SORT_WORDS = {
    Sort.NEWEST: "newest first",
    Sort.VIEWS: "most viewed",
    Sort.LONGEST: "longest first",
    Sort.SHORTEST: "shortest first",
    Sort.CHANNEL: "by channel",
}
"""The Subscriptions tab's orders, as the status bar and the sort key's toast say them."""
BY_RELEVANCE = "by relevance"
"""The order of a search's results (best match first)."""
RANKED = "ranked for you"
"""The For-you tab's order."""

MARK_WORDS = {
    "watched": "Marked watched",
    "unwatched": "Marked unwatched",
    "hidden": "Hidden",
    "unhidden": "Shown again",
    "liked": "Liked",
    "disliked": "Disliked",
    "unrated": "Rating cleared",
    "saved": "Saved for later",
    "unsaved": "Removed from saved",
}
"""What a mark did, as its toast says it (`Hidden: <title>  (u undoes)`)."""

NO_CHANNELS = (
    "No subscriptions yet. Import them with `momentum import FILE`, or try `momentum demo` "
    "to look around."
)
NO_VIDEOS = "No videos cached yet. Run `momentum sync` to fetch your channels' uploads."

DEMO_NEVER_SYNCED = (
    "The demo profile is bundled data and is never synced. Run `momentum` (without demo) "
    "after `momentum import` to sync your own channels."
)
DEMO_RESET = "`momentum demo --reset` brings the demo back as it was"


def short_title(title: str, cells: int = 50) -> str:
    """`title` cut to `cells` terminal cells with an ellipsis (for toasts)."""
    if cell_len(title) <= cells:
        return title
    used, cut = 0, 0
    for index, character in enumerate(title):
        used += get_character_cell_size(character)
        if used > cells - 1:
            break
        cut = index + 1
    return title[:cut] + "…"


def plural(count: int, word: str) -> str:
    """`1 channel`, `2,407 channels`."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")
