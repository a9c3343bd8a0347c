"""Simulated source: deterministic three-phase voltages and currents built from a ``Scenario``.

Signal model (channel p; t [s] counted from sample 0 of the source)::

    x_p(t) = √2·Σ_h Y_h,p·cos(h·θ(t) + φ_h,p) + √2·Σ_i Y_i,p·cos(2π·f_i·t + α_i) + noise

- θ(t) = 2π·∫₀ᵗ f(s) ds is the running fundamental phase, θ(0) = 0 at the first sample, with
  f(s) = actual + drift_rate·min(s, drift_duration) + swing_amplitude·sin(2π·s / swing_period)
  [Hz]. The integral is taken in closed form and its large part reduced mod 1 cycle with exact
  rational arithmetic at every block, so the phase is continuous and keeps full float64
  precision after hours.
- The fundamental (h = 1) of channel p has φ_1,p = the channel's phasor angle (V_A is 0° by
  default, so θ is then the phase of V_A's fundamental).
- A harmonic of order h configured on phase p with angle α has φ_h,p = h·φ_1,p + α: α is its
  angle relative to its own fundamental in the "h × fundamental" sense (as the engine reports
  HA_… quantities). Y_h,p = magnitude [%] / 100 · Y_1,p.
- Interharmonics run at a fixed f_i [Hz] (they do not follow the drift), angle α_i [deg] at t = 0,
  Y_i,p = magnitude [%] / 100 · Y_1,p.
- Noise: Gaussian, standard deviation noise [%] / 100 × the channel's noise-free rms, drawn from
  ``numpy.random.default_rng(seed)`` seven values per sample (V1..V4, I1..I3) in sample order,
  so the stream is the same whatever the block size.
- I4, when measured, is −(i1 + i2 + i3) of the final samples (noise included).
- In 3-wire wirings (3W-DELTA, 3W-WYE) the zero-sequence part of the currents is removed (no
  return conductor exists); balanced settings without triplen harmonics are unaffected.
- ``scale = "secondary"``: every channel is divided by its PT/CT ratio at the end (noise and
  I4 included), giving the values at the meter's terminals; ``phasors`` stays primary.
- A varying load (``current.load``, see ``LoadProfile``) multiplies the currents by g(t) and,
  with a PF swing, turns their fundamental; ``DEFAULT_SCENARIO``, what ``SimulatedSource()``
  generates, has one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from engine.blocks import SampleBlock
from engine.errors import InputError
from engine.sources.load import LoadShape, pf_rotation
from engine.sources.scenario import (
    DEFAULT_SCENARIO,
    THREE_WIRE,
    Scenario,
    scenario_from_dict,
    scenario_to_dict,
)

__all__ = ["SimulatedSource", "phasors", "synthesize"]

SQRT2 = math.sqrt(2.0)
# Samples per vectorised step: bounds the (2H, n) harmonic basis and keeps the matrix product
# small enough that BLAS stays single-threaded (larger products were slower, not faster).
_CHUNK = 2048  # >= 1024, the largest samples_per_cycle
_A = complex(math.cos(2 * math.pi / 3), math.sin(2 * math.pi / 3))  # the operator a = 1∠120°


def _rect(rms: float, deg: float) -> complex:
    return complex(rms * math.cos(math.radians(deg)), rms * math.sin(math.radians(deg)))


def _default_angles(sc: Scenario) -> tuple[float, float, float]:
    """[deg] phase angles when the scenario gives none."""
    if sc.wiring == "1P-2W":
        return (0.0, 0.0, 0.0)
    if sc.wiring == "SPLIT-3W":
        return (0.0, 180.0, 0.0)  # the two halves of a centre-tapped winding
    return (0.0, -120.0, 120.0) if sc.rotation == "ABC" else (0.0, 120.0, -120.0)


def _used(sc: Scenario) -> np.ndarray:
    """Which of phases A, B, C carry signals in the scenario's wiring."""
    return np.array({"1P-2W": (1, 0, 0), "SPLIT-3W": (1, 1, 0)}.get(sc.wiring, (1, 1, 1)), bool)


