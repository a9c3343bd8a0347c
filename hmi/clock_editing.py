"""Setting the meter's date and time from Date & Time Setup (issue 5), Qt-free: the date and
time editors, and the clock setting (``clock.adjust``) that makes the clock read what was
entered (``engine.clock``: local time = source time + tz_offset + dst_offset + adjust).

The Date and Time rows are no configuration settings of their own: they edit the local clock
and saving stores ``clock.adjust``, computed at the moment of Yes so the clock shows exactly
what was entered and runs on from there. Both editors are digit fields like the IP-address
editor (``hmi.editing._Field``): ◄/► skip the separators, a digit goes round 9 → 0, and ✓
refuses what cannot be (30 February, 25 h) by keeping the old value. Choices (guesses):

- The date is edited in the order of the Display Setup date format ("DD/MM/YYYY" edits
  02/03/2026); the time always as 24 h HH:MM:SS, whatever the 12/24 h display format.
- The highlight starts on the last digit of the first field, as on the IP-address editor.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from engine.clock import adjust_for, local_time
from engine.config import MeterConfig
from hmi.editing import CLOCK_KEYS, _Field

#: The Date and Time rows of Date & Time Setup (not settings: they set ``clock.adjust``).
DATE, TIME = CLOCK_KEYS
#: Years either side of the source's year a date may be set to (``engine.config.ADJUST_LIMIT``
#: allows a little more).
YEARS_EITHER_SIDE = 9
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_ORDER, DEFAULT_SEPARATOR = ("YYYY", "MM", "DD"), "-"
_SIMPLE_FORMAT = re.compile(r"^(YYYY|MM|DD)(\W)(YYYY|MM|DD)\2(YYYY|MM|DD)$")


def date_order(date_format: str) -> tuple[tuple[str, ...], str]:
    """The fields of ``date_format`` in order and their separator: "DD/MM/YYYY" gives
    (("DD", "MM", "YYYY"), "/"); a format that is not three distinct fields gives ISO's."""
    match = _SIMPLE_FORMAT.match(date_format)
    if match is None or len({match[1], match[3], match[4]}) != 3:
        return DEFAULT_ORDER, DEFAULT_SEPARATOR
    return (match[1], match[3], match[4]), match[2]


class DateEditor(_Field):
    """A date digit by digit in the order of ``date_format``; ✓ refuses a date that does not
    exist or whose year is outside ``years`` (first, last) and puts the old one back."""

    def __init__(
        self, value: date, *, date_format: str = "YYYY-MM-DD", years: tuple[int, int] = (1, 9999)
    ) -> None:
        self.original, self.years = value, years
        self.order, separator = date_order(date_format)
        self._template = separator.join("#" * len(part) for part in self.order)
        self._alphabets = ["0123456789"] * 8
        self._start(len(self.order[0]) - 1)

    @property
    def parts(self) -> dict[str, int]:
        """The fields as shown: {"YYYY": …, "MM": …, "DD": …} (impossible ones included)."""
        numbers = re.findall(r"\d+", self.text)
        return {part: int(n) for part, n in zip(self.order, numbers, strict=True)}

    @property
    def value(self) -> date | None:
        """The date shown; None if there is no such date."""
        p = self.parts
        try:
            return date(p["YYYY"], p["MM"], p["DD"])
        except ValueError:
            return None

    def _problem(self) -> str | None:
        day = self.value
        if day is None or not self.years[0] <= day.year <= self.years[1]:
            return f"a date that exists, years {self.years[0]} to {self.years[1]}"
        return None

    def _restore(self) -> None:
        shown = {"YYYY": f"{self.original.year:04d}", "MM": f"{self.original.month:02d}",
                 "DD": f"{self.original.day:02d}"}  # fmt: skip
        self._cells = list("".join(shown[part] for part in self.order))


class TimeEditor(_Field):
    """A time of day as 24 h HH:MM:SS digit by digit; ✓ refuses 24 h or more, 60 min or s."""

    RANGE = "from 00:00:00 to 23:59:59"

    def __init__(self, value: time) -> None:
        self.original = value.replace(microsecond=0, tzinfo=None)
        self._template, self._alphabets = "##:##:##", ["0123456789"] * 6
        self._start(1)

    @property
    def value(self) -> time | None:
        """The time shown; None if it cannot be (25:00:00)."""
        h, m, s = (int(part) for part in self.text.split(":"))
        return time(h, m, s) if h < 24 and m < 60 and s < 60 else None

    def _problem(self) -> str | None:
        return self.RANGE if self.value is None else None

    def _restore(self) -> None:
        self._cells = list(self.original.strftime("%H%M%S"))


def clock_editor(
    key: str, config: MeterConfig, source_time: datetime | None = None
) -> DateEditor | TimeEditor:
    """The editor of the Date (``DATE``) or Time (``TIME``) row, starting at the meter's local
    clock when the source's time is ``source_time`` [UTC] (None: not known yet; the engine's
    time before any data, 1970-01-01 UTC: this module reads no clock)."""
    source = source_time or EPOCH
    now = local_time(source, config.clock)
    if key == DATE:
        year = local_time(source, replace(config.clock, adjust=0)).year  # the source's year
        years = (max(year - YEARS_EITHER_SIDE, 1), min(year + YEARS_EITHER_SIDE, 9999))
        return DateEditor(now.date(), date_format=config.display.date_format, years=years)
    if key == TIME:
        return TimeEditor(now.time())
    raise KeyError(f"{key!r} is not the date or the time")


def clock_adjust(key: str, value: Any, config: MeterConfig, source_time: datetime) -> int:
    """The ``clock.adjust`` [s] that makes the clock read ``value`` (a date for ``DATE``: the
    time of day runs on; a time for ``TIME``: the date stays) at source time ``source_time``."""
    now = local_time(source_time, config.clock).replace(tzinfo=None, microsecond=0)
    if key == DATE:
        wanted = datetime.combine(value, now.time())
    elif key == TIME:
        wanted = datetime.combine(now.date(), value)
    else:
        raise KeyError(f"{key!r} is not the date or the time")
    return adjust_for(wanted, source_time, config.clock)
