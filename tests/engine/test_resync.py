"""IEC 61000-4-30 Class A resynchronisation of the 10/12-cycle windows at the 10-min tick.

A 50 Hz cosine whose phase is known, running across the 12:00:00 tick: the window in progress
at the tick ends as usual (after it), the next one starts at the first rising zero crossing
after the tick (as the meter times crossings), and every sample's energy is counted once
although the two windows overlap.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.config import MeterConfig
from engine.meter import Meter

FS, F0 = 6400.0, 50.0
TICK = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
START = TICK - timedelta(seconds=2.3)
PHI = 0.7  # [rad] phase of V_A at START


def blocks(seconds: float = 5.0, size: int = 3200):
    for first in range(0, round(seconds * FS), size):
        t = (first + np.arange(size)) / FS
        v, i = np.zeros((4, size)), np.zeros((4, size))
        for k in range(3):
            w = 2 * np.pi * F0 * t + PHI - k * 2 * np.pi / 3
            v[k] = np.sqrt(2) * 230.0 * np.cos(w)
            i[k] = np.sqrt(2) * 10.0 * np.cos(w)
        yield SampleBlock(START + timedelta(seconds=first / FS), FS, first, v, i)


def windows_of(meter: Meter) -> list[tuple[datetime, datetime]]:
    found = []
    for block in blocks():
        result = meter.process(block)
        found += list(zip(result.window_start, result.window_end, strict=True))
    return found


def first_rising_crossing_after(t: datetime) -> datetime:
    """V_A rises through zero where 2π·f0·s + PHI = -π/2 (mod 2π), s since START."""
    s = (t - START).total_seconds()
    cycle = 1 / F0
    s0 = (-np.pi / 2 - PHI) / (2 * np.pi * F0)
    k = np.ceil((s - s0) / cycle)
    return START + timedelta(seconds=float(s0 + k * cycle))


def test_the_window_after_the_tick_starts_at_the_first_crossing_after_it():
    found = windows_of(Meter(MeterConfig()))
    overlaps = [(a, b) for a, b in itertools.pairwise(found) if b[0] < a[1]]
    assert len(overlaps) == 1
    (before, after) = overlaps[0]
    assert before[0] < TICK < before[1]  # the window over the tick ends as usual
    # Windows start on the crossings of the low-passed reference, which lag the signal's by the
    # filter's delay (engine.dsp.crossings): the same lag as the very first window's.
    lag = found[0][0] - first_rising_crossing_after(START)
    assert timedelta(0) <= lag < timedelta(seconds=0.25 / F0)
    expected = first_rising_crossing_after(TICK) + lag
    assert abs((after[0] - expected).total_seconds()) < 2e-5
    # Every window, the two overlapping ones included, holds 10 whole cycles.
    for s, e in found:
        assert (e - s).total_seconds() == pytest.approx(10 / F0, abs=2e-5)
    # Before and after the tick the windows follow on one another without a gap.
    for a, b in itertools.pairwise(found):
        if (a, b) != (before, after):
            assert abs((b[0] - a[1]).total_seconds()) < 2e-5


def test_energy_counts_the_overlap_once():
    meter = Meter(MeterConfig())
    found = windows_of(meter)
    covered = (found[-1][1] - found[0][0]).total_seconds()
    p = 3 * 230.0 * 10.0  # [W]
    assert meter.snapshot.values["E_P_DEL"] == pytest.approx(p * covered / 3600, rel=1e-6)


def test_without_a_reference_the_window_after_the_tick_starts_at_the_tick():
    """Current only (no voltage to time the windows): nominal timing, restarted at the tick."""
    meter = Meter(MeterConfig())
    found = []
    for block in blocks():
        dead = SampleBlock(block.start, FS, block.first_index, 0 * block.voltage, block.current)
        result = meter.process(dead)
        found += list(zip(result.window_start, result.window_end, strict=True))
    overlaps = [(a, b) for a, b in itertools.pairwise(found) if b[0] < a[1]]
    assert len(overlaps) == 1
    before, after = overlaps[0]
    assert before[0] < TICK < before[1]
    assert abs((after[0] - TICK).total_seconds()) < 1 / FS
