"""The varying load of the simulated source: load steps and the per-sample load factors.

See ``LoadProfile`` (engine/sources/scenario.py) for the model. ``load_steps`` gives the seeded
step times, the truth the samples are built on; ``LoadShape`` turns a profile into per-sample
factors and applies them to the current samples of a block.
"""

from __future__ import annotations

import math
import threading
from fractions import Fraction

import numpy as np

from engine.sources.scenario import CurrentSettings, LoadProfile

__all__ = ["LoadShape", "load_steps", "pf_rotation"]

_BATCH = 64  # steps drawn per batch: fixed, so a seed always gives the same sequence
_CHUNK = 8192  # samples per stretch (the cos/sin tables): few stretches cross a block


class StepSchedule:
    """The load steps of a profile, drawn lazily batch after batch from ``seed``: the same seed
    gives the same steps however far and in what order they are asked for."""

    def __init__(self, profile: LoadProfile):
        self.interval, self.size = profile.step_interval, profile.step_size
        self._rng = np.random.default_rng(profile.seed)
        self.times = np.empty(0)  # [s] step instants, increasing
        self.offsets = np.empty(0)  # [% of rms] load offset from each step on
        self._last_time, self._level = 0.0, 0.0
        self._lock = threading.Lock()  # one schedule serves every source of a scenario

    def extend(self, seconds: float) -> None:
        """Draw steps until one lies beyond ``seconds`` [s]."""
        if not (self.interval > 0 and self.size > 0):
            return
        with self._lock:
            self._draw_until(seconds)

    def _draw_until(self, seconds: float) -> None:
        times, offsets = [self.times], [self.offsets]
        while self._last_time <= seconds:
            gaps = self.interval * (0.5 + self._rng.random(_BATCH))  # mean = interval
            signs = self._rng.random(_BATCH) < 0.5
            batch = self._last_time + np.cumsum(gaps)
            levels = np.empty(_BATCH)
            for k, up in enumerate(signs):
                # Levels -size, 0, +size: out to a random side, then back to 0.
                self._level = (self.size if up else -self.size) if self._level == 0 else 0.0
                levels[k] = self._level
            times.append(batch)
            offsets.append(levels)
            self._last_time = float(batch[-1])
        self.times, self.offsets = np.concatenate(times), np.concatenate(offsets)


