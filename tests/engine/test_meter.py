"""The Meter as a whole: running paced or fast, and metering fed from the windows."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from signals import Channel, System

from engine.config import MeterConfig
from engine.meter import Meter
from engine.metering import DemandSettings
from engine.sources.simulated import SimulatedSource


def test_fast_run_stops_after_the_signal_time_asked_for():
    meter = Meter()
    t0 = time.monotonic()
    meter.run(SimulatedSource(), paced=False, seconds=3.0)
    assert time.monotonic() - t0 < 2.0  # far faster than real time
    snap = meter.snapshot
    assert (snap.time - SimulatedSource().start).total_seconds() == pytest.approx(3.0)


def test_paced_run_keeps_to_the_wall_clock():
    meter = Meter()
    t0 = time.monotonic()
    meter.run(SimulatedSource(), paced=True, seconds=0.6)
    assert time.monotonic() - t0 >= 0.55


def test_stop_event_ends_a_live_run_promptly():
    meter = Meter()
    stop = threading.Event()
    worker = threading.Thread(
        target=meter.run, args=(SimulatedSource(),), kwargs={"paced": True, "stop": stop}
    )
    worker.start()
    time.sleep(0.4)
    stop.set()
    worker.join(timeout=1.0)
    assert not worker.is_alive()
    assert meter.snapshot.values["V_A"] == pytest.approx(230.0, rel=1e-3)


def test_energy_and_demand_follow_the_power_over_time():
    """Constant 3 × 23 kW for 60 s: 383.33 Wh delivered; block demand over a 60 s interval."""
    system = System(
        50.0,
        tuple(Channel(230.0, a) for a in (0, -120, 120)),
        tuple(Channel(100.0, a) for a in (0, -120, 120)),
    )
    # A one-minute block interval, so that the test needs only a minute of signal.
    meter = Meter(MeterConfig(demand=DemandSettings("block", 60, 1)))
    for block in system.blocks(64 * 50, 61.0, block_seconds=1.0):
        meter.process(block)
    v = meter.snapshot.values
    p = 3 * 230.0 * 100.0
    # Energy counts from the first window (after the first rising crossing), ±1 window.
    assert v["E_P_DEL"] == pytest.approx(p * 61.0 / 3600, abs=p * 0.25 / 3600)
    assert v["E_P_REC"] == 0.0
    assert v["E_Q_DEL"] == pytest.approx(0.0, abs=1e-3)
    assert v["D_P"] == pytest.approx(p, rel=2e-4)
    assert v["D_P_PEAK"] == pytest.approx(p, rel=2e-4)
    peak_time = meter.snapshot.stamps["D_P_PEAK"]
    assert peak_time.second == 0 and peak_time.minute == 1


def test_min_and_max_are_kept_with_their_times():
    volts = (230.0, 240.0, 220.0)
    blocks = []
    for rms in volts:
        system = System(
            50.0,
            tuple(Channel(rms, a) for a in (0, -120, 120)),
            tuple(Channel(10.0, a) for a in (0, -120, 120)),
        )
        for b in system.blocks(64 * 50, 1.0):
            blocks.append(b)
    # Stitch the three seconds into one continuous stream of sample indices.
    meter = Meter()
    first = 0
    for b in blocks:
        meter.process(replace(b, first_index=first))
        first += b.n_samples
    snap = meter.snapshot
    assert snap.maximum["V_A"].value == pytest.approx(240.0, rel=1e-3)
    assert snap.minimum["V_A"].value == pytest.approx(220.0, rel=1e-3)
    assert snap.maximum["V_A"].time < snap.minimum["V_A"].time


def test_snapshot_values_are_read_only():
    meter = Meter()
    meter.run(SimulatedSource(), paced=False, seconds=0.5)
    with pytest.raises(TypeError):
        meter.snapshot.values["V_A"] = 0.0  # type: ignore[index]
    assert not np.isnan(meter.snapshot.values["V_A"])
