"""EN 50160 on the live stream, for the panel's Power Quality > EN 50160 screen.

The observation week starts on Monday 00:00 UTC. The 10-min values of the week (aggregated here
from the meter's 10/12-cycle windows, flagged where a dip, swell or interruption touched them),
its 10-s frequency values and its Plt values are kept, and the week so far is evaluated by
``engine.compliance.evaluate_en50160`` each time a 10-min value completes. Published, in % of
the week's valid values within the limit that must hold for most of the week (the 95 %, 99 % or
99.5 % limit of the parameter):

- ``EN50160_FREQUENCY``: 10-s frequency;
- ``EN50160_VOLTAGE``, ``EN50160_FLICKER``, ``EN50160_THD``: the lowest over the phases;
- ``EN50160_UNBALANCE``: u2;
- ``EN50160_HARMONICS``: the lowest over the phases and the orders 2 to 25.

A parameter with no valid value yet is not published (the screen shows "----").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from engine.compliance import En50160Settings, evaluate_en50160
from engine.pq.aggregation import Aggregator
from engine.pq.record_table import RecordTable

__all__ = ["PUBLISHED", "LiveEn50160", "week_start"]

#: Snapshot id -> the evaluation's parameter name.
PUBLISHED = {
    "EN50160_FREQUENCY": "frequency",
    "EN50160_VOLTAGE": "supply_voltage",
    "EN50160_FLICKER": "flicker_plt",
    "EN50160_UNBALANCE": "unbalance_u2",
    "EN50160_THD": "thd",
    "EN50160_HARMONICS": "harmonic",
}
_PHASES = ("A", "B", "C", "AB", "BC", "CA")
_WANTED = (
    {"FREQ", "U2_V"}
    | {f"V_{p}" for p in _PHASES}
    | {f"THD_V_{p}" for p in _PHASES}
    | {f"H_V_{p}_{h}" for p in _PHASES for h in range(2, 41)}  # THD from h 2..40 (EN 50160)
)
WEEK = timedelta(days=7)


def week_start(t: datetime) -> datetime:
    """Monday 00:00 UTC of the week holding ``t`` (an aware datetime)."""
    day = t.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


class LiveEn50160:
    """The week so far. ``ids``: the meter's window ids (``Layout.ids``); ``settings``: Un and
    the system. Only the thread that feeds it may use it."""

    def __init__(self, ids: Sequence[str], settings: En50160Settings) -> None:
        self.settings = settings
        keep = [q for q in ids if q in _WANTED]
        self._columns = np.array([list(ids).index(q) for q in keep], dtype=int)
        self._aggregator = Aggregator(keep, kinds=("10min",))
        self._ids = keep
        self._start: datetime | None = None
        self._records = RecordTable(keep)
        self._frequency: list[tuple[datetime, float]] = []
        self._values: dict[str, float] = {}

    def add(
        self,
        windows: np.ndarray,
        starts: Sequence[datetime],
        ends: Sequence[datetime],
        flagged: np.ndarray,
        frequency: Sequence[tuple[datetime, float]],
        plt: Sequence[dict],
    ) -> None:
        """One block's windows (rows of the meter's ids, their start and end times and flags),
        its 10-s frequency values (time, [Hz]) and the Plt records so far."""
        self._frequency += [(t, f) for t, f in frequency if np.isfinite(f)]
        if not len(windows):
            return
        done = self._aggregator.add(windows[:, self._columns], list(ends), flagged, starts=starts)
        for record in done["10min"]:
            self._new_week_if_due(record["t"])
            self._records.append(record)
        if done["10min"]:
            self._evaluate(plt)

    def values(self) -> dict[str, float]:
        """The published shares [%] by snapshot id (see the module docstring)."""
        return dict(self._values)

    def _new_week_if_due(self, t: datetime) -> None:
        # A value stamped Monday 00:00 is the last of the week before (``start < t <= end``).
        start = week_start(t - timedelta(microseconds=1))
        if start != self._start:
            self._start = start
            self._records = RecordTable(self._ids)
            self._frequency = [(u, f) for u, f in self._frequency if u > start]

    def _evaluate(self, plt: Sequence[dict]) -> None:
        start = self._start
        plt_week = [r for r in plt if start < r["t"] <= start + WEEK]
        result = evaluate_en50160(
            self._records, self.settings, frequency_10s=self._frequency, plt=plt_week,
            start=start,
        )  # fmt: skip
        week = result.weeks[-1]
        values: dict[str, float] = {}
        for qid, parameter in PUBLISHED.items():
            rows = [r for r in week.rows if r.parameter == parameter]
            if not rows:
                continue
            main = min(r.required_pct for r in rows)  # the limit for most of the week
            shares = [r.pct_within for r in rows if r.required_pct == main and r.n_valid]
            if shares:
                values[qid] = float(min(shares))
        self._values = values
