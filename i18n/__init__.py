"""Language catalogues: every string drawn on the TFT is looked up here by key.

Each language is a folder (``en/``, later ``fr/`` …) of flat TOML tables, one file per context
(``common.toml``, ``quantities.toml``, ``units.toml``, one per screen group …), merged into one
catalogue; a key may appear in only one file of a language::

    "screen.basic_reading.title" = "Basic Reading"

A key missing from a language falls back to English, and a key missing from English comes back
unchanged, so a forgotten string shows on screen as its key instead of crashing the display.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from functools import cache, partial
from importlib import resources
from types import MappingProxyType

DEFAULT_LANGUAGE = "en"
#: The display languages of the ION7400, in the order the Language Setup lists them.
LANGUAGES = ("en", "fr", "es", "zh", "it", "de", "ru", "pt")
#: Keys whose text may be the same as English in every language: units, date/time patterns,
#: and the language names, which are always written in their own language. A language may
#: list more (symbols, proper names) in ``<language>/_same_as_english.toml``.
SAME_IN_EVERY_LANGUAGE = ("unit.", "format.", "info.language.")


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> Mapping[str, str]:
    """The key -> text table of ``language``; empty if the language has no catalogue yet.

    Raises ``ValueError`` naming the file when a catalogue file is malformed, holds a
    non-string, or repeats a key of another file of the same language.
    """
    folder = resources.files(__package__).joinpath(language)
    if not folder.is_dir():
        return MappingProxyType({})
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml") or path.name.startswith("_"):
            continue
        name = f"i18n/{language}/{path.name}"
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{name}: {exc}") from None
        for key, text in table.items():
            if not isinstance(text, str):
                raise ValueError(f"{name}: {key!r} must be a string (each file is one flat table)")
            if key in merged:
                raise ValueError(f"{name}: {key!r} is already defined in {origin[key]}")
            merged[key], origin[key] = text, name
    return MappingProxyType(merged)


def same_as_english(language: str) -> frozenset[str]:
    """Keys ``language`` deliberately leaves as in English (from ``_same_as_english.toml``:
    ``keys = [...]``), besides ``SAME_IN_EVERY_LANGUAGE``."""
    path = resources.files(__package__).joinpath(language, "_same_as_english.toml")
    if not path.is_file():
        return frozenset()
    name = f"i18n/{language}/_same_as_english.toml"
    try:
        keys = tomllib.loads(path.read_text(encoding="utf-8")).get("keys", [])
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: {exc}") from None
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"{name}: keys must be a list of strings")
    return frozenset(keys)


def available() -> list[str]:
    """The display languages that have a catalogue, in the meter's order (``LANGUAGES``)."""
    return [lang for lang in LANGUAGES if catalogue(lang)]


def tr(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The text of ``key`` in ``language``, else in English, else ``key`` itself."""
    text = catalogue(language).get(key)
    if text is None and language != DEFAULT_LANGUAGE:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
    return key if text is None else text


def translator(language: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """``tr`` bound to one language: the ``tr`` argument screens are rendered with."""
    return partial(tr, language=language)
