"""The detail pane: everything about the highlighted video, drawn as `Text`, never markup.

It loads what it shows itself, in a thread worker: the screen says which video is
highlighted (`follow`), and while the cursor moves quickly only the video it settles on is
read — with where playback would resume and its place in the queue. The thumbnail loads
the same way, after the text and in a worker of its own (the disk cache, else the
thumbnail host; decoded and scaled there too), so the cursor never waits for it.

Nothing in the pane changes size when the video changes (`DetailBody` draws the text in
a fixed box; the thumbnail's box is reserved once), so showing a video repaints the pane
and needs no layout pass of the screen.

The last few videos read are remembered: a tab switch (`follow(…, at_once=True)`) shows
the other tab's video as it was last read in the same frame as the tab, instead of the
previous tab's video until a read in a worker comes back, and reads it again once the
cursor settles (the text is only repainted if that changed anything).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.cache import LRUCache
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from momentum_tui.messages import DetailLoaded
from momentum_tui.models import format_age, format_count, format_duration, video_url
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.feed import VideoDetail
from momentum_tui.widgets.detail_body import DetailBody
from momentum_tui.widgets.thumbnail import HalfBlocks, Picture, PictureMemo, Thumbnail
from momentum_tui.widgets.thumbnail_graphics import HALFBLOCKS, Graphics
from momentum_tui.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from momentum_tui.storage.marks import MarkResult
    from momentum_tui.watch.thumbnails import ThumbnailCache

SETTLE_S = 0.05
"""Holding j or page-down passes many rows: read the one the cursor stays on this long."""

THUMB_SIZE = (32, 9)
"""The thumbnail's box in cells (columns, rows): 16:9 in half-blocks."""
MIN_TEXT_LINES = 6
"""A pane shorter than the picture and this many lines puts the picture beside the text."""
KEPT_DETAILS = 16
"""Videos last read that a tab switch shows at once (a few per tab)."""


@dataclass
class ThumbnailLoaded(Message):
    """The highlighted video's thumbnail, decoded (None: none to show)."""

    video_id: str
    image: HalfBlocks | Picture | None
    box: tuple[int, int]
    """The box it was scaled for (a resize since then makes it stale)."""


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