def _voltage_phasors(sc: Scenario) -> np.ndarray:
    """Fundamental rms phasors of V1..V3 [V] after the sequence unbalance, shape (3,)."""
    v = sc.voltage
    angles = v.angle if v.angle is not None else _default_angles(sc)
    ph = np.array([_rect(r, a) for r, a in zip(v.rms, angles, strict=True)])
    u = v.unbalance
    if u.negative or u.zero:
        # "Positive" follows the rotation: for ACB the roles of a and a² swap.
        a = _A if sc.rotation == "ABC" else _A.conjugate()
        pos = (ph[0] + a * ph[1] + a * a * ph[2]) / 3
        ref = math.degrees(np.angle(pos))
        neg = _rect(abs(pos) * u.negative / 100, ref + u.negative_angle)
        zero = _rect(abs(pos) * u.zero / 100, ref + u.zero_angle)
        ph = ph + neg * np.array([1, a, a * a]) + zero
    return np.where(_used(sc), ph, 0)


def _current_phasors(sc: Scenario, volts: np.ndarray) -> np.ndarray:
    """Fundamental rms phasors of I1..I3 [A] before any 3-wire projection, shape (3,).

    With a power factor, the angle is the voltage's angle minus acos(pf) when lagging (current
    behind voltage, Q > 0) or plus acos(pf) when leading; pf < 0 means P < 0.
    """
    c = sc.current
    if c.angle is not None:
        angles = list(c.angle)
    else:
        angles = [
            math.degrees(np.angle(vp)) + (-1 if sense == "lag" else 1) * math.degrees(math.acos(pf))
            for vp, pf, sense in zip(volts, c.power_factor, c.pf_sense, strict=True)
        ]
    ph = np.array([_rect(r, a) for r, a in zip(c.rms, angles, strict=True)])
    return np.where(_used(sc), ph, 0)


def _coefficients(sc: Scenario) -> tuple[list[int], np.ndarray, list[float], np.ndarray]:
    """Complex rms coefficients of every channel (rows V1..V4, I1..I4; the I4 row stays zero,
    I4 is computed from the samples): harmonic orders and (8, H), interharmonic frequencies
    [Hz] and (8, F)."""
    volts = _voltage_phasors(sc)
    amps = _current_phasors(sc, volts)
    settings = ((0, volts, sc.voltage), (4, amps, sc.current))
    orders = sorted({1} | {h.order for _, _, s in settings for h in s.harmonics})
    freqs = sorted({i.frequency for _, _, s in settings for i in s.interharmonics})
    harm = np.zeros((8, len(orders)), complex)
    inter = np.zeros((8, len(freqs)), complex)
    harm[0:3, 0], harm[4:7, 0] = volts, amps
    n = sc.neutral
    if n.voltage_measured:
        harm[3, 0] = _rect(n.voltage_rms, n.voltage_angle)
    for row0, fund, s in settings:
        for h in s.harmonics:
            for p in ("ABC".index(x) for x in h.phases):
                harm[row0 + p, orders.index(h.order)] += (
                    abs(fund[p])
                    * h.magnitude
                    / 100
                    * (np.exp(1j * (h.order * np.angle(fund[p]) + math.radians(h.angle))))
                )
        for i in s.interharmonics:
            for p in ("ABC".index(x) for x in i.phases):
                inter[row0 + p, freqs.index(i.frequency)] += _rect(
                    abs(fund[p]) * i.magnitude / 100, i.angle
                )
    if sc.wiring in THREE_WIRE:
        for m in (harm, inter):  # per frequency the phasors add like the samples do
            m[4:7] -= m[4:7].mean(axis=0)
    return orders, harm, freqs, inter


def _ratio(x: Fraction) -> tuple[int, int]:
    return x.numerator, x.denominator


def _frac(ratio: tuple[int, int], k: int) -> float:
    """Fractional part of (num/den)·k, exact until the final rounding to float."""
    num, den = ratio
    return (num * k % den) / den


