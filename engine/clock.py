"""The meter's local clock (Date & Time Setup, issue 5): the source's time shifted by the
operator's clock setting and shown in the configured time zone.

    local time = source time (UTC) + tz_offset + dst_offset + adjust

``tz_offset`` and ``dst_offset`` [min] and ``adjust`` [s] are ``engine.config.ClockSettings``.
The source keeps its own time (a recording replays its own dates); setting the date or time on
the panel only changes ``adjust``, so the clock goes on advancing with the source. Plain
Python: no Qt, no wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class ClockLike(Protocol):
    """What the clock needs of ``engine.config.ClockSettings``."""

    tz_offset: int  # [min]
    dst_offset: int  # [min]
    adjust: int  # [s]


class MeterZone(tzinfo):
    """The meter's time zone: a fixed offset ``tz + dst`` [min] east of UTC. It also carries
    the clock setting ``adjust`` [s], so that a time stamped by the source (a peak, an extreme)
    can be shown on the same clock as the title bar (``screens.formats.format_stamp``)."""

    def __init__(self, tz: int = 0, dst: int = 0, adjust: int = 0) -> None:
        self.tz, self.dst_minutes, self.adjust = tz, dst, adjust
        self._offset = timedelta(minutes=tz + dst)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._offset

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(minutes=self.dst_minutes)

    def tzname(self, dt: datetime | None) -> str:
        minutes = self.tz + self.dst_minutes
        sign = "-" if minutes < 0 else "+"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    def fromutc(self, dt: datetime) -> datetime:
        return dt + self._offset  # a fixed offset: no transitions to look up

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MeterZone):
            return NotImplemented
        return (self.tz, self.dst_minutes, self.adjust) == (other.tz, other.dst_minutes,
                                                             other.adjust)  # fmt: skip

    def __hash__(self) -> int:
        return hash((self.tz, self.dst_minutes, self.adjust))

    def __repr__(self) -> str:
        return f"MeterZone({self.tz}, {self.dst_minutes}, {self.adjust})"


def _utc(when: datetime) -> datetime:
    """``when`` as an aware UTC time (a naive one is taken as UTC, as the sources do)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def zone_of(clock: ClockLike) -> MeterZone:
    return MeterZone(clock.tz_offset, clock.dst_offset, clock.adjust)


def local_time(source_time: datetime, clock: ClockLike) -> datetime:
    """The meter's clock [aware, in ``MeterZone``] when the source's time is ``source_time``."""
    shifted = _utc(source_time) + timedelta(seconds=clock.adjust)
    return shifted.astimezone(zone_of(clock))


def adjust_for(local: datetime, source_time: datetime, clock: ClockLike) -> int:
    """The clock setting ``adjust`` [s] with which ``local_time(source_time)`` reads ``local``
    (a wall-clock time; any time zone it carries is ignored). Whole seconds counted from the
    source's whole second, so the clock reads exactly ``local`` and then advances with the
    source (its fraction of a second is kept)."""
    zone = MeterZone(clock.tz_offset, clock.dst_offset)
    base = _utc(source_time).astimezone(zone).replace(microsecond=0, tzinfo=None)
    wall = local.replace(microsecond=0, tzinfo=None)
    return round((wall - base).total_seconds())
