"""Disturbance direction (issue 3): dips made by a circuit whose truth is known.

Per phase, a source EMF E behind a source impedance Zs feeds the meter, and the meter feeds a
load ZL. At t0 the circuit changes in one of two ways:
- downstream: a fault impedance Zf appears in parallel with the load (after the meter);
- upstream: the EMF itself drops (a fault elsewhere on the network) and the load is unchanged.
Voltages and currents are the steady-state phasor solutions on each side of t0, so the truth of
each case is the side the change happened on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import numpy as np
import pytest

from engine.analysis import analyse_source
from engine.blocks import SampleBlock
from engine.config import CHANNELS, ChannelCorrection, MeterConfig
from engine.pq.direction import DirectionFinder, disturbance_direction, fundamental_phasors
from engine.pq.events import Event

FS, F0 = 6400.0, 50.0
CYCLE = round(FS / F0)
START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
E = 240.0  # [V] EMF behind the source impedance
SHIFT = np.exp(-2j * np.pi / 3 * np.arange(3))  # phases A, B, C


def zs(r_over_x: float, size: float = 0.08) -> complex:
    """A source impedance of ``size`` ohm with the given R/X."""
    return size * np.exp(1j * np.arctan2(1.0, r_over_x))


def solve(e: np.ndarray, zs_: complex, zl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Meter voltage and current phasors [V], [A] per phase: E - Zs·I = ZL·I."""
    i = e / (zs_ + zl)
    return e - zs_ * i, i


def waveforms(before, after, t0: float, seconds: float):
    """Samples (3, n) of voltage and current: phasors ``before`` until t0, ``after`` since."""
    t = np.arange(round(seconds * FS)) / FS
    out = []
    for k in range(2):
        x = np.where(t < t0, before[k][:, None], after[k][:, None])
        out.append(np.sqrt(2) * np.real(x * np.exp(2j * np.pi * F0 * t)))
    return out


def case(where: str, r_over_x: float, pf: float, phases=(0, 1, 2), depth: float = 0.5):
    """Phasors before and after a disturbance ``where`` ('upstream'/'downstream')."""
    e = E * SHIFT
    zl = np.full(3, 23.0 * np.exp(1j * np.arccos(pf)))  # a 10 A-class load
    z_s = zs(r_over_x)
    before = solve(e, z_s, zl)
    hit = np.isin(np.arange(3), phases)
    if where == "downstream":
        # A fault impedance sized for the wanted residual voltage at the meter.
        zf = depth * z_s / (1 - depth)
        zp = np.where(hit, zl * zf / (zl + zf), zl)
        after = solve(e, z_s, zp)
    else:
        after = solve(np.where(hit, depth * e * np.exp(-0.2j), e), z_s, zl)
    return before, after


@pytest.mark.parametrize("where", ["upstream", "downstream"])
@pytest.mark.parametrize("r_over_x", [0.2, 1.0, 3.0])
@pytest.mark.parametrize("pf", [1.0, 0.8])
def test_three_phase_dip_direction(where, r_over_x, pf):
    before, after = case(where, r_over_x, pf)
    v, i = waveforms(before, after, t0=0.1, seconds=0.2)
    onset = round(0.1 * FS) + CYCLE // 2  # the first Urms(1/2) below 90 % ends about here
    found = disturbance_direction(v, i, FS, F0, onset)
    assert found.direction == where
    assert found.confidence >= 0.5
    # ΔP: the analytic disturbance power, Re(ΔV·conj(ΔI)) summed over the phases.
    dv, di = after[0] - before[0], after[1] - before[1]
    assert found.power_change == pytest.approx(np.sum((dv * np.conj(di)).real), rel=1e-6)


@pytest.mark.parametrize("where", ["upstream", "downstream"])
def test_single_phase_dip_uses_its_own_phase(where):
    before, after = case(where, 1.0, 0.9, phases=(1,))
    v, i = waveforms(before, after, t0=0.1, seconds=0.2)
    onset = round(0.1 * FS) + CYCLE // 2
    assert disturbance_direction(v[1:2], i[1:2], FS, F0, onset).direction == where
    # Phases A and C saw no change at all: nothing to tell from them alone.
    unchanged = disturbance_direction(v[0:1], i[0:1], FS, F0, onset)
    assert (unchanged.direction, unchanged.confidence) == ("unknown", 0.0)


