"""Changes made outside the app (a cron sync, `momentum mark` in another terminal) show up."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from momentum_tui.config import Settings, UISettings
from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage.marks import toggle_mark
from tests.app_support import make_app, settle, until
from tests.factories import add, make_video


def test_only_other_connections_count_as_changes(store: Store) -> None:
    assert store.changed_elsewhere() is False  # the baseline
    add(store, make_video(1))
    assert store.changed_elsewhere() is False  # this process's own write
    with Store.open(store.path) as other:  # another process, as far as SQLite knows
        add(other, make_video(2))
    assert store.changed_elsewhere() is True
    assert store.changed_elsewhere() is False  # seen once


def test_a_busy_writer_is_not_waited_for(store: Store) -> None:
    store.changed_elsewhere()
    with store.write():
        # The UI thread never blocks on a write in progress (here: another thread's).
        import threading

        answers: list[bool | None] = []
        asker = threading.Thread(target=lambda: answers.append(store.changed_elsewhere()))
        asker.start()
        asker.join(timeout=5)
    assert answers == [None]


def shown_ids(app: Any) -> list[str]:
    table = app.screen.table
    return [row.id for i in range(len(table.source)) if (row := table.source.row(i))]


async def wait_for(pilot: Pilot[Any], condition: Any, seconds: float = 10.0) -> bool:
    try:
        await until(pilot, condition, seconds)
    except TimeoutError:
        return False
    return True


def outside_notes(app: Any) -> list[str]:
    """Collects the "changes made outside the app" notifications the app shows."""
    notes: list[str] = []
    original = app.notify

    def notify(message: str, **options: Any) -> None:
        if "outside the app" in message:
            notes.append(message)
        original(message, **options)

    app.notify = notify
    return notes


async def test_a_mark_from_another_terminal_reaches_the_open_feed(store: Store) -> None:
    add(store, *(make_video(n, title=f"Video {n}") for n in range(1, 6)))
    settings = Settings(ui=UISettings(watch_seconds=0.1))
    app = make_app(store, settings, start_view="subscriptions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        notes = outside_notes(app)
        newest = shown_ids(app)[0]
        with Store.open(store.path) as terminal:  # `momentum mark … hidden` elsewhere
            toggle_mark(terminal, newest, Mark.HIDDEN)
        assert await wait_for(pilot, lambda: newest not in shown_ids(app))
        assert notes
        # New uploads from a cron sync appear too.
        with Store.open(store.path) as cron:
            add(cron, make_video(99, title="Fresh from cron", published_at=1_800_000_000))
        assert await wait_for(pilot, lambda: shown_ids(app)[:1] == [make_video(99).id])


async def test_the_apps_own_marks_do_not_count_as_outside_changes(store: Store) -> None:
    add(store, *(make_video(n) for n in range(1, 6)))
    settings = Settings(ui=UISettings(watch_seconds=0.05))
    app = make_app(store, settings, start_view="subscriptions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        notes = outside_notes(app)
        checks: list[bool | None] = []
        original = store.changed_elsewhere

        def counted() -> bool | None:
            checks.append(answer := original())
            return answer

        store.changed_elsewhere = counted  # type: ignore[method-assign]
        await pilot.press("x")  # hide, in the app
        await settle(pilot)
        # Not a fixed wait: until the app has looked for outside changes a few times since.
        await until(pilot, lambda: len(checks) >= 4)
        await pilot.pause()
    assert notes == []
    assert not any(checks)  # the app's own write was never taken for someone else's
