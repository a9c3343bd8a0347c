"""The live Meter with power quality on: event counters and the last event in the snapshot."""

from datetime import UTC, datetime

import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.config import MeterConfig
from engine.meter import Meter

FS = 64 * 50.0
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def blocks(scale_at):
    """3 s of 230 V, 50 Hz in 0.5-s blocks; ``scale_at(t)`` multiplies every phase."""
    n = int(FS / 2)
    for k in range(6):
        t = (k * n + np.arange(n)) / FS
        v = np.zeros((4, n))
        for p in range(3):
            v[p] = np.sqrt(2) * 230 * scale_at(t) * np.cos(2 * np.pi * 50 * t - p * 2 * np.pi / 3)
        yield SampleBlock(START, FS, k * n, v, v / 23.0)


def test_a_three_phase_dip_is_counted_with_its_depth_and_duration():
    meter = Meter(MeterConfig(), power_quality=True)
    for block in blocks(lambda t: np.where((t >= 1.0) & (t < 1.2), 0.5, 1.0)):
        meter.process(block)
    values = meter.snapshot.values
    assert values["DIP_COUNT"] == 1 and values["SWELL_COUNT"] == 0
    assert values["INTERRUPTION_COUNT"] == 0
    assert values["LAST_EVENT_MAGNITUDE"] == pytest.approx(50.0, abs=0.5)
    assert values["LAST_EVENT_DURATION"] == pytest.approx(0.2, abs=0.021)


def test_an_interruption_is_counted_although_the_reference_is_dead():
    meter = Meter(MeterConfig(), power_quality=True)
    for block in blocks(lambda t: np.where((t >= 1.0) & (t < 1.5), 0.0, 1.0)):
        meter.process(block)
    values = meter.snapshot.values
    assert values["INTERRUPTION_COUNT"] == 1
    assert values["LAST_EVENT_DURATION"] == pytest.approx(0.5, abs=0.021)


def test_power_quality_is_off_unless_asked():
    meter = Meter(MeterConfig())
    for block in blocks(lambda t: np.ones_like(t)):
        meter.process(block)
    assert "DIP_COUNT" not in meter.snapshot.values
