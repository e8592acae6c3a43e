"""Importing subscription lists: real and hand-made files, junk, idempotence, round trips."""

from __future__ import annotations

import contextlib
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentum_tui.errors import ImportFormatError
from momentum_tui.storage import Store
from momentum_tui.youtube.channels import import_channels, remove_channel
from momentum_tui.youtube.exporters import FORMATS, ExportedChannel, export, xml_text
from momentum_tui.youtube.importers import channel_id_in, parse_subscriptions, read_subscriptions
from tests.conftest import FIXTURES

REAL_OPML = FIXTURES / "youtube_subscription_manager_opml_xtremecookiez_subscription_manager.xml"


def ids_and_titles(path_name: str) -> list[tuple[str, str]]:
    imported = read_subscriptions(FIXTURES / path_name)
    return [(c.id, c.title) for c in imported.channels]


def test_youtube_subscription_manager_opml() -> None:
    imported = read_subscriptions(REAL_OPML)
    assert imported.format == "opml"
    assert len(imported.channels) == 65
    assert imported.channels[0].id == "UCeeFfhMcJa1kjtfZAGskOCA"
    assert imported.channels[0].title == "TechLinked"
    assert all(c.tags == () for c in imported.channels)  # the top folder is not a group


def test_feed_reader_opml_folders_become_groups_and_other_feeds_are_skipped() -> None:
    imported = read_subscriptions(FIXTURES / "own_feedreader_folders.opml")
    tags = {c.title: c.tags for c in imported.channels}
    assert tags == {
        "Vsauce": ("Science",),
        "GreatScott!": ("Making", "Electronics"),
        "TechLinked": (),
    }
    assert imported.skipped == 1


def test_takeout_csv_with_bom_quotes_and_blank_lines() -> None:
    assert ids_and_titles("own_takeout_subscriptions_en.csv") == [
        ("UCeeFfhMcJa1kjtfZAGskOCA", "TechLinked"),
        ("UCJ0-OtVpF0wOKEqT2Z1HEtA", "ElectroBOOM"),
        ("UC54SLBnD5k5U3Q6N__UjbAw", 'Chinese Cooking Demystified, the "real" one'),
        ("UC6mIxFTvXkWQVEHPsEdflzQ", "GreatScott!"),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "own_takeout_subscriptions_es.csv",
        "own_takeout_subscriptions_new_header.csv",
        "own_freetube_subscriptions.csv",
    ],
)
def test_takeout_csv_goes_by_column_order_whatever_the_header_language(name: str) -> None:
    imported = read_subscriptions(FIXTURES / name)
    assert imported.format == "takeout-csv"
    assert len(imported.channels) >= 2
    assert all(c.title and c.id.startswith("UC") for c in imported.channels)


def test_newpipe_json_skips_other_services_and_merges_repeats() -> None:
    imported = read_subscriptions(FIXTURES / "own_newpipe_subscriptions.json")
    assert imported.format == "newpipe"
    assert [c.title for c in imported.channels] == ["TechLinked", "ElectroBOOM", "Vsauce"]
    assert imported.skipped == 1


def test_freetube_nedb_later_lines_win_deleted_profiles_vanish_profiles_are_groups() -> None:
    imported = read_subscriptions(FIXTURES / "own_freetube_profiles.db")
    assert imported.format == "freetube"
    by_title = {c.title: c.tags for c in imported.channels}
    assert by_title == {
        "TechLinked": (),
        "ElectroBOOM": ("Electronics",),
        "GreatScott!": ("Electronics",),
    }  # ADVChina's profile was deleted


def test_old_takeout_json() -> None:
    assert ids_and_titles("own_takeout_subscriptions.json") == [
        ("UC6nSFpj9HTCZ5t-N3Rm3-HA", "Vsauce"),
        ("UCtHaxi4GTYDpJgMSGy7AeSw", "Michael Reeves"),
    ]


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "the file is empty"),
    (b"\xff\xfe\x00junk", "not UTF-8"),
    (b"Channel Id,Channel Url,Channel Title\nUCshort,http://x,Bad\n", "line 2: 'UCshort' is not"),
    (b"Channel Id,Channel Url,Channel Title\n\nUCeeFfhMcJa1kjtfZAGskOCA,u,T\nnope,u,T\n",
     "line 4"),
    (b"<opml><body><outline", "not valid XML"),
    (b"<rss><channel/></rss>", "not OPML"),
    (b'{"subscriptions": [{"service_id": 0, "url": "https://youtube.com/@x", "name": "x"}]}',
     "subscriptions[0].url"),
    (b'{"name": "All", "_id": "allChannels", "subscriptions": [{"id": "nope"}]}\n',
     "line 1, subscriptions[0].id"),
    (b'{"name": "All", "_id": "allChannels", "subscriptions": []}\n{"broken": \n',
     "line 2: not JSON"),
    (b'[{"snippet": {}}]', "[0].snippet.resourceId.channelId"),
    (b'{"hello": "world"}', "no _id"),
    (b"just some words", "isn't a subscriptions file Momentum knows"),
])  # fmt: skip
def test_bad_files_get_one_line_naming_the_fault(data: bytes, expected: str) -> None:
    with pytest.raises(ImportFormatError) as error:
        parse_subscriptions(data, "subs", strict=True)
    assert expected in error.value.title
    assert "\n" not in error.value.title
    assert error.value.title.startswith("subs")


