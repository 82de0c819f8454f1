"""partnership.toml: the protective markings and the per-recipient setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from packgen.errors import InputError
from packgen.settings import load_settings


def settings_from(tmp_path: Path, text: str):
    (tmp_path / "partnership.toml").write_text(text, encoding="utf-8")
    return load_settings(tmp_path)


def test_restricted_items_are_marked_official_sensitive_and_the_pack_not_by_default(tmp_path):
    settings = settings_from(tmp_path, 'name = "X"\n')
    assert settings.restricted_marking == "OFFICIAL-SENSITIVE"
    assert settings.pack_marking == ""
    assert settings.email.per_recipient is False


@pytest.mark.parametrize("none", ['""', '"none"', '"None"'])
def test_a_marking_of_none_or_empty_marks_nothing(tmp_path, none):
    assert settings_from(tmp_path, f"restricted_marking = {none}\n").restricted_marking == ""


def test_the_markings_and_per_recipient_are_read(tmp_path):
    settings = settings_from(
        tmp_path,
        'restricted_marking = "OFFICIAL-SENSITIVE  PERSONAL"\npack_marking = "OFFICIAL"\n'
        "[email]\nper_recipient = true\n",
    )
    assert settings.restricted_marking == "OFFICIAL-SENSITIVE PERSONAL"
    assert settings.pack_marking == "OFFICIAL"
    assert settings.email.per_recipient is True


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("true", "is not text"),
        ('"OFFICIAL\\nSENSITIVE"', "is not one line"),
        (f'"{"X" * 61}"', "at most 60 characters"),
        ('"OFFICIAL \u2605"', "characters the page stamps can't draw"),
    ],
)
def test_a_marking_that_cant_be_drawn_is_an_error_naming_the_setting(tmp_path, value, reason):
    with pytest.raises(InputError) as caught:
        settings_from(tmp_path, f"pack_marking = {value}\n")
    assert "partnership.toml › pack_marking" in str(caught.value)
    assert reason in str(caught.value)
