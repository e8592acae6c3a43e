"""The trends screen: what is rising in your subscriptions, and channels breaking out.

Computed in a thread worker from the cache and the labels (`recommend/trends.py`, the
same figures as `momentum trends`). The upper table lists rising topics, tags and title
words (count this window, change of their share of uploads, a sparkline of the windows)
and then channels running ahead of their usual pace; the lower table lists the
highlighted row's videos. Tab moves between the two, `d` changes the window's length,
Enter on a video closes the screen with the cursor on it (like the digest's jump).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from momentum_tui.bindings import TRENDS
from momentum_tui.models import FeedRow, format_age_short, format_count
from momentum_tui.recommend.trends import MIN_BASELINE, Breakout, TrendRow, Trends
from momentum_tui.storage import Store
from momentum_tui.storage import feed as feed_queries
from momentum_tui.widgets.line_table import Column, LineTable
from momentum_tui.worker_errors import ReportsWorkerErrors

WINDOWS = (7, 1, 30)
"""Window lengths `d` cycles through, in days."""

KIND_WORDS = {"topic": "topic", "tag": "tag", "word": "word", "channel": "channel"}

TREND_COLUMNS = [
    Column("kind", width=7),
    Column("rising", weight=3, minimum=12),
    Column("now", width=5, right=True),
    Column("change", width=7, right=True),
    Column("weeks", width=9),
    Column("channels", width=8, right=True),
]
VIDEO_COLUMNS = [
    Column("title", weight=4, minimum=16),
    Column("channel", weight=1, minimum=8),
    Column("age", width=4, right=True),
    Column("views", width=6, right=True),
]


@dataclass
class TrendsComputed(Message):
    """The trends for one window length arrived."""

    days: int
    trends: Trends


@dataclass
class VideosRead(Message):
    """The videos of one trend row arrived."""

    index: int
    rows: list[FeedRow]


@dataclass(frozen=True)
class Line:
    """One row of the upper table: a rising term or a breakout channel."""

    kind: str
    term: str
    now: int
    change: str
    spark: str
    channels: str
    video_ids: list[str]


def lines_of(trends: Trends) -> list[Line]:
    """Rising terms (most surprising first), then breakout channels."""
    lines = [_term_line(row) for row in trends.rows]
    lines += [_breakout_line(item) for item in trends.breakouts]
    return lines


def _term_line(row: TrendRow) -> Line:
    change = row.change
    words = "new" if change is None else f"{change:+.0%}"
    return Line(row.kind, row.term, row.now, words, row.sparkline, str(row.channels),
                row.video_ids)  # fmt: skip


def _breakout_line(item: Breakout) -> Line:
    return Line("channel", item.title, item.videos, f"{item.ratio:.1f}×", "", "",
                item.video_ids)  # fmt: skip


class TrendsScreen(ReportsWorkerErrors, Screen[str | None]):
    """Rising terms and breakout channels; dismissed with a video id to jump to, or None."""

    BINDINGS = [key.binding() for key in TRENDS]

    def __init__(self, store: Store, *, now: float) -> None:
        super().__init__()
        self.store = store
        self.now = now
        self.days = WINDOWS[0]
        self.lines: list[Line] = []
        self.videos: list[FeedRow] = []

    def compose(self) -> ComposeResult:
        """Heading, the trends, the highlighted row's videos, the footer."""
        yield Static(Text("Trends: computing…", style="bold"), id="trends-heading")
        yield LineTable(id="trends-table")
        yield Static(Text("Videos", style="bold"), id="trends-videos-heading")
        yield LineTable(id="trends-videos")
        yield Footer()

    def on_mount(self) -> None:
        """Compute the trends for the first window length."""
        self.query_one("#trends-table", LineTable).focus()
        self._compute(self.days)

    @work(thread=True, exclusive=True, group="trends", exit_on_error=False)
    def _compute(self, days: int) -> None:
        from momentum_tui.recommend.trends import compute_trends

        with self.store.read() as conn:
            trends = compute_trends(conn, int(self.now), days=days)
        self.post_message(TrendsComputed(days, trends))

    def on_trends_computed(self, message: TrendsComputed) -> None:
        """Show the rising rows (or why there are none)."""
        if message.days != self.days:
            return
        trends = message.trends
        self.lines = lines_of(trends)
        heading = Text(f"Trends: the last {self._window_words()} against the "
                       f"{trends.history} before", style="bold")  # fmt: skip
        heading.append(f"  ·  {trends.uploads[-1]:,} uploads this window", style="dim")
        self.query_one("#trends-heading", Static).update(heading)
        if not trends.enough_history:
            empty = (f"Not enough history yet: the earlier windows hold "
                     f"{sum(trends.uploads[:-1]):,} uploads, trends need {MIN_BASELINE}. "
                     "Sync for a while (or press d for longer windows).")  # fmt: skip
        else:
            empty = "Nothing is rising beyond the usual. d changes the window."
        table = self.query_one("#trends-table", LineTable)
        table.show(TREND_COLUMNS, len(self.lines), self._line_cells, empty=empty)
        self._read_videos(0)

    def _window_words(self) -> str:
        return "day" if self.days == 1 else f"{self.days} days"

    def _line_cells(self, index: int) -> list[Text]:
        line = self.lines[index]
        rising = line.change.startswith("+") or line.change == "new" or "×" in line.change
        return [
            Text(KIND_WORDS.get(line.kind, line.kind), style="dim"),
            Text(line.term, style="bold"),
            Text(f"{line.now:,}"),
            Text(line.change, style="green" if rising else ""),
            Text(line.spark, style="cyan"),
            Text(line.channels, style="dim"),
        ]

    @on(LineTable.Highlighted, "#trends-table")
    def _row_highlighted(self, message: LineTable.Highlighted) -> None:
        self._read_videos(message.index)

    def _read_videos(self, index: int) -> None:
        if 0 <= index < len(self.lines):
            self._videos(index, self.lines[index].video_ids)
        else:
            self.on_videos_read(VideosRead(index, []))

    @work(thread=True, exclusive=True, group="trend-videos", exit_on_error=False)
    def _videos(self, index: int, video_ids: list[str]) -> None:
        with self.store.read() as conn:
            found = feed_queries.rowids_by_id(conn, video_ids)
            rows = feed_queries.rows_by_rowid(conn, [found[v] for v in video_ids if v in found])
        self.post_message(VideosRead(index, rows))

    def on_videos_read(self, message: VideosRead) -> None:
        """Show the highlighted row's videos."""
        self.videos = message.rows
        term = self.lines[message.index].term if message.index < len(self.lines) else ""
        heading = Text("Videos", style="bold")
        if term:
            heading.append(f" with “{term}”" if self.lines[message.index].kind != "channel"
                           else f" of {term}")  # fmt: skip
            heading.append("  ·  Tab: here · Enter: show it in the feed", style="dim")
        self.query_one("#trends-videos-heading", Static).update(heading)
        self.query_one("#trends-videos", LineTable).show(
            VIDEO_COLUMNS, len(self.videos), self._video_cells, empty="No videos."
        )

    def _video_cells(self, index: int) -> list[Text]:
        row = self.videos[index]
        return [
            Text(row.title),
            Text(row.channel_title, style="dim"),
            Text(format_age_short(row.published_at, self.now), style="dim"),
            Text(format_count(row.view_count) if row.view_count is not None else "—"),
        ]

    # -- keys -------------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        """Move between the trends and the highlighted row's videos."""
        trends = self.query_one("#trends-table", LineTable)
        videos = self.query_one("#trends-videos", LineTable)
        (videos if trends.has_focus else trends).focus()

    def action_window(self) -> None:
        """Cycle the window's length: a week, a day, a month."""
        self.days = WINDOWS[(WINDOWS.index(self.days) + 1) % len(WINDOWS)]
        self.query_one("#trends-heading", Static).update(
            Text(f"Trends: computing the last {self._window_words()}…", style="bold")
        )
        self._compute(self.days)

    def action_open(self) -> None:
        """Close with the cursor on the highlighted video (from either table)."""
        videos = self.query_one("#trends-videos", LineTable)
        if not videos.has_focus:
            videos.focus()
            return
        if self.videos:
            self.dismiss(self.videos[videos.cursor].id)

    def action_close(self) -> None:
        """Back to the feed."""
        self.dismiss(None)
