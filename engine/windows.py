"""The clock of the IEC 61000-4-30 windows, driven by the reference channel's zero crossings.

``WindowClock`` turns the reference signal, block by block, into
- contiguous 10-cycle (50 Hz) or 12-cycle (60 Hz) windows between rising crossings (§4.4), or
  windows of the nominal length when there is no usable reference (dead bus, current only);
- one-cycle windows ending at every crossing, for Urms(1/2) (§5.4.2.1).
Class A resynchronisation (§4.6, power-quality.md §2): with ``set_ticks``, the window in
progress at a 10-min clock tick ends as usual, after the tick, and the next one starts at the
first rising crossing after the tick (at the tick itself under nominal timing), so the two
overlap a little and every 10-min interval begins with a window of its own.
Positions are absolute sample positions (fractional). The clock holds no samples: the Meter
keeps the buffer and asks ``keep_from`` what it may drop.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.dsp import crossings as zc


class WindowClock:
    """Crossing bookkeeping and window scheduling for one stream."""

    def __init__(
        self, sample_rate: float, nominal_frequency: float, cycles_per_window: int, level: float
    ) -> None:
        """``level``: hysteresis [unit of the reference]; below it there is no usable signal."""
        self.sample_rate = sample_rate
        self.cycles = cycles_per_window
        self.nominal_length = cycles_per_window * sample_rate / nominal_frequency  # [samples]
        self._step = zc.decimation(sample_rate, nominal_frequency)
        self._sos = zc.design_lowpass(sample_rate / self._step, nominal_frequency)
        self._min_spacing = 0.25 * sample_rate / nominal_frequency
        self._level = level
        # A window is measured once the buffer also holds the few samples past its end that the
        # harmonic analysis may use (``harmonics.fast_length``).
        self._margin = 1 + 0.01 * self.nominal_length
        self._tick: float | None = None  # position of one resynchronisation tick [samples]
        self._tick_period = 0.0  # [samples] between ticks
        self.restart(0)

    def set_ticks(self, tick: float, period: float) -> None:
        """Resynchronise the windows at the clock ticks ``tick + k·period`` [samples]."""
        if not period > 0:
            raise ValueError(f"tick period must be > 0 samples, got {period!r}")
        self._tick, self._tick_period = float(tick), float(period)

    def _tick_within(self, start: float, end: float) -> float | None:
        """The first tick strictly after ``start``, if it comes before ``end``."""
        if self._tick is None:
            return None
        k = np.floor((start - self._tick) / self._tick_period) + 1
        tick = self._tick + k * self._tick_period
        return float(tick) if tick < end else None

    def restart(self, first_index: int) -> None:
        """Forget everything: the stream (re)starts at absolute sample ``first_index``."""
        self._first_index = first_index
        self._state = zc.initial_state(self._sos, first_index)
        self._crossings: list[tuple[float, int]] = []  # (position, direction), recent ones
        self._rising: list[float] = []  # rising crossings after the open window's start
        self._start: float | None = None  # start of the open window
        self._resync: float | None = None  # a tick the next window must start after
        self._on_crossing = False  # does it start on a crossing (or on nominal timing)?
        self._half_done = 0  # crossings already used as the end of a half-cycle window
        self.last_cycle = float("nan")  # [Hz] frequency of the last whole cycle
        self.recent_rising: list[float] = []  # the last three rising crossings

    def feed(self, reference: np.ndarray) -> np.ndarray:
        """Take the next samples of the reference; return the new rising crossings."""
        pos, direc, self._state = zc.find_crossings(
            reference, self._sos, self._state, self._min_spacing, self._level, self._step
        )
        self._crossings.extend(zip(pos.tolist(), direc.tolist(), strict=True))
        self._bridge_silence()
        rising = pos[direc > 0]
        self._rising.extend(rising.tolist())
        if len(rising):
            self.recent_rising = (self.recent_rising + rising[-3:].tolist())[-3:]
        if len(rising) >= 2:
            self.last_cycle = self.sample_rate / (rising[-1] - rising[-2])
        return rising

    def _bridge_silence(self) -> None:
        """While the reference has no crossings (an interruption, a dead phase A), keep marking
        half cycles at the nominal rate, so that Urms(1/2) — and with it dips, swells and
        interruptions — goes on being measured (IEC 61000-4-30 §5.4). The marks stay a cycle
        behind the newest sample, so a returning real crossing always comes after them."""
        half = self.nominal_length / self.cycles / 2  # [samples] a nominal half cycle
        newest = self._state.next_index - 1
        if self._crossings:
            last = self._crossings[-1][0]
        elif newest - self._first_index > 4 * half:  # no crossing since the start
            last = float(self._first_index)
            self._crossings.append((last, 0))
        else:
            return
        bridged = False
        while newest - 2 * half - last > 1.5 * half:  # silent for more than 1.5 half cycles
            last += half
            self._crossings.append((last, 0))  # direction 0: a timing mark, not a crossing
            bridged = True
        if bridged:
            # When the voltage comes back, take its first crossing whichever way it goes.
            self._state = replace(self._state, last_direction=0, peak=0.0)

    def windows(
        self, held_from: int, last_sample: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Cut the 10/12-cycle windows that samples ``held_from``..``last_sample`` now complete.

        Returns starts, ends [samples], cycles in each, and whether each was timed from the
        reference (False: nominal timing, no frequency).
        """
        n = self.cycles
        starts: list[float] = []
        ends: list[float] = []
        cycles: list[float] = []
        known: list[bool] = []
        while True:
            if self._start is None:
                earliest = max(float(held_from), self._resync or float(held_from))
                if self._rising:
                    self._start, self._on_crossing = self._rising[0], True
                elif last_sample - earliest > 1.5 * self.nominal_length:
                    self._start, self._on_crossing = earliest, False
                else:
                    break
                self._resync = None
            s = self._start
            later = [p for p in self._rising if p > s + 0.5]
            if len(later) >= n and later[n - 1] <= last_sample - self._margin:
                e, c, k = later[n - 1], float(n), True
                if not self._on_crossing:
                    # Resynchronising after nominal timing: the window holds a part cycle
                    # before its first crossing, then whole cycles up to a crossing.
                    period = (later[n - 1] - later[0]) / (n - 1)
                    c = n - 1 + (later[0] - s) / period
                self._on_crossing = True
            elif last_sample - s > 1.5 * self.nominal_length + self._margin:
                e, c, k = s + self.nominal_length, float(n), False
                self._on_crossing = False
            else:
                break
            starts.append(s)
            ends.append(e)
            cycles.append(c)
            known.append(k)
            tick = self._tick_within(s, e)
            if tick is None:
                self._start = e
                self._rising = [p for p in self._rising if p > e + 0.5]
            else:  # resynchronise: the next window starts after the tick, not at e
                self._start, self._resync = None, tick
                self._rising = [p for p in self._rising if p >= tick]
        return np.array(starts), np.array(ends), np.array(cycles), np.array(known, dtype=bool)

    def half_cycles(self, held_from: int) -> tuple[np.ndarray, np.ndarray]:
        """Urms(1/2) windows: the cycle ending at each new crossing, if still held."""
        cr = self._crossings
        first = max(self._half_done, 2)
        if len(cr) <= first:
            return np.empty(0), np.empty(0)
        ends = np.array([p for p, _ in cr[first:]])
        starts = np.array([p for p, _ in cr[first - 2 : len(cr) - 2]])
        self._half_done = len(cr)
        held = starts - held_from >= -0.5
        return starts[held], ends[held]

    def keep_from(self, last_sample: int) -> float:
        """The earliest position still needed; older crossings are forgotten."""
        if self._start is not None:
            keep = self._start
        else:
            keep = last_sample - 2 * self.nominal_length  # enough to start on nominal timing
            if self._resync is not None:
                keep = min(keep, self._resync)
        if len(self._crossings) >= 2:
            keep = min(keep, self._crossings[-2][0])
        if len(self.recent_rising) == 3:  # the waveform screen's two cycles
            keep = min(keep, self.recent_rising[0])
        if len(self._crossings) > 2:  # the next half cycle needs only the last two
            drop = len(self._crossings) - 2
            self._crossings = self._crossings[drop:]
            self._half_done = max(0, self._half_done - drop)
        return keep
