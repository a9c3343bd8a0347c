"""The immutable picture of the meter that the HMI, logs and reports read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.alarms.book import AlarmRecord

import numpy as np


@dataclass(frozen=True)
class Extreme:
    """A minimum or maximum with the time it was reached."""

    value: float
    time: datetime


@dataclass(frozen=True, eq=False)
class Waveform:
    """The latest two whole cycles of every input, starting at a rising crossing of the
    reference, for the waveform screen.

    ``voltage`` (3, n) [V] and ``current`` (4, n) [A] in primary units (rows V1..V3, I1..I4);
    ``sample_rate`` [Hz]; ``start``: time of the first sample.
    """

    start: datetime
    sample_rate: float
    voltage: np.ndarray
    current: np.ndarray


@dataclass(frozen=True)
class AlarmSummary:
    """What the alarm LED and the bell icon need (filled in by the alarm engine).

    Counts of alarms shown on the display (priority above Info); ``priority`` is the highest
    priority among them ("low" | "medium" | "high"), or None.
    """

    active_unacknowledged: int = 0
    active_acknowledged: int = 0
    historic_unacknowledged: int = 0
    priority: str | None = None


@dataclass(frozen=True)
class TrendSeries:
    """One quantity of the Trend screen: hourly ``history`` of the last hours and the
    ``forecast`` of the next ones, each a tuple of (hour start UTC, average, minimum, maximum)
    in the quantity's unit (NaN where not known)."""

    qid: str
    history: tuple[tuple[datetime, float, float, float], ...] = ()
    forecast: tuple[tuple[datetime, float, float, float], ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """Latest values by quantity id, with the time they refer to.

    ``stamps`` holds the time attached to a value (e.g. ``D_P_PEAK``: when the peak occurred);
    ``minimum`` / ``maximum`` the extremes since the last reset; ``flags`` conditions such as
    ``"PHASE_REVERSAL"`` or ``"NO_REFERENCE"``; ``waveform`` the last two cycles of samples;
    ``alarms`` the alarm state for the LED and the bell; ``alarm_list`` the active alarms
    (active, or ended and unacknowledged; highest priority first) and ``alarm_history`` the
    ended ones (newest first), both without Info / None priorities; ``digital_inputs`` the
    latest state of each digital input; ``relays`` the relay outputs (relay 1 first);
    ``trend`` the Trend screen's quantities (from the data recorders).
    """

    time: datetime
    values: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    stamps: Mapping[str, datetime] = field(default_factory=lambda: MappingProxyType({}))
    minimum: Mapping[str, Extreme] = field(default_factory=lambda: MappingProxyType({}))
    maximum: Mapping[str, Extreme] = field(default_factory=lambda: MappingProxyType({}))
    flags: frozenset[str] = frozenset()
    waveform: Waveform | None = None
    alarms: AlarmSummary = AlarmSummary()
    digital_inputs: tuple[bool, ...] = ()
    alarm_list: tuple[AlarmRecord, ...] = ()
    alarm_history: tuple[AlarmRecord, ...] = ()
    relays: tuple[bool, ...] = ()
    trend: tuple[TrendSeries, ...] = ()
    #: the event log, newest first (``engine.control.EngineEvent``: time, kind, what, old, new)
    events: tuple = ()

    def get(self, qid: str, default: float | None = None) -> float | None:
        return self.values.get(qid, default)
