"""One value per quantity for a whole run of 10/12-cycle windows, accumulated as they come.

The summary aggregates the window values the way IEC 61000-4-30 §4.5 aggregates them:
rms-type quantities (voltages, currents, harmonic and unbalance percentages) as the rms of the
window values; powers and frequency as arithmetic means; power factors as mean P / mean S;
angles as circular means; the rest (crest factor, K-factor, displacement power factor) as
means (``engine.quantities.aggregation_rule``). NaN values are skipped; a quantity with no value
gives NaN. Running sums only, so memory does not grow with the number of windows.
"""

from __future__ import annotations

import numpy as np

from engine.quantities import aggregation_rule

__all__ = ["RunningSummary", "summarise"]


class RunningSummary:
    """Feed window rows of ``ids`` (``add``); read the summary (``values``) at any time."""

    def __init__(self, ids: tuple[str, ...]) -> None:
        self.ids = tuple(ids)
        rules = np.array([aggregation_rule(q) for q in self.ids])
        self._rms = rules == "rms"
        self._angle = rules == "angle"
        self._pf = [q for q, r in zip(self.ids, rules, strict=True) if r == "pf"]
        k = len(self.ids)
        self._count = np.zeros(k, dtype=np.int64)
        self._sum = np.zeros(k)
        self._squares = np.zeros(int(self._rms.sum()))
        self._turns = np.zeros(int(self._angle.sum()), dtype=complex)  # Σ unit vectors

    def add(self, rows: np.ndarray) -> None:
        """Take window rows, shape (windows, len(ids)), in the ids' units."""
        if len(rows) == 0:
            return
        valid = ~np.isnan(rows)
        x = np.where(valid, rows, 0.0)
        self._count += valid.sum(axis=0)
        self._sum += x.sum(axis=0)
        self._squares += (x[:, self._rms] ** 2).sum(axis=0)
        angles = np.exp(1j * np.radians(x[:, self._angle]))
        self._turns += np.where(valid[:, self._angle], angles, 0.0).sum(axis=0)

    def values(self) -> dict[str, float]:
        """The summary so far: {id: value}."""
        with np.errstate(all="ignore"):
            values = self._sum / self._count  # "mean" (and "pf" before its own rule below)
            values[self._rms] = np.sqrt(self._squares / self._count[self._rms])
            values[self._angle] = np.degrees(np.angle(self._turns / self._count[self._angle]))
        values[self._count == 0] = np.nan
        summary = dict(zip(self.ids, values.tolist(), strict=True))
        for q in self._pf:
            phase = q[3:]
            p, s = summary.get(f"P_{phase}"), summary.get(f"S_{phase}")
            if p is not None and s is not None and s != 0:
                summary[q] = p / s
        return summary


def summarise(ids: tuple[str, ...], rows: np.ndarray) -> dict[str, float]:
    """The summary of window ``rows`` (windows, len(ids)) in one call."""
    summary = RunningSummary(ids)
    summary.add(np.asarray(rows, dtype=float).reshape(-1, len(ids)))
    return summary.values()
