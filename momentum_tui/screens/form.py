"""A modal form: Enter or the Apply button returns what it reads, Esc or Cancel returns None."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import on
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

Result = TypeVar("Result")


class FormScreen(ModalScreen[Result | None], Generic[Result]):
    """Subclasses compose an `#error` label, `#apply`/`#cancel` buttons and define `read`."""

    def read(self) -> Result:
        """What the form says; raises ValueError with a sentence for the person."""
        raise NotImplementedError

    def action_apply(self) -> None:
        """Close with what the form says, or show what is wrong and stay open."""
        try:
            result = self.read()
        except ValueError as error:
            self.query_one("#error", Label).update(str(error))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
