"""FlickerMeter: Pst on the 10-min clock from a stream of blocks."""

from datetime import UTC, datetime

import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.pq.flicker_meter import FlickerMeter, lamp_for


def test_pst_closes_on_the_ten_minute_tick_with_the_table_value():
    """A steady 8.8 Hz, ΔV/V = 0.25 % modulation holds Pinst at 1 (IEC 61000-4-15 Table 1), so
    every smoothed percentile is 1 and Pst = √(0.0314 + 0.0525 + 0.0657 + 0.28 + 0.08) = 0.714."""
    fs, f = 32 * 50.0, 50.0
    start = datetime(2026, 3, 2, 9, 59, 0, tzinfo=UTC)  # the first tick comes after 60 s
    meter = FlickerMeter(50.0, "230V", ("A", "B", "C"))
    n_block = int(fs * 10)
    for k in range(67):  # 670 s: the ticks at 10:00 and 10:10
        t = (k * n_block + np.arange(n_block)) / fs
        env = 1 + 0.0025 / 2 * np.sin(2 * np.pi * 8.8 * t)
        v = np.array(
            [np.sqrt(2) * 230 * env * np.cos(2 * np.pi * f * t - p) for p in (0, 2.1, 4.2)]
        )
        block = SampleBlock(
            start, fs, k * n_block, np.vstack([v, np.zeros((1, n_block))]), np.zeros((4, n_block))
        )
        meter.add(block, v)
    assert [r["t"].strftime("%H:%M:%S") for r in meter.pst] == ["10:00:00", "10:10:00"]
    assert meter.pst[0]["complete"] is False  # 60 s of a 10-min interval, filters settling
    full = meter.pst[1]
    assert full["complete"] is True
    for i, p in enumerate("ABC"):
        assert full[f"PST_{p}"] == pytest.approx(np.sqrt(0.5096), rel=0.03)
        assert meter.pinst_max[i] == pytest.approx(1.0, abs=0.03)


def test_lamp_follows_the_nominal_voltage():
    assert lamp_for(120.0) == "120V" and lamp_for(230.0) == "230V" and lamp_for(277.0) == "230V"
