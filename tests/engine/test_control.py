"""Changes, resets, test mode and the revenue lock of a Meter (engine.control), checked against
the definitions: analytic powers of steady signals, and what each request must and must not
change."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import timedelta

import numpy as np
import pytest
from signals import START, Channel, System

from engine.config import MeterConfig
from engine.control import MAX_EVENTS, RevenueLocked, setting_name
from engine.meter import Meter as _Meter
from engine.metering import DemandSettings
from engine.quantities import QUANTITIES

FS = 64 * 50  # [Hz]
BLOCK = 0.1  # [s] five whole cycles at 50 Hz: stitched blocks stay phase-continuous
WINDOW = 0.2  # [s] ten cycles at 50 Hz (IEC 61000-4-30 §4.4)
ANGLE = -30.0  # [deg] current lags voltage: P = 3·V·I·cos 30°, Q = 3·V·I·sin 30° (inductive)


def Meter(config: MeterConfig | None = None, **kw) -> _Meter:
    """A meter without alarms: these tests count the control's own events (the alarm events
    are tested in tests/engine/alarms)."""
    return _Meter(replace(config or MeterConfig(), alarms=()), **kw)


def three_phase(volts: float = 230.0, amps: float = 5.0) -> System:
    return System(
        50.0,
        tuple(Channel(volts, a) for a in (0, -120, 120)),
        tuple(Channel(amps, a + ANGLE) for a in (0, -120, 120)),
    )


def p_total(volts: float = 230.0, amps: float = 5.0) -> float:
    """[W] total active power of ``three_phase``."""
    return 3 * volts * amps * math.cos(math.radians(ANGLE))


class Feeder:
    """Feeds a Meter one continuous stream (true block start times, secondary-scaled)."""

    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        self.index = 0

    def feed(self, seconds: float, system: System | None = None, scale: str = "secondary"):
        """Process ``seconds`` of ``system``; return the BlockResults and the blocks' starts."""
        system = system or three_phase()
        out = []
        for b in system.blocks(FS, seconds, block_seconds=BLOCK):
            idx = self.index + b.first_index
            start = START + timedelta(seconds=idx / FS)
            block = replace(b, first_index=idx, start=start, scale=scale)
            out.append((start, self.meter.process(block)))
        self.index += round(seconds * FS)
        return out


def windows_of(results) -> int:
    return sum(len(r.windows) for _, r in results)


def values(meter: Meter) -> dict[str, float]:
    return dict(meter.snapshot.values)


# -- configuration differences -------------------------------------------------------------------


@dataclass(frozen=True)
class _Security:
    password: str = "0"
    lockout_minutes: int = 10


@dataclass(frozen=True)
class _WithSecurity:
    ct_primary: float = 5.0
    security: _Security = field(default_factory=_Security)


def test_setting_names_of_file_keys():
    assert setting_name("meter.ct_primary") == "ct_primary"
    assert setting_name("meter.channels.I2.polarity") == "channels"
    assert setting_name("demand.interval") == "demand"


# -- reconfigure ---------------------------------------------------------------------------------


def test_invalid_settings_are_refused_in_the_callers_thread_and_nothing_is_queued():
    meter = Meter()
    with pytest.raises(ValueError, match="ct_primary"):
        meter.reconfigure(replace(meter.config, ct_primary=0.0))
    with pytest.raises(ValueError, match="wiring"):
        meter.reconfigure(replace(meter.config, wiring="2W-ODD"))
    with pytest.raises(TypeError):
        meter.reconfigure({"ct_primary": 200.0})  # type: ignore[arg-type]
    Feeder(meter).feed(0.5)
    assert meter.config == MeterConfig(alarms=())
    assert list(meter.events) == []


