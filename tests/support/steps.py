"""Voltage steps at exact times, for the alarm tests: 50 Hz wye blocks whose V_A rms changes
at given instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from engine.blocks import SampleBlock

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _blocks(steps, seconds, rate=10_000.0, block_s=0.1):
    """Blocks of 50 Hz wye voltages (V_A = √2·U·cos ωt, crossings at 5 ms + k·10 ms) whose
    V_A rms U changes at the times of ``steps`` [(time [s], U [V])], starting at 230 V."""
    n_total, step = round(seconds * rate), round(block_s * rate)
    for first in range(0, n_total, step):
        t = (first + np.arange(step)) / rate
        amp = np.full(step, 230.0)
        for when, value in steps:
            amp = np.where(t >= when - 1e-9, value, amp)
        v = np.zeros((4, step))
        i = np.zeros((4, step))
        for k, (a, ang) in enumerate(((amp, 0.0), (230.0, -120.0), (230.0, 120.0))):
            v[k] = np.sqrt(2) * a * np.cos(2 * np.pi * 50 * t + np.radians(ang))
            i[k] = np.sqrt(2) * 10.0 * np.cos(2 * np.pi * 50 * t + np.radians(ang))
        yield SampleBlock(START + timedelta(seconds=first / rate), rate, first, v, i)


def _run(meter, blocks):
    for b in blocks:
        meter.process(b)


def _run(meter, blocks):
    for b in blocks:
        meter.process(b)
