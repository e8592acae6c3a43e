"""The rules screen: list, switch on/off, delete, test, and add rules — in plain English or by hand.

It opens in the sentence box. With a Claude key, Enter asks Claude once (in a thread
worker) for the rule the sentence describes; the rule is shown in words and saved only
when the person confirms. Without a key the offline path is the way, not an error: Enter
(or `n`) opens a small form — hide, boost, bury or notify; a field; the words; a channel
(`screens/rule_form.py`). Everything but reading a sentence is local. Every worker's
failure is a notification, as on every screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from momentum_tui.bindings import RULES
from momentum_tui.config import Settings
from momentum_tui.errors import MissingKeyError, MomentumError
from momentum_tui.models import Filters
from momentum_tui.rules import store as rule_store
from momentum_tui.rules.spec import Rule, RuleAction, RuleSpec, matches
from momentum_tui.screens.rule_form import FormRule, RuleForm, guess_from_sentence
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.widgets.key_option_list import KeyOptionList
from momentum_tui.worker_errors import ReportsWorkerErrors

WITH_CLAUDE = "New rule in plain English (Enter: Claude reads it once, then you confirm)"
WITHOUT_CLAUDE = "New rule (no Claude key: Enter or n makes it by hand)"


@dataclass
class RulesLoaded(Message):
    """The stored rules (and the ids of those this version can't read)."""

    rules: list[Rule]
    unreadable: list[int]


@dataclass
class KeyChecked(Message):
    """Whether Claude can read sentences (an Anthropic key is set)."""

    has_key: bool


@dataclass
class RuleParsed(Message):
    """Claude's reading of a sentence (or why there is none)."""

    sentence: str
    spec: RuleSpec | None
    explanation: str = ""
    error: str = ""
    no_key: bool = False


@dataclass
class RuleTested(Message):
    """How many cached videos a rule matches."""

    rule_id: int
    matches: int
    of: int
    examples: list[str]


@dataclass
class RuleSaved(Message):
    """A rule was saved (or the form's channel could not be found: `error`)."""

    rule_id: int | None
    error: str = ""


def rule_line(rule: Rule) -> Text:
    """One rule in the list: on/off, what it does, where it came from."""
    line = Text("● " if rule.enabled else "○ ", style="green" if rule.enabled else "dim")
    line.append(rule.spec.describe(), style="" if rule.enabled else "dim")
    if rule.spec.action == RuleAction.NOTIFY:
        line.append(" 🔔", style="yellow" if rule.enabled else "dim")  # as on the channels screen
    if rule.text:
        line.append(f"   “{rule.text}”", style="dim italic")
    return line


class RulesScreen(ReportsWorkerErrors, ModalScreen[bool]):
    """Rules: type one (Claude or the form); in the list, space switches, x deletes, t tests."""

    BINDINGS = [key.binding() for key in RULES]

    DEFAULT_CSS = """
    RulesScreen { align: center middle; }
    RulesScreen > VerticalScroll {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    RulesScreen.-by-hand #sentence-label, RulesScreen.-by-hand #sentence { display: none; }
    RulesScreen OptionList { height: auto; max-height: 12; border: none; }
    RulesScreen Label { padding: 1 0 0 0; color: $text-muted; }
    RulesScreen #preview { height: auto; padding: 0 0 0 0; }
    RulesScreen #buttons { height: auto; padding-top: 1; align-horizontal: right; }
    RulesScreen #buttons.-hidden { display: none; }
    RulesScreen Button { margin-left: 1; }
    """

    def __init__(self, store: Store, settings: Settings, *, demo: bool = False) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.demo = demo
        self.rules: list[Rule] = []
        self.pending: RuleParsed | None = None
        self.changed = False
        self.has_key: bool | None = None
        self._told_unreadable: set[int] = set()
        """Whether Claude can read sentences (None until checked)."""

    def compose(self) -> ComposeResult:
        """The list of rules, the sentence box, Claude's reading, the by-hand form."""
        with VerticalScroll(can_focus=False) as box:  # tab goes between the list and the box
            box.border_title = "Rules"
            box.border_subtitle = "tab: the list · space on/off · x delete · t test · esc close"
            yield KeyOptionList(id="rules")
            yield Label(WITH_CLAUDE, id="sentence-label")
            yield Input(placeholder="hide shorts and clips from Channel X", id="sentence")
            yield Static("", id="preview")
            with Horizontal(id="buttons", classes="-hidden"):
                yield Button("Discard", id="discard")
                yield Button("Save rule", variant="primary", id="save")
            yield RuleForm(id="by-hand")

    def on_mount(self) -> None:
        """The cursor in the sentence box; the rules and whether Claude can read load."""
        self.query_one("#sentence", Input).focus()
        self.load_rules()
        self._check_key()

    @property
    def form(self) -> RuleForm:
        """The by-hand form."""
        return self.query_one(RuleForm)

    @work(thread=True, exclusive=True, group="rules", exit_on_error=False)
    def load_rules(self) -> None:
        """Read the rules."""
        with self.store.read() as conn:
            rules, unreadable = rule_store.read_rules(conn)
        self.post_message(RulesLoaded(rules, unreadable))

    @work(thread=True, exclusive=True, group="rules-key", exit_on_error=False)
    def _check_key(self) -> None:
        from momentum_tui import secrets

        self.post_message(KeyChecked(secrets.secret_source("anthropic") is not None))

    def on_key_checked(self, message: KeyChecked) -> None:
        """Say how a new rule is made here."""
        self.has_key = message.has_key
        self.query_one("#sentence-label", Label).update(
            WITH_CLAUDE if message.has_key else WITHOUT_CLAUDE
        )

    def on_rules_loaded(self, message: RulesLoaded) -> None:
        """Show the rules (and say which stored ones can't be read, and how to remove them)."""
        self.rules = message.rules
        for rule_id in sorted(set(message.unreadable) - self._told_unreadable):
            self.notify(rule_store.unreadable_words(rule_id), severity="warning", timeout=8)
        self._told_unreadable.update(message.unreadable)
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
        options = self.query_one(OptionList)
        index = options.highlighted
        if not options.has_focus or index is None or index >= len(self.rules):
            return None
        return self.rules[index]

    def _say(self, text: Text | str) -> None:
        self.query_one("#preview", Static).update(text)

    # -- list actions (when the list has the focus) -------------------------------------

    def action_switch(self) -> None:
        """Switch the highlighted rule on or off."""
        if (rule := self._selected()) is not None:
            self._write(rule.id, enabled=not rule.enabled)

    def action_delete(self) -> None:
        """Delete the highlighted rule."""
        if (rule := self._selected()) is not None:
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
        if (rule := self._selected()) is not None:
            self._test(rule)

    @work(thread=True, exclusive=True, group="rules-test", exit_on_error=False)
    def _test(self, rule: Rule) -> None:
        with self.store.read() as conn:
            everything = Filters(include_hidden=True)
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

    # -- a sentence, read by Claude -----------------------------------------------------

    def action_add(self) -> None:
        """Type a new rule."""
        self._close_form()
        self.query_one("#sentence", Input).focus()

    def _close_form(self) -> None:
        self.form.close()
        self.remove_class("-by-hand")

    @on(Input.Submitted, "#sentence")
    def _submitted(self, event: Input.Submitted) -> None:
        sentence = event.value.strip()
        if not sentence:
            return
        if self.has_key is False:
            self.action_by_hand(sentence)
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
        except MissingKeyError:
            self.post_message(RuleParsed(sentence, None, no_key=True))
            return
        except MomentumError as error:
            self.post_message(RuleParsed(sentence, None, error=f"{error.title} {error.hint}"))
            return
        self.post_message(RuleParsed(sentence, parsed.spec, parsed.explanation))

    def on_rule_parsed(self, message: RuleParsed) -> None:
        """Show Claude's reading and ask for confirmation (or say what went wrong)."""
        buttons = self.query_one("#buttons")
        if message.no_key:
            self.on_key_checked(KeyChecked(False))
            self.action_by_hand(message.sentence)
            return
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

    # -- by hand ------------------------------------------------------------------------

    def action_by_hand(self, sentence: str = "") -> None:
        """Open the form (a sentence typed without a key fills it in)."""
        self.pending = None
        self.query_one("#buttons").add_class("-hidden")
        action, words = guess_from_sentence(sentence) if sentence else ("hide", "")
        self._say(Text("Without Claude: say what the rule does and to which videos.", "dim")
                  if sentence else "")  # fmt: skip
        self.add_class("-by-hand")
        self.form.open(action, words)

    def _save_form(self) -> None:
        try:
            rule = self.form.read()
        except ValueError as error:
            self.form.say(str(error))
            return
        self.form.say("")
        self._save_by_hand(rule)

    @work(thread=True, group="rules-write", exit_on_error=False)
    def _save_by_hand(self, rule: FormRule) -> None:
        ids: tuple[str, ...] = ()
        names: tuple[str, ...] = ()
        if rule.channel:
            try:
                ids, names = self._find_channel(rule.channel)
            except MomentumError as error:
                self.post_message(RuleSaved(None, f"{error.title} {error.hint}".strip()))
                return
        try:
            spec = rule.spec(ids, names)
        except ValueError as error:
            self.post_message(RuleSaved(None, str(error)))
            return
        with self.store.write() as db:
            rule_id = rule_store.add_rule(db, spec, source="manual")
        self.changed = True
        self.post_message(RuleSaved(rule_id))

    def _find_channel(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A followed channel by name, @handle or UC… id (raises a MomentumError if none)."""
        with self.store.read() as conn:
            ids, titles = rule_store.resolve_channel_refs(conn, [text])
        return tuple(ids), tuple(titles)

    def on_rule_saved(self, message: RuleSaved) -> None:
        """Show the new rule in the list (or what to fix in the form)."""
        if message.rule_id is None:
            self.form.say(message.error)
            return
        self._close_form()
        self.query_one("#sentence", Input).value = ""
        self._say(Text(f"Saved as rule {message.rule_id}.", style="green"))
        self.query_one(OptionList).focus()
        self.load_rules()

    # -- saving and closing -------------------------------------------------------------

    def action_save(self) -> None:
        """Save the form's rule, or the rule Claude read from the sentence."""
        if self.form.is_open:
            self._save_form()
            return
        pending = self.pending
        if pending is None or pending.spec is None:
            return
        self.pending = None
        self.query_one("#buttons").add_class("-hidden")
        self.query_one("#sentence", Input).value = ""
        self._save(pending.spec, pending.sentence)

    @work(thread=True, group="rules-write", exit_on_error=False)
    def _save(self, spec: RuleSpec, sentence: str) -> None:
        with self.store.write() as db:
            rule_id = rule_store.add_rule(db, spec, text=sentence, source="claude")
        self.changed = True
        self.post_message(RuleSaved(rule_id))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("save", "hand-save"):
            self.action_save()
        elif event.button.id == "hand-cancel":
            self.action_add()
        elif event.button.id == "discard":
            self.pending = None
            self.query_one("#buttons").add_class("-hidden")
            self._say(Text("Discarded.", style="dim"))
            self.query_one("#sentence", Input).focus()

    @on(Input.Submitted, "#hand-words, #hand-channel")
    def _form_submitted(self) -> None:
        self._save_form()

    def action_close(self) -> None:
        """Close the form, or go back to the feed (shown again if a rule changed)."""
        if self.form.is_open:
            self.action_add()
            return
        self.dismiss(self.changed)
