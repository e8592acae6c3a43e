"""Imports that forgive one bad entry, empty lists, files that aren't lists, exports that
import whole where they are going (NewPipe), and groups through OPML and back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from momentum_tui.errors import ImportFormatError
from momentum_tui.storage import Store
from momentum_tui.storage.channels import tag_channel
from momentum_tui.youtube.channels import exportable, import_channels, parse_channel_ref
from momentum_tui.youtube.exporters import FORMATS, ExportedChannel, export
from momentum_tui.youtube.importers import (
    CHANNEL_ID,
    KNOWN_FORMATS,
    channel_id_in,
    parse_subscriptions,
    read_subscriptions,
)
from tests.conftest import FIXTURES

REAL_OPML = FIXTURES / "youtube_subscription_manager_opml_xtremecookiez_subscription_manager.xml"
GOOD = "UCeeFfhMcJa1kjtfZAGskOCA"
OTHER = "UCJ0-OtVpF0wOKEqT2Z1HEtA"


def with_one_bad_outline(tmp_path: Path, position: int, bad: str) -> Path:
    """The real 65-channel OPML export, byte for byte but for one outline's channel id."""
    data = REAL_OPML.read_bytes()
    ids = [c.id for c in read_subscriptions(REAL_OPML).channels]
    target = ids[position - 1]
    assert data.count(target.encode()) == 1
    path = tmp_path / "subscription_manager.xml"
    path.write_bytes(data.replace(target.encode(), bad.encode()))
    return path


def test_a_real_opml_with_one_malformed_id_imports_every_other_channel(tmp_path, run_cli) -> None:
    path = with_one_bad_outline(tmp_path, 40, "UCabcdefghijk")  # 13 characters
    result = run_cli("import", str(path))
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 64 new channels from an OPML list")
    assert "skipped 1 that could not be read: outline 40 (" in result.out
    assert "'UCabcdefghijk' is not a channel id" in result.out
    listed = json.loads(run_cli("channels", "list", "--json").out)["channels"]
    assert len(listed) == 64


def test_strict_keeps_all_or_nothing(tmp_path, run_cli) -> None:
    path = with_one_bad_outline(tmp_path, 40, "UCabcdefghijk")
    result = run_cli("import", "--strict", str(path))
    assert result.code == 1
    assert "outline 40" in result.err and "Nothing was imported (--strict)" in result.err
    assert json.loads(run_cli("channels", "list", "--json").out)["channels"] == []


def test_every_bad_entry_is_reported_with_where_and_why(tmp_path, run_cli) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "Channel Id,Channel Url,Channel Title\n"
        f"{GOOD},https://www.youtube.com/channel/{GOOD},TechLinked\n"
        "UCshort,http://x,Short\n"
        ",,\n"
        f"{OTHER},https://www.youtube.com/channel/{OTHER},ElectroBOOM\n"
        "not-an-id,u,Nope\n",
        encoding="utf-8",
    )
    result = run_cli("import", "--json", str(path))
    assert result.code == 0
    report = json.loads(result.out)
    assert report["added"] == 2
    assert report["invalid"] == [
        {"where": "line 3", "why": "'UCshort' is not a channel id "
         "(a channel id is UC followed by 22 letters, digits, - or _)"},
        {"where": "line 6", "why": "'not-an-id' is not a channel id "
         "(a channel id is UC followed by 22 letters, digits, - or _)"},
    ]  # fmt: skip
    text = run_cli("import", str(path))
    assert "skipped line 3: 'UCshort' is not a channel id" in text.err
    assert "skipped line 6: 'not-an-id' is not a channel id" in text.err


