"""Flicker of a whole stream for reports: Pinst per channel, Pst on the 10-min clock, Plt.

Wraps ``engine.dsp.flicker`` (IEC 61000-4-15 blocks 1-4) and ``engine.dsp.flicker_stats``
(block 5) for a source's blocks: it carries their states, restarts after a gap or missing
samples, and turns sample positions into times. Pst values whose 10 minutes were not fully
covered (the start of a recording, a gap) are marked ``"complete": False``.
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np

from engine.blocks import SampleBlock
from engine.dsp.flicker import flicker_init, flicker_step
from engine.dsp.flicker_stats import plt, pst_init, pst_step
from engine.wiring import row_picks

PST_SECONDS = 600.0  # [s] IEC 61000-4-15 short-term interval
PLT_COUNT = 12  # Pst values per Plt (2 h)


def lamp_for(nominal_voltage: float) -> str:
    """The reference lamp of a system: the 120 V lamp for 100-130 V systems, else 230 V."""
    return "120V" if nominal_voltage < 180.0 else "230V"


def voltages_of(plan, voltage: np.ndarray) -> np.ndarray:
    """The voltages flicker and events are measured on, from the input rows V1..V4
    ``voltage`` (4, n) [V]: line-to-neutral, or line-to-line in delta [V]."""
    names = set(plan.line_to_neutral or plan.line_to_line)
    mix = np.array([m for q, m in plan.rms if q in names])
    if mix[:, 4:].any():
        raise ValueError("flicker voltages must not depend on current inputs")
    picks = row_picks(mix[:, :4])
    return mix[:, :4] @ voltage if picks is None else voltage[picks]  # wye: the rows as they are


class FlickerMeter:
    """Feed blocks (``add``); read ``pst`` records, ``plt`` records and ``pinst_max``."""

    def __init__(self, nominal_frequency: float, lamp: str, phases: tuple[str, ...]) -> None:
        """``phases``: names of the voltage channels fed to ``add`` ("A", "B", "C" or "AB" …)."""
        self.nominal_frequency = nominal_frequency
        self.lamp = lamp
        self.phases = phases
        self.pst: list[dict] = []
        self.plt: list[dict] = []
        self.pinst_max = np.full(len(phases), np.nan)
        self._state = None
        self._pst_state = None
        self._next_index: int | None = None

    def add(self, block: SampleBlock, voltages: np.ndarray) -> None:
        """Take one block; ``voltages`` (channels × n) are the voltages flicker is measured on
        (line-to-neutral, or line-to-line in delta) [V]."""
        if not np.all(np.isfinite(voltages)):
            self._next_index = None  # missing samples: start again after them
            return
        fs = block.sample_rate
        if self._next_index != block.first_index:
            self._start(block)
        pinst, positions, self._state = flicker_step(voltages, fs, self._state)
        self._next_index = block.first_index + block.n_samples
        valid = ~np.isnan(pinst)  # Pinst is NaN while the filters settle
        if valid.any():
            top = np.max(np.where(valid, pinst, -np.inf), axis=1)
            self.pinst_max = np.fmax(self.pinst_max, np.where(valid.any(axis=1), top, np.nan))
        step = self._state.design.box * self._state.design.step
        closed, self._pst_state = pst_step(pinst, positions, step, self._pst_state)
        for end, values, coverage in closed:
            t = self._t0 + timedelta(seconds=end / fs)
            record = {"t": t, "complete": bool(np.all(coverage >= 0.999))}
            record.update({f"PST_{p}": float(v) for p, v in zip(self.phases, values, strict=True)})
            self.pst.append(record)
            self._maybe_plt(t)

    def _start(self, block: SampleBlock) -> None:
        fs = block.sample_rate
        self._t0 = block.start - timedelta(seconds=block.first_index / fs)
        self._state = flicker_init(
            fs, self.nominal_frequency, self.lamp, channels=len(self.phases),
            first_index=block.first_index,
        )  # fmt: skip
        # The Pst interval ending at the next 10-min clock tick.
        epoch = block.start.timestamp()
        tick = math.floor(epoch / PST_SECONDS) * PST_SECONDS
        start = block.first_index - (epoch - tick) * fs
        self._pst_state = pst_init(start=start, interval=PST_SECONDS * fs)

    def _maybe_plt(self, t) -> None:
        """Plt at each 2-h clock tick from the 12 Pst values of the last 2 h."""
        if round(t.timestamp()) % (PST_SECONDS * PLT_COUNT) != 0:
            return
        since = t - timedelta(seconds=PST_SECONDS * PLT_COUNT)
        recent = [r for r in self.pst if since < r["t"] <= t]
        values = np.array([[r[f"PST_{p}"] for p in self.phases] for r in recent])
        record = {
            "t": t,
            "complete": len(recent) == PLT_COUNT and all(r["complete"] for r in recent),
        }
        record.update({f"PLT_{p}": float(v) for p, v in zip(self.phases, plt(values), strict=True)})
        self.plt.append(record)
