"""The footer of keys, rebuilt only when the keys it shows change.

Textual's `Footer` removes and mounts all its keys again every time its screen says
"the bindings may have changed": on every focus change, on every push and pop of any
screen (the covered screen's footer too), and once more after each focus settles. Opening
the channels screen asked for four rebuilds of identical keys — about 200 ms of CPU,
more than everything else the screen does. This footer remembers what it composed and
rebuilds only when the active bindings (key, action, words, enabled) differ, at most
once per refresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[object, ...]
"""What a composed footer depends on (compared, never looked into)."""


class KeyFooter(Footer):
    """A `Footer` that recomposes only when what it would show is different."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: Shown | None = None
        self._pending = False
        # Compose the keys with the screen (one mount) rather than empty and then again
        # once focus settles: when focus adds no shown key, that first set is the one.
        self.set_reactive(Footer._bindings_ready, True)

    def _what_it_shows(self) -> Shown:
        """What `compose` draws: per action, its first shown binding (enabled, tooltip)."""
        active = self.screen.active_bindings
        shown: dict[str, tuple[object, ...]] = {}
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (binding, enabled, tooltip)
        palette = self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
        return (
            tuple(shown.values()),
            active.get(self.app.COMMAND_PALETTE_BINDING) if palette else None,
        )

    def compose(self) -> ComposeResult:
        """The keys, remembering which ones they are."""
        self._shown = self._what_it_shows()
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's `compact` (the binding then changes nothing):
                # otherwise each key restyles twice as it mounts, True then False. (The
                # palette key is not bound to the footer's `compact`: it keeps its own.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Look again after the next refresh (once, however often the screen asks)."""
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if self.is_attached and self._what_it_shows() != self._shown:
            await self.recompose()
