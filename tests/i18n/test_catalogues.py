"""Every language has every string, translated, and drawable with the fonts the TFT uses."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

from i18n import LANGUAGES, SAME_IN_EVERY_LANGUAGE, catalogue, same_as_english
from screens.style import FONT_FAMILIES

OTHERS = [lang for lang in LANGUAGES if lang != "en"]


def files(language: str) -> dict[str, set[str]]:
    """File name -> keys of one language's catalogue files."""
    folder = resources.files("i18n").joinpath(language)
    return {
        p.name: set(tomllib.loads(p.read_text(encoding="utf-8")))
        for p in folder.iterdir()
        if p.name.endswith(".toml") and not p.name.startswith("_")
    }


@pytest.mark.parametrize("lang", OTHERS)
def test_same_files_and_keys_as_english(lang):
    english, theirs = files("en"), files(lang)
    assert sorted(theirs) == sorted(english), f"{lang}: catalogue files differ from English"
    for name, keys in english.items():
        assert sorted(keys - theirs[name]) == [], f"i18n/{lang}/{name}: missing keys"
        assert sorted(theirs[name] - keys) == [], f"i18n/{lang}/{name}: keys English lacks"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_string(lang):
    empty = sorted(k for k, v in catalogue(lang).items() if not v.strip())
    assert empty == [], f"{lang}: empty strings"


@pytest.mark.parametrize("lang", OTHERS)
def test_identical_to_english_only_where_listed(lang):
    english, theirs = catalogue("en"), catalogue(lang)
    allowed = same_as_english(lang)
    same = sorted(
        k
        for k, v in theirs.items()
        if v == english.get(k) and not k.startswith(SAME_IN_EVERY_LANGUAGE) and k not in allowed
    )
    assert same == [], (
        f"{lang}: the same as English; translate them, or, for a unit, symbol or proper name, "
        f"list them in i18n/{lang}/_same_as_english.toml as keys = [...]"
    )
    unknown = sorted(allowed - set(english))
    assert unknown == [], f"i18n/{lang}/_same_as_english.toml names unknown keys"


def test_the_tft_fonts_are_installed(qapp):
    installed = set(QFontDatabase.families())
    missing = [f for f in FONT_FAMILIES if f not in installed]
    assert missing == [], f"fonts missing (scripts/setup.sh installs them): {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_character_is_in_a_tft_font(qapp, lang):
    metrics = [QFontMetrics(QFont(family)) for family in FONT_FAMILIES]
    text = "".join(catalogue(lang).values())
    lacking = sorted(
        {c for c in text if not c.isspace() and not any(m.inFontUcs4(ord(c)) for m in metrics)}
    )
    assert lacking == [], f"{lang}: no TFT font has {''.join(lacking)!r}"
