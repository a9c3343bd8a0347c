"""The varying load of the simulated source against analytic truth: the current of every cycle,
the seeded steps, the power-factor swing, block independence and the default installation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine.sources.load import load_steps
from engine.sources.scenario import DEFAULT_SCENARIO, LoadProfile, Scenario, scenario_from_dict
from engine.sources.simulated import SimulatedSource, phasors, synthesize

SQRT2 = math.sqrt(2.0)
SPC = 256
FS = 50.0 * SPC

#: A load varying fast enough to see everything within seconds, different on every phase.
FAST = {
    "power_factor": [0.9, 0.85, 0.95],
    "load": {
        "swing_amplitude": 15,
        "swing_period": 4,
        "step_interval": 0.5,
        "step_size": 10,
        "seed": 3,
        "pf_swing_to": [0.93, 0.8, 0.99],
        "pf_swing_period": 3,
    },
}


def fast(**current) -> Scenario:
    return scenario_from_dict({"current": FAST | current})


def load_factor(profile: LoadProfile, first: int, n: int) -> np.ndarray:
    """g(t) of samples first..first+n-1 straight from the documented formula."""
    idx = first + np.arange(n)
    t = idx / FS
    times, offsets = load_steps(profile, t[-1] + 1)
    # A step acts from the first sample at or after its time.
    steps = np.searchsorted(times * FS, idx, side="right")
    level = np.concatenate([[0.0], offsets])[steps]
    swing = profile.swing_amplitude / 100 * np.sin(2 * math.pi * t / profile.swing_period)
    return 1 + swing + level / 100


def truth(sc: Scenario, first: int, n: int) -> np.ndarray:
    """Currents I1..I3 [A] of a 4W-WYE ABC 50 Hz scenario set by power factor (lagging)."""
    c, load = sc.current, sc.current.load
    idx = first + np.arange(n)
    theta = 2 * math.pi * (idx % SPC) / SPC  # exact: the fundamental repeats every SPC samples
    t = idx / FS
    w = (1 - np.cos(2 * math.pi * t / load.pf_swing_period)) / 2
    g = load_factor(load, first, n)
    out = np.empty((3, n))
    for p, v_angle in enumerate(np.radians([0.0, -120.0, 120.0])):
        lag0 = math.acos(c.power_factor[p])
        direction = np.full(n, np.exp(-1j * lag0))  # of the fundamental, against the voltage
        if load.pf_swing_to is not None:
            mix = (1 - w) * np.exp(-1j * lag0) + w * np.exp(-1j * math.acos(load.pf_swing_to[p]))
            direction = mix / abs(mix)
        x = np.real(direction * np.exp(1j * (theta + v_angle)))
        for h in c.harmonics:  # angles tied to the start: h·φ1(0) + α
            x += (
                h.magnitude
                / 100
                * np.cos(h.order * (theta + v_angle - lag0) + math.radians(h.angle))
            )
        out[p] = SQRT2 * c.rms[p] * g * x
    return out


def cycle_rms(x: np.ndarray) -> np.ndarray:
    cycles = x.shape[-1] // SPC
    return np.sqrt(np.mean(x[..., : cycles * SPC].reshape(*x.shape[:-1], cycles, SPC) ** 2, -1))


def fundamental(x: np.ndarray) -> complex:
    """Rms phasor of one cycle's fundamental."""
    return complex(np.fft.rfft(x[:SPC])[1] * SQRT2 / SPC)


# --------------------------------------------------------------------------- analytic truth


@pytest.mark.parametrize("first", [0, 10 * 3600 * int(FS) + 77], ids=["start", "after 10 h"])
def test_every_cycle_follows_the_profile(first):
    sc = fast()
    n = 6 * int(FS)
    _, i = synthesize(sc, n, first)
    expected = truth(sc, first, n)
    np.testing.assert_allclose(i[:3], expected, rtol=0, atol=1e-9 * 150)
    np.testing.assert_allclose(cycle_rms(i[:3]), cycle_rms(expected), rtol=1e-6)
    np.testing.assert_array_equal(i[3], -(i[0] + i[1] + i[2]))
    assert np.ptp(cycle_rms(i[0])) > 0.3 * 100  # it did vary: ±15 % swing and ±10 % steps