def test_a_freetube_entry_without_an_id_is_left_out_in_words(tmp_path, run_cli) -> None:
    profile = {
        "name": "All Channels",
        "subscriptions": [
            {"id": GOOD, "name": "TechLinked", "thumbnail": ""},
            {"name": "Some podcast feed", "thumbnail": ""},  # FreeTube writes these
        ],
        "_id": "allChannels",
    }
    path = tmp_path / "profiles.db"
    path.write_text(json.dumps(profile) + "\n", encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.code == 0, result.err
    assert "Imported 1 new channel from a FreeTube list" in result.out
    assert "line 1, subscriptions[1].id: there is no channel id" in result.out
    assert "'None'" not in result.out


def test_nothing_importable_is_exit_1_with_the_first_reason(tmp_path, run_cli) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text("Channel Id,Channel Url,Channel Title\nUCshort,u,t\nUCshorter,u,t\n")
    result = run_cli("import", str(path))
    assert result.code == 1
    assert "Nothing could be imported from subscriptions.csv: line 2: 'UCshort'" in result.err
    assert "(and 1 more like it)" in result.err


# --- every importer checks ids, at exactly 24 characters ----------------------------

TOO_SHORT, TOO_LONG = "UC" + "a" * 21, "UC" + "a" * 23
NEAR_MISSES = [TOO_SHORT, TOO_LONG, "UC" + "a" * 19, "UX" + "a" * 22, "UC" + "a" * 21 + "!"]


def one_good_one_bad(fmt: str, bad: str) -> bytes:
    """A file in `fmt` listing GOOD and then `bad` as channel ids."""
    if fmt == "takeout-csv":
        return f"Channel Id,Channel Url,Channel Title\n{GOOD},u,Good\n{bad},u,Bad\n".encode()
    if fmt == "opml":
        feed = "https://www.youtube.com/feeds/videos.xml?channel_id="
        return (
            f'<opml version="1.1"><body><outline text="Good" xmlUrl="{feed}{GOOD}"/>'
            f'<outline text="Bad" xmlUrl="{feed}{bad}"/></body></opml>'
        ).encode()
    if fmt == "newpipe":
        url = "https://www.youtube.com/channel/"
        pairs = ((GOOD, "Good"), (bad, "Bad"))
        subs = [{"service_id": 0, "url": url + i, "name": n} for i, n in pairs]
        return json.dumps({"app_version": "0.27.6", "subscriptions": subs}).encode()
    if fmt == "takeout-json":
        return json.dumps(
            [
                {"snippet": {"title": n, "resourceId": {"kind": "youtube#channel", "channelId": i}}}
                for i, n in ((GOOD, "Good"), (bad, "Bad"))
            ]
        ).encode()
    assert fmt == "freetube"
    subs = [{"id": GOOD, "name": "Good"}, {"id": bad, "name": "Bad"}]
    return (json.dumps({"name": "All Channels", "subscriptions": subs, "_id": "allChannels"})
            + "\n").encode()  # fmt: skip


IMPORT_FORMATS = ("takeout-csv", "opml", "newpipe", "takeout-json", "freetube")


@pytest.mark.parametrize("fmt", IMPORT_FORMATS)
@pytest.mark.parametrize("bad", NEAR_MISSES)
def test_every_importer_refuses_an_id_that_is_not_24_characters(fmt: str, bad: str) -> None:
    imported = parse_subscriptions(one_good_one_bad(fmt, bad))
    assert imported.format == fmt
    assert [c.id for c in imported.channels] == [GOOD]
    assert len(imported.invalid) == 1, imported.invalid
    with pytest.raises(ImportFormatError):
        parse_subscriptions(one_good_one_bad(fmt, bad), strict=True)


def test_the_id_pattern_everywhere_wants_uc_and_22_more() -> None:
    from pydantic import ValidationError

    from momentum_tui.records import Channel

    assert CHANNEL_ID.match(GOOD)
    assert Channel(id=GOOD).id == GOOD
    for bad in NEAR_MISSES:
        with pytest.raises(ValidationError):
            Channel(id=bad)
        assert not CHANNEL_ID.match(bad)
        assert channel_id_in(bad) is None
        assert channel_id_in(f"https://www.youtube.com/channel/{bad}") is None
        with pytest.raises(Exception, match="not a channel"):
            parse_channel_ref(bad)


# --- empty lists and files that aren't lists ------------------------------------------


EMPTY = {
    "takeout-csv": b"Channel Id,Channel Url,Channel Title\n\n",
    "opml": export([], "opml").encode(),
    "newpipe": export([], "newpipe").encode(),
    "takeout-json": b"[]",
    "freetube": b'{"name":"All Channels","subscriptions":[],"_id":"allChannels"}\n',
}


@pytest.mark.parametrize("fmt", IMPORT_FORMATS)
def test_an_empty_list_is_nothing_to_do_in_every_format(fmt: str, tmp_path, run_cli) -> None:
    path = tmp_path / "empty"
    path.write_bytes(EMPTY[fmt])
    result = run_cli("import", str(path))
    assert result.code == 0, result.err
    assert result.out.startswith("0 channels in ")
    assert result.out.rstrip().endswith("list, nothing to do.")


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (PNG, "not UTF-8 text"),
        (bytes(range(256)) * 4, "not UTF-8 text"),
        (b"\x00\x01\x02 binary", "a binary file"),
        (b'{"type": "FeatureCollection", "features": []}', "JSON, but not"),
        (b'[{"name": "x"}, 3]', "a JSON list, but not of subscriptions"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not OPML"),
        (b"Dear diary,\ntoday nothing happened.\n", "not a subscriptions CSV"),
    ],
)
def test_a_file_that_is_no_subscription_list_says_so_and_names_the_formats(
    data: bytes, why: str, tmp_path, run_cli
) -> None:
    path = tmp_path / "picture.png"
    path.write_bytes(data)
    result = run_cli("import", str(path))
    assert result.code == 1
    first, hint = result.err.splitlines()[:2]
    assert first.startswith("momentum: picture.png isn't a subscriptions file Momentum knows")
    assert why in first
    assert KNOWN_FORMATS in hint
    assert "Fix that entry" not in result.err


