"""How numbers, dates and times read on the TFT (plain Python, no Qt).

- ``format_value``: auto-ranged measurements (V → kV, W → kW → MW …) with a fixed width;
- ``format_register``: energy registers in kWh / kvarh / kVAh with every digit a bill needs;
- ``group_digits``: the Display Setup "digit grouping" (none, 1,234.5 or 1 234.5);
- ``format_date`` / ``format_time`` / ``format_stamp``: the configured date format and 12/24 h.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from engine.config import DisplaySettings

#: Shown instead of a value that is not measured (NaN) or not in the snapshot.
MISSING = "----"
#: Metric prefixes the display auto-ranges through, in steps of 1000.
PREFIXES = ("", "k", "M", "G")
#: Units that take a prefix; Hz, %, degrees and PF are shown as they are.
RANGED_UNITS = frozenset({"V", "A", "W", "var", "VA", "Wh", "varh", "VAh"})
#: Significant digits a value field shows: five fit the value column at the table's font size.
DEFAULT_DIGITS = 5
MAX_DIGITS = 6
#: Digits of an energy register (integer + decimals), as on a billing display.
REGISTER_DIGITS = 9
#: Decimals of an energy register in kWh while it is small (1 Wh resolution).
REGISTER_DECIMALS = 3
#: Separator between groups of three integer digits, by ``DisplaySettings.digit_grouping``.
GROUP_SEPARATORS = {"none": "", "comma": ",", "space": " "}
#: strftime patterns of ``DisplaySettings.date_format``.
DATE_PATTERNS = {"YYYY-MM-DD": "%Y-%m-%d", "DD/MM/YYYY": "%d/%m/%Y", "MM/DD/YYYY": "%m/%d/%Y"}


def format_value(
    value: float | None,
    unit: str,
    decimals: int | None = None,
    digits: int = DEFAULT_DIGITS,
    grouping: str = "none",
) -> tuple[str, str]:
    """``value`` [``unit``] as (text, unit with prefix), auto-ranged V → kV → MV …

    The prefix is the smallest one that keeps the integer part below 1000. The text then has
    ``digits`` significant digits (at most ``MAX_DIGITS``) with a fixed number of decimals for a
    given range, so a value's width does not jump from one update to the next. ``decimals``
    caps the decimals in the base unit (the meter's resolution setting, e.g. 1 for 0.1 V); it
    grows by 3 per prefix step. NaN, ±inf and ``None`` give ``MISSING``. ``grouping`` is the
    digit-grouping setting (only values past the last prefix have four integer digits or more).
    """
    if not 1 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be 1..{MAX_DIGITS}, got {digits}")
    if value is None or not math.isfinite(value):
        return MISSING, unit
    steps = len(PREFIXES) if unit in RANGED_UNITS else 1
    for step in range(steps):
        scaled = value / 1000.0**step
        cap = None if decimals is None else max(0, decimals + 3 * step)
        text = _fixed(scaled, digits, cap)
        # Range on the rounded text: 999.996 V must read 1.0000 kV, not 1000.0 V.
        if abs(float(text)) < 1000.0 or step == steps - 1:
            return group_digits(text, grouping), PREFIXES[step] + unit
    raise AssertionError("unreachable")


def _fixed(x: float, digits: int, cap: int | None) -> str:
    def text_with(whole: int) -> str:
        places = max(0, digits - whole)
        return f"{x:.{places if cap is None else min(places, cap)}f}"

    whole = len(str(int(abs(x))))
    text = text_with(whole)
    # Rounding may carry into a new integer digit (9.99996 -> "10.0000"): one decimal less.
    if len(text.lstrip("-").split(".")[0]) > whole:
        text = text_with(whole + 1)
    # No "-0.000": a value that rounds to zero has no sign.
    return text.lstrip("-") if float(text) == 0.0 else text


def format_register(value: float | None, unit: str, grouping: str = "none") -> tuple[str, str]:
    """An energy register ``value`` [Wh, varh or VAh] as (text, "k" + unit).

    Always in the kilo unit, as billing registers read: ``REGISTER_DECIMALS`` decimals while the
    register is small, fewer as it grows so that at most ``REGISTER_DIGITS`` digits show
    (12345678.9 kWh), none beyond. NaN and ``None`` give ``MISSING``.
    """
    if value is None or not math.isfinite(value):
        return MISSING, "k" + unit
    kilo = value / 1000.0
    whole = len(str(round(abs(kilo))))
    places = max(0, min(REGISTER_DECIMALS, REGISTER_DIGITS - whole))
    text = f"{kilo:.{places}f}"
    text = text.lstrip("-") if float(text) == 0.0 else text
    return group_digits(text, grouping), "k" + unit


def group_digits(text: str, grouping: str = "none") -> str:
    """``text`` (a plain number such as "-1234567.8") with its integer digits grouped by three
    per the digit-grouping setting ("none", "comma", "space"); anything else is returned as is."""
    sep = GROUP_SEPARATORS.get(grouping, "")
    sign = "-" if text.startswith("-") else ""
    whole, dot, frac = text.lstrip("-").partition(".")
    if not sep or not whole.isdigit() or len(whole) <= 3:
        return text
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    return sign + sep.join(groups) + dot + frac


def format_date(when: datetime, settings: DisplaySettings) -> str:
    """``when`` in the configured date format (unknown formats read as YYYY-MM-DD)."""
    return when.strftime(DATE_PATTERNS.get(settings.date_format, "%Y-%m-%d"))


def format_time(
    when: datetime, settings: DisplaySettings, tr: Callable[[str], str], seconds: bool = True
) -> str:
    """``when`` as 24 h "13:05:09" or 12 h "1:05:09 PM" (AM/PM from the catalogue)."""
    tail = ":%S" if seconds else ""
    if settings.time_format != "12h":
        return when.strftime(f"%H:%M{tail}")
    hour = when.hour % 12 or 12
    suffix = tr("chrome.pm") if when.hour >= 12 else tr("chrome.am")
    return f"{hour}:{when.strftime(f'%M{tail}')} {suffix}"


def format_stamp(
    when: datetime | None,
    settings: DisplaySettings,
    tr: Callable[[str], str],
    zone: datetime | None = None,
) -> str:
    """Date and time of a peak or an extreme; ``MISSING`` when there is none. ``zone``: the
    display clock, whose time zone the stamp is shown in (stamps come from the engine in UTC,
    on the source's time: the clock setting its zone carries, ``engine.clock.MeterZone``, is
    added so that a stamp reads on the same clock as the title bar)."""
    if when is None:
        return MISSING
    if zone is not None and zone.tzinfo is not None and when.tzinfo is not None:
        shift = timedelta(seconds=getattr(zone.tzinfo, "adjust", 0))
        when = (when + shift).astimezone(zone.tzinfo)
    return f"{format_date(when, settings)} {format_time(when, settings, tr)}"
