"""The programs Momentum's start-up is held to (timed by `bench/launch_probe.py`).

    python bench/references.py click --version   a bare click program
    python bench/references.py bare              a bare Textual app (a line and a footer)
    python bench/references.py layout            a Textual app with the first screen's kinds of
                                                 widgets (tabs, search box, list, table-sized
                                                 text, detail pane, progress bar, status line,
                                                 footer) holding static text: Textual's share

Only `sys` is imported up front, so each reference pays for nothing but what it runs.
The Textual ones run the normal way (`App.run()`), under whatever driver the environment
names, like Momentum.
"""

import sys

BARE_TEXT = "hello from a bare app"
LAYOUT_ROW = "A title of about the usual length for a video  Channel name  3d  10:00  1.2M"


def _bare_click() -> None:
    import click

    @click.group()
    @click.version_option("1.0", prog_name="bare")
    def cli() -> None:
        """A bare click program."""

    @cli.command()
    def hello() -> None:
        """Say hello."""
        click.echo("hello")

    cli(args=sys.argv[2:])


def _textual_app(compose: object, css: str = "", bindings: object = ()) -> None:
    """Run a plain Textual app whose screen is `compose()`, the normal way (`App.run`)."""
    from textual.app import App

    class Reference(App[None]):
        CSS = css
        BINDINGS = list(bindings)

        def compose(self) -> object:
            return compose()

    Reference().run()


def _bare() -> None:
    from textual.widgets import Footer, Static

    _textual_app(lambda: [Static(BARE_TEXT), Footer()])


def _layout() -> None:
    """The first screen's widget kinds and sizes with static text: no data, no Momentum code."""
    from textual.binding import Binding
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Footer, Input, ProgressBar, Static, Tab, Tabs

    keys = ("w", "x", "l", "/", "f", "question_mark", "q", "R")

    def compose() -> object:
        with Horizontal():
            yield Static("\n".join(f"Channel {i}  12" for i in range(46)), id="side")
            with Vertical(id="center"):
                yield Tabs(Tab("For you", id="for-you"), Tab("Subscriptions", id="subs"))
                yield Input()
                yield Static("\n".join(LAYOUT_ROW for _ in range(30)))
                yield Static("A detail pane\n" * 10, id="detail")
        yield ProgressBar()
        yield Static("status bar")
        yield Footer()

    css = """
    #side { width: 32; } #center { width: 1fr; } #detail { height: 12; }
    Input, ProgressBar { display: none; }
    """
    _textual_app(compose, css, (Binding(k, "quit", f"Key {k}") for k in keys))


if __name__ == "__main__":
    {"click": _bare_click, "bare": _bare, "layout": _layout}[sys.argv[1]]()
