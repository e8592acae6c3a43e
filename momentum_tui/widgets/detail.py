"""The detail pane: everything about the highlighted video, drawn as `Text`, never markup.

It loads what it shows itself, in a thread worker: the screen says which video is
highlighted (`follow`), and while the cursor moves quickly only the video it settles on is
read — with where playback would resume and its place in the queue. The thumbnail loads
the same way, after the text and in a worker of its own (the disk cache, else the
thumbnail host; decoded and scaled there too), so the cursor never waits for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from momentum_tui.messages import DetailLoaded
from momentum_tui.models import format_age, format_count, format_duration, video_url
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.feed import VideoDetail
from momentum_tui.widgets.thumbnail import HalfBlocks, Thumbnail
from momentum_tui.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from momentum_tui.watch.thumbnails import ThumbnailCache

SETTLE_S = 0.05
"""Holding j or page-down passes many rows: read the one the cursor stays on this long."""

THUMB_SIZE = (32, 9)
"""The thumbnail's box in cells (columns, rows): 16:9 in half-blocks."""


@dataclass
class ThumbnailLoaded(Message):
    """The highlighted video's thumbnail, decoded (None: none to show)."""

    video_id: str
    image: HalfBlocks | None


def clock(seconds: float) -> str:
    """`12:40` or `1:02:03`."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


_LIVE_WORDS = {"live": "● LIVE now", "upcoming": "◷ Upcoming", "was_live": "Streamed"}


def clickbait_meter(score: float, width: int = 10) -> Text:
    """A small bar for a 0–1 clickbait score: green when honest, red when baity."""
    filled = round(max(0.0, min(1.0, score)) * width)
    colour = "green" if score < 0.35 else "yellow" if score < 0.65 else "red"
    meter = Text("▰" * filled, style=colour)
    meter.append("▱" * (width - filled), style="dim")
    meter.append(f" {score:.2f}", style=colour)
    return meter


def label_origin(labels: dict[str, Any]) -> Text:
    """Where the labels came from, the sponsor flag, language and tags, on one dim line."""
    if labels.get("source") == "claude":
        line = Text(f"labels by {labels.get('model') or 'Claude'}", style="dim")
    else:
        line = Text(f"offline guess ({float(labels.get('confidence', 0)):.0%} sure)", style="dim")
    if labels.get("has_sponsor"):
        line.append(" · ", style="dim")
        line.append("sponsored", style="yellow")
    if labels.get("language"):
        line.append(f" · {labels['language']}", style="dim")
    if labels.get("tags"):
        line.append(" · " + ", ".join(labels["tags"]), style="dim italic")
    return line


def detail_renderable(detail: VideoDetail, now: float) -> RenderableType:
    """Build the pane's content for one video."""
    video: dict[str, Any] = detail.video
    labels = detail.labels
    state = detail.state
    lines: list[RenderableType] = [Text(video["title"], style="bold")]
    if labels and labels.get("plain_title") and labels["plain_title"] != video["title"]:
        lines.append(Text(f"↳ {labels['plain_title']}", style="italic"))
    meta = Text(video["channel_title"], style="bold")
    for part in (
        format_age(video["published_at"], now),
        format_duration(video["duration_s"])
        or ("length unknown" if video["live_state"] == "none" else ""),
        f"{format_count(video['view_count'])} views" if video["view_count"] is not None else "",
        f"{format_count(video['like_count'])} likes" if video["like_count"] else "",
    ):
        if part:
            meta.append(" · ", style="dim")
            meta.append(part)
    lines.append(meta)
    flags = Text()
    if video["live_state"] in _LIVE_WORDS:
        flags.append(f"{_LIVE_WORDS[video['live_state']]}  ", style="bold red")
    if video["is_short"]:
        flags.append("Short  ", style="magenta")
    if state["watched_at"]:
        flags.append("✓ watched  ", style="green")
    if state["rating"] > 0:
        flags.append("♥ liked  ", style="green")
    elif state["rating"] < 0:
        flags.append("✗ disliked  ", style="red")
    if state["saved_at"]:
        flags.append("★ saved  ", style="yellow")
    if state["hidden_at"]:
        flags.append("hidden  ", style="dim")
    if detail.queued is not None:
        flags.append(f"⏵ queued #{detail.queued}  ", style="cyan")
    if detail.resume_s is not None:
        flags.append(f"resume at {clock(detail.resume_s)}  ", style="bold")
    if detail.channel_tags:
        flags.append("  ".join(f"#{tag}" for tag in detail.channel_tags), style="cyan")
    if flags:
        lines.append(flags)
    if labels:
        chips = Text()
        for key in ("topic", "mood", "format"):
            chips.append(f" {labels[key]} ", style="reverse")
            chips.append(" ")
        chips.append(" clickbait ", style="dim")
        chips.append_text(clickbait_meter(float(labels["clickbait"])))
        lines.append(chips)
        if labels.get("summary"):
            lines.append(Text(labels["summary"]))
        lines.append(label_origin(labels))
    lines.append(Text(video_url(video["id"]), style="dim underline"))
    if video["description"]:
        lines.append(Text(""))
        lines.append(Text(video["description"], style="dim"))
    return Group(*lines)


