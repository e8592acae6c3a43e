"""What goes into each `videos.list` call of a sync: 50 ids, the most useful first.

1. New videos the listings and feeds found (their channels wait for them to commit);
2. then cached videos known only from their feeds (synced without a key), whose length
   and statistics are now filled in;
3. then refreshes of recent videos' view counts: free in the spare room of a batch
   above, and in paid batches of their own up to `paid_refresh_left`.

A batch of new videos is sent as soon as it is full; a partial one only once nothing
can add to it, so an incremental sync spends ⌈new videos / 50⌉ units.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from momentum_tui.youtube.parse import BATCH


class VideoBatches:
    """The queues of video ids waiting for `videos.list`, and how the next batch is made."""

    def __init__(
        self,
        lacking: Iterable[tuple[str, bool]] = (),
        stale: Iterable[tuple[str, bool]] = (),
        paid_refresh_left: int = 0,
    ) -> None:
        lacking = list(lacking)
        self.new: deque[str] = deque()
        self.lacking: deque[str] = deque(video_id for video_id, _ in lacking)
        self.lacking_ids = set(self.lacking)
        """Videos whose first details this run asks for (counted as `videos.detailed`)."""
        self.refresh: deque[str] = deque(v for v, _ in stale if v not in self.lacking_ids)
        self.shorts = {video_id for video_id, short in [*lacking, *stale] if short}
        """Cached videos filed as Shorts (a feed's `/shorts/` link is remembered)."""
        self.paid_refresh_left = paid_refresh_left

    def add_new(self, video_id: str) -> None:
        """A new video to fetch the details of."""
        self.new.append(video_id)

    def full(self) -> bool:
        """A whole batch of new videos is waiting."""
        return len(self.new) >= BATCH

    def waiting(self, *, final: bool) -> bool:
        """Whether a batch should be sent now; `final`: no listing can add new videos."""
        if self.full():
            return True
        if not final:
            return False
        return bool(self.new or self.lacking or (self.refresh and self.paid_refresh_left > 0))

    def take(self, wanted: Callable[[str], bool] = lambda _: True) -> list[str]:
        """The next batch of up to 50 ids (new ones only if still `wanted`: their channel
        may have failed meanwhile)."""
        ids: list[str] = []
        while self.new and len(ids) < BATCH:
            video_id = self.new.popleft()
            if wanted(video_id):
                ids.append(video_id)
        while self.lacking and len(ids) < BATCH:
            ids.append(self.lacking.popleft())
        paid = not ids  # a batch of refreshes alone costs a unit of its own
        while self.refresh and len(ids) < BATCH and (not paid or self.paid_refresh_left > 0):
            ids.append(self.refresh.popleft())
            if paid:
                self.paid_refresh_left -= 1
        return ids
