"""The Meter as a whole: running paced or fast, and metering fed from the windows."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from signals import START, Channel, System

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


# -- changes while running (engine.control) ------------------------------------------------------

FS = 64 * 50  # [Hz]


def _wye(volts: float = 230.0, amps: float = 5.0) -> System:
    return System(
        50.0,
        tuple(Channel(volts, a) for a in (0, -120, 120)),
        tuple(Channel(amps, a - 30.0) for a in (0, -120, 120)),
    )


class _SecondarySource:
    """A live-like source of a steady wye system at the meter's terminals (secondary units)."""

    sample_rate = FS
    nominal_frequency = 50.0

    def __init__(self, system: System, block_seconds: float = 0.1) -> None:
        self.system = system
        self.n = round(block_seconds * FS)
        self.closed = False

    def blocks(self):
        first = 0
        while not self.closed:
            # 0.1 s = five whole cycles: every block starts at phase 0, so blocks join up.
            (b,) = self.system.blocks(FS, self.n / FS, block_seconds=self.n / FS)
            yield replace(
                b, first_index=first, start=START + timedelta(seconds=first / FS), scale="secondary"
            )
            first += self.n

    def describe(self) -> dict:
        return {"kind": "test"}

    def close(self) -> None:
        self.closed = True


def _stream(meter: Meter, system: System, seconds: float, first: int = 0):
    """Process ``seconds`` of ``system`` from sample ``first`` on; return the BlockResults."""
    out = []
    for b in system.blocks(FS, seconds, block_seconds=0.1):
        idx = first + b.first_index
        block = replace(b, first_index=idx, start=START + timedelta(seconds=idx / FS))
        out.append(meter.process(replace(block, scale="secondary")))
    return out


def test_reconfigure_from_another_thread_while_running():
    meter = Meter(MeterConfig(pt_primary=230.0, pt_secondary=230.0))
    source = _SecondarySource(_wye())
    stop = threading.Event()
    worker = threading.Thread(
        target=meter.run, args=(source,), kwargs={"paced": True, "stop": stop}
    )
    worker.start()
    try:
        deadline = time.monotonic() + 5.0
        while "I_A" not in meter.snapshot.values and time.monotonic() < deadline:
            time.sleep(0.02)
        assert meter.snapshot.values["I_A"] == pytest.approx(5.0, rel=1e-5)
        meter.reconfigure(replace(meter.config, ct_primary=200.0))
        while meter.snapshot.values.get("I_A", 0) < 100 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Applied at a block boundary: a new window follows within ~0.3 s of signal.
        assert meter.snapshot.values["I_A"] == pytest.approx(200.0, rel=1e-5)
        assert meter.config.ct_primary == 200.0
        config_events = [e for e in meter.events if e.kind == "config"]
        assert [(e.what, e.old, e.new) for e in config_events] == [
            ("meter.ct_primary", "5.0", "200.0")
        ]
    finally:
        stop.set()
        worker.join(timeout=2.0)
    assert not worker.is_alive()


def test_ct_change_scales_the_currents_by_exactly_the_ratio_from_the_next_window():
    """CT 5 A -> 200 A : 5 A with secondary-scaled input: currents and powers × 40, voltages as
    they were. Every window after the change is scaled; each one equals 40 × the window in the
    same place after the stream's first start (the same samples, the same timing)."""
    meter = Meter(MeterConfig(pt_primary=230.0, pt_secondary=230.0))
    before = _stream(meter, _wye(), 1.0)
    meter.reconfigure(replace(meter.config, ct_primary=200.0))
    after = _stream(meter, _wye(), 1.0, first=FS)
    idx = before[0].layout.index
    rows0 = np.concatenate([r.windows for r in before])
    rows1 = np.concatenate([r.windows for r in after])
    n = min(len(rows0), len(rows1))
    assert n >= 4
    for q, gain in (("I_A", 40), ("I_C", 40), ("I_AVG", 40), ("P_TOT", 40), ("V_A", 1)):
        np.testing.assert_allclose(rows1[:n, idx[q]], gain * rows0[:n, idx[q]], rtol=1e-12)
    assert rows1[:, idx["I_A"]] == pytest.approx(200.0, rel=1e-5)
    assert meter.snapshot.values["I_B"] == pytest.approx(200.0, rel=1e-5)


def test_wiring_change_from_wye_to_delta_publishes_line_to_line_only():
    meter = Meter(MeterConfig(pt_primary=230.0, pt_secondary=230.0))
    _stream(meter, _wye(), 1.0)
    assert "V_A" in meter.snapshot.values
    meter.reconfigure(replace(meter.config, wiring="3W-DELTA", nominal_voltage=400.0))
    results = _stream(meter, _wye(), 1.0, first=FS)
    assert "V_A" not in meter.snapshot.values and "P_A" not in meter.snapshot.values
    assert meter.snapshot.values["V_AB"] == pytest.approx(230.0 * math.sqrt(3), rel=1e-5)
    assert "V_A" not in results[-1].layout.index
    assert all(len(r.windows) == 0 or "V_A" not in r.layout.index for r in results)
    p = 3 * 230.0 * 5.0 * math.cos(math.radians(30.0))  # two-wattmeter total = three-phase P
    assert meter.snapshot.values["P_TOT"] == pytest.approx(p, rel=1e-5)
    config_events = [e.what for e in meter.events if e.kind == "config"]
    assert config_events == ["meter.wiring", "meter.nominal_voltage"]
