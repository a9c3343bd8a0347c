"""The immutable picture of the meter that the HMI, logs and reports read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


@dataclass(frozen=True)
class Extreme:
    """A minimum or maximum with the time it was reached."""

    value: float
    time: datetime


@dataclass(frozen=True)
class Snapshot:
    """Latest values by quantity id, with the time they refer to.

    ``stamps`` holds the time attached to a value (e.g. ``D_P_PEAK``: when the peak occurred);
    ``minimum`` / ``maximum`` the extremes since the last reset; ``flags`` conditions such as
    ``"PHASE_REVERSAL"`` or ``"NO_VOLTAGE"``.
    """

    time: datetime
    values: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    stamps: Mapping[str, datetime] = field(default_factory=lambda: MappingProxyType({}))
    minimum: Mapping[str, Extreme] = field(default_factory=lambda: MappingProxyType({}))
    maximum: Mapping[str, Extreme] = field(default_factory=lambda: MappingProxyType({}))
    flags: frozenset[str] = frozenset()

    def get(self, qid: str, default: float | None = None) -> float | None:
        return self.values.get(qid, default)
