"""Settings: defaults < TOML file < MOMENTUM_* environment, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from momentum_tui.config import env_name, load_settings
from momentum_tui.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.toml", environ={})
    assert settings.youtube.daily_quota == 10_000
    assert settings.youtube.api_root == "https://www.googleapis.com"


def test_file_then_environment(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[youtube]\ndaily_quota = 5000\napi_root = "http://file"\n')
    settings = load_settings(path, environ={"MOMENTUM_YOUTUBE_API_ROOT": "http://127.0.0.1:9"})
    assert settings.youtube.daily_quota == 5000
    assert settings.youtube.api_root == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("youtube", "api_root"),
        ("youtube", "feed_root"),
        ("youtube", "oauth_auth_uri"),
        ("youtube", "oauth_token_uri"),
        ("claude", "base_url"),
        ("backend", "url"),
    ],
)
def test_every_endpoint_has_an_environment_override(
    tmp_path: Path, section: str, field: str
) -> None:
    name = env_name(section, field)
    assert name.startswith("MOMENTUM_")
    settings = load_settings(tmp_path / "none.toml", environ={name: "http://127.0.0.1:1"})
    assert getattr(getattr(settings, section), field) == "http://127.0.0.1:1"


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[youtube]\ndaily_quota = = 3\n")
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        load_settings(path, environ={})


def test_unknown_setting_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[youtube]\ndialy_quota = 3\n")
    with pytest.raises(ConfigError, match=r"unknown setting `youtube\.dialy_quota`"):
        load_settings(path, environ={})


def test_wrong_type_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[youtube]\nconcurrency = "lots"\n')
    with pytest.raises(ConfigError, match=r"youtube\.concurrency"):
        load_settings(path, environ={})


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MOMENTUM_YOUTUBE_CONCURRENCY"):
        load_settings(tmp_path / "none.toml", environ={"MOMENTUM_YOUTUBE_CONCURRENCY": "x"})


def test_keymap_section_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[keymap]\n"video.like" = "L"\n')
    assert load_settings(path, environ={}).keymap == {"video.like": "L"}


def test_tables_come_from_the_environment_as_json(tmp_path: Path) -> None:
    prices = '{"claude-next": {"input": 2, "output": 8, "cache_write": 2.5, "cache_read": 0.2}}'
    settings = load_settings(tmp_path / "none.toml", {"MOMENTUM_CLAUDE_PRICES": prices})
    assert settings.claude.prices == {
        "claude-next": {"input": 2.0, "output": 8.0, "cache_write": 2.5, "cache_read": 0.2}
    }
    with pytest.raises(ConfigError, match="MOMENTUM_CLAUDE_PRICES is not valid JSON"):
        load_settings(tmp_path / "none.toml", {"MOMENTUM_CLAUDE_PRICES": "{claude: 1}"})
    with pytest.raises(ConfigError, match="MOMENTUM_CLAUDE_PRICES is invalid"):
        load_settings(tmp_path / "none.toml", {"MOMENTUM_CLAUDE_PRICES": "[1, 2]"})


def test_sections_left_alone_equal_validated_defaults(tmp_path: Path) -> None:
    from momentum_tui.config import Settings

    path = write(tmp_path / "c.toml", '[ui]\ntheme = "nord"\n')
    settings = load_settings(path, environ={"MOMENTUM_FEED_HIDE_SHORTS": "true"})
    expected = Settings.from_dict({"ui": {"theme": "nord"}, "feed": {"hide_shorts": True}})
    assert settings == expected
    assert settings.to_dict() == expected.to_dict()
    # A section read without validating it still checks what is assigned to it later.
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        settings.youtube.concurrency = 0


def test_unknown_section_and_bad_keymap_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[youtub]\ndaily_quota = 3\n")
    with pytest.raises(ConfigError, match=r"unknown setting `youtub`"):
        load_settings(path, environ={})
    path = write(tmp_path / "c.toml", '[keymap]\n"video.like" = 3\n')
    with pytest.raises(ConfigError, match=r"`keymap\.video\.like` input should be a valid string"):
        load_settings(path, environ={})