class DetailPane(ReportsWorkerErrors, VerticalScroll, can_focus=False):
    """Shows the highlighted video."""

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > Static { width: 1fr; }
    """

    def __init__(
        self,
        store: Store,
        *,
        now: float | None = None,
        id: str | None = None,
        thumbnails: Callable[[], ThumbnailCache | None] | None = None,
        offline: bool = False,
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self._fixed_now = now
        self._body = Static("", expand=True)
        self._video_id: str | None = None
        self._timer: Timer | None = None
        self._thumbnails = thumbnails
        """Makes the thumbnail cache on first use (None: thumbnails are off)."""
        self._cache: ThumbnailCache | None = None
        self._offline = offline
        """Only what the disk cache holds (the demo never goes to the network)."""
        self.detail: VideoDetail | None = None
        """What the pane shows."""

    def compose(self):  # type: ignore[no-untyped-def]
        """The thumbnail (when there is one), then one Static with the text."""
        yield Thumbnail(id="thumbnail")
        yield self._body

    def follow(self, video_id: str | None, *, at_once: bool = False) -> None:
        """Show `video_id` (None: nothing highlighted) once the cursor settles on it."""
        self._video_id = video_id
        if self._timer is not None:
            self._timer.stop()
        if video_id is None:
            self.show(None)
        elif at_once:
            self._load(video_id)
        else:
            self._timer = self.set_timer(SETTLE_S, lambda: self._load(video_id))

    def reload(self) -> None:
        """Read the shown video again (after a mark)."""
        if self._video_id is not None:
            self._load(self._video_id)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load(self, video_id: str) -> None:
        from momentum_tui.storage import playback
        from momentum_tui.storage import queue as queue_store

        with self.store.read() as conn:
            detail = queries.video_detail(conn, video_id)
            if detail is not None:
                known = playback.position_of(conn, video_id)
                if known is not None and known.resumable:
                    detail.resume_s = known.position_s
                queued = queue_store.queued_ids(conn)
                if video_id in queued:
                    detail.queued = queued.index(video_id) + 1
        self.post_message(DetailLoaded(video_id, detail))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        """Show what arrived, if that video is still the highlighted one; then its picture."""
        message.stop()
        if message.video_id == self._video_id:
            self.show(message.detail)
            thumbnail = self.query_one(Thumbnail)
            if self._thumbnails is None or message.detail is None:
                thumbnail.show(None, None)
            elif thumbnail.video_id != message.video_id:
                self._load_thumbnail(message.video_id)

    @work(thread=True, exclusive=True, group="thumbnail", exit_on_error=False)
    def _load_thumbnail(self, video_id: str) -> None:
        from momentum_tui.widgets.thumbnail import load_halfblocks

        try:
            import PIL  # noqa: F401 - decodes the pictures
        except ImportError:
            self._thumbnails = None  # said once; the pane goes on without pictures
            self.app.call_from_thread(
                self.notify,
                "Thumbnails need Pillow: pip install 'momentum-tui[thumbnails]' "
                "(or set ui.thumbnails = false).",
                timeout=8,
            )
            return
        if self._cache is None and self._thumbnails is not None:
            self._cache = self._thumbnails()
        path = self._cache.get(video_id, offline=self._offline) if self._cache else None
        image = load_halfblocks(path, *THUMB_SIZE) if path is not None else None
        self.post_message(ThumbnailLoaded(video_id, image))

    def on_thumbnail_loaded(self, message: ThumbnailLoaded) -> None:
        """Show the picture if its video is still the one shown."""
        message.stop()
        if message.video_id == self._video_id:
            self.query_one(Thumbnail).show(message.video_id, message.image)

    @property
    def thumbnail_stats(self) -> Any:
        """The thumbnail cache's hits and fetches so far (None before the first)."""
        return self._cache.stats if self._cache is not None else None

    def show(self, detail: VideoDetail | None) -> None:
        """Show `detail`, or an empty-state hint."""
        self.detail = detail
        if detail is None:
            self._body.update(Text("No video selected.", style="dim"))
            self.query_one(Thumbnail).show(None, None)
            return
        now = self._fixed_now if self._fixed_now is not None else time.time()
        self._body.update(detail_renderable(detail, now))
        self.scroll_home(animate=False)
