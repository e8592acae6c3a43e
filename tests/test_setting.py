"""Settings fields: what a config file or an environment variable may say, and the words
for what it may not (the same words pydantic used, which the CLI's messages quote)."""

from __future__ import annotations

from typing import Literal

import pytest

from momentum_tui.config import Settings, UISettings, YouTubeSettings
from momentum_tui.models import Filters, Sort
from momentum_tui.setting import Section, SettingError, setting


class Sample(Section):
    """A section with one field of every kind settings use."""

    count: int = setting(default=3, ge=1, le=10, description="A bounded integer.")
    share: float = setting(default=0.5, gt=0, lt=1)
    on: bool = setting(default=False)
    name: str = setting(default="x")
    mode: Literal["a", "b", "c"] = setting(default="a")
    table: dict[str, dict[str, float]] = setting(default_factory=dict)


def test_environment_strings_become_the_fields_types() -> None:
    sample = Sample(count=" 7 ", share="0.25", on="Yes", table={"m": {"input": "1"}})
    assert (sample.count, sample.share, sample.on) == (7, 0.25, True)
    assert sample.table == {"m": {"input": 1.0}}
    assert Sample(on="off").on is False and Sample(count=4.0).count == 4


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"count": 0}, "count: Input should be greater than or equal to 1"),
        ({"count": 11}, "count: Input should be less than or equal to 10"),
        ({"share": 0}, "share: Input should be greater than 0"),
        ({"share": 1}, "share: Input should be less than 1"),
        ({"count": "many"}, "unable to parse string as an integer"),
        ({"count": 2.5}, "got a number with a fractional part"),
        ({"on": "maybe"}, "on: Input should be a valid boolean, unable to interpret input"),
        ({"name": 5}, "name: Input should be a valid string"),
        ({"mode": "d"}, "mode: Input should be 'a', 'b' or 'c'"),
        ({"table": {"m": {"input": "lots"}}}, "table.m.input: Input should be a valid number"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_what_a_field_refuses_is_said_in_words(values: dict[str, object], words: str) -> None:
    with pytest.raises(SettingError, match=words.replace(".", r"\.")):
        Sample(**values)


def test_every_assignment_is_checked_and_a_bad_one_changes_nothing() -> None:
    sample = Sample()
    sample.count = "5"
    assert sample.count == 5
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        sample.count = 0
    assert sample.count == 5
    with pytest.raises(SettingError, match="Extra inputs"):
        sample.colour = "red"


def test_replace_is_a_checked_copy_and_defaults_are_not_shared() -> None:
    first, second = Sample(), Sample()
    first.table["m"] = {"input": 1.0}
    assert second.table == {}  # each instance has its own default table
    changed = first.replace(count=9)
    assert (changed.count, first.count, changed.table) == (9, 3, first.table)
    assert changed != first and first.replace() == first
    with pytest.raises(SettingError):
        first.replace(count=99)


def test_a_whole_document_builds_nested_sections() -> None:
    settings = Settings.from_dict({"ui": {"start_view": "subscriptions"}, "keymap": {"a": "b"}})
    assert settings.ui == UISettings(start_view="subscriptions")
    assert settings.youtube == YouTubeSettings()
    assert settings.to_dict()["ui"]["start_view"] == "subscriptions"
    with pytest.raises(SettingError, match=r"ui\.start_view: Input should be 'for-you'"):
        Settings.from_dict({"ui": {"start_view": "home"}})
    with pytest.raises(SettingError, match=r"keymap\.a: Input should be a valid string"):
        Settings.from_dict({"keymap": {"a": 1}})


def test_filters_take_what_callers_pass_and_refuse_what_no_feed_can_show() -> None:
    filters = Filters(sort="views", topics=["science"])  # type: ignore[arg-type]
    assert filters.sort is Sort.VIEWS and filters.topics == ("science",)
    assert filters.replace(search="rust") == Filters(sort=Sort.VIEWS, topics=("science",),
                                                     search="rust")  # fmt: skip
    with pytest.raises(ValueError, match="min_seconds"):
        Filters(min_seconds=-1)
    with pytest.raises(ValueError, match="max_clickbait"):
        filters.replace(max_clickbait=1.5)