def test_missing_file_and_directory(tmp_path) -> None:
    with pytest.raises(ImportFormatError, match="There is no file"):
        read_subscriptions(tmp_path / "nope.csv")
    with pytest.raises(ImportFormatError, match="is a directory"):
        read_subscriptions(tmp_path)


def test_channel_ids_are_found_in_urls() -> None:
    channel = "UCeeFfhMcJa1kjtfZAGskOCA"
    for text in (channel, f"https://www.youtube.com/channel/{channel}",
                 f"http://youtube.com/channel/{channel}/videos",
                 f"https://www.youtube.com/feeds/videos.xml?channel_id={channel}",
                 f"www.youtube.com/channel/{channel}"):  # fmt: skip
        assert channel_id_in(text) == channel
    assert channel_id_in("https://www.youtube.com/@veritasium") is None
    assert channel_id_in(channel + "x") is None


# --- junk never crashes ----------------------------------------------------------------

_JUNK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_JUNK
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    message = "ok"
    try:
        parse_subscriptions(data)
    except ImportFormatError as error:
        message = error.title
    assert message
    assert "\n" not in message


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["subscriptions", "url", "service_id", "name", "_id",
                                       "id", "snippet", "resourceId", "channelId"]),
                      children, max_size=4),
    max_leaves=20,
)  # fmt: skip


@_JUNK
@given(_json_values)
def test_json_shaped_junk_never_crashes(value: object) -> None:
    for text in (json.dumps(value), json.dumps(value) + "\n" + json.dumps(value)):
        with contextlib.suppress(ImportFormatError):
            parse_subscriptions(text.encode())


@_JUNK
@given(st.lists(st.lists(st.text(max_size=40), max_size=5), max_size=8))
def test_csv_shaped_junk_never_crashes(rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    with contextlib.suppress(ImportFormatError, UnicodeEncodeError):
        parse_subscriptions(out.getvalue().encode("utf-8", "surrogatepass"))


@_JUNK
@given(
    st.text(
        alphabet=st.sampled_from(list('<>/="  outlinebodyopmlxmlUrl?channel_idUC-_ab\n!&;')),
        max_size=300,
    )
)
def test_xml_shaped_junk_never_crashes(text: str) -> None:
    with contextlib.suppress(ImportFormatError):
        parse_subscriptions(("<opml>" + text).encode())


def test_xml_bombs_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><opml><body>&lol2;</body></opml>'
    )
    with pytest.raises(ImportFormatError, match="refused"):
        parse_subscriptions(bomb)


# --- into the cache ---------------------------------------------------------------------


def dump(store: Store) -> list[tuple[object, ...]]:
    with store.read() as conn:
        return (
            conn.execute("SELECT * FROM channels ORDER BY id").fetchall()
            + conn.execute("SELECT * FROM channel_tags ORDER BY 1, 2").fetchall()
        )


def test_reimporting_changes_nothing(store: Store) -> None:
    imported = read_subscriptions(FIXTURES / "own_freetube_profiles.db")
    first = import_channels(store, imported, now=1000)
    assert (first.added, first.tagged) == (3, 2)
    before = dump(store)
    again = import_channels(
        store, read_subscriptions(FIXTURES / "own_freetube_profiles.db"), now=2000
    )
    assert (again.added, again.already, again.tagged) == (0, 3, 0)
    assert dump(store) == before
    assert "3 already followed" in again.sentence()


def test_removed_channels_stay_removed_on_reimport(store: Store) -> None:
    import_channels(store, read_subscriptions(REAL_OPML))
    remove_channel(store, "UCeeFfhMcJa1kjtfZAGskOCA")
    report = import_channels(store, read_subscriptions(REAL_OPML))
    assert (report.added, report.kept_removed) == (0, 1)
    with store.read() as conn:
        followed = conn.execute(
            "SELECT followed FROM channels WHERE id = ?", ("UCeeFfhMcJa1kjtfZAGskOCA",)
        ).fetchone()[0]
    assert followed == 0
    assert "channels add" in report.sentence()


