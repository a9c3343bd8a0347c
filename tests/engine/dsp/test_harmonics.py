"""Leakage-corrected harmonic analysis (IEC 61000-4-7) on signals known by construction."""

import numpy as np
import pytest

from engine.dsp import harmonics


def tone_sum(m: int, cycles: float, parts: dict[float, tuple[float, float]], dc: float = 0.0):
    """Σ sqrt(2)·rms·cos(2π·order·cycles·n/M + angle) over M samples; order may be fractional."""
    n = np.arange(m)
    x = np.full(m, dc)
    for order, (rms, angle) in parts.items():
        x += np.sqrt(2) * rms * np.cos(2 * np.pi * order * cycles * n / m + np.radians(angle))
    return x


@pytest.mark.parametrize(("m", "cycles"), [(1280, 10.0), (1293, 10.07), (5184, 9.98), (160, 10.3)])
def test_phasors_are_exact_for_any_window_length(m, cycles):
    top = harmonics.max_order(m / cycles)
    parts = {1: (230.0, 17.0), 2: (1.0, -40.0), 5: (9.2, 100.0), top: (0.7, 33.0)}
    x = tone_sum(m, cycles, parts, dc=1.5)
    spec = harmonics.analyse(x, cycles)
    assert spec.orders == top
    assert spec.phasors[0, 0].real == pytest.approx(1.5, abs=1e-9)
    for h, (rms, angle) in parts.items():
        z = spec.phasors[0, h]
        assert abs(z) == pytest.approx(rms, abs=1e-9)
        assert np.degrees(np.angle(z)) == pytest.approx(angle, abs=1e-7)
        assert spec.subgroups[0, h] == pytest.approx(rms, abs=1e-9)
    others = [h for h in range(2, top + 1) if h not in parts]
    assert np.all(spec.subgroups[0, others] < 1e-9)


def test_subgroup_takes_in_the_bins_next_to_the_harmonic():
    """Y_sg,h² = Σ_{i=-1..1} C²_{N·h+i} (§5.6): an interharmonic one bin (5 Hz) above the 5th."""
    m, cycles = 1280, 10.0
    x = tone_sum(m, cycles, {1: (230.0, 0.0), 5: (4.0, 0.0), 5.1: (3.0, 50.0)})
    spec = harmonics.analyse(x, cycles)
    assert abs(spec.phasors[0, 5]) == pytest.approx(4.0, abs=1e-9)
    assert spec.subgroups[0, 5] == pytest.approx(5.0, abs=1e-9)
    # An interharmonic midway (bin N·h + 5) belongs to no subgroup.
    x = tone_sum(m, cycles, {1: (230.0, 0.0), 5.5: (3.0, 0.0)})
    spec = harmonics.analyse(x, cycles)
    assert np.all(spec.subgroups[0, 2:] < 1e-9)


def test_thd_k_factor_and_tdd_from_known_spectra():
    sg = np.zeros(64)
    sg[1], sg[3], sg[5] = 100.0, 30.0, 40.0
    assert harmonics.thd(sg) == pytest.approx(50.0)
    assert harmonics.k_factor(sg) == pytest.approx((100**2 + 9 * 30**2 + 25 * 40**2) / 12500)
    assert harmonics.tdd(sg, 200.0) == pytest.approx(25.0)
    with pytest.raises(ValueError, match="I_L"):
        harmonics.tdd(sg, 0.0)


def test_fast_length_stays_within_half_a_percent():
    smooth = 0
    for m in range(100, 20000, 37):
        n = harmonics.fast_length(m)
        assert abs(n - m) <= 0.005 * m
        k = n
        for p in (2, 3, 5, 7, 11):
            while k % p == 0:
                k //= p
        smooth += k == 1
    assert smooth > 0.9 * len(range(100, 20000, 37))  # nearly always a fast length


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="too short"):
        harmonics.analyse(np.zeros(4), 2.0)
    with pytest.raises(ValueError, match="cycles"):
        harmonics.analyse(np.zeros(100), 0.5)


@pytest.mark.parametrize("cycles", [9.9897, 10.07, 11.97, 12.03])
def test_split_systems_give_the_full_systems_solution(cycles):
    """The two half-size systems (tones off the bins) solve the same equations as the full
    real system: same unknowns and residuals for any spectrum."""
    m, n = 5120, 64
    rng = np.random.default_rng(7)
    spectrum = rng.standard_normal((1, 3, m // 2 + 1)) + 1j * rng.standard_normal(
        (1, 3, m // 2 + 1)
    )
    spectrum[..., 0] = spectrum[..., 0].real  # bin 0 of a real signal
    unknowns, residual, solved = harmonics._split_windows(spectrum, np.array([cycles]), n, m)
    assert solved.all()
    tones = np.arange(n) * cycles
    bins, sin_k, cos_k, b_conj = harmonics._bin_terms(m, tuple(np.rint(tones).astype(int).tolist()))
    measured = (spectrum[0][:, bins] * (b_conj / m)).T
    full = harmonics._full_solve(bins, sin_k, cos_k, tones[1:], m, measured)
    for a, b in zip(full, (unknowns[0], residual[0]), strict=True):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(a).max())


def test_a_window_with_a_tone_on_a_bin_is_left_to_the_full_system():
    m, n = 1280, 64
    spectrum = np.ones((2, 1, m // 2 + 1), dtype=complex)
    _, _, solved = harmonics._split_windows(spectrum, np.array([10.0, 10.07]), n, m)
    assert solved.tolist() == [False, True]