def load_steps(profile: LoadProfile, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """The steps of ``profile`` before ``seconds`` [s]: their times [s] and the load offset
    [% of rms] from each on (0 before the first)."""
    schedule = StepSchedule(profile)
    schedule.extend(seconds)
    keep = schedule.times < seconds
    return schedule.times[keep], schedule.offsets[keep]


def pf_rotation(current: CurrentSettings) -> np.ndarray | None:
    """Per phase, the unit rotation e^{j(ψ1−ψ0)} from the fundamental's direction at
    ``power_factor`` to that at ``load.pf_swing_to`` (same sense), shape (3,); None without a
    PF swing."""
    to = current.load.pf_swing_to
    if to is None:
        return None
    out = []
    for pf0, pf1, sense in zip(current.power_factor, to, current.pf_sense, strict=True):
        sign = -1.0 if sense == "lag" else 1.0
        out.append(np.exp(1j * sign * (math.acos(pf1) - math.acos(pf0))))
    return np.array(out)


def _ratio(x: Fraction) -> tuple[int, int]:
    return x.numerator, x.denominator


def _turn(ratio: tuple[int, int], k: int) -> float:
    """[rad] 2π × the fractional part of (num/den)·k, exact until the final rounding."""
    num, den = ratio
    return 2 * math.pi * ((num * k % den) / den)


class LoadShape:
    """Per-sample load factors of a profile at ``sample_rate`` [Hz], applied to currents.

    ``rotation`` is ``pf_rotation(...)`` (None: no PF swing); ``three_wire`` removes the
    zero-sequence part the PF swing adds when the phases turn differently.
    """

    def __init__(
        self,
        profile: LoadProfile,
        sample_rate: float,
        rotation: np.ndarray | None = None,
        three_wire: bool = False,
    ):
        self.fs, self.three_wire = sample_rate, three_wire
        self.swing = profile.swing_amplitude / 100
        self.steps = StepSchedule(profile)
        self.has_steps = profile.step_interval > 0 and profile.step_size > 0
        self._step_samples = np.empty(0, np.int64)
        self.rotation = None
        if rotation is not None and not np.all(rotation == 1):  # pf_swing_to = power_factor
            same = np.all(rotation == rotation[0])  # one row of factors serves all phases
            self.rotation = rotation[:1] if same else rotation
        # Every factor is a linear mix of 1 and cos/sin(2πτ/T) over the stretch (τ [s] from its
        # first sample), the phase at the stretch start entering by angle addition: one small
        # matrix product per stretch instead of a cos and a sin per sample.
        fs = Fraction(sample_rate)
        tau = np.arange(_CHUNK) / sample_rate
        periods = (profile.swing_period, profile.pf_swing_period)
        self._steps = [_ratio(1 / (fs * Fraction(t))) for t in periods]  # [periods/sample]
        self._table = np.vstack([np.ones(_CHUNK), *(_cos_sin(tau / t) for t in periods)])

        # The factor matrix (rows g, then Re and Im of 1 + w·(d − 1) per rotation; columns the
        # table rows) is const + scale × [0, sin a0, cos a0, cos b0, sin b0], a0, b0 the phases
        # of the two swings at the stretch start: g = 1 + swing·sin(a0 + b) (+ the step level),
        # w = (1 − cos(b0 + b)) / 2.
        one = np.array([1.0, 0, 0, 0, 0])
        self._const = one[None, :]
        self._scale = np.array([[0, self.swing, self.swing, 0, 0]])
        if self.rotation is not None:
            # Re(1 + w·(d − 1)) = 1 + (Re d − 1)·w and Im(...) = Im d·w, one row per rotation.
            k = np.concatenate([self.rotation.real - 1, self.rotation.imag])[:, None]
            self._const = np.vstack([self._const, k * 0.5 * one])
            self._const[1 : 1 + self.rotation.size, 0] += 1
            self._scale = np.vstack([self._scale, k * np.array([0, 0, 0, -0.5, 0.5])])

    def _mix(self, first: int, level: float) -> np.ndarray:
        """The factor matrix of the stretch starting at sample ``first``; ``level`` the step
        offset [× rms] at its start."""
        a0, b0 = (_turn(step, first) for step in self._steps)
        trig = np.array([0.0, math.sin(a0), math.cos(a0), math.cos(b0), math.sin(b0)])
        mix = self._const + self._scale * trig
        mix[0, 0] += level
        return mix

    @property
    def rotates(self) -> bool:
        """Whether the fundamental turns (the caller must pass its fundamental rows)."""
        return self.rotation is not None

    def offsets(self, first: int, n: int) -> np.ndarray | float:
        """[% of rms] the step offset of samples first..first+n-1 (a float when constant)."""
        if not self.has_steps:
            return 0.0
        last = first + n - 1
        if self.steps.times.size == 0 or self._step_samples[-1] <= last:
            # Twice as far as asked: the schedule grows in few, amortised, extensions.
            self.steps.extend(2 * last / self.fs + 1.0)
            # A step at t acts from the first sample at or after t.
            self._step_samples = np.ceil(self.steps.times * self.fs).astype(np.int64)
        j0, j1 = np.searchsorted(self._step_samples, [first, last], side="right")
        level = self.steps.offsets[j0 - 1] if j0 else 0.0
        if j0 == j1:
            return float(level)
        out = np.full(n, level)
        for j in range(j0, j1):
            out[self._step_samples[j] - first :] = self.steps.offsets[j]
        return out

    def factors(
        self, first: int, n: int
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """g, α, β of samples first..first+n-1, all within one stretch of _CHUNK samples aligned
        to a multiple of _CHUNK: the current is g·i + α·f + β·q with f the fundamental at the
        start direction and q that fundamental advanced by 90° (α, β None without a PF swing;
        shape (1 or 3, n) with)."""
        # Everything is computed from the stretch's own start c, so a sample gets the same
        # bits whichever block it comes in.
        k = first % _CHUNK
        c = first - k
        offsets = self.offsets(c, k + n)
        level = offsets if isinstance(offsets, float) else float(offsets[0])
        rows = self._mix(c, level / 100) @ self._table[:, k : k + n]
        g = rows[0]
        if not isinstance(offsets, float):  # a step inside the stretch
            g += (offsets[k:] - level) / 100
        if self.rotation is None:
            return g, None, None
        # The direction of 1 + w·(d − 1), normalised: it turns monotonically from 1 to d.
        p = self.rotation.size
        re, im = rows[1 : 1 + p], rows[1 + p :]
        scale = g / np.sqrt(re * re + im * im)
        return g, scale * re - g, scale * im

    def apply(
        self,
        currents: np.ndarray,
        first: int,
        fundamental: np.ndarray | None = None,
        quadrature: np.ndarray | None = None,
    ) -> None:
        """Scale (and turn) ``currents`` (3, n) [A] of samples first.. in place; with a PF swing
        ``fundamental`` and ``quadrature`` are the rows f and q of ``factors``."""
        n, a = currents.shape[1], 0
        while a < n:
            # Stretches at absolute multiples of _CHUNK: the same samples whatever the blocks.
            b = min(n, a + _CHUNK - (first + a) % _CHUNK)
            g, alpha, beta = self.factors(first + a, b - a)
            currents[:, a:b] *= g
            if alpha is not None and beta is not None and fundamental is not None:
                assert quadrature is not None
                turn = alpha * fundamental[:, a:b] + beta * quadrature[:, a:b]
                if self.three_wire:  # no return conductor: what the turn adds sums to zero too
                    turn -= turn.mean(axis=0)
                currents[:, a:b] += turn
            a = b


def _cos_sin(turns: np.ndarray) -> np.ndarray:
    """Rows cos(2π·turns), sin(2π·turns)."""
    return np.array([np.cos(2 * math.pi * turns), np.sin(2 * math.pi * turns)])