def test_no_current_gives_unknown():
    before, after = case("upstream", 1.0, 1.0)
    v, _ = waveforms(before, after, t0=0.1, seconds=0.2)
    found = disturbance_direction(v, np.zeros_like(v), FS, F0, round(0.1 * FS))
    assert (found.direction, found.confidence) == ("unknown", 0.0)


def test_phasors_are_rms_and_exact_over_whole_cycles():
    t = np.arange(3 * CYCLE) / FS
    x = np.sqrt(2) * 230.0 * np.cos(2 * np.pi * F0 * t + 0.3)
    (z,) = fundamental_phasors(x[None, :], FS, F0)
    assert abs(z) == pytest.approx(230.0, rel=1e-12)
    assert np.angle(z) == pytest.approx(0.3, abs=1e-12)


def test_bad_arguments_are_named():
    v = np.zeros((3, 100))
    with pytest.raises(ValueError, match="phases, n"):
        disturbance_direction(v, np.zeros((2, 100)), FS, F0, 50)
    with pytest.raises(ValueError, match="around the onset"):
        disturbance_direction(v, v, FS, F0, 50)


class _Circuit:
    """A source of the circuit's samples in blocks, 4W-WYE, primary values."""

    sample_rate, nominal_frequency = FS, F0

    def __init__(self, v, i, block=640):
        self.v, self.i, self.block = v, i, block

    def blocks(self):
        n = self.v.shape[1]
        for first in range(0, n, self.block):
            m = min(self.block, n - first)
            volts, amps = np.zeros((4, m)), np.zeros((4, m))
            volts[:3], amps[:3] = self.v[:, first : first + m], self.i[:, first : first + m]
            yield SampleBlock(START + timedelta(seconds=first / FS), FS, first, volts, amps)

    def describe(self):
        return {"kind": "test"}

    def close(self):
        pass


@pytest.mark.parametrize("where", ["upstream", "downstream"])
def test_analyze_reports_the_direction_of_every_dip(where):
    """Through analyse_source: a 300 ms three-phase dip to 50 % at t = 1 s."""
    before, after = case(where, 1.0, 0.9)
    v1, i1 = waveforms(before, after, t0=1.0, seconds=1.3)
    v2, i2 = waveforms(after, before, t0=0.3, seconds=0.7)
    v, i = np.hstack([v1, v2]), np.hstack([i1, i2])
    udin = float(abs(before[0][0]))
    result = analyse_source(_Circuit(v, i), MeterConfig(nominal_voltage=udin))
    dips = [e for e in result.events if e.type == "dip"]
    assert {e.phase for e in dips} == {"A", "B", "C", "POLY"}
    for e in dips:
        assert (e.direction, e.confidence >= 0.5) == (where, True), e


def test_ct_polarity_is_applied_before_the_direction():
    """With CT 1 wired backwards and declared inverted, phase A still reads right."""
    before, after = case("downstream", 1.0, 0.9)
    v1, i1 = waveforms(before, after, t0=1.0, seconds=1.3)
    v2, i2 = waveforms(after, before, t0=0.3, seconds=0.7)
    v, i = np.hstack([v1, v2]), np.hstack([i1, i2])
    i[0] *= -1
    table = {c: ChannelCorrection() for c in CHANNELS} | {"I1": ChannelCorrection(inverted=True)}
    config = MeterConfig(nominal_voltage=float(abs(before[0][0])), channels=MappingProxyType(table))
    result = analyse_source(_Circuit(v, i), config)
    (dip_a,) = [e for e in result.events if e.type == "dip" and e.phase == "A"]
    assert dip_a.direction == "downstream"


def test_finder_history_is_bounded_and_resolves_late_watches():
    before, after = case("downstream", 1.0, 1.0)
    v, i = waveforms(before, after, t0=5.0, seconds=6.0)
    finder = DirectionFinder(FS, F0)
    event = Event("dip", "POLY", START + timedelta(seconds=5.01), 0.5, 50.0)
    for first in range(0, v.shape[1], 640):
        finder.add(START + timedelta(seconds=first / FS), first,
                   v[:, first : first + 640], i[:, first : first + 640])  # fmt: skip
        if first == round(5.1 * FS):  # seen in the block after the one it starts in
            finder.watch(event)
        assert finder.held <= 5 * CYCLE + 3 * 640
    assert finder.resolved(event).direction == "downstream"
