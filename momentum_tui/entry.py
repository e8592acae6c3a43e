"""The `momentum` console script's module: it pauses the garbage collector, then runs.

Nothing is imported before the pause but this package's `__init__` (its version string),
so the collector stays off for every import of the start-up; `momentum_tui.startup_gc`
says why and where it is turned back on.
"""

from momentum_tui import startup_gc

startup_gc.pause()


def main() -> None:
    """Run the command line (`momentum_tui.cli.main`) with the collector paused for start-up."""
    from momentum_tui.cli import main as run_command_line

    run_command_line()
