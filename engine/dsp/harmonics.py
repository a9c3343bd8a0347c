"""Harmonic analysis per IEC 61000-4-7:2002+A1:2008 over one 10/12-cycle window.

The standard asks for a rectangular window of 10 (50 Hz) or 12 (60 Hz) cycles synchronised to the
supply frequency (§4.4.1), so that harmonic h lies on DFT bin k = N·h. Sampled at a fixed rate,
a window of whole samples spans N cycles only to within half a sample, and the small mismatch
leaks the large fundamental into the harmonic bins and turns the phase of every bin.

This module removes that error instead of resampling: with the measured frequency known, the DFT
of the M-sample window is an exact linear function of the harmonic phasors (a Dirichlet kernel per
tone), so the phasors follow from one small linear solve shared by all channels. The result is
exact for any signal made of harmonics of the measured frequency, at any samples-per-cycle up to
the Nyquist order, with none of the amplitude loss of an interpolating resampler.

Amplitudes are rms [same unit as the input]; angles are radians at the first sample of the window.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import fft as scipy_fft
from scipy.linalg import lapack


@dataclass(frozen=True)
class Spectrum:
    """Harmonic content of several channels over one window.

    Attributes
    ----------
    phasors : complex ndarray, shape (channels, orders + 1)
        Rms phasor of each harmonic h = 0..orders (h = 0 is the dc value, real) [input unit];
        the angle is the phase at the window's first sample, cosine reference.
    subgroups : ndarray, shape (channels, orders + 1)
        Harmonic subgroup Y_sg,h = sqrt(Σ_{i=-1..1} C²(N·h+i)) [input unit] (IEC 61000-4-7 §5.6,
        eq. 8), with the centre bin taken as the corrected phasor and the two neighbour bins as
        what remains in them after the harmonics' own leakage is removed.
    orders : int
        Highest order analysed (limited by 63 and by the Nyquist frequency).
    """

    phasors: np.ndarray
    subgroups: np.ndarray
    orders: int


@functools.cache
def _smooth_lengths(limit: int = 1 << 16) -> np.ndarray:
    """Sorted lengths up to ``limit`` with no prime factor above 11 (fast FFT sizes)."""
    lengths = {1}
    for p in (2, 3, 5, 7, 11):
        grown = set(lengths)
        for n in lengths:
            while n * p <= limit:
                n *= p
                grown.add(n)
        lengths = grown
    return np.array(sorted(lengths))


@functools.lru_cache(maxsize=256)
def fast_length(m: int) -> int:
    """The FFT-friendly length nearest to ``m`` (no prime factor above 11), if within 0.5 %.

    A window whose sample count has a large prime factor takes 20 times longer to transform; the
    leakage model makes any length exact, so the harmonic window may differ from the 10/12-cycle
    window by the few samples this moves it. Where no such length is that close, ``m`` is kept.
    """
    table = _smooth_lengths()
    i = int(np.searchsorted(table, m))
    if i >= len(table):
        return m
    lo, hi = table[max(i - 1, 0)], table[i]
    best = int(lo if m - lo < hi - m else hi)
    return best if abs(best - m) <= 0.005 * m else m


def max_order(samples_per_cycle: float, limit: int = 63) -> int:
    """Highest harmonic order whose subgroup lies below the Nyquist frequency.

    The subgroup of order h needs the bin one step (f1/N) above h·f1, so h·f1 < fs/2 with a margin
    of one bin; ``samples_per_cycle`` = fs / f1.
    """
    return int(max(1, min(limit, np.floor(samples_per_cycle / 2 - 0.2))))


@functools.lru_cache(maxsize=64)
def _bin_terms(m: int, centre: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Everything that depends on the bins alone, for one window length and set of centre bins.

    Returns (bins, sin(πk/M), cos(πk/M), conj(B_k)) for the centre bins and their neighbours.
    Successive windows at a steady frequency share these, so they are computed once.
    """
    c = np.array(centre)
    bins = np.concatenate([c, c - 1, c + 1])
    bins[len(c)] = 1  # no bin below dc; the dc "subgroup" is not used
    k = bins.astype(float)
    b_conj = np.where(bins % 2 == 0, 1.0, -1.0) * np.exp(1j * np.pi * (m - 1) / m * k)
    return bins, np.sin(np.pi * k / m), np.cos(np.pi * k / m), b_conj