def test_nominal_frequency_change_restarts_the_stream_without_a_crash_or_nans():
    """A 50 Hz stream re-declared as 60 Hz nominal: 12-cycle windows from the next crossing on
    (still of the 50 Hz signal, so 0.24 s), every reading finite, no window lost after it."""
    meter = Meter()
    feeder = Feeder(meter)
    feeder.feed(1.0)
    meter.reconfigure(replace(meter.config, nominal_frequency=60.0))
    results = feeder.feed(3.0)
    rows = np.concatenate([r.windows for _, r in results])
    idx = results[-1][1].layout.index
    cols = [idx[q] for q in ("V_A", "I_A", "P_TOT", "V_LN_AVG")]
    assert len(rows) >= 11
    assert np.isfinite(rows[:, cols]).all()
    assert rows[:, idx["I_A"]] == pytest.approx(5.0, rel=1e-5)
    ends = [e for _, r in results for e in r.window_end]
    assert np.diff([e.timestamp() for e in ends]) == pytest.approx(0.24, abs=1e-6)
    assert all(math.isfinite(v) for k, v in values(meter).items() if k[:2] in ("V_", "I_"))


def test_demand_settings_keep_the_peaks_if_method_and_interval_stay_else_reset_them():
    meter = Meter(MeterConfig(demand=DemandSettings("sliding", 10, 2)))
    feeder = Feeder(meter)
    feeder.feed(11.0)
    peak = values(meter)["D_P_PEAK"]
    assert peak == pytest.approx(p_total(), rel=1e-6)
    meter.reconfigure(replace(meter.config, demand=DemandSettings("sliding", 10, 5)))
    feeder.feed(BLOCK)
    assert values(meter)["D_P_PEAK"] == peak  # sub-intervals only: peaks kept
    assert [e.what for e in meter.events] == ["demand.subintervals"]
    meter.reconfigure(replace(meter.config, demand=DemandSettings("block", 60, 1)))
    feeder.feed(BLOCK)
    assert math.isnan(values(meter)["D_P_PEAK"])
    assert "D_P_PEAK" not in meter.snapshot.stamps
    said = meter.events[-1]
    assert (said.kind, said.what) == ("reset", "peak_demand")
    assert "method or interval" in said.new


def test_billing_settings_are_refused_while_revenue_locked_other_settings_are_not():
    meter = Meter()
    meter.set_revenue_lock(True)
    assert meter.revenue_locked
    for change in ({"ct_primary": 200.0}, {"pt_primary": 400.0}, {"wiring": "3W-DELTA"}):
        with pytest.raises(RevenueLocked, match="revenue lock"):
            meter.reconfigure(replace(meter.config, **change))
    meter.reconfigure(replace(meter.config, pulse_kt=1.0))
    Feeder(meter).feed(BLOCK)
    assert meter.config.pulse_kt == 1.0 and meter.config.ct_primary == 5.0
    meter.set_revenue_lock(False)
    meter.reconfigure(replace(meter.config, ct_primary=200.0))  # allowed again


# -- resets --------------------------------------------------------------------------------------


def test_energy_reset_zeroes_every_register_from_the_next_block():
    meter = Meter()
    feeder = Feeder(meter)
    feeder.feed(2.0)
    before = values(meter)
    assert before["E_P_DEL"] > 0 and before["E_Q_DEL"] > 0 and before["E_S_DEL"] > 0
    meter.reset("energy")
    results = feeder.feed(BLOCK)
    after = values(meter)
    # Only the windows completed in the block the reset took effect in are counted.
    hours = windows_of(results) * WINDOW / 3600
    assert after["E_P_DEL"] == pytest.approx(p_total() * hours, rel=1e-6)
    assert after["E_S_DEL"] == pytest.approx(3 * 230 * 5 * hours, rel=1e-6)
    for qid in ("E_P_REC", "E_Q_REC", "E_S_REC"):
        assert after[qid] == 0.0
    event = meter.events[-1]
    assert (event.kind, event.what, event.time) == ("reset", "energy", results[0][0])


@pytest.mark.parametrize("kind", ["energy", "peak_demand", "master"])
def test_energy_and_demand_resets_are_refused_while_revenue_locked(kind):
    meter = Meter()
    feeder = Feeder(meter)
    feeder.feed(1.0)
    meter.set_revenue_lock(True)
    with pytest.raises(RevenueLocked, match="revenue lock is on") as err:
        meter.reset(kind)
    assert isinstance(err.value, ValueError)
    meter.reset("minmax")  # not a billing reset
    energy = values(meter)["E_P_DEL"]
    feeder.feed(1.0)
    assert values(meter)["E_P_DEL"] > energy  # not reset
    assert [e.what for e in meter.events] == ["revenue_lock", "minmax"]


