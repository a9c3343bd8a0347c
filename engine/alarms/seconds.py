"""The 1-s values standard-speed alarms are evaluated on, aggregated from the 10/12-cycle
windows (IEC 61000-4-30 §4.4 windows, aggregated as in §4.5).

Each window belongs to the UTC second its end falls in; when the first window of a later
second arrives, the second before it is complete and gives one value per quantity, timed at
the end of that second: the square root of the mean of squares for rms quantities (voltages,
currents, percentages), the mean for the others (frequency, powers, power factor), per
``engine.quantities.aggregation_rule``. About five windows make a second at 50 and 60 Hz.
A window that ends before the last one (a new stream) starts the aggregation again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from engine.quantities import aggregation_rule


class OneSecondValues:
    """Explicit state: the second being filled and the sums of its windows."""

    def __init__(self, quantities: Iterable[str]) -> None:
        self.quantities = tuple(sorted(set(quantities)))
        self._rms = {q: aggregation_rule(q) == "rms" for q in self.quantities}
        self._second: int | None = None  # [s] the UTC second being filled (its start)
        self._last = -math.inf  # [s] end of the last window taken
        self._sums: dict[str, list[float]] = {}

    def add(
        self, ends: np.ndarray, windows: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Take windows ending at ``ends`` [s] with their values by quantity id; returns the
        1-s values completed: their times [s] (ends of the seconds) and values by quantity."""
        times: list[float] = []
        out: dict[str, list[float]] = {q: [] for q in self.quantities if q in windows}
        for w, end in enumerate(ends.tolist()):
            if end <= self._last:  # time went back: a new stream
                self._second, self._sums = None, {}
            self._last = end
            second = math.floor(end)
            if self._second is not None and second != self._second:
                times.append(float(self._second + 1))
                for q in out:
                    out[q].append(self._value(q))
                self._sums = {}
            self._second = second
            for q in out:
                v = float(windows[q][w])
                if v != v:
                    continue  # no value in this window (e.g. no reference)
                acc = self._sums.setdefault(q, [0.0, 0])
                acc[0] += v * v if self._rms[q] else v
                acc[1] += 1
        return np.array(times), {q: np.array(v) for q, v in out.items()}

    def _value(self, q: str) -> float:
        total, n = self._sums.get(q, (0.0, 0))
        if n == 0:
            return float("nan")
        return math.sqrt(total / n) if self._rms[q] else total / n