# --- exports that import whole where they go ------------------------------------------


def test_newpipe_and_csv_exports_never_write_an_empty_name() -> None:
    channels = [ExportedChannel(GOOD, ""), ExportedChannel(OTHER, "ElectroBOOM")]
    newpipe = json.loads(export(channels, "newpipe"))
    assert [s["name"] for s in newpipe["subscriptions"]] == [GOOD, "ElectroBOOM"]
    rows = export(channels, "csv").splitlines()[1:]
    assert rows[0] == f"{GOOD},https://www.youtube.com/channel/{GOOD},{GOOD}"
    assert not any(row.endswith(",") for row in rows)  # Java's split would drop the field


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_name_equal_to_the_id_reads_as_no_title(fmt: str, tmp_path) -> None:
    """Momentum's own round trip never turns an id into a title."""
    text = export([ExportedChannel(GOOD, ""), ExportedChannel(OTHER, "ElectroBOOM")], fmt)
    back = parse_subscriptions(text.encode())
    assert [(c.id, c.title) for c in back.channels] == [(GOOD, ""), (OTHER, "ElectroBOOM")]


def test_groups_survive_opml_out_and_back(tmp_path) -> None:
    with Store.open(tmp_path / "a.db") as first:
        import_channels(first, read_subscriptions(FIXTURES / "own_freetube_profiles.db"))
        tag_channel(first, GOOD, ["news", "tech"])
        with first.read() as conn:
            rows = exportable(conn)
    assert {r.id: r.groups for r in rows} == {
        GOOD: ("news", "tech"),
        OTHER: ("electronics",),
        "UC6mIxFTvXkWQVEHPsEdflzQ": ("electronics",),
    }
    text = export(rows, "opml")
    assert '<outline text="electronics" title="electronics"><outline text="ElectroBOOM"' in text
    path = tmp_path / "out.opml"
    path.write_text(text, encoding="utf-8")
    with Store.open(tmp_path / "b.db") as second:
        report = import_channels(second, read_subscriptions(path))
        assert report.added == 3
        with second.read() as conn:
            assert exportable(conn) == rows


def test_the_formats_without_groups_still_carry_every_channel(tmp_path) -> None:
    rows = [ExportedChannel(GOOD, "TechLinked", ("tech",)), ExportedChannel(OTHER, "E", ())]
    for fmt in ("newpipe", "csv"):
        back = parse_subscriptions(export(rows, fmt).encode())
        assert [(c.id, c.tags) for c in back.channels] == [(GOOD, ()), (OTHER, ())]
