"""Keymap entries that would take a key from another binding on the same screen.

A priority binding runs as the app receives its key, before the focused widget sees it
(the tab keys `1`, `2`, `3` on the main screen are such bindings, so that a switch
doesn't travel through every widget first). Remapped onto a key another binding of that
screen uses — `view.for_you = "j"` — it would silently take that key from it (`j` would
no longer move down the list). Such an entry is ignored with a sentence, like any other
keymap entry Momentum can't use; clashes that the default keys have by design (a
priority key meant to win) are not the person's doing and are left alone.
"""

from __future__ import annotations

from momentum_tui.bindings import (
    AI,
    APP,
    CHANNELS,
    DIGEST,
    FILTER_PANEL,
    FILTERS,
    HELP,
    NAVIGATION,
    QUEUE,
    RULES,
    SELECT,
    SMART,
    SYNC,
    TRENDS,
    VIDEO,
    VIEWS,
    WHY,
    Key,
    key_names,
)

EVERY_SCREEN: tuple[Key, ...] = (*APP, *SYNC, *NAVIGATION, *SELECT)
"""The app's own keys and the lists' keys, which can be in play on any screen."""

SCREENS: dict[str, tuple[Key, ...]] = {
    "the main screen": (*VIDEO, *QUEUE, *FILTERS, *AI, *VIEWS),
    "the channels screen": tuple(CHANNELS),
    "the digest": tuple(DIGEST),
    "the trends screen": tuple(TRENDS),
    "the rules screen": tuple(RULES),
    "the filter panel": tuple(FILTER_PANEL),
    "the smart-feed picker": tuple(SMART),
    "the why panel": tuple(WHY),
    "the help": tuple(HELP),
}
"""Each screen's own bindings (what its `BINDINGS` is made of)."""


def _keys(key: Key, keymap: dict[str, str]) -> set[str]:
    return set(key_names(keymap.get(key.id, key.keys)))


def priority_clashes(keymap: dict[str, str]) -> dict[str, str]:
    """Each keymap entry that makes a priority binding share a key with another binding
    of its screen, with the sentence saying so (binding id → sentence)."""
    found: dict[str, str] = {}
    for screen, own in SCREENS.items():
        active = (*own, *EVERY_SCREEN)
        for first in (key for key in active if key.priority):
            for other in active:
                if other is first or not {first.id, other.id} & keymap.keys():
                    continue
                taken = (_keys(first, keymap) & _keys(other, keymap)) - (
                    _keys(first, {}) & _keys(other, {})
                )
                if not taken:
                    continue
                culprit = first.id if first.id in keymap else other.id
                found.setdefault(
                    culprit,
                    f"The keymap entry {culprit!r} would make {first.id!r} take "
                    f"{sorted(taken)[0]!r} from {other.id!r} on {screen}.",
                )
    return found


def without_priority_clashes(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The keymap less the entries `priority_clashes` finds, and a sentence for each."""
    clashes = priority_clashes(keymap)
    kept = {binding_id: keys for binding_id, keys in keymap.items() if binding_id not in clashes}
    return kept, list(clashes.values())