def test_unknown_reset_kind_is_refused():
    with pytest.raises(ValueError, match="energy, peak_demand, minmax"):
        Meter().reset("everything")


def test_peak_demand_reset_clears_the_peaks_and_keeps_the_present_demand():
    meter = Meter(MeterConfig(demand=DemandSettings("block", 10, 1)))
    feeder = Feeder(meter)
    feeder.feed(11.0)
    v = values(meter)
    assert v["D_P_PEAK"] == pytest.approx(p_total(), rel=1e-6)
    meter.reset("peak_demand")
    feeder.feed(1.0)  # no demand boundary in this second
    v = values(meter)
    assert math.isnan(v["D_P_PEAK"]) and math.isnan(v["D_I_PEAK"])
    assert meter.snapshot.stamps == {}
    assert v["D_P"] == pytest.approx(p_total(), rel=1e-6)
    feeder.feed(9.0)  # the next boundary sets a new peak
    assert values(meter)["D_P_PEAK"] == pytest.approx(p_total(), rel=1e-6)


def test_minmax_reset_forgets_the_extremes_before_it():
    meter = Meter()
    feeder = Feeder(meter)
    feeder.feed(1.0, three_phase(volts=240.0))
    assert meter.snapshot.maximum["V_A"].value == pytest.approx(240.0, rel=1e-4)
    meter.reset("minmax")
    results = feeder.feed(1.0, three_phase(volts=220.0))
    snap = meter.snapshot
    # The extremes are those of the windows completed since the reset: the first of them still
    # straddles the step from 240 V to 220 V.
    v_a = [row[r.layout.index["V_A"]] for _, r in results for row in r.windows]
    assert snap.maximum["V_A"].value == max(v_a) < 240.0
    assert snap.minimum["V_A"].value == pytest.approx(220.0, rel=1e-4)
    assert snap.maximum["V_A"].time >= results[0][0]


def test_master_reset_clears_energy_demand_and_minmax_and_records_one_event():
    meter = Meter(MeterConfig(demand=DemandSettings("block", 10, 1)))
    feeder = Feeder(meter)
    feeder.feed(11.0)
    meter.reset("master")
    feeder.feed(BLOCK)
    v = values(meter)
    assert v["E_P_DEL"] < p_total() * 0.5 / 3600
    assert math.isnan(v["D_P"]) and math.isnan(v["D_P_PEAK"])
    assert meter.snapshot.maximum["V_A"].time >= START + timedelta(seconds=11.0)
    assert [(e.kind, e.what) for e in meter.events] == [("reset", "master")]


# -- test mode -----------------------------------------------------------------------------------


def test_test_mode_counts_test_registers_while_billing_registers_stand_still():
    meter = Meter(MeterConfig(demand=DemandSettings("block", 10, 1)))
    feeder = Feeder(meter)
    feeder.feed(11.0)
    billing = values(meter)
    assert "T_E_P_DEL" not in billing and "TEST_MODE" not in meter.snapshot.flags

    meter.set_test_mode(True)
    assert meter.test_mode
    results = feeder.feed(1.0)
    v = values(meter)
    assert "TEST_MODE" in meter.snapshot.flags
    hours = windows_of(results) * WINDOW / 3600
    assert v["T_E_P_DEL"] == pytest.approx(p_total() * hours, rel=1e-6)  # zeroed at the start
    assert v["T_E_Q_DEL"] == pytest.approx(p_total() * math.tan(math.radians(30)) * hours, 1e-6)
    assert v["T_E_P_REC"] == 0.0
    results = feeder.feed(10.0)
    v2 = values(meter)
    hours = windows_of(results) * WINDOW / 3600
    assert v2["T_E_P_DEL"] - v["T_E_P_DEL"] == pytest.approx(p_total() * hours, rel=1e-6)
    assert v2["T_D_P"] == pytest.approx(p_total(), rel=1e-6)  # the 10-s test demand
    for qid in ("E_P_DEL", "E_Q_DEL", "E_S_DEL", "D_P", "D_P_PEAK"):
        assert v2[qid] == billing[qid]  # exactly: the billing registers did not move

    meter.set_test_mode(False)
    results = feeder.feed(1.0)
    v3 = values(meter)
    assert not any(k.startswith("T_") for k in v3)
    assert "TEST_MODE" not in meter.snapshot.flags
    hours = windows_of(results) * WINDOW / 3600
    assert v3["E_P_DEL"] - billing["E_P_DEL"] == pytest.approx(p_total() * hours, rel=1e-6)
    assert [(e.kind, e.old, e.new) for e in meter.events] == [
        ("test_mode", "off", "on"),
        ("test_mode", "on", "off"),
    ]