class _Synth:
    """The resolved scenario as numbers: coefficient matrices, phase law, an optional table."""

    def __init__(self, sc: Scenario):
        f = sc.frequency
        self.scenario = sc
        self.fs = float(sc.sample_rate)
        self.spc = sc.samples_per_cycle
        self.f0, self.rate, self.t1 = f.start_frequency, f.drift_rate, f.drift_duration
        self.swing, self.period = f.swing_amplitude, f.swing_period
        self.i4_measured = sc.neutral.current_measured
        # [1] primary / terminal value per channel; None at primary scale (nothing to divide).
        self.ratios = np.array(sc.ratios)[:, None] if sc.scale == "secondary" else None
        # Exact rationals (every float is a binary fraction) so the phase accumulated before a
        # stretch is reduced mod 1 cycle exactly: integer arithmetic, no drift after hours.
        fs = Fraction(self.fs)
        self._per_sample = _ratio(Fraction(self.f0) / fs)  # [cycles/sample]
        self._ramp = _ratio(Fraction(self.rate) / (2 * fs * fs))  # [cycles/sample²]
        self._swing_step = _ratio(1 / (fs * Fraction(self.period)))  # [swing periods/sample]
        if self.t1 is not None:
            # After the ramp stops: r·t1·t − r·t1²/2 [cycles], t1 as a sample count t1·fs.
            self._hold = _ratio(Fraction(self.rate) * Fraction(self.t1) / fs)
            self._hold0 = float(Fraction(self.rate) * Fraction(self.t1) ** 2 / 2 % 1)
            self._t1_samples = _ratio(Fraction(self.t1) * fs)
        self._tau = np.arange(_CHUNK) / self.fs  # [s] sample times within a stretch
        self._tau2 = self._tau**2 / 2
        self._swing_table = np.array(
            [
                np.cos(2 * math.pi * self._tau / self.period),
                np.sin(2 * math.pi * self._tau / self.period),
            ]
        )
        orders, self.harm, freqs, self.inter = _coefficients(sc)
        self.load = self._load_shape(sc)
        self.orders = np.array(orders)
        self.freqs = np.array(freqs, float)[:, None]
        self._inter_steps = [_ratio(Fraction(f) / fs) for f in freqs]  # [cycles/sample]
        rows = self.harm  # complex rms coefficients of the generated rows
        if self.load is not None and self.load.rotates:
            # Extra rows 8..13: each current's fundamental f (unprojected) and j·f, the inputs of
            # the PF swing, generated by the same machinery as the channels.
            fund = np.zeros((6, len(orders)), complex)
            fund[:3, 0] = _current_phasors(sc, _voltage_phasors(sc))
            fund[3:, 0] = 1j * fund[:3, 0]
            rows = np.vstack([rows, fund])
        self.rows = rows
        self.coef = SQRT2 * np.hstack([rows.real, -rows.imag])
        self.inter_coef = SQRT2 * np.hstack([self.inter.real, -self.inter.imag])
        rms = np.sqrt((abs(self.harm) ** 2).sum(axis=1) + (abs(self.inter) ** 2).sum(axis=1))
        pct = np.array([sc.voltage.noise] * 4 + [sc.current.noise] * 3) / 100
        self.noise_std = pct * rms[:7]
        # At a constant frequency the basis cos/sin(2π·h·f0·τ) is the same for every stretch:
        # compute it once and turn the coefficients by each stretch's starting phase instead.
        fixed = not self.rate and not self.swing
        self.basis = self._basis(np.arange(_CHUNK) * (self.f0 / self.fs)) if fixed else None
        # At exactly nominal frequency every sample repeats each cycle: tile one cycle.
        self.table = self._harmonics(0, self.spc) if fixed and self.f0 == f.nominal else None

    def _load_shape(self, sc: Scenario) -> LoadShape | None:
        if not sc.current.load.varies:
            return None
        rotation = pf_rotation(sc.current) if sc.current.angle is None else None
        return LoadShape(sc.current.load, self.fs, rotation, sc.wiring in THREE_WIRE)

    def turns(self, first: int, n: int) -> np.ndarray:
        """Fundamental phase θ/2π [cycles] of samples first..first+n-1 (n <= _CHUNK); the part
        accumulated before ``first`` is reduced to [0, 1) exactly, so precision never decays
        however long the source runs."""
        tau = self._tau[:n]  # [s] from the first sample of this stretch
        before = _frac(self._per_sample, first)
        u = self.f0 * tau
        if self.rate:
            # Ramp integral r·g(t) with g(t) = t²/2, a straight line after drift_duration t1.
            t0, t1 = first / self.fs, self.t1
            if t1 is None or first * self._t1_samples[1] <= self._t1_samples[0]:
                before += _frac(self._ramp, first * first)
            else:
                before += _frac(self._hold, first) - self._hold0
            if t1 is None:
                u += self.rate * (t0 * tau + self._tau2[:n])
            else:
                s = np.clip(tau, 0.0, max(t1 - t0, 0.0))
                u += self.rate * (min(t0, t1) * s + s * s / 2 + t1 * (tau - s))
        u += before % 1.0
        if self.swing:
            # 1 − cos(2π(w0 + τ/T)) by angle addition over a table of cos/sin(2πτ/T).
            w0 = 2 * math.pi * _frac(self._swing_step, first)
            cos_w, sin_w = self._swing_table[0, :n], self._swing_table[1, :n]
            u += (
                self.swing
                * self.period
                / (2 * math.pi)
                * (1 - (math.cos(w0) * cos_w - math.sin(w0) * sin_w))
            )
        return u

    def _basis(self, u: np.ndarray) -> np.ndarray:
        """Rows cos(2π·h·u) then sin(2π·h·u) for every order h, shape (2H, n); u [cycles]."""
        u = u - np.floor(u)  # exact; keeps the argument of cos/sin in [0, 2π)
        arg = (2 * math.pi) * u
        z1 = np.empty(u.size, complex)
        z1.real, z1.imag = np.cos(arg), np.sin(arg)
        # Powers z1**h by successive products: one complex multiply per order instead of a
        # cos and a sin (about 30 times cheaper); the rounding grows only like h·eps.
        n_orders = self.orders.size
        out = np.empty((2 * n_orders, u.size))
        z = z1
        for i, h in enumerate(self.orders):
            for _ in range(h - (self.orders[i - 1] if i else 1)):
                z = z * z1
            out[i], out[n_orders + i] = z.real, z.imag
        return out

    def _harmonics(self, first: int, n: int) -> np.ndarray:
        """Fundamental + harmonics of all channels, shape (8, n) (14 with a PF swing's extra
        rows), n <= _CHUNK."""
        if self.basis is None:
            return self.coef @ self._basis(self.turns(first, n))
        # Same values as above: cos(h·(θ0 + ωτ) + φ) with h·θ0 moved into the coefficients.
        turn = self.rows * np.exp(2j * math.pi * (self.orders * float(self.turns(first, 1)[0])))
        return (SQRT2 * np.hstack([turn.real, -turn.imag])) @ self.basis[:, :n]

    def _interharmonics(self, first: int, n: int) -> np.ndarray:
        before = np.array([[_frac(step, first)] for step in self._inter_steps])
        arg = (2 * math.pi) * (before + self.freqs * self._tau[:n])
        return self.inter_coef @ np.vstack([np.cos(arg), np.sin(arg)])

    def render(self, n: int, first: int, rng: np.random.Generator | None) -> np.ndarray:
        """Samples first..first+n-1 of all 8 channels (V1..V4, I1..I4), shape (8, n), in the
        scenario's scale (primary, or at the terminals: primary / ``ratios``)."""
        out = np.empty((self.coef.shape[0], n))  # 8 channels (+ 6 rows for a PF swing)
        if self.table is not None and n:
            # One cycle, rotated to start at `first`, then doubled in place until n is filled.
            s, m = first % self.spc, min(n, self.spc)
            out[:, :m] = np.roll(self.table, -s, axis=1)[:, :m]
            while m < n:
                k = min(m, n - m)
                out[:, m : m + k] = out[:, :k]
                m += k
        # Stretches aligned to absolute multiples of _CHUNK, whatever the block size.
        a = n if self.table is not None and not self.freqs.size else 0
        while a < n:
            b = min(n, a + _CHUNK - (first + a) % _CHUNK)
            if self.table is None:
                out[:, a:b] = self._harmonics(first + a, b - a)
            if self.freqs.size:
                out[:8, a:b] += self._interharmonics(first + a, b - a)
            a = b
        if self.load is not None:
            extra = out[8:11], out[11:14]
            self.load.apply(out[4:7], first, *(extra if self.load.rotates else ()))
        if rng is not None and self.noise_std.any():
            out[:7] += self.noise_std[:, None] * rng.standard_normal((n, 7)).T
        if self.i4_measured:
            np.add(out[4], out[5], out=out[7])
            out[7] += out[6]
            np.negative(out[7], out=out[7])
        else:
            out[7] = 0.0
        if self.ratios is not None:  # through the PTs/CTs: the values at the meter's terminals
            out[:8] /= self.ratios
        return out[:8]


