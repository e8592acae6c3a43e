"""The rules screen: list, switch on/off, delete, test, and add rules in plain English.

Typing a sentence asks Claude once (in a thread worker) for the rule it describes; the
rule is shown in words and saved only when the person confirms. Everything else is
local. Rules written by hand are made with `momentum rules add --hide …`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.models import Filters
from momentum_tui.rules import store as rule_store
from momentum_tui.rules.spec import Rule, RuleSpec, matches
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries


@dataclass
class RulesLoaded(Message):
    """The stored rules."""

    rules: list[Rule]


@dataclass
class RuleParsed(Message):
    """Claude's reading of a sentence (or why there is none)."""

    sentence: str
    spec: RuleSpec | None
    explanation: str = ""
    error: str = ""


@dataclass
class RuleTested(Message):
    """How many cached videos a rule matches."""

    rule_id: int
    matches: int
    of: int
    examples: list[str]


def rule_line(rule: Rule) -> Text:
    """One rule in the list: on/off, what it does, where it came from."""
    line = Text("● " if rule.enabled else "○ ", style="green" if rule.enabled else "dim")
    line.append(rule.spec.describe(), style="" if rule.enabled else "dim")
    if rule.text:
        line.append(f"   “{rule.text}”", style="dim italic")
    return line


