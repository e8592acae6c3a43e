"""The help screen: every key, grouped, with what it does (after the person's keymap)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from momentum_tui.bindings import ALL_KEYS, GROUP_TITLES, HELP
from momentum_tui.widgets.key_scroll import KeyScroll


def key_table(keymap: dict[str, str], display: object) -> Table:
    """A table of groups, keys and help text; `display(key)` renders a key for humans."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_column(style="dim")
    current = ""
    for key in ALL_KEYS:
        if key.group != current:
            current = key.group
            if table.row_count:
                table.add_row("", "", "")
            table.add_row(Text(GROUP_TITLES.get(current, current), style="bold underline"), "", "")
        keys = keymap.get(key.id, key.keys)
        shown = ", ".join(display(part.strip()) for part in keys.split(","))  # type: ignore[operator]
        table.add_row(Text(shown), Text(key.help), Text(key.id))
    return table


class HelpScreen(ModalScreen[None]):
    """Every binding; j/k… scroll it, Esc, q or ? closes it."""

    BINDINGS = [key.binding() for key in HELP]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > KeyScroll {
        width: 96; max-width: 100%; height: 90%; border: round $accent;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        """A scrollable table of keys."""
        with KeyScroll() as scroll:
            scroll.border_title = Text(
                "Keys  ·  j/k scroll  ·  remap ids in [keymap] of config.toml"
            )
            yield Static(
                key_table(self.keymap, lambda key: self.app.get_key_display(Binding(key, "")))
            )

    def on_mount(self) -> None:
        """The panel takes the keys (j/k scroll it)."""
        self.query_one(KeyScroll).focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