def test_steps_happen_at_the_seeded_times():
    profile = LoadProfile(step_interval=0.3, step_size=10, seed=11)
    times, offsets = load_steps(profile, 30.0)
    gaps = np.diff(np.concatenate([[0.0], times]))
    assert len(times) > 60 and np.all((gaps >= 0.15) & (gaps <= 0.45))
    # Levels −10, 0, +10 %: out to a random side, then back to 0.
    assert set(offsets[::2]) == {-10.0, 10.0} and not offsets[1::2].any()
    # The same seed gives the same steps however far they are asked for; another seed others.
    again = load_steps(profile, 12.0)
    np.testing.assert_array_equal(again[0], times[: len(again[0])])
    other = load_steps(LoadProfile(step_interval=0.3, step_size=10, seed=12), 30.0)
    assert not np.array_equal(other[0][:10], times[:10])
    # In the samples: the current is the steady one times 1 + offset, switching at those times.
    sc = scenario_from_dict({"current": {"interharmonics": [{"frequency": 183.0, "magnitude": 2}]}})
    loaded = scenario_from_dict(
        {
            "current": {
                "interharmonics": [{"frequency": 183.0, "magnitude": 2}],
                "load": {"step_interval": 0.3, "step_size": 10, "seed": 11},
            }
        }
    )
    n = 5 * int(FS)
    steady, i = synthesize(sc, n)[1][:3], synthesize(loaded, n)[1][:3]
    g = load_factor(profile, 0, n)
    np.testing.assert_allclose(i, steady * g, rtol=0, atol=1e-12 * 150)
    changes = np.flatnonzero(np.diff(g)) + 1
    np.testing.assert_array_equal(changes, np.ceil(times[times < 5.0] * FS))


# --------------------------------------------------------------------------- blocks


@pytest.mark.parametrize("block_seconds", [0.0731, 0.1, 1.0])
def test_blocks_concatenate_seamlessly(block_seconds):
    sc = fast()
    src = SimulatedSource(sc, block_seconds=block_seconds)
    blocks = list(itertools.islice(src.blocks(), math.ceil(3.2 / block_seconds)))
    i = np.hstack([b.current for b in blocks])
    np.testing.assert_array_equal(i, synthesize(sc, i.shape[1])[1])


def test_blocks_concatenate_off_nominal_and_in_three_wire():
    sc = scenario_from_dict(
        {"wiring": "3W-DELTA", "frequency": {"actual": 49.93, "drift_rate": 0.01}, "current": FAST}
    )
    blocks = list(itertools.islice(SimulatedSource(sc, block_seconds=0.0731).blocks(), 40))
    i = np.hstack([b.current for b in blocks])
    np.testing.assert_allclose(i, synthesize(sc, i.shape[1])[1], rtol=0, atol=1e-9 * 150)
    # No return conductor: the phases turning differently still sum to zero.
    np.testing.assert_allclose(i[0] + i[1] + i[2], 0, atol=1e-10)


# --------------------------------------------------------------------------- the default


def dpf(sc: Scenario, t: float, phase: int = 0) -> float:
    """Displacement PF of the cycle starting at t [s]."""
    v, i = synthesize(sc, SPC, round(t * FS))
    return math.cos(np.angle(fundamental(v[phase])) - np.angle(fundamental(i[phase])))


def test_default_installation_starts_at_exactly_pf_0_9_and_100_a():
    _, amps = phasors(DEFAULT_SCENARIO)
    assert abs(amps[0]) == pytest.approx(100, rel=1e-12)
    assert math.cos(np.angle(amps[0])) == pytest.approx(0.9, abs=1e-12)
    # The first seconds read PF 0.9 (the swing starts at its turning point) and about 100 A.
    for t in np.arange(0, 2.01, 0.25):
        assert dpf(DEFAULT_SCENARIO, t) == pytest.approx(0.9, abs=2e-5)
    _, i = synthesize(DEFAULT_SCENARIO, SPC)
    assert abs(fundamental(i[0])) == pytest.approx(100, rel=1e-3)


def test_default_installation_varies_within_its_bounds():
    load = DEFAULT_SCENARIO.current.load
    assert dpf(DEFAULT_SCENARIO, 150.0 - 0.01) == pytest.approx(0.93, abs=1e-6)  # half period
    times, offsets = load_steps(load, 3600.0)
    assert 40 <= len(times) <= 80 and set(offsets) == {-10.0, 0.0, 10.0}
    samples = [dpf(DEFAULT_SCENARIO, t) for t in np.arange(0, 600, 7.3)]
    assert 0.9 - 1e-5 <= min(samples) and max(samples) <= 0.93 + 1e-5
    # The fundamental of phase A over an hour: 100 A × (1 ± 15 % ± 10 %), harmonics in step.
    for t in np.arange(0, 3600, 37.1):
        first = round(t * FS)
        _, i = synthesize(DEFAULT_SCENARIO, SPC, first)
        spectrum = np.abs(np.fft.rfft(i[0])) * SQRT2 / SPC
        g = load_factor(load, first + SPC // 2, 1)[0]
        assert spectrum[1] == pytest.approx(100 * g, rel=2e-3)
        assert 75 - 1e-9 <= spectrum[1] <= 125 + 1e-9
        assert spectrum[3] / spectrum[1] == pytest.approx(0.04, rel=1e-3)


def test_a_constant_load_changes_nothing():
    flat = scenario_from_dict({"current": {"load": {"swing_period": 10, "seed": 5}}})
    for a, b in zip(synthesize(flat, 3000, 777), synthesize(Scenario(), 3000, 777), strict=True):
        np.testing.assert_array_equal(a, b)
