"""The main screen's watching keys: play (`p`, `P`), the queue (`a`, `J`, `K`), trends (`I`).

`FeedScreen` builds on `WatchKeys`. Playing is the app's (`app_watch.py`: a worker, one
playback at a time, the player stopped when Momentum quits); the queue is written in a
worker like a mark and then every tab is told the cache changed (the Queue tab lists it,
the detail pane says `queued`). On the Queue tab `p` plays the queue from the
highlighted video, and `J`/`K` move it, the cursor following it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from momentum_tui import words
from momentum_tui.messages import CacheChanged
from momentum_tui.models import FeedRow
from momentum_tui.screens.feed_filters import FilteredScreen
from momentum_tui.storage import queue as queue_store
from momentum_tui.tabs import QUEUE
from momentum_tui.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from momentum_tui.tabs.tab import FeedContext, FeedTab


class WatchKeys(ReportsWorkerErrors, FilteredScreen):
    """Play, queue and trends keys for the main screen (`FeedScreen` builds on it)."""

    tabs: dict[str, FeedTab]
    context: FeedContext

    def current_or_warn(self) -> FeedRow | None:
        """The highlighted video, or a warning that there is none (the screen says how)."""
        raise NotImplementedError

    def action_play(self) -> None:
        """Play the highlighted video; on the Queue tab, the queue from it."""
        self._play(audio=False)

    def action_play_audio(self) -> None:
        """Play the highlighted video's sound only (the queue's, on the Queue tab)."""
        self._play(audio=True)

    def _play(self, *, audio: bool) -> None:
        row = self.current_or_warn()
        app: Any = self.app  # MomentumApp (WatchApp); a test app without it plays nothing
        if row is None or not hasattr(app, "play_video"):
            return
        if self.view == QUEUE:
            app.play_queue(row.id, row.title, audio=audio)
        else:
            app.play_video(row.id, row.title, audio=audio)

    def action_queue_toggle(self) -> None:
        """Queue the highlighted video at the end, or take it out of the queue."""
        row = self.current_or_warn()
        if row is not None:
            self._queue_toggle(row.id, row.title)

    @work(thread=True, group="queue-write", exit_on_error=False)
    def _queue_toggle(self, video_id: str, title: str) -> None:
        if queue_store.remove(self.store, video_id):
            said = f"Out of the queue: {words.short_title(title)}"
        else:
            queue_store.add(self.store, video_id)
            said = f"Queued: {words.short_title(title)}  (3 shows the queue)"
        self.app.call_from_thread(self._queue_changed, said)

    def action_queue_move(self, steps: int) -> None:
        """Move the highlighted queued video `steps` places (J down, K up)."""
        if self.view != QUEUE:
            self.notify("J and K move videos in the queue: press 3 to show it.", timeout=3)
            return
        row = self.current_or_warn()
        if row is not None:
            self._queue_move(row.id, row.rowid, steps)

    @work(thread=True, exclusive=True, group="queue-write", exit_on_error=False)
    def _queue_move(self, video_id: str, rowid: int, steps: int) -> None:
        queue_store.move_by(self.store, video_id, steps)
        self.app.call_from_thread(self._queue_moved, rowid)

    def _queue_moved(self, rowid: int) -> None:
        self.show_view(QUEUE, fresh=True, keep_rowid=rowid)  # the cursor goes with it

    def _queue_changed(self, said: str) -> None:
        self.tabs[QUEUE].cache_changed()
        self.notify(said, timeout=3)
        self.post_message(CacheChanged())

    def action_trends(self) -> None:
        """What is rising in your subscriptions; Enter on a video puts the cursor on it."""
        from momentum_tui.screens.trends import TrendsScreen

        def chosen(video_id: str | None) -> None:
            if video_id:
                self._jump_to(video_id)

        self.app.push_screen(TrendsScreen(self.store, now=self.context.now()), chosen)

    @work(thread=True, group="jump", exit_on_error=False)
    def _jump_to(self, video_id: str) -> None:
        from momentum_tui.messages import JumpReady
        from momentum_tui.storage import feed as queries

        with self.store.read() as conn:
            rowid = queries.rowid_of(conn, video_id)
        self.post_message(JumpReady(video_id, rowid))  # shown in For you, else Subscriptions
