"""Demand sync pulse (issue 8): a digital input ends the demand sub-interval where it pulses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.config import MeterConfig
from engine.meter import Meter
from engine.metering.demand import Demand, DemandSettings, to_us

T0 = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


def us(seconds: float) -> int:
    return to_us(T0 + timedelta(seconds=seconds))


def test_a_pulse_ends_the_sub_interval_and_times_the_next():
    d = Demand("block", 900)
    d.update_us(us(0), us(100), 100.0)
    assert np.isnan(d.present)  # no 15-min boundary yet
    d.sync_us(us(100))
    assert d.present == 100.0 and d.peak.time == T0 + timedelta(seconds=100)
    d.update_us(us(100), us(250), 200.0)
    d.sync_us(us(250))
    assert d.present == 200.0 and d.peak.time == T0 + timedelta(seconds=250)
    # No more pulses: the next sub-interval ends 900 s after the last one.
    d.update_us(us(250), us(1150), 50.0)
    assert d.present == 50.0 and d.peak.value == 200.0


def test_sliding_demand_counts_pulsed_sub_intervals():
    d = Demand("sliding", 900, 3)
    for k, value in enumerate((30.0, 60.0, 90.0)):
        d.update_us(us(10 * k), us(10 * k + 10), value)
        d.sync_us(us(10 * k + 10))
    assert d.present == pytest.approx(60.0)  # three 10-s sub-intervals: (30 + 60 + 90) / 3


FS = 64 * 50.0


def blocks(seconds: float, pulses: tuple[float, ...]):
    """Constant 3 × 230 V × 100 A at unity PF; DI1 high for 50 ms from each pulse time [s]."""
    n = round(FS / 2)
    for k in range(round(seconds * 2)):
        t = (k * n + np.arange(n)) / FS
        v, i = np.zeros((4, n)), np.zeros((4, n))
        for p in range(3):
            w = 2 * np.pi * 50 * t - p * 2 * np.pi / 3
            v[p], i[p] = np.sqrt(2) * 230 * np.cos(w), np.sqrt(2) * 100 * np.cos(w)
        di = np.zeros((2, n), dtype=bool)
        for at in pulses:
            di[0] |= (t >= at) & (t < at + 0.05)
        yield SampleBlock(T0 + timedelta(seconds=k / 2), FS, k * n, v, i, digital=di)


@pytest.mark.parametrize("sync", ["clock", "DI1"])
def test_meter_ends_demand_at_the_di_pulse(sync):
    config = replace(MeterConfig(demand=DemandSettings("block", 60, 1)), demand_sync=sync)
    meter = Meter(config)
    for block in blocks(12.0, pulses=(7.3,)):
        meter.process(block)
    values = meter.snapshot.values
    if sync == "clock":  # a 60-s interval: nothing yet after 12 s
        assert np.isnan(values["D_P"])
        return
    assert values["D_P"] == pytest.approx(3 * 230 * 100, rel=2e-4)
    peak_time = meter.snapshot.stamps["D_P_PEAK"]
    assert abs((peak_time - (T0 + timedelta(seconds=7.3))).total_seconds()) < 1 / FS + 1e-6
