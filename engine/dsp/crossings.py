"""Fundamental zero crossings of a reference channel: the clock of every IEC 61000-4-30 window.

The reference (a voltage, normally) is low-pass filtered so that harmonics and noise do not add
crossings or move them (IEC 61000-4-30 §5.1.2 asks that their effects be attenuated), then
crossings are located by linear interpolation between the two samples around each sign change.
The filter delays every crossing by the same time at a steady frequency, which does not change
a period, and successive windows remain contiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal


@dataclass(frozen=True)
class CrossingState:
    """Streaming state between blocks (the ``zi`` of this module).

    ``zi``: low-pass filter state; ``next_index``: absolute index of the next sample expected;
    ``last_value``: last filtered (kept) sample; ``last_direction``: +1 / -1 of the last accepted
    crossing (0 before the first); ``last_position``: its absolute sample position;
    ``peak``: largest |filtered value| since that crossing, for the hysteresis test of the next
    one (a half cycle may begin in one block and end in the next).
    """

    zi: np.ndarray
    next_index: int
    last_value: float
    last_direction: int
    last_position: float
    peak: float = 0.0


def decimation(sample_rate: float, nominal_frequency: float) -> int:
    """Keep every n-th sample for crossing detection: about 128 samples per cycle are plenty
    for a low-passed, nearly sinusoidal signal, and filtering fewer samples is cheaper."""
    return max(1, int(sample_rate / nominal_frequency) // 128)


def design_lowpass(sample_rate: float, nominal_frequency: float) -> np.ndarray:
    """Second-order Butterworth low-pass, corner 1.5 × nominal frequency, as SOS.

    ``sample_rate`` [Hz] is the rate of the samples filtered (after ``decimation``). Attenuates
    the 3rd harmonic to about 0.4 and the 5th to 0.1 of their size while keeping the
    fundamental's phase steady over 42-69 Hz (the meter's frequency range).
    """
    if not sample_rate > 4 * nominal_frequency > 0:
        raise ValueError(
            f"sample rate {sample_rate} Hz too low for nominal frequency {nominal_frequency} Hz"
        )
    return signal.butter(2, 1.5 * nominal_frequency, fs=sample_rate, output="sos")


def initial_state(sos: np.ndarray, first_index: int = 0) -> CrossingState:
    """State for a fresh stream starting at absolute sample ``first_index``."""
    return CrossingState(
        zi=np.zeros((sos.shape[0], 2)),
        next_index=first_index,
        last_value=0.0,
        last_direction=0,
        last_position=-np.inf,
    )


def find_crossings(
    x: np.ndarray,
    sos: np.ndarray,
    state: CrossingState,
    min_spacing: float,
    level: float = 0.0,
    step: int = 1,
) -> tuple[np.ndarray, np.ndarray, CrossingState]:
    """Crossings of the filtered ``x`` through zero.

    Parameters
    ----------
    x : ndarray, shape (n,)
        The next n samples of the reference channel [V or A].
    sos, state
        Filter from ``design_lowpass`` and the state returned by the previous call.
    min_spacing : float
        [samples] a crossing closer than this to the previous accepted one, or in the same
        direction, is taken as noise and dropped (a quarter of the nominal period is right).
    level : float
        Hysteresis band [unit of x]: the filtered signal must leave ±level between crossings;
        crossings with an extreme inside the band are dropped (no signal, or pure noise).
    step : int
        Use only samples whose absolute index is a multiple of ``step`` (``decimation``); the
        filter must be designed for the reduced rate.

    Returns
    -------
    positions : ndarray of float
        Absolute sample positions of the accepted crossings.
    directions : ndarray of int
        +1 for rising, -1 for falling.
    state : CrossingState
    """
    if len(x) == 0:
        return np.empty(0), np.empty(0, dtype=int), state
    first = (-state.next_index) % step
    y, zi = signal.sosfilt(sos, np.asarray(x[first::step], dtype=float), zi=state.zi)
    prev = np.concatenate(([state.last_value], y))
    sign = prev >= 0.0
    idx = np.flatnonzero(sign[1:] != sign[:-1])  # change between prev[idx] and prev[idx + 1]
    a, b = prev[idx], prev[idx + 1]
    # prev[i] is the kept sample at absolute index next_index + first + (i - 1)·step
    positions = state.next_index + first + step * (idx - 1 + a / (a - b))
    directions = np.where(b > a, 1, -1)

    last_dir, last_pos = state.last_direction, state.last_position
    # Peak of each stretch between candidates (the last stretch runs to the end of the block);
    # the first stretch continues the half cycle the previous block left open.
    seg_peaks = np.maximum.reduceat(np.abs(prev), np.concatenate(([0], idx + 1)))
    seg_peaks[0] = max(seg_peaks[0], state.peak)
    tail_peak = float(seg_peaks[-1])

    def done(pos: np.ndarray, dirs: np.ndarray, peak: float) -> tuple:
        new_state = CrossingState(
            zi=zi,
            next_index=state.next_index + len(x),
            last_value=float(y[-1]) if len(y) else state.last_value,
            last_direction=int(dirs[-1]) if len(dirs) else last_dir,
            last_position=float(pos[-1]) if len(pos) else last_pos,
            peak=peak,
        )
        return pos, dirs, new_state

    if idx.size:
        # The usual case, a clean signal: every candidate alternates, is far enough from the
        # one before and has a peak outside the band. Accept them all without the loop.
        gaps = np.diff(positions, prepend=last_pos)
        turns = np.diff(directions, prepend=last_dir) != 0
        tall = level <= 0.0 or (last_dir != 0 and bool(np.all(seg_peaks[:-1] >= level)))
        if tall and bool(np.all(turns)) and bool(np.all(gaps >= min_spacing)):
            return done(positions, directions.astype(int), tail_peak)
    keep_pos: list[float] = []
    keep_dir: list[int] = []
    run = 0.0  # peak since the last accepted crossing
    for i in range(idx.size):
        run = max(run, float(seg_peaks[i]))
        p, d = float(positions[i]), int(directions[i])
        if d == last_dir or p - last_pos < min_spacing:
            continue
        if level > 0.0 and last_dir != 0 and run < level:
            continue
        keep_pos.append(p)
        keep_dir.append(d)
        last_dir, last_pos, run = d, p, 0.0
    return done(np.asarray(keep_pos), np.asarray(keep_dir, dtype=int), max(run, tail_peak))
