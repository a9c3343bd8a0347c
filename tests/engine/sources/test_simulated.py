"""The simulated source against analytic truth: rms, DFT phasors, phase law, sequences, noise."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.config import MeterConfig
from engine.errors import InputError
from engine.meter import Meter
from engine.sources.base import Source
from engine.sources.scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
)
from engine.sources.simulated import SimulatedSource, phasors, synthesize

SQRT2 = math.sqrt(2.0)
A = complex(math.cos(2 * math.pi / 3), math.sin(2 * math.pi / 3))


def cycle_phasors(x: np.ndarray, n: int) -> np.ndarray:
    """Rms phasors of bins 0..n/2 over the first n samples (bin h = h cycles in the window)."""
    return np.fft.rfft(x[..., :n], axis=-1) * SQRT2 / n


def wrap(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def deg(z: complex) -> float:
    return math.degrees(math.atan2(z.imag, z.real))


def rms(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.mean(x * x, axis=-1))


def take(source: SimulatedSource, n_blocks: int) -> list[SampleBlock]:
    return list(itertools.islice(source.blocks(), n_blocks))


def upward_crossings(x: np.ndarray, fs: float) -> np.ndarray:
    """[s] times where x crosses zero going up, linearly interpolated."""
    i = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    return (i + x[i] / (x[i] - x[i + 1])) / fs


# --------------------------------------------------------------------------- amplitudes


@pytest.mark.parametrize(("spc", "nominal"), [(16, 50), (100, 60), (256, 50), (1024, 60)])
def test_rms_of_any_cycle_equals_the_setting(spc, nominal):
    sc = scenario_from_dict(
        {
            "samples_per_cycle": spc,
            "frequency": {"nominal": nominal},
            "voltage": {"rms": [230, 120.5, 0.7]},
            "current": {"rms": [5, 100, 1e4], "harmonics": []},
        }
    )
    v, i = synthesize(sc, spc, first_index=12345)  # one cycle starting anywhere
    np.testing.assert_allclose(rms(v[:3]), [230, 120.5, 0.7], rtol=1e-9)
    np.testing.assert_allclose(rms(i[:3]), [5, 100, 1e4], rtol=1e-9)


def test_rms_with_harmonics_is_the_root_sum_of_squares():
    v, i = synthesize(Scenario(), 256 * 3)
    expected = 100 * math.sqrt(1 + 0.04**2 + 0.03**2 + 0.015**2)
    np.testing.assert_allclose(rms(i[:3]), expected, rtol=1e-9)
    np.testing.assert_allclose(rms(v[:3]), 230, rtol=1e-9)


def test_dft_bins_give_the_set_magnitude_and_angle():
    sc = scenario_from_dict(
        {
            "voltage": {
                "rms": [230, 225, 235],
                "harmonics": [
                    {"order": 5, "magnitude": 3, "angle": 40},
                    {"order": 7, "magnitude": 2, "angle": -100, "phases": "B"},
                    {"order": 63, "magnitude": 0.5, "angle": 10, "phases": "C"},
                ],
            },
            "current": {
                "rms": 50,
                "power_factor": 0.8,
                "harmonics": [
                    {"order": 3, "magnitude": 10, "angle": 170},
                    {"order": 2, "magnitude": 1},
                ],
            },
        }
    )
    spc = sc.samples_per_cycle
    v, i = synthesize(sc, spc)
    pv, pi = cycle_phasors(v, spc), cycle_phasors(i, spc)
    fund_angles = {0: 0.0, 1: -120.0, 2: 120.0}
    set_v = {0: {5: (3, 40)}, 1: {5: (3, 40), 7: (2, -100)}, 2: {5: (3, 40), 63: (0.5, 10)}}
    for p in range(3):
        y1 = pv[p, 1]
        assert abs(y1) == pytest.approx([230, 225, 235][p], rel=1e-12)
        assert wrap(deg(y1) - fund_angles[p]) == pytest.approx(0, abs=1e-9)
        for h in range(2, spc // 2):
            mag, alpha = set_v[p].get(h, (0, 0))
            assert abs(pv[p, h]) == pytest.approx(mag / 100 * abs(y1), abs=1e-9)
            if mag:
                assert wrap(deg(pv[p, h]) - h * deg(y1) - alpha) == pytest.approx(0, abs=1e-7)
        # Current: displacement angle acos(0.8) behind the voltage, harmonics on every phase.
        assert abs(pi[p, 1]) == pytest.approx(50, rel=1e-12)
        assert wrap(deg(pi[p, 1]) - deg(y1)) == pytest.approx(-math.degrees(math.acos(0.8)))
        assert abs(pi[p, 3]) == pytest.approx(5, rel=1e-12)
        assert wrap(deg(pi[p, 3]) - 3 * deg(pi[p, 1]) - 170) == pytest.approx(0, abs=1e-7)
        assert abs(pi[p, 2]) == pytest.approx(0.5, rel=1e-12)


def test_interharmonic_magnitude_and_angle_at_t0():
    sc = scenario_from_dict(
        {
            "voltage": {
                "interharmonics": [{"frequency": 75.0, "magnitude": 2, "angle": 33, "phases": "AB"}]
            }
        }
    )
    n = 10 * sc.samples_per_cycle  # 0.2 s: 5 Hz bins, 75 Hz is bin 15
    v, _ = synthesize(sc, n)
    pv = cycle_phasors(v, n)
    for p, present in enumerate((True, True, False)):
        assert abs(pv[p, 15]) == pytest.approx(4.6 if present else 0, abs=1e-9)
        if present:
            assert deg(pv[p, 15]) == pytest.approx(33, abs=1e-7)
        assert abs(pv[p, 10]) == pytest.approx(230, rel=1e-12)  # the 50 Hz fundamental


# --------------------------------------------------------------------------- blocks


FREQUENCIES = [
    {},
    {"actual": 49.95},
    {"actual": 50.2, "drift_rate": 0.3},
    {"drift_rate": -0.2, "drift_duration": 0.37, "swing_amplitude": 0.1, "swing_period": 0.5},
]


@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_blocks_concatenate_to_one_synthesize_call(frequency):
    sc = scenario_from_dict(
        {
            "frequency": frequency,
            "voltage": {
                "harmonics": [{"order": 50, "magnitude": 1, "angle": 20}],
                "interharmonics": [{"frequency": 77.7, "magnitude": 2}],
            },
            "neutral": {"voltage_measured": True},
        }
    )
    src = SimulatedSource(sc, block_seconds=0.0731)  # 935.68 → 936 samples, not a cycle multiple
    blocks = take(src, 10)
    assert [b.first_index for b in blocks] == [936 * k for k in range(10)]
    v = np.hstack([b.voltage for b in blocks])
    i = np.hstack([b.current for b in blocks])
    ref_v, ref_i = synthesize(sc, v.shape[1])
    np.testing.assert_allclose(v, ref_v, rtol=0, atol=1e-9 * 230 * SQRT2)
    np.testing.assert_allclose(i, ref_i, rtol=0, atol=1e-9 * 100 * SQRT2)


@pytest.mark.parametrize("scenario", [Scenario(), DEFAULT_SCENARIO], ids=["steady", "default"])
def test_nominal_blocks_are_bitwise_identical_to_one_call(scenario):
    blocks = take(SimulatedSource(scenario, block_seconds=0.1), 10)
    v, i = synthesize(scenario, 10 * 1280)
    np.testing.assert_array_equal(np.hstack([b.voltage for b in blocks]), v)
    np.testing.assert_array_equal(np.hstack([b.current for b in blocks]), i)


@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_synthesize_at_an_offset_is_a_slice_of_a_longer_call(frequency):
    sc = scenario_from_dict({"frequency": frequency})
    v, i = synthesize(sc, 9000)
    v2, i2 = synthesize(sc, 3000, first_index=5555)
    np.testing.assert_allclose(v2, v[:, 5555:8555], rtol=0, atol=1e-9 * 325)
    np.testing.assert_allclose(i2, i[:, 5555:8555], rtol=0, atol=1e-9 * 142)


def test_block_metadata():
    start = datetime(2026, 7, 1, 8, 30)  # naive: taken as UTC
    src = SimulatedSource(
        scenario_from_dict({"frequency": {"nominal": 60}, "samples_per_cycle": 128}),
        block_seconds=0.05,
        start=start,
    )
    assert isinstance(src, Source)
    assert src.sample_rate == 7680.0 and src.nominal_frequency == 60.0
    assert src.block_samples == 384
    for k, b in enumerate(take(src, 4)):
        assert b.voltage.shape == b.current.shape == (4, 384)
        assert b.first_index == 384 * k and b.sample_rate == 7680.0
        assert b.start == datetime(2026, 7, 1, 8, 30, tzinfo=UTC) + timedelta(seconds=0.05 * k)
        assert b.scale == "primary" and b.i4_measured and not b.v4_measured
        assert b.digital is None


def test_close_ends_the_iterator_and_blocks_restart_from_zero():
    src = SimulatedSource()
    it = src.blocks()
    first = next(it)
    assert next(src.blocks()).first_index == 0
    np.testing.assert_array_equal(next(src.blocks()).voltage, first.voltage)
    src.close()
    assert list(it) == []


def test_describe_is_json_ready_and_complete():
    start = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    src = SimulatedSource(seed=7, start=start)
    d = json.loads(json.dumps(src.describe()))
    assert {
        k: d[k] for k in ("kind", "seed", "sample_rate", "nominal_frequency", "samples_per_cycle")
    } == {
        "kind": "simulated",
        "seed": 7,
        "sample_rate": 12800.0,
        "nominal_frequency": 50.0,
        "samples_per_cycle": 256,
    }
    sc = d["scenario"]
    assert sc["start"] == "2030-01-02T03:04:05Z" and sc["wiring"] == "4W-WYE"
    res = sc["resolved"]
    assert res["block_samples"] == 1280 and res["frequency_actual"] == 50.0
    assert [round(x["angle"], 9) for x in res["voltage"][:3]] == [0, -120, 120]
    assert res["current"][0]["angle"] == pytest.approx(-math.degrees(math.acos(0.9)))
    assert res["current"][0]["rms"] == pytest.approx(100)


# --------------------------------------------------------------------------- phase law


def test_drift_frequency_follows_the_ramp_then_holds():
    sc = scenario_from_dict(
        {
            "samples_per_cycle": 1024,
            "current": {"harmonics": []},
            "frequency": {"actual": 49.5, "drift_rate": 0.5, "drift_duration": 1.0},
        }
    )
    fs = sc.sample_rate
    blocks = take(SimulatedSource(sc, block_seconds=0.1), 20)
    v1 = np.hstack([b.voltage[0] for b in blocks])
    t = upward_crossings(v1, fs)
    mid, f = (t[1:] + t[:-1]) / 2, 1 / np.diff(t)
    # Over one cycle of a linear ramp the mean frequency is the frequency at mid-cycle.
    away = np.abs(mid - 1.0) > 0.03
    expected = 49.5 + 0.5 * np.minimum(mid, 1.0)
    np.testing.assert_allclose(f[away], expected[away], atol=2e-5)
    # And the phase is exactly the integral: V_A crosses upward where θ/2π ≡ 3/4.
    turns = 49.5 * t + 0.5 * np.where(t <= 1, t * t / 2, t - 0.5)
    np.testing.assert_allclose((turns - 0.75) % 1 - np.round((turns - 0.75) % 1), 0, atol=1e-6)


def test_swing_phase_is_the_integral_of_the_frequency():
    amp, period = 0.4, 1.5
    sc = scenario_from_dict(
        {
            "samples_per_cycle": 1024,
            "frequency": {"actual": 50.1, "swing_amplitude": amp, "swing_period": period},
        }
    )
    blocks = take(SimulatedSource(sc, block_seconds=0.0333), 90)
    t = upward_crossings(np.hstack([b.voltage[0] for b in blocks]), sc.sample_rate)
    turns = 50.1 * t + amp * period / (2 * math.pi) * (1 - np.cos(2 * math.pi * t / period))
    residue = (turns - 0.75) % 1
    np.testing.assert_allclose(residue - np.round(residue), 0, atol=1e-6)


def test_phase_keeps_full_precision_after_ten_hours():
    sc = scenario_from_dict(
        {
            "frequency": {"actual": 49.9, "drift_rate": 0.001, "drift_duration": 100.0},
            "current": {"harmonics": []},
        }
    )
    fs = Fraction(sc.sample_rate)
    first = 10 * 3600 * 12800 + 17
    v, _ = synthesize(sc, 64, first_index=first)
    f0, r, t1 = Fraction(49.9), Fraction(0.001), Fraction(100)
    exact = []
    for k in range(64):
        t = (first + k) / fs
        turns = f0 * t + r * (t1 * t - t1 * t1 / 2)  # the ramp has long stopped
        exact.append(230 * SQRT2 * math.cos(2 * math.pi * float(turns % 1)))
    np.testing.assert_allclose(v[0], exact, rtol=0, atol=1e-9 * 230 * SQRT2)


# --------------------------------------------------------------------------- noise


def noisy() -> Scenario:
    return scenario_from_dict(
        {
            "voltage": {"noise": 0.5},
            "current": {"noise": 1.0},
            "neutral": {"voltage_measured": True},
        }
    )


def test_noise_is_deterministic_for_a_seed_and_independent_of_block_size():
    a = take(SimulatedSource(noisy(), seed=3, block_seconds=0.1), 5)
    b = take(SimulatedSource(noisy(), seed=3, block_seconds=0.0173), 29)
    c = take(SimulatedSource(noisy(), seed=4, block_seconds=0.1), 5)
    va, vb = np.hstack([x.voltage for x in a]), np.hstack([x.voltage for x in b])
    ia, ib = np.hstack([x.current for x in a]), np.hstack([x.current for x in b])
    n = va.shape[1]
    np.testing.assert_allclose(vb[:, :n], va, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ib[:, :n], ia, rtol=0, atol=1e-9)
    assert not np.allclose(np.hstack([x.voltage for x in c]), va)
    v, i = synthesize(noisy(), n, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(v, va)
    np.testing.assert_array_equal(i, ia)


def test_noise_has_the_set_standard_deviation():
    n = 200 * 256
    v, i = synthesize(noisy(), n)
    clean = scenario_from_dict({"neutral": {"voltage_measured": True}})
    cv, ci = synthesize(clean, n)
    i_rms = 100 * math.sqrt(1 + 0.04**2 + 0.03**2 + 0.015**2)
    np.testing.assert_allclose(np.std(v - cv, axis=1)[:3], 0.005 * 230, rtol=0.02)
    assert np.std(v[3] - cv[3]) == pytest.approx(0.005 * 1.0, rel=0.02)
    np.testing.assert_allclose(np.std(i - ci, axis=1)[:3], 0.01 * i_rms, rtol=0.02)
    np.testing.assert_array_equal(i[3], -(i[0] + i[1] + i[2]))  # I4 from the noisy samples


# --------------------------------------------------------------------------- systems


def sequences(z: np.ndarray, rotation: str = "ABC") -> tuple[complex, complex, complex]:
    a = A if rotation == "ABC" else A.conjugate()
    return (
        (z[0] + a * z[1] + a * a * z[2]) / 3,
        (z[0] + a * a * z[1] + a * z[2]) / 3,
        z[:3].sum() / 3,
    )


def test_acb_rotation():
    v, i = synthesize(scenario_from_dict({"rotation": "ACB"}), 256)
    pv, pi = cycle_phasors(v, 256)[:, 1], cycle_phasors(i, 256)[:, 1]
    assert [round(deg(z), 9) for z in pv[:3]] == [0, 120, -120]
    pos, neg, _ = sequences(pv, "ABC")
    assert abs(pos) == pytest.approx(0, abs=1e-9) and abs(neg) == pytest.approx(230)
    for p in range(3):  # still lagging by acos(0.9) on every phase
        assert wrap(deg(pi[p]) - deg(pv[p])) == pytest.approx(-math.degrees(math.acos(0.9)))


def test_power_factor_lag_lead_and_reverse_power():
    sc = scenario_from_dict(
        {
            "current": {
                "rms": 10,
                "power_factor": [0.8, 0.8, -0.5],
                "pf_sense": ["lag", "lead", "lag"],
                "harmonics": [],
            }
        }
    )
    v, i = synthesize(sc, 256)
    pv, pi = cycle_phasors(v, 256)[:, 1], cycle_phasors(i, 256)[:, 1]
    p_active = np.mean(v[:3] * i[:3], axis=1)
    q = [
        abs(pv[k]) * abs(pi[k]) * math.sin(math.radians(deg(pv[k]) - deg(pi[k]))) for k in range(3)
    ]
    np.testing.assert_allclose(p_active / (230 * 10), [0.8, 0.8, -0.5], atol=1e-12)
    assert deg(pi[0]) < deg(pv[0])  # lagging: the current angle is below the voltage angle
    assert wrap(deg(pi[1]) - deg(pv[1])) > 0  # leading
    assert q[0] > 0 and q[1] < 0 and q[2] > 0


@pytest.mark.parametrize("rotation", ["ABC", "ACB"])
def test_unbalance_adds_the_set_sequence_components(rotation):
    sc = scenario_from_dict(
        {
            "rotation": rotation,
            "voltage": {
                "unbalance": {"negative": 2, "negative_angle": 30, "zero": 1, "zero_angle": -45}
            },
        }
    )
    v, _ = synthesize(sc, 256)
    pos, neg, zero = sequences(cycle_phasors(v, 256)[:, 1], rotation)
    assert abs(pos) == pytest.approx(230, rel=1e-12)
    assert abs(neg) / abs(pos) == pytest.approx(0.02, rel=1e-9)
    assert abs(zero) / abs(pos) == pytest.approx(0.01, rel=1e-9)
    assert wrap(deg(neg) - deg(pos)) == pytest.approx(30, abs=1e-7)
    assert wrap(deg(zero) - deg(pos)) == pytest.approx(-45, abs=1e-7)


def test_phasors_helper_matches_the_samples():
    sc = scenario_from_dict(
        {
            "voltage": {"rms": [231, 229, 230], "unbalance": {"negative": 3, "negative_angle": 80}},
            "current": {
                "rms": [50, 60, 70],
                "power_factor": [0.9, 0.7, 0.95],
                "pf_sense": ["lag", "lead", "lag"],
            },
            "neutral": {"voltage_measured": True, "voltage_rms": 2, "voltage_angle": 15},
        }
    )
    v, i = synthesize(sc, 256)
    pv, pi = phasors(sc)
    np.testing.assert_allclose(cycle_phasors(v, 256)[:, 1], pv, atol=1e-9)
    np.testing.assert_allclose(cycle_phasors(i, 256)[:, 1], pi, atol=1e-9)
    assert abs(pv[3]) == pytest.approx(2) and deg(pv[3]) == pytest.approx(15)


def test_neutral_current_measured_or_not():
    _, i = synthesize(Scenario(), 256)
    np.testing.assert_array_equal(i[3], -(i[0] + i[1] + i[2]))
    assert rms(i[3]) == pytest.approx(3 * 4.0, rel=1e-9)  # balanced 3rd harmonics add up
    sc = scenario_from_dict({"neutral": {"current_measured": False}})
    _, i = synthesize(sc, 256)
    assert not i[3].any()
    assert not next(SimulatedSource(sc).blocks()).i4_measured
    v, _ = synthesize(Scenario(), 256)
    assert not v[3].any()


def test_single_phase_and_split_phase():
    v, i = synthesize(scenario_from_dict({"wiring": "1P-2W"}), 256)
    assert v[0].any() and i[0].any() and not v[1:].any() and not i[1:3].any()
    np.testing.assert_array_equal(i[3], -i[0])
    v, i = synthesize(
        scenario_from_dict(
            {"wiring": "SPLIT-3W", "voltage": {"rms": 120}, "frequency": {"nominal": 60}}
        ),
        256,
    )
    np.testing.assert_allclose(v[1], -v[0], atol=1e-12)
    np.testing.assert_allclose(i[1], -i[0], atol=1e-12)
    assert not v[2].any() and not i[2].any()
    assert rms(v[0] - v[1]) == pytest.approx(240, rel=1e-9)


@pytest.mark.parametrize("wiring", ["3W-DELTA", "3W-WYE"])
def test_three_wire_currents_sum_to_zero(wiring):
    sc = scenario_from_dict({"wiring": wiring, "neutral": {"current_measured": False}})
    v, i = synthesize(sc, 256)
    np.testing.assert_allclose(i[0] + i[1] + i[2], 0, atol=1e-10)
    # The balanced 3rd (zero sequence) cannot flow; 5th and 7th are untouched.
    np.testing.assert_allclose(rms(i[:3]), 100 * math.sqrt(1 + 0.03**2 + 0.015**2), rtol=1e-9)
    np.testing.assert_allclose(rms(v[0] - v[1]), math.sqrt(3) * 230, rtol=1e-9)


# --------------------------------------------------------------------------- secondary scale

RATIOS = {"pt_ratio": 100.0, "ct_ratio": 40.0, "i4_ct_ratio": 20.0}  # 23 kV : 230 V, 200 : 5 ...


def test_secondary_blocks_are_the_primary_ones_divided_by_the_ratios():
    settings = {"voltage": {"rms": 23000, "noise": 0.5}, "current": {"noise": 1}}
    primary = scenario_from_dict(settings)
    secondary = scenario_from_dict({**settings, "scale": "secondary", **RATIOS})
    ratios_v, ratios_i = np.array([100.0] * 4)[:, None], np.array([40.0] * 3 + [20.0])[:, None]
    src_p, src_s = SimulatedSource(primary, seed=3), SimulatedSource(secondary, seed=3)
    for p, s in zip(take(src_p, 3), take(src_s, 3), strict=True):
        assert (p.scale, s.scale) == ("primary", "secondary")
        np.testing.assert_array_equal(s.voltage, p.voltage / ratios_v)
        np.testing.assert_array_equal(s.current, p.current / ratios_i)
    # synthesize gives what the source yields; the phasors stay the network's (primary).
    _, i = synthesize(secondary, 256, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(i, next(src_s.blocks()).current[:, :256])
    for a, b in zip(phasors(secondary), phasors(primary), strict=True):
        np.testing.assert_array_equal(a, b)


def test_scale_settings_and_their_errors():
    assert Scenario().ratios == (1.0,) * 8
    sc = scenario_from_dict({"scale": "secondary", "ct_ratio": 40})
    assert sc.ratios == (1.0,) * 4 + (40.0,) * 4  # I4 through the same CTs unless told
    assert scenario_from_dict(scenario_to_dict(sc)) == sc
    bad = [
        ({"ct_ratio": 40}, 'ct_ratio: applies only with scale = "secondary"'),
        ({"scale": "tertiary"}, "scale: must be one of primary, secondary"),
        ({"scale": "secondary", "pt_ratio": 0}, "pt_ratio: must be in (0, 1e+06]"),
        ({"scale": "secondary", "i4_ct_ratio": "40"}, "i4_ct_ratio: must be a number"),
    ]
    for data, message in bad:
        with pytest.raises(InputError, match=re.escape(message)):
            scenario_from_dict(data)


def run_meter(scenario: Scenario, config: MeterConfig | None = None) -> dict[str, float]:
    meter = Meter(config)
    meter.run(SimulatedSource(scenario), paced=False, seconds=1.2)
    return dict(meter.snapshot.values)


CT_200_5 = MeterConfig(ct_primary=200, ct_secondary=5, i4_ct_primary=200, i4_ct_secondary=5)


def test_a_meter_set_to_the_cts_reads_the_primary_values_again():
    sc = scenario_from_dict({"scale": "secondary", "ct_ratio": 40, "current": {"rms": 100}})
    read = run_meter(sc, CT_200_5)
    # Analytic truth: 230 V, 100 A with 4/3/1.5 % harmonics, PF 0.9, the triplens in I4.
    i_rms = 100 * math.sqrt(1 + 0.04**2 + 0.03**2 + 0.015**2)
    truth = {"V_A": 230, "V_AB": 230 * math.sqrt(3), "I_A": i_rms, "I_C": i_rms, "I_N": 12}
    truth |= {"P_TOT": 3 * 230 * 100 * 0.9, "Q_TOT": 3 * 230 * 100 * math.sqrt(1 - 0.81)}
    for q, value in truth.items():
        assert read[q] == pytest.approx(value, rel=1e-4), q
    assert run_meter(sc)["I_A"] == pytest.approx(i_rms / 40, rel=1e-4)  # CT left at 5:5


def test_the_secondary_200_5_example_is_the_default_installation_through_200_5_cts():
    sc = load_scenario(Path(__file__).parents[3] / "scenarios" / "secondary-200-5.toml")
    assert (sc.scale, sc.ratios) == ("secondary", (1.0,) * 4 + (40.0,) * 4)
    primary = dataclasses.replace(sc, scale="primary", ct_ratio=1.0, i4_ct_ratio=None)
    assert dataclasses.replace(primary, name="", description="") == dataclasses.replace(
        DEFAULT_SCENARIO, name="", description=""
    )
    secondary, network = run_meter(sc, CT_200_5), run_meter(DEFAULT_SCENARIO)
    for q in ("V_A", "V_CA", "I_A", "I_B", "I_N", "P_TOT", "Q_TOT", "S_TOT", "PF_TOT", "FREQ"):
        assert secondary[q] == pytest.approx(network[q], rel=1e-4), q
