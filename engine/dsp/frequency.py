"""Power frequency per IEC 61000-4-30 §5.1: whole cycles in each 10-s clock interval.

The 10-s value is the number of integral cycles counted within the interval divided by their
cumulative duration. Cycles are delimited by rising zero crossings (``dsp.crossings``); a cycle
belongs to the interval its end falls in, and cycles cut by a gap are not counted.
Positions are absolute sample positions; ticks are given in the same units by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FrequencyState:
    """Streaming state: the tick ending the open interval, the crossings counted so far in it.

    ``first``: position of the first rising crossing that starts a counted cycle (NaN: none
    yet); ``last``: the latest rising crossing; ``cycles``: whole cycles between them.
    """

    tick: float
    first: float = float("nan")
    last: float = float("nan")
    cycles: int = 0


def ten_second_frequency(
    rising: np.ndarray,
    state: FrequencyState,
    sample_rate: float,
    interval: float,
    upto: float,
) -> tuple[list[tuple[float, float]], FrequencyState]:
    """Feed rising-crossing positions; return the intervals completed as (tick, frequency [Hz]).

    Parameters
    ----------
    rising : ndarray
        Absolute positions [samples] of new rising crossings, increasing.
    state : FrequencyState
        From the previous call (``FrequencyState(tick=first_tick_position)`` to start).
    sample_rate : float
        [Hz]
    interval : float
        [samples] between ticks (10 s × sample rate).
    upto : float
        [samples] position up to which the signal has been seen: ticks before it are closed.

    A closed interval with fewer than one whole cycle gives NaN.
    """
    done: list[tuple[float, float]] = []
    tick, first, last, cycles = state.tick, state.first, state.last, state.cycles

    def close() -> None:
        nonlocal tick, first, cycles
        freq = cycles * sample_rate / (last - first) if cycles > 0 else float("nan")
        done.append((tick, freq))
        tick += interval
        # The next interval's first cycle starts at the last crossing of this one.
        first, cycles = last, 0

    for p in rising:
        while p >= tick:
            close()
        if np.isnan(last):
            first = p
        elif not np.isnan(first):
            cycles += 1
        else:
            first = last
            cycles = 1
        last = p
    while upto >= tick:
        close()
    return done, FrequencyState(tick=tick, first=first, last=last, cycles=cycles)
