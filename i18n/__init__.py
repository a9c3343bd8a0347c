"""Language catalogues: every string drawn on the TFT is looked up here by key.

Each language is one flat TOML table in this folder (``en.toml``, later ``fr.toml`` …)::

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


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> Mapping[str, str]:
    """The key -> text table of ``language``; empty if the language has no catalogue yet.

    Raises ``ValueError`` naming the file when a catalogue is malformed or holds a non-string.
    """
    path = resources.files(__package__).joinpath(f"{language}.toml")
    if not path.is_file():
        return MappingProxyType({})
    name = f"i18n/{language}.toml"
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: {exc}") from None
    bad = [k for k, v in table.items() if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{name}: {bad[0]!r} must be a string (the catalogue is one flat table)")
    return MappingProxyType(table)


def tr(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The text of ``key`` in ``language``, else in English, else ``key`` itself."""
    text = catalogue(language).get(key)
    if text is None and language != DEFAULT_LANGUAGE:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
    return key if text is None else text


def translator(language: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """``tr`` bound to one language: the ``tr`` argument screens are rendered with."""
    return partial(tr, language=language)
