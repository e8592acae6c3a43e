"""`momentum classify`, `momentum costs` and `momentum rules …`: labels, spending, rules.

Progress and notes go to standard error, so `--json` output on standard output stays
clean for scripts. JSON shapes are documented in docs/ai.md.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from momentum_tui.ai import ledger
from momentum_tui.ai.claude import ClassifyProgress, ClassifyResult, classify, estimate_backlog
from momentum_tui.ai.local import label_store
from momentum_tui.ai.transport import api_key, make_client
from momentum_tui.ai.work import clear_failures, count_candidates, failures
from momentum_tui.commands.common import (
    Context,
    emit_json,
    emit_table,
    is_interactive,
    json_option,
    pass_context,
)
from momentum_tui.errors import MissingKeyError, MomentumError
from momentum_tui.models import FeedRow, Filters, Format, Mood, Topic, parse_duration
from momentum_tui.rules import Rule, RuleAction, RuleSpec, matches
from momentum_tui.storage import Store
from momentum_tui.storage import feed as feed_queries
from momentum_tui.storage import rules as rule_store


def _note(message: str) -> None:
    click.echo(message, err=True)


class _ProgressLine:
    """One progress line on standard error, rewritten in place on a terminal."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, status: ClassifyProgress) -> None:
        text = (
            f"classify: {status.labelled:,}/{status.total:,} labelled, {status.failed} given up, "
            f"{status.requests} requests, ${status.usd:.4f}"
            + (f" — {status.note}" if status.note else "")
        )
        if self.tty:
            click.echo("\r\x1b[2K" + text, nl=False, err=True)
        elif time.monotonic() - self.last > 2 or status.labelled + status.failed >= status.total:
            click.echo(text, err=True)
            self.last = time.monotonic()

    def done(self) -> None:
        if self.tty:
            click.echo("", err=True)


# -- classify --------------------------------------------------------------------------------


@click.command("classify")
@click.option("--batch", is_flag=True, help="Use the Message Batches API (half price, slower).")
@click.option("--wait", is_flag=True, help="With --batch: poll until every batch has ended.")
@click.option("--cancel", is_flag=True, help="With --batch: cancel the batches in flight.")
@click.option("--limit", type=click.IntRange(1), help="Label at most this many videos.")
@click.option("--budget", "budget_usd", type=click.FloatRange(0), help="Spend at most this (USD).")
@click.option("--local", "local_only", is_flag=True, help="Only the offline classifier.")
@click.option("--retry-failed", is_flag=True, help="Try again videos Claude gave up on.")
@click.option("--estimate", is_flag=True, help="Price the backlog (free); label nothing.")
@json_option
@pass_context
def classify_command(
    state: Context,
    batch: bool,
    wait: bool,
    cancel: bool,
    limit: int | None,
    budget_usd: float | None,
    local_only: bool,
    retry_failed: bool,
    estimate: bool,
    as_json: bool,
) -> None:
    """Label videos: offline right away, then with Claude (batched, cached, within budget)."""
    store = state.open_store()
    settings = state.settings.claude
    local = label_store(store).labelled
    if local and not as_json:
        _note(f"Labelled {local:,} new or changed videos offline.")
    if local_only:
        _finish_local(store, local, as_json, reason="--local")
        return
    try:
        key = api_key()
    except MissingKeyError as error:
        _note(f"{error.title} {error.hint}")
        _finish_local(store, local, as_json, reason="no key")
        return
    client = make_client(settings, key)
    if retry_failed:
        with store.write() as db:
            cleared = clear_failures(db)
        _note(f"Cleared {cleared} give-ups; they will be tried again.")
    if estimate:
        _print_estimate(estimate_backlog(store, settings, client), as_json)
        return
    if batch:
        _run_batch(store, settings, client, wait, cancel, limit, budget_usd, local, as_json)
        return
    progress = _ProgressLine()
    try:
        result = classify(
            store, settings, limit=limit, budget_usd=budget_usd, client=client,
            progress=None if as_json else progress,
        )  # fmt: skip
    finally:
        progress.done()
    _print_result(store, result, local, as_json)


