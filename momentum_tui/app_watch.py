"""Playing videos from the app: the player runs in a thread worker, the app stays usable.

One playback at a time (a new `p` stops the one before). While mpv plays, the session
(`watch/session.py`) remembers the position and marks the video watched past
`player.watched_at`; when the playback ends the app says how, and tells every screen the
cache changed (the mark, the position, the queue). Quitting Momentum stops the player,
its position kept. `playing` is the app's reactive state for the status bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.reactive import reactive

from momentum_tui.config import Settings
from momentum_tui.errors import MomentumError
from momentum_tui.messages import CacheChanged
from momentum_tui.storage import Store
from momentum_tui.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from momentum_tui.watch.player import Launch
    from momentum_tui.watch.session import PlayOutcome


def clock(seconds: float | None) -> str:
    """`12:40` or `1:02:03`."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def ended_sentence(outcome: PlayOutcome, title: str) -> str:
    """What the app says once a playback has ended."""
    if outcome.marked_watched:
        return f"Watched: {title}  (u undoes)"
    if not outcome.followed:
        return f"The player closed: {title}"
    if outcome.reason == "eof":
        return f"Finished: {title}"
    if outcome.reason == "error":
        return f"The player stopped with an error on {title}."
    if outcome.position_s:
        return f"Stopped at {clock(outcome.position_s)}: {title} (p resumes there)"
    return f"Stopped: {title}"


class WatchApp(ReportsWorkerErrors, App[None]):
    """Playback in the background (mixed into `MomentumApp`)."""

    store: Store
    settings: Settings

    playing: reactive[str] = reactive("")
    """The title being played ('' when nothing plays)."""

    _player: Launch | None = None

    def play_video(self, video_id: str, title: str, *, audio: bool = False) -> None:
        """Play one video (resuming where it stopped), in the background."""
        self._stop_player()
        self.playing = title
        self.notify(f"Playing{' (sound only)' if audio else ''}: {title}", timeout=3)
        self._play(video_id, title, audio)

    def play_queue(self, first: str | None, title: str, *, audio: bool = False) -> None:
        """Play the queue from `first` (or its head), moving on when a video ends."""
        self._stop_player()
        self.playing = title
        self.notify(f"Playing the queue from {title}", timeout=3)
        self._play_queue(first, audio)

    @work(thread=True, exclusive=True, group="player", exit_on_error=False)
    def _play(self, video_id: str, title: str, audio: bool) -> None:
        from momentum_tui.watch.session import play

        try:
            outcome = play(self.store, video_id, self.settings.player, audio=audio,
                           launched=self._launched)  # fmt: skip
        except MomentumError as error:
            self.call_from_thread(self._play_failed, error)
            return
        self.call_from_thread(self._ended, [outcome], {video_id: title})

    @work(thread=True, exclusive=True, group="player", exit_on_error=False)
    def _play_queue(self, first: str | None, audio: bool) -> None:
        from momentum_tui.storage import queue as queue_store
        from momentum_tui.watch.session import play_queue

        with self.store.read() as conn:
            titles = {item.video_id: item.title or item.video_id
                      for item in queue_store.list_queue(conn)}  # fmt: skip

        def started(video_id: str) -> None:
            self.call_from_thread(setattr, self, "playing", titles.get(video_id, video_id))
            self.call_from_thread(self.post_message, CacheChanged())

        try:
            outcomes = play_queue(self.store, self.settings.player, first=first, audio=audio,
                                  started=started, launched=self._launched)  # fmt: skip
        except MomentumError as error:
            self.call_from_thread(self._play_failed, error)
            return
        self.call_from_thread(self._ended, outcomes, titles)

    def _launched(self, launch: Launch) -> None:
        self._player = launch  # from the worker thread: only read to stop it

    def _play_failed(self, error: MomentumError) -> None:
        self.playing = ""
        self.notify(f"{error.title} {error.hint}".strip(), severity="error", timeout=10)

    def _ended(self, outcomes: list[PlayOutcome], titles: dict[str, str]) -> None:
        self.playing = ""
        self._player = None
        if outcomes:
            last = outcomes[-1]
            self.notify(ended_sentence(last, titles.get(last.video_id, last.video_id)),
                        timeout=5)  # fmt: skip
        self.post_message(CacheChanged())

    def _stop_player(self) -> None:
        player, self._player = self._player, None
        if player is not None and player.alive():
            player.stop()

    @work(thread=True, exclusive=True, group="announce", exit_on_error=False)
    def announce_new_uploads(self) -> None:
        """After a sync: announce new uploads of the channels you chose (`N`), once each."""
        from momentum_tui.notify.announce import announce_new_uploads

        result = announce_new_uploads(self.store, self.settings.notify)
        if result.problem:
            self.call_from_thread(
                self.notify,
                f"New uploads were not announced: {result.problem}",
                severity="warning",
                timeout=8,
            )

    def on_unmount(self) -> None:
        """Quitting Momentum stops the player (the position it reached is kept)."""
        self._stop_player()