def test_test_registers_start_from_zero_each_time_and_resets_act_on_them():
    meter = Meter()
    feeder = Feeder(meter)
    meter.set_test_mode(True)
    feeder.feed(2.0)
    assert values(meter)["T_E_P_DEL"] > 0
    meter.reset("energy")
    results = feeder.feed(BLOCK)
    hours = windows_of(results) * WINDOW / 3600
    assert values(meter)["T_E_P_DEL"] == pytest.approx(p_total() * hours, rel=1e-6)
    assert values(meter)["E_P_DEL"] == 0.0
    assert meter.events[-1].new == "test registers"
    meter.set_test_mode(False)
    feeder.feed(1.0)
    meter.set_test_mode(True)
    results = feeder.feed(BLOCK)
    hours = windows_of(results) * WINDOW / 3600
    assert values(meter)["T_E_P_DEL"] == pytest.approx(p_total() * hours, rel=1e-6)


def test_test_mode_is_refused_while_revenue_locked_and_locking_ends_it():
    meter = Meter()
    feeder = Feeder(meter)
    meter.set_test_mode(True)
    feeder.feed(0.5)
    assert "TEST_MODE" in meter.snapshot.flags
    meter.set_revenue_lock(True)
    assert not meter.test_mode
    feeder.feed(BLOCK)
    assert "TEST_MODE" not in meter.snapshot.flags
    with pytest.raises(RevenueLocked, match="test mode"):
        meter.set_test_mode(True)
    meter.set_test_mode(False)  # leaving is always allowed (a no-op here)
    assert [(e.kind, e.new) for e in meter.events] == [
        ("test_mode", "on"),
        ("revenue_lock", "locked"),
        ("test_mode", "off"),
    ]


def test_test_quantities_are_registered():
    energy = {q for q in QUANTITIES if q.startswith("E_")}
    test = {q for q, spec in QUANTITIES.items() if spec.group == "test"}
    assert test == {f"T_{q}" for q in energy} | {"T_D_P", "T_D_Q", "T_D_S"}
    assert QUANTITIES["T_E_P_DEL"].unit == "Wh" and QUANTITIES["T_D_Q"].unit == "var"


# -- events --------------------------------------------------------------------------------------


def test_each_applied_change_is_an_event_at_the_time_of_its_block_with_old_and_new():
    meter = Meter()
    feeder = Feeder(meter)
    feeder.feed(0.5)
    meter.reconfigure(replace(meter.config, ct_primary=200.0, demand=DemandSettings("block", 60)))
    meter.reset("minmax")
    (start, _), *_ = feeder.feed(BLOCK)
    assert [(e.kind, e.what, e.old, e.new) for e in meter.events] == [
        ("config", "meter.ct_primary", "5.0", "200.0"),
        ("config", "demand.method", "sliding", "block"),
        ("config", "demand.interval", "900", "60"),
        ("config", "demand.subintervals", "3", "1"),
        ("reset", "peak_demand", None, "demand method or interval changed"),
        ("reset", "minmax", None, None),
    ]
    assert all(e.time == start for e in meter.events)
    assert meter.event_count == 6
    meter.reconfigure(meter.config)  # no change, no event
    feeder.feed(BLOCK)
    assert meter.event_count == 6


def test_events_are_bounded_newest_last():
    meter = Meter()
    feeder = Feeder(meter)
    for k in range(MAX_EVENTS + 5):
        meter.reset("logs")
        meter.reset("disturbance") if k == MAX_EVENTS + 4 else None
    feeder.feed(BLOCK)
    assert len(meter.events) == MAX_EVENTS
    assert meter.event_count == MAX_EVENTS + 6
    assert meter.events[-1].what == "disturbance"
