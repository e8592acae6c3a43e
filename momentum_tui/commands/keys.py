"""`momentum keys set|status|delete`: API keys in the keyring (never echoed, never logged)."""

from __future__ import annotations

import sys

import click

from momentum_tui import locations, secrets
from momentum_tui.commands.common import emit_json, emit_table, json_option

_SETTABLE = click.Choice(["youtube", "anthropic", "backend"])


@click.group()
def keys() -> None:
    """Store and check API keys."""


@keys.command("set")
@click.argument("name", type=_SETTABLE)
@click.option(
    "--file",
    "allow_file",
    is_flag=True,
    help="Keep the key in a file only you can read (0600), for machines without a keyring.",
)
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the key from standard input.")
def keys_set(name: str, allow_file: bool, from_stdin: bool) -> None:
    """Store the API key NAME (youtube or anthropic); asks for it without echoing."""
    spec = secrets.SECRETS[name]
    if from_stdin:
        value = sys.stdin.readline()
    else:
        value = click.prompt(f"{spec.label}", hide_input=True, show_default=False)
    where = secrets.set_secret(name, value, allow_file=allow_file)
    if where == "file":
        click.echo(
            f"Stored the {spec.label} in {locations.secrets_file()} (mode 0600). "
            "Anyone who can read your files as you can read it; prefer a keyring where one exists.",
            err=True,
        )
    else:
        click.echo(f"Stored the {spec.label} in the system keyring.")


@keys.command("delete")
@click.argument("name", type=_SETTABLE)
def keys_delete(name: str) -> None:
    """Forget the stored key NAME."""
    removed = secrets.delete_secret(name)
    click.echo("Removed." if removed else "Nothing was stored.")


@keys.command("status")
@json_option
def keys_status(as_json: bool) -> None:
    """Which keys are set and where they come from — never their values."""
    rows = []
    for name, spec in secrets.SECRETS.items():
        rows.append(
            {"name": name, "label": spec.label, "set": False, "source": None, "env": spec.env}
        )
        source = secrets.secret_source(name)
        rows[-1].update({"set": source is not None, "source": source})
    if as_json:
        emit_json(
            {
                "keyring": secrets.keyring_backend_name(),
                "keyring_available": secrets.keyring_available(),
                "keys": rows,
            }
        )
        return
    emit_table(
        ["key", "set", "from", "override"],
        [[r["label"], "yes" if r["set"] else "no", r["source"] or "-", r["env"]] for r in rows],
    )
    if not secrets.keyring_available():
        click.echo(
            "\nNo system keyring on this machine: `momentum keys set NAME --file` keeps keys in "
            "a 0600 file, or set the environment variables above.",
        )
