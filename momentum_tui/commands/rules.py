"""`momentum rules …`: hide, boost or bury videos with rules, or be told of new uploads
(notify), made by hand or from a sentence.

Only `rules add "SENTENCE"` talks to Claude (through `rules.claude`, imported when it
runs); listing, editing, testing and removing rules are local. JSON shapes are
documented in docs/ai.md.
"""

from __future__ import annotations

import json
from typing import Any

import click

from momentum_tui.commands.common import (
    Context,
    emit_json,
    emit_table,
    is_interactive,
    json_option,
    note,
    pass_context,
)
from momentum_tui.models import FeedRow, Filters, Format, Mood, Topic, parse_duration
from momentum_tui.rules import store as rule_store
from momentum_tui.rules.spec import Rule, RuleAction, RuleSpec, matches
from momentum_tui.storage import Store
from momentum_tui.storage import feed as feed_queries


@click.group("rules")
def rules() -> None:
    """Hide, boost, bury or be notified of videos with rules (plain English or by hand)."""


def _rule_options(function: Any) -> Any:
    options = [
        click.option("--hide", "action", flag_value="hide", help="Hide matching videos."),
        click.option("--boost", "action", flag_value="boost", help="Rank them higher."),
        click.option("--bury", "action", flag_value="bury", help="Rank them lower."),
        click.option("--notify", "action", flag_value="notify",
                     help="Announce matching new uploads after each sync (the feed is unchanged)."),
        click.option("--channel", "channels", multiple=True,
                     help="Channel name, @handle or UC… id (repeatable: any of them)."),
        click.option("--shorts/--no-shorts", "shorts", default=None,
                     help="Only Shorts (or: never Shorts)."),
        click.option("--min", "min_length", help="Shortest length, e.g. 10m."),
        click.option("--max", "max_length", help="Longest length, e.g. 1h."),
        click.option("--title-has", "title_words", multiple=True,
                     help="A word or phrase in the title (repeatable: any of them)."),
        click.option("--topic", "topics", multiple=True,
                     type=click.Choice([t.value for t in Topic])),
        click.option("--format", "formats", multiple=True,
                     type=click.Choice([f.value for f in Format])),
        click.option("--mood", "moods", multiple=True, type=click.Choice([m.value for m in Mood])),
        click.option("--weight", type=click.FloatRange(0, 5, min_open=True),
                     help="How strongly to boost or bury (default 1)."),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


def _spec_from_options(store: Store, options: dict[str, Any]) -> RuleSpec | None:
    given = {key: value for key, value in options.items() if value not in (None, (), False)}
    if not given:
        return None
    if "action" not in given:
        raise click.UsageError("Say what the rule does: --hide, --boost, --bury or --notify.")
    ids, names = _resolve(store, list(options.get("channels") or ()))
    low, high = options.get("min_length"), options.get("max_length")
    try:
        return RuleSpec(
            action=RuleAction(options["action"]),
            channels=tuple(ids), channel_names=tuple(names),
            min_seconds=parse_duration(low) if low else None,
            max_seconds=parse_duration(high) if high else None,
            shorts=options.get("shorts"),
            title_words=tuple(options.get("title_words") or ()),
            topics=tuple(Topic(t) for t in options.get("topics") or ()),
            formats=tuple(Format(f) for f in options.get("formats") or ()),
            moods=tuple(Mood(m) for m in options.get("moods") or ()),
            weight=options.get("weight") or 1.0,
        )  # fmt: skip
    except ValueError as error:
        raise click.UsageError(f"That is not a valid rule: {_first_error(error)}") from None


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        return str(errors()[0]["msg"])
    return str(error)


def _resolve(store: Store, names: list[str]) -> tuple[list[str], list[str]]:
    with store.read() as conn:
        return rule_store.resolve_channel_refs(conn, names)


@rules.command("add")
@click.argument("sentence", nargs=-1)
@_rule_options
@click.option("--yes", "-y", is_flag=True, help="Save without asking.")
@json_option
@pass_context
def rules_add(state: Context, /, sentence: tuple[str, ...], yes: bool, as_json: bool,
              **options: Any) -> None:  # fmt: skip
    """Add a rule from a SENTENCE (Claude turns it into a rule once) or from the options.

    \b
    momentum rules add "hide shorts and clips from Veritasium"
    momentum rules add --bury --topic news --max 2m
    momentum rules add --notify --channel Veritasium --title-has physics
    """
    store = state.open_store()
    text = " ".join(sentence).strip()
    hand_made = _spec_from_options(store, options)
    if text and hand_made is not None:
        raise click.UsageError("Give either a sentence or options, not both.")
    if hand_made is None and not text:
        raise click.UsageError('Give a sentence ("hide shorts from X") or options (--hide …).')
    if not yes and not is_interactive():
        raise click.UsageError("Add --yes to save a rule without being asked (no terminal).")
    source = "manual"
    spec = hand_made
    if spec is None:
        from momentum_tui.ai.transport import make_client
        from momentum_tui.rules.claude import parse_rule

        settings = state.settings.claude
        parsed = parse_rule(text, store, settings, make_client(settings))
        spec, source = parsed.spec, "claude"
        if not as_json:
            note(f"Claude read it as (${parsed.usd:.5f}): {parsed.explanation}")
    if not as_json:
        click.echo(spec.describe())
    if not yes and not click.confirm("Save this rule?", default=True, err=True):
        note("Not saved.")
        return
    with store.write() as db:
        rule_id = rule_store.add_rule(db, spec, text=text, source=source)
        saved = rule_store.get_rule(db.conn, rule_id)
    if as_json:
        emit_json(saved.as_json())
    else:
        click.echo(f"Saved as rule {rule_id}.")


@rules.command("list")
@json_option
@pass_context
def rules_list(state: Context, as_json: bool) -> None:
    """List the rules."""
    store = state.open_store()
    with store.read() as conn:
        stored, unreadable = rule_store.read_rules(conn)
    for rule_id in unreadable:
        click.echo(rule_store.unreadable_words(rule_id), err=True)
    if as_json:
        emit_json({"rules": [rule.as_json() for rule in stored], "unreadable": unreadable})
        return
    if not stored:
        click.echo('No rules yet. Try `momentum rules add "hide shorts from …"`.')
        return
    emit_table(["id", "on", "rule", "from"],
               [[r.id, "yes" if r.enabled else "no", r.spec.describe(), r.text or "by hand"]
                for r in stored])  # fmt: skip


@rules.command("remove")
@click.argument("rule_id", type=int)
@pass_context
def rules_remove(state: Context, rule_id: int) -> None:
    """Delete rule RULE_ID."""
    with state.open_store().write() as db:
        removed = rule_store.remove_rule(db, rule_id)
    described = removed.spec.describe() if removed is not None else "(it could not be read)"
    click.echo(f"Removed rule {rule_id}: {described}")


@rules.command("edit")
@click.argument("rule_id", type=int)
@_rule_options
@click.option("--enable/--disable", "enabled", default=None, help="Switch the rule on or off.")
@click.option("--spec", "spec_json", help="The whole rule as JSON (see `rules list --json`).")
@json_option
@pass_context
def rules_edit(state: Context, /, rule_id: int, enabled: bool | None, spec_json: str | None,
               as_json: bool, **options: Any) -> None:  # fmt: skip
    """Change rule RULE_ID: options replace it, --spec sets its JSON, no option opens an editor."""
    store = state.open_store()
    with store.read() as conn:
        rule = rule_store.get_rule(conn, rule_id)
    spec = _spec_from_options(store, options)
    if spec_json is not None:
        spec = _spec_from_json(spec_json)
    if spec is None and enabled is None:
        current = json.dumps(rule.spec.model_dump(mode="json", exclude_defaults=True), indent=2)
        edited = click.edit(current, extension=".json")
        if edited is None or edited.strip() == current.strip():
            note("Unchanged.")
            return
        spec = _spec_from_json(edited)
    with store.write() as db:
        updated = rule_store.update_rule(db, rule_id, spec=spec, enabled=enabled)
    if as_json:
        emit_json(updated.as_json())
    else:
        click.echo(
            f"Rule {rule_id}{'' if updated.enabled else ' (off)'}: {updated.spec.describe()}"
        )


def _spec_from_json(text: str) -> RuleSpec:
    try:
        return RuleSpec.model_validate_json(text)
    except ValueError as error:
        raise click.UsageError(f"That is not a valid rule: {_first_error(error)}") from None


@rules.command("test")
@click.argument("rule_id", type=int)
@click.option("--limit", type=click.IntRange(0), default=10, show_default=True,
              help="How many matching videos to print.")  # fmt: skip
@json_option
@pass_context
def rules_test(state: Context, rule_id: int, limit: int, as_json: bool) -> None:
    """Show which cached videos rule RULE_ID matches (whether or not it is on)."""
    store = state.open_store()
    with store.read() as conn:
        rule = rule_store.get_rule(conn, rule_id)
        everything = Filters(include_hidden=True)
        rows = feed_queries.feed_page(conn, everything, limit=1_000_000)
    hits = _matching(rule, rows)
    if as_json:
        emit_json({"id": rule.id, "description": rule.spec.describe(), "matches": len(hits),
                   "of": len(rows), "videos": [{"id": r.id, "title": r.title,
                                                "channel": r.channel_title}
                                               for r in hits[:limit]]})  # fmt: skip
        return
    click.echo(f"{rule.spec.describe()}\nMatches {len(hits):,} of {len(rows):,} cached videos.")
    for hit in hits[:limit]:
        click.echo(f"  {hit.id}  {hit.channel_title} — {hit.title}")


def _matching(rule: Rule, rows: list[FeedRow]) -> list[FeedRow]:
    return [row for row in rows if matches(rule.spec, row)]