def _finish_local(store: Store, local: int, as_json: bool, reason: str) -> None:
    with store.read() as conn:
        waiting = count_candidates(conn)
    if as_json:
        emit_json({"mode": "local", "reason": reason, "local_labelled": local,
                   "waiting_for_claude": waiting})  # fmt: skip
    elif not local:
        _note("Every video already has labels.")


def _print_result(store: Store, result: ClassifyResult, local: int, as_json: bool) -> None:
    if as_json:
        emit_json({"mode": "claude", "local_labelled": local, **result.as_json()})
        return
    if result.candidates == 0:
        _note("Every video already has Claude labels; nothing was sent.")
        return
    click.echo(
        f"Labelled {result.labelled:,} videos with {result.model}"
        + (f" ({result.reused:,} from earlier answers)" if result.reused else "")
        + f" in {result.requests} requests for ${result.usd:.4f}"
        + (f"; gave up on {result.failed}" if result.failed else "")
        + "."
    )
    if result.stopped:
        _note(
            f"Stopped before going over {result.stopped}: {result.remaining:,} videos keep their "
            "offline labels. Run `momentum classify` again when the budget renews (UTC), or "
            "pass --budget."
        )
    if result.failed:
        _note(f"{result.failed} videos Claude could not label keep their offline labels; "
              "`momentum classify --retry-failed` tries them again.")  # fmt: skip


def _print_estimate(estimate: Any, as_json: bool) -> None:
    if as_json:
        emit_json(estimate.as_json())
        return
    if not estimate.candidates:
        click.echo("Every video already has Claude labels.")
        return
    click.echo(
        f"{estimate.candidates:,} videos need Claude labels: about {estimate.requests:,} "
        f"requests, ${estimate.usd:.2f} (${estimate.batch_usd:.2f} with --batch)."
    )


def _run_batch(store: Store, settings: Any, client: Any, wait: bool, cancel: bool,
               limit: int | None, budget_usd: float | None, local: int,
               as_json: bool) -> None:  # fmt: skip
    from momentum_tui.ai.batches import BatchRunner

    runner = BatchRunner(store, settings, client)
    if cancel:
        canceled = runner.cancel()
        if as_json:
            emit_json({"canceled": canceled})
        else:
            click.echo(f"Asked Claude to cancel {len(canceled)} batch(es); "
                       "run `momentum classify --batch` to collect what finished.")  # fmt: skip
        return
    report = runner.collect()
    try:
        submitted = runner.submit(limit=limit, budget_usd=budget_usd)  # nothing to do: no-op
    except MomentumError as error:
        if not report.collected:
            raise
        _note(f"{error.title} {error.hint}")
    else:
        report.submitted = submitted.submitted
        report.reused += submitted.reused
        report.stopped = submitted.stopped
    if wait:

        def on_poll(polled: Any) -> None:
            if not as_json and polled.pending:
                _note(f"classify: {len(polled.pending)} batch(es) in progress, "
                      f"{polled.labelled:,} labelled so far…")  # fmt: skip

        waited = runner.wait(on_poll=on_poll)
        report.collected += waited.collected
        report.labelled += waited.labelled
        report.failed += waited.failed
        report.returned += waited.returned
        report.usage.add(waited.usage)
        report.usd += waited.usd
    report.pending = runner.pending()
    if as_json:
        emit_json({"mode": "batch", "local_labelled": local, **report.as_json()})
        return
    for info in report.submitted:
        click.echo(f"Submitted batch {info.id}: {info.videos:,} videos in {info.requests} "
                   f"requests (at most ${info.estimate_usd:.4f}).")  # fmt: skip
    if report.collected:
        click.echo(f"Collected {len(report.collected)} batch(es): {report.labelled:,} labelled "
                   f"for ${report.usd:.4f}.")  # fmt: skip
    if report.returned:
        _note(f"{report.returned:,} videos came back unprocessed (errored, expired or canceled) "
              "and will be sent again.")  # fmt: skip
    if report.stopped:
        _note(f"The batch was kept under {report.stopped}.")
    if report.pending:
        _note(f"{len(report.pending)} batch(es) still in progress; run `momentum classify "
              "--batch` later (or with --wait) to collect them.")  # fmt: skip
    elif not report.submitted and not report.collected:
        _note("Nothing to send: every video has Claude labels or is waiting in a batch.")