def _leakage_model(
    bins: np.ndarray,
    sin_k: np.ndarray,
    cos_k: np.ndarray,
    tones: np.ndarray,
    m: int,
) -> tuple[np.ndarray, np.ndarray]:
    """How tones at ``tones`` [bins] show in the M-sample DFT at integer ``bins``.

    A real tone a·e^{jωn} + conj(a)·e^{-jωn} adds a·D(k - t) + conj(a)·D(k + t) to bin k, where
    D(x) = (1/M)·Σ_{n<M} exp(-j·2π·x·n/M) is the Dirichlet kernel. Since k is an integer,
    D(k ∓ t) = B_k · T∓_t / (M·sin(π(k ∓ t)/M)), where B_k = (-1)^k·exp(-jπk(M-1)/M) depends only
    on the bin and T-_t = -sin(πt)·exp(jπt(M-1)/M), T+_t = -conj(T-_t) only on the tone. The
    model leaves B_k out (the caller divides the measured bins by it), so every entry is a tone
    factor times a real reciprocal: no complex arithmetic, no transcendental function per entry.

    ``tones`` are the ac tones (h >= 1). Returns (real, imag) parts of the model matrix, shape
    (len(bins), 1 + 2·len(tones)), acting on the real unknowns [a_0, Re a_1.., Im a_1..]
    (a_0 the dc value, which shows in bin 0 only).
    """
    n_bins, n_tones = len(bins), len(tones)
    turn = (m - 1) / m
    on_bin = np.abs(tones - np.rint(tones)) < 1e-9  # whole cycles: the tone sits on its bin
    sin_t = np.where(on_bin, 0.0, np.sin(np.pi * tones))
    t_re = -sin_t * np.cos(np.pi * turn * tones)  # T-_t
    t_im = -sin_t * np.sin(np.pi * turn * tones)
    sk_cu = np.multiply.outer(sin_k, np.cos(np.pi * tones / m))
    ck_su = np.multiply.outer(cos_k, np.sin(np.pi * tones / m))
    den_plus = m * (sk_cu - ck_su)  # M·sin(π(k - t)/M)
    den_plus[den_plus == 0.0] = np.inf  # tone on the bin: its numerator is 0 too, added below
    inv_plus = 1.0 / den_plus
    inv_minus = 1.0 / (m * (sk_cu + ck_su))  # M·sin(π(k + t)/M), never 0 for k >= 0, t > 0
    diff = inv_plus - inv_minus
    summ = inv_plus + inv_minus

    # Re a column: T-·inv+ + T+·inv- ; Im a column: j·(T-·inv+ - T+·inv-).
    real = np.empty((n_bins, 1 + 2 * n_tones))
    imag = np.empty_like(real)
    real[:, 0] = bins == 0
    imag[:, 0] = 0.0
    np.multiply(diff, t_re, out=real[:, 1 : 1 + n_tones])
    np.multiply(diff, -t_im, out=real[:, 1 + n_tones :])
    np.multiply(summ, t_im, out=imag[:, 1 : 1 + n_tones])
    np.multiply(summ, t_re, out=imag[:, 1 + n_tones :])
    if on_bin.any():
        # There D(k - t) = 1 = B_k·conj(B_k): conj(B_k) in the B_k-free model.
        for col in np.flatnonzero(on_bin):
            rows = np.flatnonzero(bins == np.rint(tones[col]))
            b = np.where(bins[rows] % 2 == 0, 1.0, -1.0) * np.exp(1j * np.pi * turn * bins[rows])
            real[rows, 1 + col] += b.real
            imag[rows, 1 + col] += b.imag
            real[rows, 1 + n_tones + col] -= b.imag
            imag[rows, 1 + n_tones + col] += b.real
    return real, imag


def analyse(samples: np.ndarray, cycles: float, orders: int = 63) -> Spectrum:
    """Harmonic phasors and subgroups of each row of ``samples`` over one window.

    Parameters
    ----------
    samples : ndarray, shape (channels, M)
        Instantaneous values of every channel over the window [V or A].
    cycles : float
        Number of fundamental cycles the M samples span, i.e. f1·M/fs with f1 the measured
        frequency [Hz] and fs the sample rate [Hz]; 10 or 12 within half a sample for a
        synchronised IEC 61000-4-7 window, but any value above 1 works.
    orders : int
        Highest order wanted; reduced to what the sample rate carries (``max_order``).

    Returns
    -------
    Spectrum
    """
    samples = np.atleast_2d(np.asarray(samples, dtype=float))
    phasors, subgroups, top = analyse_windows(samples[None], np.array([cycles]), orders)
    return Spectrum(phasors=phasors[0], subgroups=subgroups[0], orders=top)


