"""Wiring modes, instrument transformers, polarity, phase rotation and edge cases."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pytest
from signals import START, Channel, System

from engine.blocks import SampleBlock
from engine.config import CHANNELS, ChannelCorrection, MeterConfig
from engine.meter import Meter

FS = 128 * 50


def balanced(v=230.0, i=50.0, lag=30.0, f=50.0, order=(0.0, -120.0, 120.0)) -> System:
    return System(
        f,
        tuple(Channel(v, a) for a in order),
        tuple(Channel(i, a - lag) for a in order),
    )


def last_values(config: MeterConfig, blocks) -> dict[str, float]:
    meter = Meter(config)
    for b in blocks:
        meter.process(b)
    return dict(meter.snapshot.values), meter.snapshot


def test_delta_gives_line_to_line_values_and_total_power_only():
    system = balanced()
    values, _ = last_values(
        MeterConfig(wiring="3W-DELTA", nominal_voltage=400.0), system.blocks(FS, 1.5)
    )
    assert "V_A" not in values and "P_A" not in values
    for q in ("V_AB", "V_BC", "V_CA"):
        assert values[q] == pytest.approx(230.0 * np.sqrt(3), rel=1e-4)
    s = 3 * 230.0 * 50.0
    assert values["P_TOT"] == pytest.approx(s * np.cos(np.radians(30)), abs=2e-4 * s)
    assert values["Q_TOT"] == pytest.approx(s * np.sin(np.radians(30)), abs=2e-4 * s)
    # Effective apparent power Se = 3·Ve·Ie equals 3·V_LN·I for a balanced sinusoidal system.
    assert values["S_TOT"] == pytest.approx(s, abs=2e-4 * s)
    assert values["PF_TOT"] == pytest.approx(np.cos(np.radians(30)), abs=5e-4)
    assert values["HA_V_BC_1"] == pytest.approx(-120.0, abs=0.05)  # V_AB is the 0 deg reference


def test_delta_with_phase_b_as_reference_matches_four_wire_totals():
    """A delta meter sees V1 = V_AB, V2 = 0, V3 = V_CB: total power must not depend on it."""
    system = balanced(lag=-20.0)  # leading load
    wye, _ = last_values(MeterConfig(), system.blocks(FS, 1.5))
    shifted = []
    for b in system.blocks(FS, 1.5):
        v = b.voltage - b.voltage[1]  # every voltage to phase B
        shifted.append(replace(b, voltage=v))
    delta, _ = last_values(MeterConfig(wiring="3W-DELTA", nominal_voltage=400.0), shifted)
    for q in ("P_TOT", "Q_TOT", "V_AB", "V_BC", "V_CA"):
        assert delta[q] == pytest.approx(wye[q], rel=1e-4)
    assert delta["Q_TOT"] < 0  # leading: capacitive


def test_single_phase_two_wire():
    system = System(50.0, (Channel(120.0, 0.0),), (Channel(10.0, -45.0),))
    values, _ = last_values(
        MeterConfig(wiring="1P-2W", nominal_voltage=120.0), system.blocks(FS, 1.5)
    )
    assert values["V_A"] == pytest.approx(120.0, rel=1e-4)
    assert values["P_TOT"] == pytest.approx(1200 * np.cos(np.pi / 4), abs=2e-4 * 1200)
    assert values["P_TOT"] == pytest.approx(values["P_A"])
    assert "V_B" not in values


def test_split_phase_three_wire():
    system = System(
        60.0,
        (Channel(120.0, 0.0), Channel(120.0, 180.0)),
        (Channel(20.0, -10.0), Channel(15.0, 170.0)),
    )
    config = MeterConfig(wiring="SPLIT-3W", nominal_voltage=120.0, nominal_frequency=60)
    values, _ = last_values(config, system.blocks(128 * 60, 1.5))
    assert values["V_AB"] == pytest.approx(240.0, rel=1e-4)
    assert values["I_N"] == pytest.approx(5.0, rel=1e-4)  # residual of the two line currents
    p = 120 * 20 * np.cos(np.radians(10)) + 120 * 15 * np.cos(np.radians(10))
    assert values["P_TOT"] == pytest.approx(p, abs=2e-4 * 120 * 35)


def test_secondary_samples_are_scaled_by_pt_and_ct_ratios():
    system = balanced(v=63.5, i=4.0)  # 11 kV / 110 V PT, 400 / 5 A CT, secondary values
    blocks = [replace(b, scale="secondary") for b in system.blocks(FS, 1.5)]
    config = MeterConfig(
        nominal_voltage=6350.0, pt_primary=11000.0, pt_secondary=110.0, ct_primary=400.0,
        ct_secondary=5.0,
    )  # fmt: skip
    values, _ = last_values(config, blocks)
    assert values["V_A"] == pytest.approx(6350.0, rel=1e-4)
    assert values["I_A"] == pytest.approx(320.0, rel=1e-4)
    assert values["P_TOT"] == pytest.approx(3 * 6350 * 320 * np.cos(np.radians(30)), rel=2e-4)


def _config_with(**channels: ChannelCorrection) -> MeterConfig:
    table = {c: ChannelCorrection() for c in CHANNELS} | channels
    return MeterConfig(channels=MappingProxyType(table))


def test_inverted_ct_polarity_is_corrected():
    system = balanced()
    wired_backwards = []
    for b in system.blocks(FS, 1.5):
        cur = b.current.copy()
        cur[1] *= -1  # CT on phase B installed the wrong way round
        wired_backwards.append(replace(b, current=cur))
    values, _ = last_values(_config_with(I2=ChannelCorrection(inverted=True)), wired_backwards)
    assert values["P_B"] == pytest.approx(230 * 50 * np.cos(np.radians(30)), rel=2e-4)


def test_transformer_ratio_and_phase_errors_are_corrected():
    """A CT reading 0.5 % low and leading by 0.3 deg, corrected by its ratio and phase settings."""
    truth = balanced(lag=60.0)  # low PF: phase errors matter most
    measured = System(
        truth.f, truth.v, tuple(Channel(c.rms * 0.995, c.angle + 0.3) for c in truth.i)
    )
    fix = ChannelCorrection(ratio_correction=1 / 0.995, phase_correction=-0.3)
    config = _config_with(I1=fix, I2=fix, I3=fix)
    values, _ = last_values(config, measured.blocks(FS, 1.5))
    s = 3 * 230 * 50
    assert values["I_A"] == pytest.approx(50.0, rel=1e-4)
    assert values["P_TOT"] == pytest.approx(s * np.cos(np.radians(60)), abs=2e-4 * s)
    assert values["Q_TOT"] == pytest.approx(s * np.sin(np.radians(60)), abs=2e-4 * s)
    uncorrected, _ = last_values(MeterConfig(), measured.blocks(FS, 1.5))
    assert abs(uncorrected["P_TOT"] - s * 0.5) > 10 * 2e-4 * s  # the errors were real


def test_acb_rotation_is_detected_and_flagged():
    system = balanced(order=(0.0, 120.0, -120.0))
    values, snap = last_values(MeterConfig(), system.blocks(FS, 1.5))
    assert values["PHASE_ROTATION"] == -1.0
    assert "PHASE_REVERSAL" in snap.flags
    values, snap = last_values(MeterConfig(phase_rotation="ACB"), system.blocks(FS, 1.5))
    assert "PHASE_REVERSAL" not in snap.flags


def test_measured_neutral_current_is_used_when_present():
    system = balanced()
    blocks = []
    for b in system.blocks(FS, 1.5):
        cur = b.current.copy()
        cur[3] = (
            np.sqrt(2)
            * 7.0
            * np.sin(2 * np.pi * 150 * (b.first_index + np.arange(b.n_samples)) / FS)
        )
        blocks.append(replace(b, current=cur, i4_measured=True))
    values, _ = last_values(MeterConfig(), blocks)
    assert values["I_N"] == pytest.approx(7.0, rel=1e-4)
    values, _ = last_values(MeterConfig(), system.blocks(FS, 1.5))
    assert values["I_N"] == pytest.approx(0.0, abs=1e-6)  # calculated: balanced, no triplens


def test_no_voltage_times_windows_from_nominal_frequency():
    """Current only (a dead bus): windows go on at the nominal length, FREQ is not invented."""
    system = System(
        50.0,
        tuple(Channel(0.0, a) for a in (0, -120, 120)),
        tuple(Channel(5.0, a) for a in (0, -120, 120)),
    )
    meter = Meter(MeterConfig())
    n = 0
    for b in system.blocks(FS, 2.0):
        n += len(meter.process(b).windows)
    assert 8 <= n <= 10  # 2 s of 200-ms windows, less the start-up margin
    values = meter.snapshot.values
    assert np.isnan(values["FREQ"])
    assert values["I_A"] == pytest.approx(5.0, rel=2e-3)  # nominal window on a 50 Hz current
    assert "NO_REFERENCE" in meter.snapshot.flags


def test_gap_in_sample_indices_restarts_timing_and_flags_the_next_window():
    system = balanced()
    blocks = list(system.blocks(FS, 3.0))
    del blocks[4]  # a lost block
    meter = Meter(MeterConfig())
    flagged = []
    for b in blocks:
        flagged += meter.process(b).flagged.tolist()
    assert flagged.count(True) == 1
    assert meter.snapshot.values["V_A"] == pytest.approx(230.0, rel=1e-4)


def test_half_cycle_rms_follows_a_dip_within_a_cycle():
    """Urms(1/2) (IEC 61000-4-30 §5.4.2.1): one-cycle rms, refreshed every half cycle."""
    n = int(1.0 * FS)
    t = np.arange(n) / FS
    amplitude = np.where(t < 0.5, 230.0, 115.0) * np.sqrt(2)
    volts = np.zeros((4, n))
    for k, a in enumerate((0, -120, 120)):
        volts[k] = amplitude * np.cos(2 * np.pi * 50 * t + np.radians(a))
    block = SampleBlock(START, FS, 0, volts, np.zeros((4, n)))
    result = Meter(MeterConfig()).process(block)
    start = np.datetime64(START.replace(tzinfo=None), "us")
    times = (result.half_cycle_time - start) / np.timedelta64(1, "s")
    va = result.half_cycle[0]
    assert np.allclose(np.diff(times), 0.01, atol=1e-4)  # every half cycle at 50 Hz
    assert np.all(np.abs(va[times < 0.49] - 230.0) < 0.5)
    assert np.all(np.abs(va[times > 0.53] - 115.0) < 0.5)
    during = va[(times > 0.5) & (times < 0.52)]
    assert np.all((during < 229) & (during > 116))  # the cycle holding the step is in between
