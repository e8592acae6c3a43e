"""The channel list's lines as data: built in order, found by id, re-sorted after a mark."""

from __future__ import annotations

from momentum_tui.models import Mark
from momentum_tui.storage import Store
from momentum_tui.storage import feed as queries
from momentum_tui.storage.channels import channel_list_counts
from momentum_tui.storage.marks import toggle_mark
from momentum_tui.widgets.channel_entries import ALL, SAVED, SEPARATOR, build_entries
from tests.factories import add, channel_id, make_video

CHANNELS = [("UCa", "zebra", 5), ("UCb", "Apple", 3), ("UCc", "banana", 3), ("UCd", None, 0)]


def test_lines_come_in_order_with_groups_between() -> None:
    entries = build_entries(CHANNELS, [("music", 2)], unwatched=11)
    assert [entry.id for entry in entries] == [
        ALL, SAVED, "", "tag:music", "", "ch:UCa", "ch:UCb", "ch:UCc", "ch:UCd"
    ]  # fmt: skip
    assert entries[0].number == 11 and entries[3].number == 2
    assert entries[2] == SEPARATOR and not entries[2].selectable
    assert entries[8].name == "UCd"  # a channel without a title shows its id
    assert entries.position("ch:UCc") == 7 and entries.position("ch:nope") is None


def test_a_channel_moves_to_where_its_new_count_puts_it() -> None:
    entries = build_entries(CHANNELS, [], unwatched=11)
    banana = entries.position("ch:UCc")
    assert banana is not None
    entries.add_to(banana, 3)  # 6 unwatched: above zebra's 5
    assert entries.resort_channel(banana) == entries.position("ch:UCc") == 3
    apple = entries.position("ch:UCb")
    assert apple is not None
    entries.add_to(apple, -3)  # 0 unwatched: before the untitled channel, "Apple" < "UCd"
    entries.resort_channel(apple)
    assert [entry.id for entry in entries][3:] == ["ch:UCc", "ch:UCa", "ch:UCb", "ch:UCd"]
    entries.add_to(0, -50)
    assert entries[0].number == 0  # never below nothing


def test_the_lists_query_counts_and_orders_as_the_full_summary_does(store: Store) -> None:
    videos = [make_video(n, channel_id=channel_id(n % 4), channel_title=title)
              for n, title in zip(range(1, 13), ["b", "B", "a", "C"] * 3, strict=True)]  # fmt: skip
    add(store, *videos)
    toggle_mark(store, videos[0].id, Mark.WATCHED)
    toggle_mark(store, videos[2].id, Mark.HIDDEN)
    with store.read() as conn:
        summaries = [(c.id, c.title, c.unwatched) for c in queries.channel_summaries(conn)]
        assert channel_list_counts(conn) == summaries