def test_synced_titles_are_not_overwritten_by_an_old_export(store: Store) -> None:
    import_channels(store, read_subscriptions(REAL_OPML))
    with store.write() as db:
        db.conn.execute(
            "UPDATE channels SET title = 'TechLinked (renamed)' WHERE id = ?",
            ("UCeeFfhMcJa1kjtfZAGskOCA",),
        )
    import_channels(store, read_subscriptions(REAL_OPML))
    with store.read() as conn:
        title = conn.execute(
            "SELECT title FROM channels WHERE id = ?", ("UCeeFfhMcJa1kjtfZAGskOCA",)
        ).fetchone()[0]
    assert title == "TechLinked (renamed)"


def naughty_titles() -> list[str]:
    lines = (FIXTURES / "blns_minimaxir_blns.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")][:200]


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_round_trip_even_with_naughty_titles(tmp_path, fmt: str) -> None:
    from momentum_tui import sanitize

    titles = naughty_titles()
    channels = [
        ExportedChannel("UC" + f"{n:022d}", sanitize.clean_line(title, 120))
        for n, title in enumerate(titles)
    ]
    path = tmp_path / f"subs.{fmt}"
    path.write_text(export(channels, fmt), encoding="utf-8")
    back = read_subscriptions(path)
    # OPML can't carry a few characters at all (U+FFFE…); every other title survives
    # exactly (a blank one is written as the id, which reads back as no title).
    if fmt == "opml":
        expected = [(c.id, xml_text(c.title)) for c in channels]
    else:
        expected = [(c.id, c.title) for c in channels]
    assert [(c.id, c.title) for c in back.channels] == expected


def test_export_then_import_into_a_fresh_cache(tmp_path) -> None:
    with Store.open(tmp_path / "a.db") as first:
        import_channels(first, read_subscriptions(REAL_OPML))
        from momentum_tui.youtube.channels import exportable

        with first.read() as conn:
            rows = exportable(conn)
    for fmt in FORMATS:
        path = tmp_path / f"out.{fmt}"
        path.write_text(export(rows, fmt), encoding="utf-8")
        with Store.open(tmp_path / f"{fmt}.db") as second:
            report = import_channels(second, read_subscriptions(path))
            assert report.added == 65
            with second.read() as conn:
                assert exportable(conn) == rows


def test_opml_export_is_what_youtube_wrote(tmp_path) -> None:
    text = export([ExportedChannel("UCeeFfhMcJa1kjtfZAGskOCA", "Tech & <Linked>")], "opml")
    assert (
        'xmlUrl="https://www.youtube.com/feeds/videos.xml?channel_id=UCeeFfhMcJa1kjtfZAGskOCA"'
        in text
    )
    assert "Tech &amp; &lt;Linked&gt;" in text
    csv_text = export([ExportedChannel("UCeeFfhMcJa1kjtfZAGskOCA", "a, b")], "csv")
    assert csv_text.splitlines()[0] == "Channel Id,Channel Url,Channel Title"
    assert csv_text.splitlines()[1].endswith(',"a, b"')
    newpipe = json.loads(export([ExportedChannel("UCeeFfhMcJa1kjtfZAGskOCA", "x")], "newpipe"))
    assert newpipe["subscriptions"][0]["service_id"] == 0


def test_the_cache_is_untouched_by_a_failed_import(store: Store) -> None:
    with pytest.raises(ImportFormatError):
        import_channels(
            store,
            parse_subscriptions(
                b"Channel Id,U,T\nUCeeFfhMcJa1kjtfZAGskOCA,u,t\nbad,u,t\n", strict=True
            ),
        )
    with pytest.raises(ImportFormatError, match="Nothing could be imported"):
        import_channels(store, parse_subscriptions(b"Channel Id,U,T\nUCbad,u,t\nUCworse,u,t\n"))
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM channels").fetchone()[0] == 0
    assert isinstance(store, Store)
    assert sqlite3.sqlite_version


def test_a_list_up_to_50_mib_is_read_and_a_larger_file_is_refused_unread(tmp_path) -> None:
    limit = 50 * 1024 * 1024  # the cap (the biggest real lists are well under 1 MB)
    real = FIXTURES / "own_newpipe_subscriptions.json"
    expected = read_subscriptions(real).channels
    padded = real.read_bytes() + b" " * (limit - real.stat().st_size)  # JSON allows it
    at_limit = tmp_path / "at_limit.json"
    at_limit.write_bytes(padded)
    assert read_subscriptions(at_limit).channels == expected
    assert parse_subscriptions(padded).channels == expected
    over = tmp_path / "over.json"
    with over.open("wb") as sparse:
        sparse.truncate(limit + 1)  # refused by its size, before a byte is read
    with pytest.raises(ImportFormatError, match="too large for a subscription list"):
        read_subscriptions(over)
    with pytest.raises(ImportFormatError, match="52 MB is too large for a subscription list"):
        parse_subscriptions(padded + b" ", "big.json")