class RulesScreen(ModalScreen[bool]):
    """Rules: Enter on the input asks Claude; space switches, x deletes, t tests."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="rules.close"),
        Binding("space", "switch", "On/off", id="rules.switch"),
        Binding("x,delete", "delete", "Delete", id="rules.delete"),
        Binding("t", "test", "Test", id="rules.test"),
        Binding("a", "add", "Add", id="rules.add"),
        Binding("ctrl+s", "save", "Save rule", id="rules.save"),
    ]

    DEFAULT_CSS = """
    RulesScreen { align: center middle; }
    RulesScreen > Vertical {
        width: 96; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    RulesScreen OptionList { height: auto; max-height: 14; border: none; }
    RulesScreen Label { padding: 1 0 0 0; color: $text-muted; }
    RulesScreen #preview { height: auto; padding: 0 0 0 0; }
    RulesScreen #buttons { height: auto; padding-top: 1; align-horizontal: right; }
    RulesScreen #buttons.-hidden { display: none; }
    RulesScreen Button { margin-left: 1; }
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.rules: list[Rule] = []
        self.pending: RuleParsed | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        """The list of rules, the sentence input, Claude's reading, Save / Discard."""
        with Vertical() as box:
            box.border_title = "Rules  ·  space on/off  ·  x delete  ·  t test  ·  Esc close"
            yield OptionList(id="rules")
            yield Label("New rule in plain English (Enter asks Claude once, then you confirm)")
            yield Input(placeholder="hide shorts and clips from Channel X", id="sentence")
            yield Static("", id="preview")
            with Horizontal(id="buttons", classes="-hidden"):
                yield Button("Discard", id="discard")
                yield Button("Save rule", variant="primary", id="save")

    def on_mount(self) -> None:
        """Load the rules."""
        self.load_rules()
        self.query_one(OptionList).focus()

    @work(thread=True, exclusive=True, group="rules", exit_on_error=False)
    def load_rules(self) -> None:
        """Read the rules."""
        with self.store.read() as conn:
            self.post_message(RulesLoaded(rule_store.list_rules(conn)))

    def on_rules_loaded(self, message: RulesLoaded) -> None:
        """Show the rules."""
        self.rules = message.rules
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not self.rules:
            options.add_option(Option(Text("No rules yet. Type one below.", style="dim"),
                                      disabled=True))  # fmt: skip
            return
        options.add_options(Option(rule_line(rule), id=str(rule.id)) for rule in self.rules)
        options.highlighted = min(highlighted or 0, len(self.rules) - 1)

    def _selected(self) -> Rule | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.rules or index >= len(self.rules):
            return None
        return self.rules[index]

    def _say(self, text: Text | str) -> None:
        self.query_one("#preview", Static).update(text)

    # -- list actions -------------------------------------------------------------------

    def action_switch(self) -> None:
        """Switch the highlighted rule on or off."""
        rule = self._selected()
        if rule is not None and not self.query_one(Input).has_focus:
            self._write(rule.id, enabled=not rule.enabled)

    def action_delete(self) -> None:
        """Delete the highlighted rule."""
        rule = self._selected()
        if rule is not None and not self.query_one(Input).has_focus:
            self._write(rule.id, delete=True)
            self.notify(f"Deleted: {rule.spec.describe()}", timeout=4)

    @work(thread=True, group="rules-write", exit_on_error=False)
    def _write(self, rule_id: int, *, enabled: bool | None = None, delete: bool = False) -> None:
        with self.store.write() as db:
            if delete:
                rule_store.remove_rule(db, rule_id)
            else:
                rule_store.update_rule(db, rule_id, enabled=enabled)
        self.changed = True
        self.load_rules()

    def action_test(self) -> None:
        """Count the cached videos the highlighted rule matches."""
        rule = self._selected()
        if rule is not None and not self.query_one(Input).has_focus:
            self._test(rule)

    @work(thread=True, exclusive=True, group="rules-test", exit_on_error=False)
    def _test(self, rule: Rule) -> None:
        with self.store.read() as conn:
            everything = Filters.model_validate({"include_hidden": True})
            rows = queries.feed_page(conn, everything, limit=1_000_000)
        hits = [row for row in rows if matches(rule.spec, row)]
        self.post_message(RuleTested(rule.id, len(hits), len(rows), [h.title for h in hits[:3]]))

    def on_rule_tested(self, message: RuleTested) -> None:
        """Say how many videos the rule matches, with a few examples."""
        text = Text(f"Rule {message.rule_id} matches {message.matches:,} of {message.of:,} "
                    "cached videos", style="bold")  # fmt: skip
        for title in message.examples:
            text.append("\n  · ")
            text.append(title, style="dim")
        self._say(text)

    # -- adding -------------------------------------------------------------------------

    def action_add(self) -> None:
        """Type a new rule."""
        self.query_one(Input).focus()

    @on(Input.Submitted, "#sentence")
    def _submitted(self, event: Input.Submitted) -> None:
        sentence = event.value.strip()
        if not sentence:
            return
        self._say(Text("Asking Claude what that means…", style="italic"))
        self._parse(sentence)

    @work(thread=True, exclusive=True, group="rules-parse", exit_on_error=False)
    def _parse(self, sentence: str) -> None:
        from momentum_tui.ai.transport import make_client
        from momentum_tui.rules.claude import parse_rule

        settings = self.settings.claude
        try:
            parsed = parse_rule(sentence, self.store, settings, make_client(settings))
        except MomentumError as error:
            self.post_message(RuleParsed(sentence, None, error=f"{error.title} {error.hint}"))
            return
        self.post_message(RuleParsed(sentence, parsed.spec, parsed.explanation))

    def on_rule_parsed(self, message: RuleParsed) -> None:
        """Show Claude's reading and ask for confirmation (or say what went wrong)."""
        buttons = self.query_one("#buttons")
        if message.spec is None:
            self.pending = None
            buttons.add_class("-hidden")
            self._say(Text(message.error, style="red"))
            return
        self.pending = message
        text = Text("Save this rule?  ", style="bold")
        text.append(message.spec.describe())
        if message.explanation:
            text.append(f"\nClaude: {message.explanation}", style="dim")
        self._say(text)
        buttons.remove_class("-hidden")
        self.query_one("#save", Button).focus()

    def action_save(self) -> None:
        """Save the rule Claude read from the sentence."""
        pending = self.pending
        if pending is None or pending.spec is None:
            return
        self.pending = None
        self.query_one("#buttons").add_class("-hidden")
        self.query_one(Input).value = ""
        self._save(pending.spec, pending.sentence)

    @work(thread=True, group="rules-write", exit_on_error=False)
    def _save(self, spec: RuleSpec, sentence: str) -> None:
        with self.store.write() as db:
            rule_id = rule_store.add_rule(db, spec, text=sentence, source="claude")
        self.changed = True
        self.app.call_from_thread(self._say, Text(f"Saved as rule {rule_id}.", style="green"))
        self.load_rules()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "discard":
            self.pending = None
            self.query_one("#buttons").add_class("-hidden")
            self._say(Text("Discarded.", style="dim"))
            self.query_one(Input).focus()

    def action_close(self) -> None:
        """Back to the feed (it is queried again if a rule changed)."""
        self.dismiss(self.changed)
