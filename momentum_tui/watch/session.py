"""Playing a video or the queue, and following the playback through mpv's IPC socket.

While mpv plays, its position is remembered (every few seconds of progress, and when
it stops), so the next play resumes there; once `player.watched_at` of the video has
played it is marked watched — an ordinary mark, undoable and synced like any other,
which also takes it out of the queue. Playing the queue moves on to the next video when
one ends (mpv's `end-file` with reason `eof`) and stops when the person quits the player.
Blocking: the CLI runs it in the foreground, the app in a worker thread.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from momentum_tui.config import PlayerSettings
from momentum_tui.models import Mark, video_url
from momentum_tui.storage import playback
from momentum_tui.storage import queue as queue_store
from momentum_tui.storage.db import Store
from momentum_tui.storage.marks import current_state, mark_video
from momentum_tui.watch.mpv import EndFile, MpvConnection, MpvGoneError, PropertyChange
from momentum_tui.watch.player import Launch, launch

SAVE_EVERY_S = 5.0
"""Seconds of playback between two writes of the position."""
EXIT_WAIT_S = 5.0

Progress = Callable[[str, float, float | None], None]
"""Called with (video id, position, duration) as playback moves on."""


@dataclass
class PlayOutcome:
    """How one playback ended."""

    video_id: str
    reason: str
    """eof (played to the end), quit/stop (the person stopped it), error, or exited
    (a player Momentum can't follow, which has exited)."""
    position_s: float | None = None
    duration_s: float | None = None
    resumed_from: float | None = None
    marked_watched: bool = False
    followed: bool = True
    """False when the player gives no positions (a configured player other than mpv)."""


def resume_point(store: Store, video_id: str, settings: PlayerSettings) -> float | None:
    """Where the next play of `video_id` starts (None: from the beginning)."""
    if not settings.resume:
        return None
    with store.read() as conn:
        known = playback.position_of(conn, video_id)
    return known.position_s if known is not None and known.resumable else None


class _Follower:
    """Turns mpv's events into remembered positions and a watched mark."""

    def __init__(self, store: Store, video_id: str, settings: PlayerSettings,
                 progress: Progress | None) -> None:  # fmt: skip
        self.store, self.video_id, self.settings, self.progress = (
            store,
            video_id,
            settings,
            progress,
        )
        self.position: float | None = None
        self.duration: float | None = None
        self.saved_at: float | None = None
        self.marked = False

    def on_change(self, change: PropertyChange) -> None:
        if not isinstance(change.value, int | float):
            return  # mpv reports null while it opens the file
        if change.name == "duration":
            self.duration = float(change.value)
        elif change.name == "time-pos":
            self.position = float(change.value)
            if self.saved_at is None or abs(self.position - self.saved_at) >= SAVE_EVERY_S:
                self.save()
            self._maybe_mark_watched()
        if self.progress is not None and self.position is not None:
            self.progress(self.video_id, self.position, self.duration)

    def _maybe_mark_watched(self) -> None:
        if self.marked or not self.duration or self.position is None:
            return
        if self.position / self.duration < self.settings.watched_at:
            return
        self.marked = True
        with self.store.read() as conn:
            already = current_state(conn, self.video_id)["watched_at"] is not None
        if not already:
            mark_video(self.store, self.video_id, Mark.WATCHED)

    def save(self) -> None:
        if self.position is None:
            return
        playback.save_position(self.store, self.video_id, self.position, self.duration)
        self.saved_at = self.position


def follow(store: Store, video_id: str, started: Launch, settings: PlayerSettings,
           progress: Progress | None = None) -> PlayOutcome:  # fmt: skip
    """Follow one playback until its file ends (or the player exits)."""
    if started.ipc_path is None:
        started.process.wait()
        return PlayOutcome(video_id, "exited", followed=False)
    follower = _Follower(store, video_id, settings, progress)
    reason = "quit"
    try:
        connection = MpvConnection.connect(started.ipc_path, alive=started.alive)
    except MpvGoneError:
        started.process.wait()
        return PlayOutcome(video_id, "error")
    try:
        connection.observe("time-pos", "duration")
        for event in connection.events():
            if isinstance(event, PropertyChange):
                follower.on_change(event)
            elif isinstance(event, EndFile):
                reason = event.reason or "quit"
                break
    except MpvGoneError:
        pass  # the player quit without a goodbye: what was heard is kept
    finally:
        connection.close()
        if reason == "eof":
            playback.forget_position(store, video_id)
        else:
            follower.save()
    try:
        started.process.wait(EXIT_WAIT_S)
    except subprocess.TimeoutExpired:
        started.stop()  # the file ended but the player lingers: it is done with
    return PlayOutcome(video_id, reason, follower.position, follower.duration,
                       marked_watched=follower.marked)  # fmt: skip


def play(store: Store, video_id: str, settings: PlayerSettings, *, audio: bool = False,
         progress: Progress | None = None,
         launched: Callable[[Launch], None] | None = None) -> PlayOutcome:  # fmt: skip
    """Play one video (resuming where it stopped) and follow it to the end.

    `launched` gets the running player (the app keeps it to stop it when it quits).
    """
    start = resume_point(store, video_id, settings)
    started = launch(video_url(video_id), settings, audio=audio, start_s=start)
    if launched is not None:
        launched(started)
    outcome = follow(store, video_id, started, settings, progress)
    outcome.resumed_from = start
    return outcome


def play_queue(store: Store, settings: PlayerSettings, *, first: str | None = None,
               audio: bool = False, progress: Progress | None = None,
               started: Callable[[str], None] | None = None,
               launched: Callable[[Launch], None] | None = None) -> list[PlayOutcome]:  # fmt: skip
    """Play the queue from `first` (or its head), moving on whenever a video ends."""
    outcomes: list[PlayOutcome] = []
    with store.read() as conn:
        current = first or queue_store.next_after(conn, None)
    while current is not None:
        if started is not None:
            started(current)
        outcome = play(store, current, settings, audio=audio, progress=progress,
                       launched=launched)  # fmt: skip
        outcomes.append(outcome)
        if outcome.reason != "eof" or not outcome.followed:
            break
        with store.read() as conn:
            current = queue_store.next_after(conn, current)
    return outcomes