def analyse_windows(
    samples: np.ndarray, cycles: np.ndarray, orders: int = 63
) -> tuple[np.ndarray, np.ndarray, int]:
    """``analyse`` for W windows of equal length at once (one FFT call, one post-processing).

    ``samples``: shape (W, channels, M) [V or A]; ``cycles``: shape (W,). Returns phasors
    (W, channels, H + 1) complex, subgroups (W, channels, H + 1) and H, the highest order.
    """
    n_win, channels, m = samples.shape
    if m < 8:
        raise ValueError(f"window too short: {m} samples")
    cycles = np.asarray(cycles, dtype=float)
    if not np.all(cycles > 1):
        raise ValueError(f"cycles must be > 1, got {cycles!r}")
    orders = min(orders, max_order(m / cycles.max()))
    n = orders + 1
    spectrum = scipy_fft.rfft(samples, axis=-1, workers=1)  # faster than numpy's here

    unknowns, residual, solved = _split_windows(spectrum, cycles, n, m)
    for w in np.flatnonzero(~solved):  # a tone on (or within 1e-3 of) a bin: the full system
        tones = np.arange(n) * cycles[w]
        bins, sin_k, cos_k, b_conj = _bin_terms(m, tuple(np.rint(tones).astype(int).tolist()))
        # Measured bins, divided by the bin factor B_k the model leaves out (|B_k| = 1).
        measured = (spectrum[w][:, bins] * (b_conj / m)).T  # (bins, channels)
        unknowns[w], residual[w] = _full_solve(bins, sin_k, cos_k, tones[1:], m, measured)

    # Rms phasors: dc as is; a cosine of peak A has a_h = A/2·e^{jφ}, i.e. rms √2·|a_h|.
    phasors = np.empty((n_win, channels, n), dtype=complex)
    phasors[:, :, 0] = unknowns[:, 0]
    phasors[:, :, 1:] = np.sqrt(2.0) * (unknowns[:, 1:n] + 1j * unknowns[:, n:]).transpose(0, 2, 1)

    # Neighbour bins: what is left in them after the harmonics' own leakage.
    power = 2.0 * (residual[:, 0] ** 2 + residual[:, 1] ** 2)  # rms² of a real tone's bin
    neighbour_power = (power[:, :n] + power[:, n:]).transpose(0, 2, 1)
    neighbour_power[:, :, 0] = 0.0  # no subgroup around dc
    subgroups = np.sqrt(phasors.real**2 + phasors.imag**2 + neighbour_power)
    return phasors, subgroups, orders


def _full_solve(bins, sin_k, cos_k, tones, m, measured) -> tuple[np.ndarray, np.ndarray]:
    """The unknowns [a_0, Re a_1.., Im a_1..] (2n - 1, channels) from the square real system of
    every centre bin (Re; Im but dc), and the neighbour bins' residuals (2, 2n, channels)."""
    n = len(tones) + 1
    real, imag = _leakage_model(bins, sin_k, cos_k, tones, m)
    rhs = np.concatenate([measured[:n].real, measured[1:n].imag])
    a_mat = np.concatenate([real[:n], imag[1:n]])
    _, _, x, info = lapack.dgesv(a_mat, rhs)
    if info != 0:
        raise np.linalg.LinAlgError(f"harmonic leakage system is singular (info {info})")
    residual = np.stack([measured[n:].real - real[n:] @ x, measured[n:].imag - imag[n:] @ x])
    return x, residual


#: A tone closer than this to a whole bin (|sin(π·t)| below it) takes the general system.
_SPLIT_MIN_SIN = 1e-3