class DetailPane(ReportsWorkerErrors, Widget, can_focus=False):
    """Shows the highlighted video: a thumbnail box and the text, both of fixed size.

    Neither child changes size when the highlighted video changes, so a new video repaints
    the pane alone, with no layout pass (which would reflow and repaint the whole screen
    while the cursor moves). Where the pane is short (the narrow layout), the picture
    sits beside the text instead of above it.
    """

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; layout: vertical; }
    DetailPane.-beside { layout: horizontal; }
    DetailPane.-beside > Thumbnail { margin-right: 1; }
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
        self._body = DetailBody(id="detail-body")
        self._video_id: str | None = None
        self._timer: Timer | None = None
        self._recent: LRUCache[str, VideoDetail] = LRUCache(KEPT_DETAILS)
        """What the last videos read said, by id (a tab switch shows it at once)."""
        self._thumbnails = thumbnails
        """Makes the thumbnail cache on first use (None: thumbnails are off)."""
        self._cache: ThumbnailCache | None = None
        self._pictures = PictureMemo()
        """Pictures decoded lately (coming back up the list shows them without decoding)."""
        self._offline = offline
        """Only what the disk cache holds (the demo never goes to the network)."""
        self._box = THUMB_SIZE
        self._protocol = HALFBLOCKS
        """How pictures are drawn: half-blocks here, kitty or Sixel by textual-image."""
        """The thumbnail's box for the pane's present size (columns, rows)."""
        self.detail: VideoDetail | None = None
        """What the pane shows."""

    def compose(self):  # type: ignore[no-untyped-def]
        """The thumbnail box (hidden until the first picture), then the text."""
        # MomentumApp chose how pictures are drawn before it took the terminal.
        graphics = getattr(self.app, "thumbnail_graphics", None)
        if isinstance(graphics, Graphics):
            self._protocol = graphics.protocol
            if graphics.problem and self._thumbnails is not None:
                self.notify(graphics.problem, timeout=8)
        yield Thumbnail(id="thumbnail", protocol=self._protocol)
        yield self._body

    @property
    def body(self) -> DetailBody:
        """The text part (its `content` is what the pane says)."""
        return self._body

    def on_resize(self) -> None:
        """Choose where the picture goes and its size; redraw it if that changed."""
        width, height = self.content_size
        beside = height < THUMB_SIZE[1] + MIN_TEXT_LINES
        self.set_class(beside, "-beside")
        self._box = thumbnail_box(width, height, beside=beside)
        thumbnail = self.query_one(Thumbnail)
        if thumbnail.box is not None and thumbnail.box != self._box:
            thumbnail.reserve(*self._box)
            if thumbnail.video_id is not None:
                self._load_thumbnail(thumbnail.video_id, self._box)

    def follow(self, video_id: str | None, *, at_once: bool = False) -> None:
        """Show `video_id` (None: nothing highlighted) once the cursor settles on it.

        `at_once` (a tab switch): read it now, or if it was read lately show that now
        and read it again once settled."""
        self._video_id = video_id
        if self._timer is not None:
            self._timer.stop()
        if video_id is None:
            self.show(None)
            return
        if at_once and (recent := self._recent.get(video_id)) is not None:
            self._shown(video_id, recent)
            at_once = False
        if at_once:
            self._load(video_id)
        else:
            self._timer = self.set_timer(SETTLE_S, lambda: self._load(video_id))

    def reload(self) -> None:
        """Read the shown video again."""
        if self._video_id is not None:
            self._load(self._video_id)

    def marked(self, result: MarkResult) -> None:
        """Show a mark just written: the result is the video's whole new state, so the
        shown video takes it in place, no read (only its flags line is drawn again).

        A watched mark reads the video again (it leaves the queue, which renumbers the
        others); a mark on another video leaves this one as it is.
        """
        detail = self.detail
        shown = detail.video["id"] if detail is not None else None
        if shown != self._video_id or result.changed("watched_at"):
            self.reload()
        elif detail is not None and shown == result.video_id:
            self.show(replace(detail, state=dict(result.state)))

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
        if message.detail is not None:
            self._recent[message.video_id] = message.detail
        else:
            self._recent.discard(message.video_id)  # gone from the cache
        if message.video_id == self._video_id:
            self._shown(message.video_id, message.detail)

    def _shown(self, video_id: str, detail: VideoDetail | None) -> None:
        """Show the highlighted video's text, then load its picture if it isn't shown."""
        self.show(detail)
        thumbnail = self.query_one(Thumbnail)
        if self._thumbnails is None or detail is None:
            thumbnail.show(None, None)
        elif thumbnail.video_id != video_id:
            self._load_thumbnail(video_id, self._box)

    @work(thread=True, exclusive=True, group="thumbnail", exit_on_error=False)
    def _load_thumbnail(self, video_id: str, box: tuple[int, int]) -> None:
        from momentum_tui.widgets.thumbnail import load_halfblocks
        from momentum_tui.widgets.thumbnail_graphics import fit_cells, load_picture

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
        try:
            data = path.read_bytes() if path is not None else None
        except OSError:  # evicted meanwhile: no picture, as if it had never been kept
            data = None
        image: HalfBlocks | Picture | None = None
        if data is not None:
            key = (video_id, box, self._protocol, hashlib.blake2b(data, digest_size=16).digest())
            image = self._pictures.get(key)
            if image is None and self._protocol == HALFBLOCKS:
                image = load_halfblocks(data, *box)
            elif image is None:
                picture = load_picture(data)
                if picture is not None:
                    image = Picture(picture, fit_cells(picture.size, box))
            if image is not None:
                self._pictures.put(key, image)
        self.post_message(ThumbnailLoaded(video_id, image, box))

    def on_thumbnail_loaded(self, message: ThumbnailLoaded) -> None:
        """Show the picture if its video is still the one shown (and the box its size)."""
        message.stop()
        if message.video_id != self._video_id or message.box != self._box:
            return
        thumbnail = self.query_one(Thumbnail)
        if message.image is not None:
            thumbnail.reserve(*message.box)  # the first picture: the text moves, once
        thumbnail.show(message.video_id, message.image)

    def on_unmount(self) -> None:
        """Close the thumbnail cache's HTTP client with the pane."""
        if self._cache is not None:
            self._cache.close()

    @property
    def thumbnail_stats(self) -> Any:
        """The thumbnail cache's hits and fetches so far (None before the first)."""
        return self._cache.stats if self._cache is not None else None

    def show(self, detail: VideoDetail | None) -> None:
        """Show `detail`, or an empty-state hint (a video shown is remembered as shown: a
        mark shown in place is what a switch back shows)."""
        self.detail = detail
        if detail is not None:
            self._recent[detail.video["id"]] = detail
        if detail is None:
            self._body.update(Text("No video selected.", style="dim"))
            self.query_one(Thumbnail).show(None, None)
            return
        now = self._fixed_now if self._fixed_now is not None else time.time()
        self._body.update(detail_renderable(detail, now))


def thumbnail_box(width: int, height: int, *, beside: bool) -> tuple[int, int]:
    """The picture's box in cells for a pane of `width` × `height` (16:9 in half-blocks).

    Above the text it takes `THUMB_SIZE` or the pane's width; beside it, the pane's
    height, but never more than a third of the width, so the text keeps the room.
    """
    columns, rows = THUMB_SIZE
    if beside:
        rows = max(1, min(rows, height))
        columns = min(round(rows * THUMB_SIZE[0] / THUMB_SIZE[1]), max(1, width // 3))
    else:
        columns = max(1, min(columns, width))
    rows = max(1, min(rows, round(columns * THUMB_SIZE[1] / THUMB_SIZE[0])))
    return columns, rows
