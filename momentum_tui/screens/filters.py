"""The filter panel: every feed filter in one place (the quick toggles are U, S, V and O)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select

from momentum_tui.bindings import FILTER_PANEL
from momentum_tui.models import Filters, Format, Mood, Sort, Topic, parse_duration
from momentum_tui.screens.form import FormScreen
from momentum_tui.widgets.check import Check


def _seconds_to_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}" if seconds % 60 == 0 else f"{seconds}s"


def _parse_clickbait(text: str) -> float | None:
    """`''` → None; `0.6` → 0.6; outside 0–1 or not a number raises ValueError."""
    value = text.strip().replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError("Clickbait is a number from 0 (plain) to 1 (pure bait).") from None
    if not 0 <= number <= 1:
        raise ValueError("Clickbait is a number from 0 (plain) to 1 (pure bait).")
    return number


def _label_select(name: str, values: list[str], chosen: tuple[str, ...]) -> Select[str]:
    return Select(
        [(value, value) for value in values],
        value=chosen[0] if chosen else Select.NULL,
        prompt=f"any {name}",
        id=name,
    )


def _chosen(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else ()


def _parse_minutes(text: str) -> int | None:
    """`''` → None; `10` → 600 s; `90s` → 90 s; `1h` → 3600 s; anything else raises ValueError."""
    value = text.strip()
    return parse_duration(value) if value else None


class FilterScreen(FormScreen[Filters]):
    """Edit all filters; Enter applies, Esc cancels."""

    BINDINGS = [key.binding() for key in FILTER_PANEL]

    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > VerticalScroll {
        width: 64; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
        background: $surface; padding: 0 1;
    }
    FilterScreen .checks Checkbox { width: 1fr; }
    FilterScreen Horizontal { height: auto; }
    FilterScreen .duration Input { width: 1fr; }
    FilterScreen .labels Select { width: 1fr; }
    FilterScreen Label { padding: 1 0 0 0; color: $text-muted; }
    FilterScreen #error { color: $text-error; padding: 0; height: auto; }
    FilterScreen #buttons { padding-top: 1; align-horizontal: right; }
    FilterScreen Button { margin-left: 1; }
    """

    def __init__(self, filters: Filters, tags: list[str]) -> None:
        super().__init__()
        self.filters = filters
        self.tags = tags

    def compose(self) -> ComposeResult:
        """Checkboxes, a length range, sort and channel group."""
        f = self.filters
        # Scrolls when the terminal is shorter than the form (80×24): Tab and the mouse
        # wheel reach every field, and ctrl+s applies from anywhere.
        with VerticalScroll() as box:
            box.border_title = "Filters"
            box.border_subtitle = "ctrl+s apply · esc cancel"
            with Horizontal(classes="checks"):
                yield Check("Unwatched only", f.unwatched_only, id="unwatched_only")
                yield Check("Hide Shorts", f.hide_shorts, id="hide_shorts")
            with Horizontal(classes="checks"):
                yield Check("Hide live & upcoming", f.hide_live, id="hide_live")
                yield Check("Saved for later only", f.saved_only, id="saved_only")
            yield Check("Include hidden videos", f.include_hidden, id="include_hidden")
            yield Label("Length in minutes (or 90s, 1h30m); empty means no limit")
            with Horizontal(classes="duration"):
                yield Input(_seconds_to_text(f.min_seconds), placeholder="at least", id="min")
                yield Input(_seconds_to_text(f.max_seconds), placeholder="at most", id="max")
            yield Label("Sort")
            yield Select(
                [(s.value, s.value) for s in Sort], value=f.sort.value, allow_blank=False, id="sort"
            )
            yield Label("Channel group")
            yield Select(
                [(f"# {t}", t) for t in self.tags],
                value=f.channel_tag or Select.NULL,
                prompt="All channels",
                id="tag",
            )
            yield Label("Topic, mood and format (from the labels)")
            with Horizontal(classes="labels"):
                yield _label_select("topic", [t.value for t in Topic], f.topics)
                yield _label_select("mood", [m.value for m in Mood], f.moods)
                yield _label_select("format", [x.value for x in Format], f.formats)
            yield Label("Hide clickbait above (0 plain … 1 bait; empty shows all)")
            yield Input(
                "" if f.max_clickbait is None else f"{f.max_clickbait:g}",
                placeholder="e.g. 0.6",
                id="clickbait",
            )
            yield Label("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Reset", id="reset")
                yield Button("Cancel", id="cancel")
                yield Button("Apply", variant="primary", id="apply")

    def read(self) -> Filters:
        """The filters the form describes; raises ValueError naming a bad field."""
        minimum = _parse_minutes(self.query_one("#min", Input).value)
        maximum = _parse_minutes(self.query_one("#max", Input).value)
        if minimum is not None and maximum is not None and minimum > maximum:
            raise ValueError("The shortest length is longer than the longest.")
        tag = self.query_one("#tag", Select).value
        return self.filters.replace(
            **{
                name: self.query_one(f"#{name}", Checkbox).value
                for name in (
                    "unwatched_only",
                    "hide_shorts",
                    "hide_live",
                    "saved_only",
                    "include_hidden",
                )
            }
            | {
                "min_seconds": minimum,
                "max_seconds": maximum,
                "sort": Sort(str(self.query_one("#sort", Select).value)),
                "channel_tag": tag if isinstance(tag, str) else None,
                "topics": _chosen(self.query_one("#topic", Select).value),
                "moods": _chosen(self.query_one("#mood", Select).value),
                "formats": _chosen(self.query_one("#format", Select).value),
                "max_clickbait": _parse_clickbait(self.query_one("#clickbait", Input).value),
            }
        )

    @on(Button.Pressed, "#reset")
    def _reset_pressed(self) -> None:
        self.dismiss(Filters(sort=self.filters.sort, search=self.filters.search))
