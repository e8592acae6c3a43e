"""The rules screen's by-hand form: a rule without Claude — hide, boost, bury or notify; a
field; the words; a channel.

What `momentum rules add --hide --title-has … --channel …` does on the command line, as a
form: `read_form` turns what was typed into a `RuleSpec` or one sentence saying what to
fix. The channel is looked up among the followed channels when the rule is saved (a
worker on the rules screen), by name, @handle or UC… id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select

from momentum_tui.models import Format, Mood, Topic
from momentum_tui.rules.spec import RuleAction, RuleSpec

FIELDS = {
    "title": "title has any of",
    "topic": "topic is",
    "format": "format is",
    "mood": "mood is",
    "shorts": "is a Short",
    "channel": "is from the channel",
}
"""What the rule looks at, as the form's choice says it."""
_VOCABULARY: dict[str, tuple[str, list[str]]] = {
    "topic": ("topic", [t.value for t in Topic]),
    "format": ("format", [f.value for f in Format]),
    "mood": ("mood", [m.value for m in Mood]),
}
_PLACEHOLDERS = {
    "title": "words or phrases, separated by commas",
    "topic": "e.g. news, gaming (any of them)",
    "format": "e.g. review, short-clip (any of them)",
    "mood": "e.g. tense, energetic (any of them)",
    "shorts": "(no words needed)",
    "channel": "(no words needed: give the channel below)",
}


@dataclass(frozen=True)
class FormRule:
    """What the form says, before the channel is looked up."""

    action: RuleAction
    field: str
    words: tuple[str, ...]
    channel: str
    """A name, @handle or UC… id as typed ("" for any channel)."""

    def spec(self, channel_ids: tuple[str, ...] = (), names: tuple[str, ...] = ()) -> RuleSpec:
        """The rule, with the channel found (raises ValueError with a sentence)."""
        values: dict[str, object] = {"action": self.action}
        if channel_ids:
            values |= {"channels": channel_ids, "channel_names": names}
        if self.field == "title":
            values["title_words"] = self.words
        elif self.field in _VOCABULARY:
            values[f"{self.field}s"] = self.words
        elif self.field == "shorts":
            values["shorts"] = True
        try:
            return RuleSpec.model_validate(values)
        except ValueError as error:
            errors = getattr(error, "errors", None)
            detail = str(errors()[0]["msg"]) if callable(errors) else str(error)
            detail = detail.removeprefix("Value error, ")
            raise ValueError(f"That is not a rule yet: {detail}.") from None


def read_form(action: str, field: str, words: str, channel: str) -> FormRule:
    """What was typed, checked (raises ValueError with one sentence saying what to fix)."""
    channel = channel.strip()
    if field == "title":
        found = tuple(w.strip() for w in words.split(",") if w.strip())
        if not found:
            raise ValueError("Give the words the title should have (commas between phrases).")
    elif field in _VOCABULARY:
        name, allowed = _VOCABULARY[field]
        found = tuple(w for w in re.split(r"[\s,]+", words.strip().casefold()) if w)
        if not found:
            raise ValueError(f"Give a {name}, e.g. {', '.join(allowed[:3])}.")
        for word in found:
            if word not in allowed:
                raise ValueError(f"“{word}” is not a {name}; one of: {', '.join(allowed)}.")
    else:
        found = ()
        if field == "channel" and not channel:
            raise ValueError("Give the channel: its name, @handle or UC… id.")
    return FormRule(RuleAction(action), field, found, channel)


def guess_from_sentence(sentence: str) -> tuple[str, str]:
    """A sentence typed without a Claude key, as the form's start: (action, title words).

    "hide minecraft, roblox" → ("hide", "minecraft, roblox"), "notify me about rust" →
    ("notify", "rust"); anything else → title words.
    """
    first, _, rest = sentence.strip().partition(" ")
    if first.casefold() == RuleAction.NOTIFY.value:  # "notify me when/about minecraft"
        return first.casefold(), re.sub(r"^(?:me\s+)?(?:when|about|of)\s+", "", rest.strip())
    if first.casefold() in {a.value for a in RuleAction}:
        return first.casefold(), rest.strip()
    return RuleAction.HIDE.value, sentence.strip()


class RuleForm(Vertical):
    """The form's fields and buttons (the rules screen reads and saves it)."""

    DEFAULT_CSS = """
    RuleForm { height: auto; display: none; }
    RuleForm.-open { display: block; }
    RuleForm Horizontal { height: auto; }
    RuleForm #hand-action { width: 16; }
    RuleForm #hand-field { width: 1fr; }
    RuleForm #hand-error { color: $text-error; padding: 0; height: auto; }
    RuleForm #hand-buttons { align-horizontal: right; }
    """

    def compose(self) -> ComposeResult:
        """Action and field side by side, the words, the channel, then the buttons."""
        yield Label("A rule by hand: what it does, and to which videos")
        with Horizontal():
            yield Select([(a.value, a.value) for a in RuleAction], value=RuleAction.HIDE.value,
                         allow_blank=False, id="hand-action")  # fmt: skip
            yield Select([(words, key) for key, words in FIELDS.items()], value="title",
                         allow_blank=False, id="hand-field")  # fmt: skip
        yield Input(placeholder=_PLACEHOLDERS["title"], id="hand-words")
        yield Input(placeholder="channel (optional): name, @handle or UC… id", id="hand-channel")
        yield Label("", id="hand-error")
        with Horizontal(id="hand-buttons"):
            yield Button("Cancel", id="hand-cancel")
            yield Button("Save rule", variant="primary", id="hand-save")

    def open(self, action: str = RuleAction.HIDE.value, words: str = "") -> None:
        """Show the form (filled in with `action` and title `words`), focus on the action."""
        self.query_one("#hand-action", Select).value = action
        self.query_one("#hand-field", Select).value = "title"
        self.query_one("#hand-words", Input).value = words
        self.query_one("#hand-channel", Input).value = ""
        self.say("")
        self.add_class("-open")
        self.query_one("#hand-action", Select).focus()

    def close(self) -> None:
        """Hide the form."""
        self.remove_class("-open")

    @property
    def is_open(self) -> bool:
        """The form is shown."""
        return self.has_class("-open")

    def say(self, sentence: str) -> None:
        """Show what to fix (or nothing)."""
        self.query_one("#hand-error", Label).update(sentence)

    def read(self) -> FormRule:
        """What the form says (raises ValueError with a sentence)."""
        return read_form(
            str(self.query_one("#hand-action", Select).value),
            str(self.query_one("#hand-field", Select).value),
            self.query_one("#hand-words", Input).value,
            self.query_one("#hand-channel", Input).value,
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        """The words box says what it wants for the chosen field."""
        if event.select.id == "hand-field":
            self.query_one("#hand-words", Input).placeholder = _PLACEHOLDERS[str(event.value)]
