"""The simulated source's synthesis: deterministic three-phase voltages and currents built from
a ``Scenario`` (``engine.sources.simulated`` re-exports ``synthesize`` and ``phasors``).

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
from fractions import Fraction
from functools import lru_cache

import numpy as np

from engine.sources.coefficients import coefficients, current_phasors, voltage_phasors
from engine.sources.load import LoadShape, pf_rotation
from engine.sources.scenario import THREE_WIRE, Scenario, scenario_from_dict, scenario_to_dict

SQRT2 = math.sqrt(2.0)
# Samples per vectorised step: bounds the (2H, n) harmonic basis and keeps the matrix product
# small enough that BLAS stays single-threaded (larger products were slower, not faster).
_CHUNK = 2048  # >= 1024, the largest samples_per_cycle


def _ratio(x: Fraction) -> tuple[int, int]:
    return x.numerator, x.denominator


def _frac(ratio: tuple[int, int], k: int) -> float:
    """Fractional part of (num/den)·k, exact until the final rounding to float."""
    num, den = ratio
    return (num * k % den) / den


class Synth:
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
        orders, self.harm, freqs, self.inter = coefficients(sc)
        self.load = self._load_shape(sc)
        self.orders = np.array(orders)
        self.freqs = np.array(freqs, float)[:, None]
        self._inter_steps = [_ratio(Fraction(f) / fs) for f in freqs]  # [cycles/sample]
        rows = self.harm  # complex rms coefficients of the generated rows
        if self.load is not None and self.load.rotates:
            # Extra rows 8..13: each current's fundamental f (unprojected) and j·f, the inputs of
            # the PF swing, generated by the same machinery as the channels.
            fund = np.zeros((6, len(orders)), complex)
            fund[:3, 0] = current_phasors(sc, voltage_phasors(sc))
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
def synth_for(scenario: Scenario) -> Synth:
    # Round trip through the validator so a Scenario built in code is checked like a file.
    return Synth(scenario_from_dict(scenario_to_dict(scenario)))


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
    synth = synth_for(scenario)
    if rng is None and synth.noise_std.any():
        rng = np.random.default_rng(0)
    out = synth.render(int(n_samples), int(first_index), rng)
    return out[:4], out[4:]


def phasors(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Fundamental rms phasors (complex, angle vs θ) of V1..V4 [V] and I1..I4 [A] at t = 0 (a
    varying load moves the currents later): after unbalance, power factor, wiring and 3-wire
    projection; I4 = −(I1+I2+I3) if measured. Always primary, whatever the ``scale``: what a
    meter set with the scenario's PT/CT ratios reads."""
    synth = synth_for(scenario)
    volts, amps = synth.harm[:4, 0].copy(), synth.harm[4:8, 0].copy()
    amps[3] = -amps[:3].sum() if synth.i4_measured else 0
    return volts, amps
