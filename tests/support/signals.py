"""Signals with analytic truth for the accuracy tests, written out from first principles.

Independent of the simulated source on purpose: each channel is
    x(t) = sqrt(2) · Σ_h Y_h · cos(h·2π·f·t + φ_1 + α_h)  (φ_h = h·φ_1 + α_h in quantities.py terms)
with Y_h rms amplitudes. Every expected reading is computed here from these parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from engine.blocks import SampleBlock

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Channel:
    """Fundamental rms [V or A] and angle [deg]; harmonics: order -> (% of fundamental, α [deg])."""

    rms: float
    angle: float
    harmonics: dict[int, tuple[float, float]] = field(default_factory=dict)

    def phasor(self, h: int) -> complex:
        """Rms phasor of order h at t = 0 (cosine reference)."""
        if h == 1:
            return self.rms * np.exp(1j * np.radians(self.angle))
        pct, alpha = self.harmonics.get(h, (0.0, 0.0))
        return pct / 100 * self.rms * np.exp(1j * np.radians(h * self.angle + alpha))

    @property
    def true_rms(self) -> float:
        return self.rms * np.sqrt(1 + sum((p / 100) ** 2 for p, _ in self.harmonics.values()))

    def samples(self, t: np.ndarray, f: float) -> np.ndarray:
        x = np.zeros_like(t)
        for h in (1, *self.harmonics):
            z = self.phasor(h)
            x += np.sqrt(2) * abs(z) * np.cos(2 * np.pi * h * f * t + np.angle(z))
        return x


@dataclass(frozen=True)
class System:
    """Three-phase voltages and currents at one frequency."""

    f: float
    v: tuple[Channel, ...]
    i: tuple[Channel, ...]

    def p(self, k: int) -> float:
        """Active power of phase k [W]: Σ_h Re(V_h·conj(I_h))."""
        orders = {1, *self.v[k].harmonics, *self.i[k].harmonics}
        return float(sum((self.v[k].phasor(h) * np.conj(self.i[k].phasor(h))).real for h in orders))

    def q1(self, k: int) -> float:
        return float((self.v[k].phasor(1) * np.conj(self.i[k].phasor(1))).imag)

    def s(self, k: int) -> float:
        return self.v[k].true_rms * self.i[k].true_rms

    def blocks(self, sample_rate: float, seconds: float, block_seconds: float = 0.25):
        n_total = round(seconds * sample_rate)
        step = round(block_seconds * sample_rate)
        for first in range(0, n_total, step):
            n = min(step, n_total - first)
            t = (first + np.arange(n)) / sample_rate
            volts = np.zeros((4, n))
            amps = np.zeros((4, n))
            for k, ch in enumerate(self.v):
                volts[k] = ch.samples(t, self.f)
            for k, ch in enumerate(self.i):
                amps[k] = ch.samples(t, self.f)
            yield SampleBlock(START, sample_rate, first, volts, amps)


def wrap(angle: float) -> float:
    """[deg] to (-180, 180]."""
    return 180.0 - (180.0 - angle) % 360.0
