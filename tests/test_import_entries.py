"""Importers, entry by entry: every kind of bad entry is left out in words and the reading
goes on past it, the shapes of lists people actually have, and the sentences' details."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from momentum_tui.errors import ImportFormatError, NotFoundError
from momentum_tui.youtube.channels import parse_channel_ref
from momentum_tui.youtube.importers import (
    ImportedList,
    channel_id_in,
    parse_subscriptions,
    read_subscriptions,
)

GOOD = "UCeeFfhMcJa1kjtfZAGskOCA"
OTHER = "UCJ0-OtVpF0wOKEqT2Z1HEtA"
THIRD = "UCXuqSBlHAE6Xw-yeJA0Tunw"
NOT_AN_ID = "(a channel id is UC followed by 22 letters, digits, - or _)"
FEED = "https://www.youtube.com/feeds/videos.xml?channel_id="
PAGE = "https://www.youtube.com/channel/"


def read(data: str | bytes) -> ImportedList:
    raw = data.encode() if isinstance(data, str) else data
    return parse_subscriptions(raw, name="list")


def channels(imported: ImportedList) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.id, c.title, c.tags) for c in imported.channels]


def sentences(imported: ImportedList) -> list[str]:
    return [entry.sentence() for entry in imported.invalid]


def refused(data: str | bytes) -> str:
    with pytest.raises(ImportFormatError) as error:
        read(data)
    return error.value.title


# --- CSV ------------------------------------------------------------------------------


def test_a_csv_of_bare_ids_one_per_line_is_read() -> None:
    assert channels(read(f"{GOOD}\n{OTHER}\n")) == [(GOOD, "", ()), (OTHER, "", ())]


def test_a_two_column_csv_of_names_and_channel_urls_is_read() -> None:
    text = f"Name,URL\nTechLinked,{PAGE}{GOOD}\nElectroBOOM,{PAGE}{OTHER}/videos\n"
    assert channels(read(text)) == [(GOOD, "", ()), (OTHER, "", ())]


def test_a_csv_that_links_channels_it_cannot_name_is_a_list_of_bad_entries() -> None:
    # Its URLs are YouTube's, so it is a subscription list, every entry of it unreadable.
    imported = read("Name,URL\nFoo,https://www.youtube.com/c/Foo\n")
    assert imported.channels == []
    assert sentences(imported) == [f"line 2: 'Foo' is not a channel id {NOT_AN_ID}"]
    assert "it names no channel anywhere" in refused("Name,URL\nFoo,https://example.com/Foo\n")


def test_a_repeated_channel_keeps_the_first_title_it_was_given() -> None:
    text = f"Id,Url,Title\n{GOOD},u,\n{GOOD},u,TechLinked\n{GOOD},u,Later name\n"
    assert channels(read(text)) == [(GOOD, "TechLinked", ())]


def test_an_id_or_url_no_url_parser_can_read_is_one_bad_entry_among_good_ones() -> None:
    imported = read(
        f"Id,Url,Title\nwww.[x,u,Broken\nhttps://[x/channel/{OTHER},u,Odd\n{GOOD},u,T\n"
    )
    assert channels(imported) == [(GOOD, "T", ())]
    assert [entry.where for entry in imported.invalid] == ["line 2", "line 3"]
    assert channel_id_in(f"https://[x/channel/{GOOD}") is None
    with pytest.raises(NotFoundError, match="is not a channel URL"):
        parse_channel_ref(f"https://[x/channel/{GOOD}")


def test_a_feed_url_naming_channel_id_twice_is_read_by_the_first() -> None:
    assert channel_id_in(f"{FEED}{GOOD}&channel_id={OTHER}") == GOOD
    assert channel_id_in(f"{FEED}{GOOD}&channel_id=UCshort") == GOOD


# --- Takeout JSON ---------------------------------------------------------------------


def takeout(*ids: object) -> str:
    return json.dumps([{"snippet": {"title": "T", "resourceId": {"channelId": i}}} for i in ids])


def test_takeout_json_says_what_each_bad_id_is_and_reads_on() -> None:
    imported = read(takeout("", 5, "x" * 50, GOOD))
    where = "snippet.resourceId.channelId"
    assert sentences(imported) == [
        f"[0].{where}: there is no channel id",
        f"[1].{where}: '5' is not a channel id {NOT_AN_ID}",
        f"[2].{where}: {'x' * 40!r} is not a channel id {NOT_AN_ID}",  # the first 40
    ]
    assert channels(imported) == [(GOOD, "T", ())]


# --- OPML -----------------------------------------------------------------------------


def opml(*outlines: str) -> str:
    return f'<opml version="1.1"><body>{"".join(outlines)}</body></opml>'


def test_xml_that_is_not_opml_names_its_root_up_to_30_characters() -> None:
    assert "not OPML: its root is <html>" in refused("<html><body/></html>")
    assert f"its root is <{'a' * 30}>" in refused(f"<{'a' * 40}/>")


def test_an_outline_with_only_a_page_url_is_read() -> None:
    imported = read(opml(f'<outline text="TechLinked" htmlUrl="{PAGE}{GOOD}"/>'))
    assert channels(imported) == [(GOOD, "TechLinked", ())]


def test_a_youtube_feed_that_is_not_a_channels_feed_is_skipped_not_bad() -> None:
    playlist = (
        "https://www.youtube.com/feeds/videos.xml?playlist_id=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf"
    )
    imported = read(opml(f'<outline text="A playlist" xmlUrl="{playlist}"/>'))
    assert (imported.channels, imported.invalid, imported.skipped) == ([], [], 1)


def test_a_bad_channel_feed_is_named_by_its_place_and_title_up_to_40_characters() -> None:
    title = "A very long channel title that goes on and on"
    imported = read(
        opml(
            f'<outline text="{title}" xmlUrl="{FEED}UCshort&amp;channel_id=UCalso"/>',
            f'<outline text="Good" xmlUrl="{FEED}{GOOD}"/>',
        )
    )
    assert sentences(imported) == [f"outline 1 ({title[:40]!r}): 'UCshort' is not a channel id "
                                   f"{NOT_AN_ID}"]  # fmt: skip
    assert channels(imported) == [(GOOD, "Good", ())]


# --- NewPipe --------------------------------------------------------------------------


def newpipe(*entries: object) -> str:
    return json.dumps({"app_version": "0.27.6", "subscriptions": list(entries)})


def test_newpipe_leaves_out_each_bad_entry_and_reads_on() -> None:
    long_url = "https://www.youtube.com/@" + "x" * 100
    imported = read(
        newpipe(
            "not an object",
            {"service_id": 0, "url": long_url, "name": "Handle only"},
            {"url": PAGE + GOOD, "name": "No service named"},  # YouTube is service 0
            {"service_id": 1, "url": "https://soundcloud.com/someone", "name": "SoundCloud"},
            {"service_id": -1, "url": PAGE + THIRD, "name": "No service"},  # not YouTube's
            {"service_id": 0, "url": PAGE + OTHER, "name": "ElectroBOOM"},
        )
    )
    assert sentences(imported) == [
        "subscriptions[0]: not an object",
        f"subscriptions[1].url: {long_url[:80]!r} is not a YouTube channel URL "
        "(https://www.youtube.com/channel/UC…)",
    ]
    assert channels(imported) == [(GOOD, "No service named", ()), (OTHER, "ElectroBOOM", ())]
    assert imported.skipped == 2


# --- FreeTube profiles.db (NeDB: one JSON document a line) ------------------------------


def nedb(*lines: object) -> str:
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


def profile(doc_id: str, name: str, *ids: str) -> dict[str, object]:
    return {"_id": doc_id, "name": name, "subscriptions": [{"id": i, "name": i[-4:]} for i in ids]}


def test_freetube_leaves_out_each_bad_line_and_reads_on() -> None:
    imported = read(
        nedb(
            {"$$indexCreated": {"fieldName": "name", "unique": False}},
            '{"broken": ',
            "",
            "[1, 2]",
            profile("allChannels", "All Channels", GOOD),
            {"name": "no id"},
            {"_id": "Mv3Q", "name": "Tech", "subscriptions": [{"name": "feed"}, {"id": OTHER}]},
            profile("gone", "Old", "UCshort"),
            {"_id": "gone", "$$deleted": True},
            {"_id": "bare", "name": "No list"},
            profile("zZ9", "Late", THIRD),
        )
    )
    assert sentences(imported) == [
        "line 2: not JSON (Expecting value: line 1 column 12 (char 11))",
        "line 4: not a JSON object",
        "line 6, field _id: missing",
        "line 10, field subscriptions: missing or not a list",
        "line 7, subscriptions[0].id: there is no channel id",
    ]
    assert channels(imported) == [
        (GOOD, GOOD[-4:], ()), (OTHER, "", ("Tech",)), (THIRD, THIRD[-4:], ("Late",)),
    ]  # fmt: skip


def test_a_first_line_that_is_not_json_is_no_freetube_list() -> None:
    title = refused(nedb('{"_id": "allChannels", "name": ', profile("x", "Tech", GOOD)))
    assert "JSON, but not a list this version knows" in title
    assert "JSON, but not a subscription list this version knows" in refused("[not json")


def test_the_all_channels_profile_is_known_by_its_id_or_its_name_and_gives_no_group() -> None:
    imported = read(
        nedb(
            profile("allChannels", "Alle Kanäle", GOOD),  # renamed (or translated)
            profile("K1tq", "All Channels", OTHER),  # another copy of it
            profile("Abc", "Academy", THIRD),  # sorts before both: an ordinary profile
        )
    )
    assert [c.tags for c in imported.channels] == [(), (), ("Academy",)]


# --- reading files --------------------------------------------------------------------


def test_by_default_a_bad_entry_is_left_out_and_strict_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text(f"Id,Url,Title\n{GOOD},u,Good\nUCshort,u,Bad\n", encoding="utf-8")
    imported = read_subscriptions(path=path)
    assert (channels(imported), sentences(imported)) == (
        [(GOOD, "Good", ())], [f"line 3: 'UCshort' is not a channel id {NOT_AN_ID}"],
    )  # fmt: skip
    with pytest.raises(ImportFormatError, match="Nothing was imported"):
        read_subscriptions(path=path, strict=True)
    built = ImportedList("account")  # a list made in code forgives too
    built.reject("entry 1", "not a channel.")
    assert sentences(built) == ["entry 1: not a channel"]


@pytest.mark.parametrize("why", ["loop", "long"])
def test_a_path_that_cannot_be_read_is_one_sentence_with_the_reason(
    tmp_path: Path, why: str
) -> None:
    if why == "loop":
        path, code = tmp_path / "loop.csv", errno.ELOOP
        path.symlink_to(path)
    else:
        path, code = tmp_path / ("x" * 300 + ".csv"), errno.ENAMETOOLONG
    with pytest.raises(ImportFormatError) as error:
        read_subscriptions(path)
    assert error.value.title == f"{path} can't be read ({os.strerror(code)})."
    assert error.value.hint == "Check its permissions."


def test_a_file_too_large_is_refused_with_its_size_in_whole_megabytes() -> None:
    for size, said in ((52_999_990, "52 MB"), (53_000_000, "53 MB")):  # rounded down
        with pytest.raises(ImportFormatError, match=f"{said} is too large"):
            parse_subscriptions(b" " * size)