def _split_windows(
    spectrum: np.ndarray, cycles: np.ndarray, n: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_full_solve`` for every window at once, by two half-size systems.

    With α = a·T-_t (the tone factor of ``_leakage_model``), a tone adds α·inv+ − conj(α)·inv-
    to a bin (inv± = 1/(M·sin(π(k ∓ t)/M)), real): the real parts of the bins depend on Re α
    alone, through inv+ − inv-, and the imaginary parts on Im α alone, through inv+ + inv-. So
    the (2n − 1)-square real system splits into an n- and an (n − 1)-square one, a quarter of
    the work, with the same exact solution. a = α / T-_t needs T-_t ≠ 0, i.e. tones off the
    bins: windows with a tone within ``_SPLIT_MIN_SIN`` of a bin are left to the caller
    (``solved`` False). ``spectrum``: (W, channels, M/2 + 1) rfft; returns unknowns
    (W, 2n − 1, channels), neighbour residuals (W, 2, 2n, channels), solved (W,).
    """
    n_win = spectrum.shape[0]
    tones = cycles[:, None] * np.arange(n)  # (W, n) [bins]
    centre = np.rint(tones).astype(int)
    bins = np.concatenate([centre, centre - 1, centre + 1], axis=1)  # (W, 3n)
    bins[:, n] = 1  # no bin below dc; the dc "subgroup" is not used
    k = bins.astype(float)
    b_conj = np.where(bins % 2 == 0, 1.0, -1.0) * np.exp(1j * np.pi * (m - 1) / m * k)
    picked = np.take_along_axis(spectrum, bins[:, None, :], axis=2)  # (W, channels, 3n)
    measured = (picked * (b_conj / m)[:, None, :]).transpose(0, 2, 1)  # (W, 3n, channels)
    t = tones[:, 1:]
    sin_t = np.sin(np.pi * t)
    solved = np.min(np.abs(sin_t), axis=1) >= _SPLIT_MIN_SIN
    t_minus = -sin_t * np.exp(1j * np.pi * (m - 1) / m * t)  # T-_t, (W, n - 1)
    t_minus[~solved] = 1.0  # (those windows are solved by the caller)
    sk_cu = np.sin(np.pi * k / m)[:, :, None] * np.cos(np.pi * t / m)[:, None, :]
    ck_su = np.cos(np.pi * k / m)[:, :, None] * np.sin(np.pi * t / m)[:, None, :]
    # inv+ ∓ inv- over one denominator: M·sin(π(k − t)/M)·sin(π(k + t)/M).
    with np.errstate(divide="ignore", invalid="ignore"):  # on-bin windows: not used
        scale = (2.0 / m) / ((sk_cu - ck_su) * (sk_cu + ck_su))
    diff, summ = ck_su * scale, sk_cu * scale  # (W, 3n, n - 1)
    a_re = np.empty((n_win, n, n))
    a_re[:, :, 0] = bins[:, :n] == 0  # the dc value shows in bin 0 only
    a_re[:, :, 1:] = diff[:, :n]
    a_im = summ[:, 1:n]
    rhs_re, rhs_im = measured[:, :n].real, measured[:, 1:n].imag
    if not solved.all():  # keep the on-bin windows' infinities out of the batched solve
        diff[~solved] = summ[~solved] = 0.0
        a_re[~solved], a_im[~solved] = np.eye(n), np.eye(n - 1)
    x_re = np.linalg.solve(a_re, rhs_re)  # (W, n, channels)
    im_alpha = np.linalg.solve(a_im, rhs_im)  # (W, n - 1, channels)
    re_alpha = x_re[:, 1:]
    a = (re_alpha + 1j * im_alpha) / t_minus[:, :, None]
    unknowns = np.concatenate([x_re[:, :1], a.real, a.imag], axis=1)
    residual = np.stack([
        measured[:, n:].real - diff[:, n:] @ re_alpha,
        measured[:, n:].imag - summ[:, n:] @ im_alpha,
    ], axis=1)  # fmt: skip
    return unknowns, residual, solved


def thd(subgroups: np.ndarray, orders: int | None = None) -> np.ndarray:
    """Total harmonic distortion [%]: sqrt(Σ_{h=2..H} Y_h²) / Y_1 · 100 (IEC 61000-4-7 §3.3.2).

    ``subgroups`` has shape (..., H + 1) with index = order; ``orders`` limits H (63 default,
    40 for IEC 61000-4-7 / EN 50160 THD). NaN where the fundamental is zero.
    """
    top = subgroups.shape[-1] - 1 if orders is None else orders
    fund = subgroups[..., 1]
    dist = np.sqrt(np.sum(subgroups[..., 2 : top + 1] ** 2, axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(fund > 0, 100.0 * dist / fund, np.nan)


def tdd(subgroups: np.ndarray, demand_current: float, orders: int | None = None) -> np.ndarray:
    """Total demand distortion [%]: sqrt(Σ_{h=2..H} I_h²) / I_L · 100 (IEEE 519-2014 §3).

    ``demand_current`` I_L is the maximum demand load current [A] at the point of common
    coupling (a setting).
    """
    if not demand_current > 0:
        raise ValueError(f"demand current I_L must be > 0 A, got {demand_current!r}")
    top = subgroups.shape[-1] - 1 if orders is None else orders
    dist = np.sqrt(np.sum(subgroups[..., 2 : top + 1] ** 2, axis=-1))
    return 100.0 * dist / demand_current


def k_factor(subgroups: np.ndarray) -> np.ndarray:
    """Transformer K-factor Σ h²·I_h² / Σ I_h² over h >= 1 (UL 1561 / IEEE C57.110 definition).

    1 for a sinusoid; NaN where there is no current.
    """
    h = np.arange(subgroups.shape[-1])
    power = subgroups[..., 1:] ** 2
    total = power.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (power * h[1:] ** 2).sum(axis=-1) / total, np.nan)
