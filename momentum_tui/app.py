"""The Textual app (placeholder until the feed screen lands)."""

from __future__ import annotations

from textual.app import App

from momentum_tui.config import Settings
from momentum_tui.storage import Store


class MomentumApp(App[None]):
    """Momentum's terminal app."""

    def __init__(self, store: Store, settings: Settings, demo: bool = False) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.demo = demo
