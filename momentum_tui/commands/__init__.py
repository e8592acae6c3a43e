"""Subcommands of `momentum`, one module per area; `cli.py` registers them."""
