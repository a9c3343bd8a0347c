"""The value checks of the scenario files: what a TOML value must be (a table with known
keys, a number in a range, one of some choices, a per-phase value, a date-time …), failing with
``InputError`` naming the file, the line when it can be found, and the dotted key. The scenario's
tables are read with them in ``engine.sources.scenario_file``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, NoReturn

from engine.errors import InputError
from engine.sources.scenario import Key


def dotted(key: Key) -> str:
    text = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key)
    return text.lstrip(".") or "scenario"


def kind_of(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
        date: "a date",
        time: "a time",
    }.get(type(value), type(value).__name__)


def find_line(text: str, key: Key) -> int | None:
    """Best-effort line of ``key`` in TOML text: the exact key, else the line holding its
    nearest enclosing value (an inline table or array)."""
    header: Key = ()
    counts: dict[Key, int] = {}
    best: tuple[int, int] | None = None  # (matched length, line)
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.split("#", 1)[0].strip()
        if m := re.fullmatch(r"\[\[\s*([^\[\]]+?)\s*\]\]", s):
            name = tuple(p.strip().strip("\"'") for p in m.group(1).split("."))
            counts[name] = counts.get(name, -1) + 1
            header, full = (*name, counts[name]), (*name, counts[name])
        elif m := re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]", s):
            header = full = tuple(p.strip().strip("\"'") for p in m.group(1).split("."))
        elif m := re.match(r"([A-Za-z0-9_\-.\"' ]+?)\s*=", s):
            full = (*header, *(p.strip().strip("\"'") for p in m.group(1).split(".")))
        else:
            continue
        if full == key:
            return lineno
        if full and key[: len(full)] == full and (best is None or len(full) > best[0]):
            best = (len(full), lineno)
    return None if best is None else best[1]


class ValueReader:
    """Checks the values of a parsed TOML document and fails with the file, line and key of the
    first bad one (``path`` and ``text`` None: a mapping that came from no file)."""

    def __init__(self, path: Path | None, text: str | None):
        self.path, self.text = path, text

    def fail(self, key: Key, problem: str) -> NoReturn:
        line = None if self.text is None else find_line(self.text, key)
        raise InputError(f"{dotted(key)}: {problem}", self.path, line)

    def table(self, value: Any, key: Key, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, f"must be a table, got {kind_of(value)}")
        for k in value:
            if k not in allowed:
                self.fail((*key, k), f"unknown key (known: {', '.join(allowed)})")
        return value

    def number(
        self,
        value: Any,
        key: Key,
        lo: float = -math.inf,
        hi: float = math.inf,
        *,
        lo_open: bool = False,
        hi_open: bool = False,
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"must be a number, got {kind_of(value)}")
        x = float(value)
        if (
            not math.isfinite(x)
            or x < lo
            or x > hi
            or (lo_open and x == lo)
            or (hi_open and x == hi)
        ):
            span = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
            self.fail(key, f"must be in {span}, got {value!r}")
        return x

    def choice(self, value: Any, key: Key, options: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in options:
            self.fail(key, f"must be one of {', '.join(options)}, got {value!r}")
        return value

    def typed(self, value: Any, key: Key, kind: type) -> Any:
        """``value`` if it is a ``kind`` (str or bool), else an error naming what it is."""
        if not isinstance(value, kind):
            self.fail(key, f"must be {kind_of(kind())}, got {kind_of(value)}")
        return value

    def per_phase(self, value: Any, key: Key, one: Any) -> tuple[Any, Any, Any]:
        """A scalar for all three phases or an array of three; ``one(value, key)`` checks each."""
        if isinstance(value, list | tuple):
            if len(value) != 3:
                self.fail(key, f"must be one value or an array of 3 (A, B, C), got {len(value)}")
            return tuple(one(v, (*key, i)) for i, v in enumerate(value))  # type: ignore[return-value]
        x = one(value, key)
        return (x, x, x)

    def phases(self, value: Any, key: Key) -> str:
        if (
            not isinstance(value, str)
            or not value
            or set(value) - set("ABC")
            or len(set(value)) != len(value)
        ):
            self.fail(key, f'must name phases, e.g. "ABC" or "A", got {value!r}')
        return "".join(p for p in "ABC" if p in value)

    def start(self, value: Any, key: Key) -> datetime:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.fail(key, f"must be an ISO-8601 date-time, got {value!r}")
        if not isinstance(value, datetime):  # a bare date or time is not a start instant
            self.fail(key, f"must be a date-time, got {kind_of(value)}")
        # A local date-time (no offset) is taken as UTC: the meter's clock runs in UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def numbers(self, t: Mapping[str, Any], key: Key) -> Callable[..., Any]:
        """``num(name, default, lo, hi, ...)``: the number ``t[name]`` checked, or the default
        (None stays None: an optional setting left out)."""

        def num(
            name: str,
            default: float | None,
            lo: float = -math.inf,
            hi: float = math.inf,
            **kw: bool,
        ) -> Any:
            v = t.get(name, default)
            return None if v is None else self.number(v, (*key, name), lo, hi, **kw)

        return num