@lru_cache(maxsize=16)
def _synth(scenario: Scenario) -> _Synth:
    # Round trip through the validator so a Scenario built in code is checked like a file.
    return _Synth(scenario_from_dict(scenario_to_dict(scenario)))


def synthesize(
    scenario: Scenario,
    n_samples: int,
    first_index: int = 0,
    *,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Samples ``first_index`` .. ``first_index + n_samples - 1`` of the scenario.

    Returns (voltage [V] shape (4, n): V1..V4, current [A] shape (4, n): I1..I4) at
    sample_rate = samples_per_cycle × nominal frequency [Hz], in the scenario's ``scale``:
    primary values, or with "secondary" the values at the meter's terminals (primary divided
    by ``pt_ratio`` / ``ct_ratio`` / ``i4_ct_ratio``). Noise is added only
    when the scenario sets some, drawn from ``rng`` (default ``numpy.random.default_rng(0)``),
    so ``synthesize(s, N)`` equals the first N samples of ``SimulatedSource(s, seed=0)``.
    """
    if n_samples < 0 or first_index < 0:
        raise ValueError("n_samples and first_index must be >= 0")
    synth = _synth(scenario)
    if rng is None and synth.noise_std.any():
        rng = np.random.default_rng(0)
    out = synth.render(int(n_samples), int(first_index), rng)
    return out[:4], out[4:]


def phasors(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Fundamental rms phasors (complex, angle vs θ) of V1..V4 [V] and I1..I4 [A] at t = 0 (a
    varying load moves the currents later): after unbalance, power factor, wiring and 3-wire
    projection; I4 = −(I1+I2+I3) if measured. Always primary, whatever the ``scale``: what a
    meter set with the scenario's PT/CT ratios reads."""
    synth = _synth(scenario)
    volts, amps = synth.harm[:4, 0].copy(), synth.harm[4:8, 0].copy()
    amps[3] = -amps[:3].sum() if synth.i4_measured else 0
    return volts, amps


