"""The Setup editors, Qt-free: what ▲/▼/◄/► do to a value being edited and what ✓ saves
(front-panel.md §3.5-3.6, issue 5 "Editing the way the meter does"). Which editor a setting
gets, and putting its value back into the configuration, is ``hmi.editing``; the "Save
changes?" question is ``hmi.confirmation``.

The screen draws ``editor.text`` with the character ``editor.cursor`` highlighted (``None``:
highlight the whole value) and hands the soft keys to ``editor.press``; ✓ calls ``commit``, ✕
``cancel``. Choices (``guesses`` of the meter's behaviour, kept in constants so they are easy to
change):

- The highlight starts on the last integer digit: most settings are whole numbers (CT primary,
  ports, percentages), so that is the digit changed first, and on a field with decimals the
  rightmost digit would be a fraction digit that is rarely touched.
- ◄/► go round from one end of the field to the other (``CURSOR_WRAPS``), as the navigation's
  cursor does: on a 12-digit field that is the short way to the far end.
- ▲ is "next" (digit + 1, next choice), ▼ "previous"; a digit goes 9 → 0 without carrying into
  its neighbour, as on the meter.
- An out-of-range commit keeps the old value and puts the field back to it, so the screen shows
  the value that stays beside the allowed range.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from engine.config import Rule

CURSOR_WRAPS = True
OK, OUT_OF_RANGE, CANCELLED = "ok", "out_of_range", "cancelled"
TEXT_CHARS = " ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./#"


@dataclass(frozen=True)
class Result:
    """What ✓ (or ✕) led to. ``value``: the new value when ``ok``, else the old one kept;
    ``message``: the allowed values when out of range; ``changed``: ok and different from the
    old value (only then does the panel ask "Save changes?")."""

    status: str
    value: Any
    message: str = ""
    changed: bool = False

    @property
    def ok(self) -> bool:
        return self.status == OK


class Editor:
    """Common part. ``text``: the value as shown; ``cursor``: index of the highlighted character
    of ``text`` (None: the whole value is highlighted); ``value``: in the setting's type;
    ``original``: the value when editing began; ``rule``: must accept the value too."""

    original: Any
    rule: Rule | None = None
    text: str
    value: Any

    @property
    def cursor(self) -> int | None:
        return None

    def up(self) -> None:
        self._step(1)

    def down(self) -> None:
        self._step(-1)

    def left(self) -> None:
        """Choices and on/off have no cursor."""

    def right(self) -> None:
        """Choices and on/off have no cursor."""

    def press(self, action: str) -> bool:
        """Carry out "up" | "down" | "left" | "right"; True if the field changed."""
        if action not in ("up", "down", "left", "right"):
            raise ValueError(f"an editor takes up, down, left or right, got {action!r}")
        before = (self.text, self.cursor)
        getattr(self, action)()
        return (self.text, self.cursor) != before

    def commit(self) -> Result:
        """✓: the new value, or the old one kept and the allowed range if it does not fit."""
        if self.text == self._original_text:
            return Result(OK, self.original)  # untouched: the stored value, not a rounded one
        problem = self._problem()
        if problem is not None:
            self._restore()
            return Result(OUT_OF_RANGE, self.original, problem)
        return Result(OK, self.value, changed=self.value != self.original)

    def cancel(self) -> Result:
        """✕: leave without saving; the field shows the old value again."""
        self._restore()
        return Result(CANCELLED, self.original)

    def _problem(self) -> str | None:
        """Why the value shown cannot be saved (the allowed values), or None."""
        if self.rule is not None and not self.rule.accepts(self.value):
            return self.rule.allowed()
        return None

    def _step(self, step: int) -> None: ...  # ▲ +1, ▼ -1 (each editor)

    def _restore(self) -> None: ...  # show the original value again (each editor)


class _Field(Editor):
    """A fixed field of cells edited one at a time: ``_template`` has a "#" per cell, each cell
    steps through its own alphabet (digits, "+-", letters), ◄/► move between cells."""

    _template: str
    _cells: list[str]
    _alphabets: list[str]
    _pos: int

    def _start(self, start: int) -> None:
        self._restore()
        self._slots = [i for i, c in enumerate(self._template) if c == "#"]
        self._pos, self._original_text = start, self.text

    @property
    def text(self) -> str:
        cells = iter(self._cells)
        return "".join(next(cells) if c == "#" else c for c in self._template)

    @property
    def cursor(self) -> int:
        return self._slots[self._pos]

    def _step(self, step: int) -> None:
        alphabet = self._alphabets[self._pos]
        i = alphabet.find(self._cells[self._pos])  # a character not in it goes to its start
        self._cells[self._pos] = alphabet[(i + step) % len(alphabet) if i >= 0 else 0]

    def left(self) -> None:
        self._pos = _move(self._pos, -1, len(self._cells))

    def right(self) -> None:
        self._pos = _move(self._pos, 1, len(self._cells))


def _move(position: int, step: int, count: int) -> int:
    if CURSOR_WRAPS:
        return (position + step) % count
    return min(max(position + step, 0), count - 1)


class NumericEditor(_Field):
    """The digit-by-digit editor: ``digits`` digits in all, ``decimals`` of them after the
    point, a +/- cell in front when ``signed`` (▲/▼ toggle it). A digit goes round 9 → 0
    without carrying into its neighbour, as on the meter. ``result_type`` (float, int, or str
    for a digit string such as a password) is the type of ``value``; ``range_text`` replaces
    the "from … to …" message; ``rule``, if given, must accept the value too."""

    def __init__(
        self, value: float, *, digits: int, decimals: int, minimum: float, maximum: float,
        signed: bool = False, result_type: type = float, unit: str = "",
        range_text: str | None = None, rule: Rule | None = None,
    ) -> None:  # fmt: skip
        if digits < 1 or not 0 <= decimals <= digits:
            raise ValueError(f"need 1+ digits and 0..digits decimals, got {digits}, {decimals}")
        self.digits, self.decimals, self.signed = digits, decimals, signed
        self.minimum, self.maximum, self.unit = minimum, maximum, unit
        self.result_type, self.rule = result_type, rule
        self.range_text = range_text or f"from {minimum:g} to {maximum:g}{_unit(unit)}"
        whole = digits - decimals
        self._template = "#" * signed + "#" * whole + ("." + "#" * decimals if decimals else "")
        self._alphabets = ["+-"] * signed + ["0123456789"] * digits
        self.original = self._typed(float(value))
        self._number = float(value)  # as given: a password "0012" and 12 are the same field
        self._start(signed + max(whole - 1, 0))  # the last integer digit (module docstring)

    def _typed(self, x: float) -> Any:
        if self.result_type is float:
            return x
        return round(x) if self.result_type is int else str(round(x))

    @property
    def value(self) -> Any:
        x = int("".join(self._cells[self.signed :])) / 10**self.decimals
        return self._typed(-x if self.signed and self._cells[0] == "-" and x else x)

    def _problem(self) -> str | None:
        x = float(self.value)
        inside = self.minimum <= x <= self.maximum and super()._problem() is None
        return None if inside else self.range_text

    def _restore(self) -> None:
        scaled = str(round(abs(self._number) * 10**self.decimals)).zfill(self.digits)
        if len(scaled) > self.digits or (self._number < 0 and not self.signed):
            raise ValueError(f"{self._number:g} does not fit a field of {self.digits} digits")
        self._cells = ["-" if self._number < 0 else "+"] * self.signed + list(scaled)


class IpEditor(_Field):
    """An IPv4 address as four 3-digit octets ("192.168.001.100") edited digit by digit across
    the 12 digits (◄/► skip the dots); an octet above 255 is refused."""

    RANGE = "each of the four numbers from 0 to 255"

    def __init__(self, address: str, *, rule: Rule | None = None) -> None:
        self.original, self.rule = str(ipaddress.IPv4Address(address)), rule
        self._template, self._alphabets = "###.###.###.###", ["0123456789"] * 12
        self._start(2)  # last digit of the first octet, like a number's last integer digit

    @property
    def octets(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.text.split("."))

    @property
    def value(self) -> str:
        return ".".join(map(str, self.octets))

    def _problem(self) -> str | None:
        return self.RANGE if max(self.octets) > 255 else super()._problem()

    def _restore(self) -> None:
        self._cells = list("".join(part.zfill(3) for part in self.original.split(".")))


class TextEditor(_Field):
    """A short text (nameplate owner, tag …) character by character: ▲/▼ step through
    ``TEXT_CHARS``; trailing spaces are dropped on commit."""

    def __init__(self, value: str, *, width: int = 20, rule: Rule | None = None) -> None:
        self.original, self.rule, width = value, rule, max(width, len(value))
        self._template, self._alphabets = "#" * width, [TEXT_CHARS] * width
        self._start(0)

    @property
    def value(self) -> str:
        return self.text.rstrip()

    def _restore(self) -> None:
        self._cells = list(self.original.ljust(len(self._template)))


class ChoiceEditor(Editor):
    """An enumeration: ▲ next, ▼ previous choice, going round. ``text`` is the choice as the
    configuration writes it (floats without ".0"); the screen translates it."""

    def __init__(self, choices: tuple, value: Any, *, rule: Rule | None = None) -> None:
        if not choices:
            raise ValueError("a choice editor needs choices")
        self.choices, self.original, self.rule = tuple(choices), value, rule
        self._restore()
        # A stored value outside the choices (hand-edited file) shows the first choice, and
        # saving that counts as a change.
        self._original_text = _show(value)

    @property
    def text(self) -> str:
        return _show(self.value)

    @property
    def value(self) -> Any:
        return self.choices[self.index]

    def _step(self, step: int) -> None:
        self.index = (self.index + step) % len(self.choices)

    def _restore(self) -> None:
        self.index = self.choices.index(self.original) if self.original in self.choices else 0


class BoolEditor(Editor):
    """On/off: ▲ and ▼ both toggle. ``text`` is "on" or "off" (the screen translates it)."""

    def __init__(self, value: bool, *, rule: Rule | None = None) -> None:
        self.original, self.rule = bool(value), rule
        self._restore()
        self._original_text = self.text

    @property
    def text(self) -> str:
        return "on" if self.value else "off"

    def _step(self, step: int) -> None:
        self.value = not self.value

    def _restore(self) -> None:
        self.value = self.original


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
