"""Energy, demand and min/max fed from a stream's 10/12-cycle windows.

Two things make this more than one call per window:
- a window resynchronised at a 10-min tick overlaps the one before it (``engine.windows``):
  the overlap counts once, so energy and demand integrate every sample exactly once;
- a demand sync pulse (a digital input, ``meter.demand_sync``) ends the demand sub-interval
  where it comes: a window holding a pulse is split there, the part before the pulse counting
  in the sub-interval it ends (``engine.metering.demand``).
State is per stream (a gap starts a new ``WindowMetering``); positions are absolute samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np

from engine.blocks import SampleBlock
from engine.metering.demand import DemandSet
from engine.metering.energy import EnergyRegisters
from engine.metering.minmax import MinMaxTracker

__all__ = ["WindowMetering"]


class WindowMetering:
    """``sample_rate`` [Hz]; ``time_at(position)``: the UTC time of an absolute sample
    position; ``minmax_ids``: the quantities whose extremes are kept."""

    def __init__(
        self,
        sample_rate: float,
        time_at: Callable[[float], datetime],
        minmax_ids: Sequence[str],
    ) -> None:
        self.sample_rate, self.time_at = sample_rate, time_at
        self.minmax_ids = tuple(minmax_ids)
        self._metered_to = -np.inf  # [samples] end of the last window metered
        self._sync_edges: list[int] = []  # demand sync pulses not yet metered [samples]
        self._sync_level: bool | None = None  # the sync input's last state

    def sync_pulses(self, block: SampleBlock, sync: str) -> None:
        """Note the rising edges of the demand sync input ``sync`` ("clock": none, "DI1" …)
        in ``block``; they are applied when the windows around them are metered."""
        if sync == "clock" or block.digital is None:
            return
        k = int(sync[2:]) - 1
        levels = np.atleast_2d(block.digital)
        if k >= levels.shape[0]:
            return  # the source has no such input
        level = levels[k].astype(bool)
        last = level[0] if self._sync_level is None else self._sync_level
        before = np.concatenate([[last], level[:-1]])
        self._sync_edges += (block.first_index + np.flatnonzero(level & ~before)).tolist()
        self._sync_level = bool(level[-1])

    def meter(
        self,
        rows: np.ndarray,
        index: dict[str, int],
        starts: Sequence[float],
        ends: Sequence[float],
        window_end: Sequence[datetime],
        energy: EnergyRegisters,
        demand: DemandSet,
        minmax: MinMaxTracker,
    ) -> None:
        """Feed the windows: ``rows`` (windows, ids) with columns ``index`` (id -> column),
        their ``starts`` / ``ends`` [samples] and end times."""
        cols = [index[q] for q in ("P_TOT", "Q_TOT", "S_TOT", "I_AVG")]
        mm_ids = [q for q in self.minmax_ids if q in index]
        mm_cols = [index[q] for q in mm_ids]
        fs = self.sample_rate
        for w in range(len(rows)):
            begin = max(starts[w], self._metered_to)  # the overlap after a resync, once
            self._metered_to = max(self._metered_to, ends[w])
            p, q, s, i = (float(v) for v in rows[w, cols])
            energy.accumulate(p, q, s, (ends[w] - begin) / fs)
            while self._sync_edges and self._sync_edges[0] <= ends[w]:
                edge = max(self._sync_edges.pop(0), begin)
                if edge > begin:
                    demand.update(self.time_at(edge), (edge - begin) / fs, p, q, s, i)
                demand.sync(self.time_at(edge))
                begin = edge
            demand.update(window_end[w], (ends[w] - begin) / fs, p, q, s, i)
            minmax.update(window_end[w], dict(zip(mm_ids, rows[w, mm_cols].tolist(), strict=True)))