def _polar(values: np.ndarray) -> list[dict[str, float]]:
    """JSON-ready rms [V]/[A] and angle [deg] in (−180, 180]."""
    out = []
    for z in values:
        deg = math.degrees(math.atan2(z.imag, z.real))
        out.append({"rms": float(abs(z)), "angle": 180.0 if deg == -180.0 else deg})
    return out


class SimulatedSource:
    """A ``Source`` yielding the scenario's samples forever, block after block.

    ``scenario`` None is ``DEFAULT_SCENARIO``, the default installation with its varying load.
    ``seed`` seeds the noise generator once per ``blocks()`` call (the load steps have their
    own seed in the scenario, so ``synthesize`` needs none); ``block_seconds`` [s] is
    rounded to whole samples; ``start`` (UTC; a naive datetime is taken as UTC) overrides the
    scenario's start time. Each call of ``blocks()`` starts again from sample 0.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int = 0,
        block_seconds: float = 0.1,
        start: datetime | None = None,
    ):
        self.scenario = DEFAULT_SCENARIO if scenario is None else scenario
        self._synth = _synth(self.scenario)
        self.seed = seed
        self.sample_rate = self._synth.fs
        self.nominal_frequency = self.scenario.frequency.nominal
        self.samples_per_cycle = self.scenario.samples_per_cycle
        if not block_seconds > 0:
            raise InputError(f"block_seconds must be > 0 s, got {block_seconds!r}")
        self.block_samples = max(1, round(block_seconds * self.sample_rate))
        start = self.scenario.start if start is None else start
        self.start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
        self._closed = False

    def blocks(self) -> Iterator[SampleBlock]:
        """Contiguous blocks of ``block_samples`` samples, until ``close()``: primary units,
        or secondary ones (``block.scale`` "secondary") when the scenario says so."""
        rng = np.random.default_rng(self.seed)
        neutral = self.scenario.neutral
        first, n = 0, self.block_samples
        while not self._closed:
            out = self._synth.render(n, first, rng)
            yield SampleBlock(
                start=self.start + timedelta(seconds=first / self.sample_rate),
                sample_rate=self.sample_rate,
                first_index=first,
                voltage=out[:4],
                current=out[4:],
                scale="secondary" if self.scenario.scale == "secondary" else "primary",
                v4_measured=neutral.voltage_measured,
                i4_measured=neutral.current_measured,
            )
            first += n

    def describe(self) -> dict[str, Any]:
        """JSON-ready description: kind, seed, rates and the resolved scenario."""
        settings = scenario_to_dict(self.scenario)
        settings["start"] = self.start.isoformat().replace("+00:00", "Z")
        volts, amps = phasors(self.scenario)
        settings["resolved"] = {
            "frequency_actual": self._synth.f0,
            "block_samples": self.block_samples,
            "voltage": _polar(volts),
            "current": _polar(amps),
        }
        return {
            "kind": "simulated",
            "seed": self.seed,
            "sample_rate": self.sample_rate,
            "nominal_frequency": self.nominal_frequency,
            "samples_per_cycle": self.samples_per_cycle,
            "scenario": settings,
        }

    def close(self) -> None:
        """Stop every running ``blocks()`` iterator after its current block."""
        self._closed = True

    def __enter__(self) -> SimulatedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