# -- costs -----------------------------------------------------------------------------------


@click.command("costs")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True,
              help="How many days back.")  # fmt: skip
@json_option
@pass_context
def costs(state: Context, days: int, as_json: bool) -> None:
    """What Claude cost, by day and model, against the daily and monthly budgets."""
    settings = state.settings.claude
    store = state.open_store()
    with store.read() as conn:
        rows = ledger.spend_by_day(conn, days)
        today, month = ledger.spent_usd(conn)
        pending = ledger.pending_batch_usd(conn)
        gave_up = len(failures(conn))
    if as_json:
        emit_json({
            "today_usd": round(today, 6), "month_usd": round(month, 6),
            "daily_budget_usd": settings.daily_budget_usd,
            "monthly_budget_usd": settings.monthly_budget_usd,
            "pending_batch_usd": round(pending, 6), "given_up_videos": gave_up,
            "days": [{"day": r.day, "model": r.model, "requests": r.requests,
                      "videos": r.videos, "input_tokens": r.input_tokens,
                      "output_tokens": r.output_tokens,
                      "cache_write_tokens": r.cache_write_tokens,
                      "cache_read_tokens": r.cache_read_tokens, "usd": round(r.usd, 6)}
                     for r in rows],
        })  # fmt: skip
        return
    if rows:
        emit_table(
            ["day (UTC)", "model", "requests", "videos", "input", "output", "cache w/r", "USD"],
            [[r.day, r.model, r.requests, r.videos, f"{r.input_tokens:,}", f"{r.output_tokens:,}",
              f"{r.cache_write_tokens:,}/{r.cache_read_tokens:,}", f"{r.usd:.4f}"]
             for r in rows],
        )  # fmt: skip
        click.echo("")
    else:
        click.echo(f"No Claude requests in the last {days} days.")
    click.echo(f"Today: ${today:.4f} of ${settings.daily_budget_usd:.2f}. "
               f"This month: ${month:.4f} of ${settings.monthly_budget_usd:.2f}.")  # fmt: skip
    if pending:
        click.echo(f"Batches in flight may cost up to ${pending:.4f} more.")
    if gave_up:
        click.echo(f"{gave_up} videos Claude could not label are skipped until their text "
                   "changes (`momentum classify --retry-failed` tries them again).")  # fmt: skip


# -- rules -----------------------------------------------------------------------------------


@click.group("rules")
def rules() -> None:
    """Hide, boost or bury videos with rules (plain English via Claude, or by hand)."""


def _rule_options(function: Any) -> Any:
    options = [
        click.option("--hide", "action", flag_value="hide", help="Hide matching videos."),
        click.option("--boost", "action", flag_value="boost", help="Rank them higher."),
        click.option("--bury", "action", flag_value="bury", help="Rank them lower."),
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
        raise click.UsageError("Say what the rule does: --hide, --boost or --bury.")
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
    from momentum_tui.ai.rules import resolve_channels
    from momentum_tui.storage.channels import channel_titles

    ids_given = [n for n in names if n.startswith("UC") and len(n) == 24]
    others = [n for n in names if n not in ids_given]
    with store.read() as conn:
        ids, titles = resolve_channels(conn, others)
        known = channel_titles(conn, ids_given)
    ids.extend(ids_given)
    titles.extend(known.get(channel_id, channel_id) for channel_id in ids_given)
    return ids, titles


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
        from momentum_tui.ai.rules import parse_rule

        settings = state.settings.claude
        parsed = parse_rule(text, store, settings, make_client(settings))
        spec, source = parsed.spec, "claude"
        if not as_json:
            _note(f"Claude read it as (${parsed.usd:.5f}): {parsed.explanation}")
    if not as_json:
        click.echo(spec.describe())
    if not yes and not click.confirm("Save this rule?", default=True, err=True):
        _note("Not saved.")
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
        stored = rule_store.list_rules(conn)
    if as_json:
        emit_json({"rules": [rule.as_json() for rule in stored]})
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
    click.echo(f"Removed rule {rule_id}: {removed.spec.describe()}")


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
            _note("Unchanged.")
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
        everything = Filters.model_validate({"include_hidden": True})
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
