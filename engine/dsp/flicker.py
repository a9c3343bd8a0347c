"""The IEC 61000-4-15:2010 (Ed. 2) flickermeter, blocks 1-4: instantaneous flicker sensation Pinst.

The chain per channel (IEC 61000-4-15 §4.2-4.6, Figure 1):

- block 2, squaring demodulator: u² at the input rate, then decimated in two steps: a boxcar
  mean of ``box`` samples down to 1.5-3 kHz, the block 3 6th-order Butterworth low-pass (35 Hz
  for 50 Hz systems, 42 Hz for 60 Hz; it removes the 2·f carrier), every ``step``-th sample:
  the rest runs at 750-1500 Hz;
- block 1, input adaptor: the demodulated signal is divided by its mean through a first-order
  low-pass of τ = 1 min (the input normalised to its rms averaged over a minute; done after
  squaring and low-pass filtering, the same to first order since the reference moves far more
  slowly than the flicker band). The mean starts as a plain running mean until one τ of signal
  has been seen, so it is right within seconds of the start;
- block 3: 1st-order high-pass 0.05 Hz and the lamp weighting filter
  F(s) = K·ω1·s/(s² + 2λs + ω1²) · (1 + s/ω2)/((1 + s/ω3)(1 + s/ω4)), 230 V or 120 V lamp,
  discretised by the bilinear transform less one of its two zeros at z = -1: within 0.5 % of
  F up to 40 Hz at the output rate (plain bilinear: 1.7 %);
- block 4: squaring, first-order sliding mean τ = 300 ms, and the scale that makes the lamp's
  8.8 Hz row of Table 1 (sinusoidal ΔV/V = 0.25 % for 230 V, 0.321 % for 120 V) give
  Pinst,max = 1, computed from the analogue filters. For 230 V it is the published 309 600
  (carrier rms = 1) within 0.01 %; the 120 V scale is 0.6 % lower than the 230 V one would be.

``flicker_init`` then ``flicker_step`` per block, any number of channels at once, the filter
states carried in the returned ``FlickerState`` (the scipy ``zi`` style). Block 5 (Pst, Plt):
``dsp.flicker_stats``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
from scipy import signal

#: Weighting-filter parameters (K, λ, f1, f2, f3, f4); λ and f in Hz (ω = 2π·f), §4.5 / Table 3.
LAMPS = {
    "230V": (1.74802, 4.05981, 9.15494, 2.27979, 1.22535, 21.9),
    "120V": (1.6357, 4.167375, 9.077169, 2.939902, 1.394468, 17.31512),
}
#: Cut-off of the block 3 6th-order Butterworth low-pass by nominal frequency [Hz].
LOWPASS_HZ = {50.0: 35.0, 60.0: 42.0}
HIGHPASS_HZ = 0.05  # block 3 high-pass cut-off [Hz]
SMOOTHING_S = 0.3  # block 4 sliding-mean time constant [s]
ADAPTOR_S = 60.0  # block 1 reference time constant [s]
#: Table 1 row per lamp: f_m [Hz] and sinusoidal ΔV/V [%] that give Pinst,max = 1.
CALIBRATION = {"230V": (8.8, 0.25), "120V": (8.8, 0.321)}
SETTLE_S = 5.0  # Pinst is NaN for this long after the start [s]


@dataclass(frozen=True)
class FlickerDesign:
    """Filters for one sample rate, nominal frequency and lamp (``design``).

    ``box``: input samples averaged into one sample at ``sample_rate / box``; ``step``: of those,
    every ``step``-th is kept: one Pinst value per ``box · step`` input samples, at
    ``output_rate`` [Hz]. ``lowpass``: block 3 Butterworth (SOS at ``sample_rate / box``);
    ``weighting``: block 3 high-pass and lamp filter (SOS at ``output_rate``); ``adaptor`` and
    ``smoothing``: coefficients a of the first-order means y += a·(x - y) of blocks 1 and 4;
    ``gain``: the block 4 scale (Pinst per squared unit of relative fluctuation).
    """

    sample_rate: float
    nominal_frequency: float
    lamp: str
    box: int
    step: int
    output_rate: float
    lowpass: np.ndarray
    weighting: np.ndarray
    adaptor: float
    smoothing: float
    gain: float


def _lamp_zpk(lamp: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Analogue zeros, poles [rad/s] and gain of the weighting filter F(s) of ``lamp``."""
    k, lam, f1, f2, f3, f4 = LAMPS[lamp]
    lam, w1, w2, w3, w4 = (2 * np.pi * v for v in (lam, f1, f2, f3, f4))
    zeros = np.array([0.0, -w2])
    poles = np.concatenate([np.roots([1.0, 2 * lam, w1 * w1]), [-w3, -w4]])
    return zeros, poles, k * w1 * w3 * w4 / w2


def analog_response(f: np.ndarray, lamp: str, nominal_frequency: float) -> np.ndarray:
    """|H(j2πf)| of the ideal block 3 chain (high-pass · Butterworth · lamp filter), f [Hz]."""
    w = 2 * np.pi * np.asarray(f, dtype=float)
    _, h_w = signal.freqs_zpk(*_lamp_zpk(lamp), w)
    butter = signal.butter(6, 2 * np.pi * LOWPASS_HZ[nominal_frequency], analog=True)
    _, h_lp = signal.freqs(*butter, w)
    h_hp = 1j * w / (1j * w + 2 * np.pi * HIGHPASS_HZ)
    return np.abs(h_w * h_lp * h_hp)


def _calibration_gain(lamp: str, nominal_frequency: float) -> float:
    """Block 4 scale. A sine of depth ΔV/V on u is a sine of amplitude ΔV/V on u²/U²; after
    block 3 its amplitude is A; squared and smoothed (S, the 300 ms mean) its maximum is
    A²/2·(1 + |S(2·f_m)|), which the scale makes 1 for the lamp's 8.8 Hz row of Table 1."""
    f_m, dvv = CALIBRATION[lamp]
    a = dvv / 100 * analog_response(np.array([f_m]), lamp, nominal_frequency)[0]
    ripple = 1 / np.hypot(1.0, 2 * np.pi * 2 * f_m * SMOOTHING_S)
    return 2.0 / (a * a * (1.0 + ripple))


@functools.lru_cache(maxsize=32)
def design(sample_rate: float, nominal_frequency: float, lamp: str = "230V") -> FlickerDesign:
    """The filters for input rate ``sample_rate`` [Hz], system ``nominal_frequency`` (50 or 60 Hz)
    and ``lamp`` ("230V" or "120V"). ValueError for anything else or below 32 samples a cycle."""
    nominal_frequency = float(nominal_frequency)
    if nominal_frequency not in LOWPASS_HZ:
        raise ValueError(f"flicker needs a 50 or 60 Hz system, not {nominal_frequency} Hz")
    if lamp not in LAMPS:
        raise ValueError(f"lamp must be one of {sorted(LAMPS)}, not {lamp!r}")
    if not sample_rate >= 32 * nominal_frequency * (1 - 1e-9):
        raise ValueError(
            f"flicker needs at least 32 samples a cycle: {sample_rate} Hz is below "
            f"{32 * nominal_frequency:g} Hz"
        )
    box = max(1, int(sample_rate // 1500))
    rate1 = sample_rate / box
    step = max(1, int(rate1 // 750))
    out = rate1 / step
    lowpass = signal.butter(6, LOWPASS_HZ[nominal_frequency], fs=rate1, output="sos")
    high = signal.butter(1, HIGHPASS_HZ, btype="high", fs=out, output="sos")
    z, p, k = signal.bilinear_zpk(*_lamp_zpk(lamp), out)
    z = np.delete(z, np.argmin(np.abs(z + 1.0)))  # one of the two zeros bilinear puts at z = -1
    f_m = CALIBRATION[lamp][0]
    _, h_d = signal.freqz_zpk(z, p, k, [f_m], fs=out)
    _, h_a = signal.freqs_zpk(*_lamp_zpk(lamp), [2 * np.pi * f_m])
    k *= abs(h_a[0]) / abs(h_d[0])
    lamp_sos = signal.zpk2sos(z, p, k)
    return FlickerDesign(
        sample_rate=float(sample_rate),
        nominal_frequency=nominal_frequency,
        lamp=lamp,
        box=box,
        step=step,
        output_rate=out,
        lowpass=lowpass,
        weighting=np.concatenate([high, lamp_sos]),
        adaptor=-np.expm1(-1.0 / (ADAPTOR_S * out)),
        smoothing=-np.expm1(-1.0 / (SMOOTHING_S * out)),
        gain=_calibration_gain(lamp, nominal_frequency),
    )


@dataclass(frozen=True)
class FlickerState:
    """Streaming state (the ``zi`` of this module); start one with ``flicker_init``.

    ``next_index``: absolute index of the next input sample; ``pending``: squared input samples
    not yet averaged into a box (channels × < box); ``kept``: samples produced at the boxcar rate
    so far (phase of the ``step`` decimation); ``zi_lowpass`` / ``zi_weighting``: SOS states;
    ``reference``: block 1 mean of u² per channel (None until the first cycle primes the
    filters) and ``averaged``: output-rate samples in it so far (see ``_adaptor``);
    ``smoothed``: block 4 state; ``settle_until``: absolute index before which Pinst is NaN.
    """

    design: FlickerDesign
    next_index: int
    pending: np.ndarray
    kept: int = 0
    zi_lowpass: np.ndarray | None = None
    zi_weighting: np.ndarray | None = None
    reference: np.ndarray | None = None
    smoothed: np.ndarray | None = None
    averaged: int = 0
    settle_until: int = 0


def flicker_init(
    sample_rate: float,
    nominal_frequency: float,
    lamp: str = "230V",
    channels: int = 3,
    first_index: int = 0,
    settle: float = SETTLE_S,
) -> FlickerState:
    """State for a fresh stream whose first sample has absolute index ``first_index``.

    ``sample_rate`` [Hz] ≥ 32 samples a cycle of ``nominal_frequency`` (50 or 60 Hz); ``lamp``
    "230V" or "120V"; ``settle`` [s]: Pinst is NaN for this long while the filters start (they
    are primed with the first cycle's mean square; the start-up transient is below 1e-3 after
    4 s). No output until one whole nominal cycle has been fed.
    """
    d = design(float(sample_rate), float(nominal_frequency), lamp)
    if channels < 1:
        raise ValueError(f"need at least one channel, not {channels}")
    return FlickerState(
        design=d,
        next_index=int(first_index),
        pending=np.empty((channels, 0)),
        settle_until=int(first_index) + round(settle * sample_rate),
    )


def _prime(d: FlickerDesign, level: np.ndarray) -> tuple:
    """Filter states at rest for a steady input of mean square ``level`` (per channel):
    (low-pass zi, weighting zi, reference, smoothed)."""
    zi_lp = signal.sosfilt_zi(d.lowpass)[:, None, :] * level[None, :, None]
    # After block 1 the signal is 1: the high-pass section sits at its steady state, the lamp
    # filter (zero at dc) at rest.
    zi_w = np.zeros((d.weighting.shape[0], level.size, 2))
    zi_w[0] = signal.sosfilt_zi(d.weighting[:1])[0][None, :]
    return zi_lp, zi_w, level.astype(float), np.zeros(level.size)


def _first_order(x: np.ndarray, a: float, y0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y[n] = y[n-1] + a·(x[n] - y[n-1]) along the last axis, from y[-1] = y0 (per row)."""
    y, zf = signal.lfilter([a], [1.0, a - 1.0], x, axis=-1, zi=((1.0 - a) * y0)[:, None])
    return y, zf[:, 0] / (1.0 - a)


def _adaptor(
    y: np.ndarray, ref: np.ndarray, averaged: int, a: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Block 1 reference of each sample of ``y`` (channels × m): the first-order mean of
    coefficient ``a`` (τ = 1 min), started as the plain mean of all samples so far until that
    many (1/a) have been seen, so that it holds the true level within seconds of the start
    instead of converging for minutes from a first guess."""
    out = np.empty_like(y)
    k = min(y.shape[1], max(0, round(1.0 / a) - averaged))
    if k:
        n = averaged + np.arange(1, k + 1)
        out[:, :k] = (ref[:, None] * averaged + np.cumsum(y[:, :k], axis=1)) / n
        ref, averaged = out[:, k - 1].copy(), averaged + k
    if k < y.shape[1]:
        out[:, k:], ref = _first_order(y[:, k:], a, ref)
    return out, ref, averaged


def flicker_step(
    x: np.ndarray, sample_rate: float, state: FlickerState
) -> tuple[np.ndarray, np.ndarray, FlickerState]:
    """Feed the next samples of each channel; return the Pinst values they complete.

    Parameters
    ----------
    x : ndarray, shape (channels, n)
        Voltage samples [V] (any unit: the adaptor normalises), contiguous with the last block,
        finite (ValueError otherwise, the state unchanged: restart after a gap).
    sample_rate : float
        [Hz], must be the rate the state was made for.
    state : FlickerState
        From ``flicker_init`` or the previous call.

    Returns
    -------
    pinst : ndarray, shape (channels, m)
        Instantaneous flicker sensation (IEC 61000-4-15 §4.6, block 4 output), NaN while settling
        or where a channel has no signal.
    positions : ndarray of int, shape (m,)
        Absolute input-sample index each value belongs to (the last sample of its decimation
        group; the filters' own delay, about 0.1-0.3 s in the flicker band, is not removed).
    state : FlickerState
    """
    d = state.design
    if sample_rate != d.sample_rate:
        raise ValueError(f"state is for {d.sample_rate} Hz, block is {sample_rate} Hz")
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] != state.pending.shape[0]:
        raise ValueError(f"x must have shape ({state.pending.shape[0]}, n), not {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("samples must be finite: restart with flicker_init after missing data")
    sq = x * x
    if state.pending.shape[1]:
        sq = np.concatenate([state.pending, sq], axis=1)
    if state.reference is None:
        # Start the filters from the mean square of the first nominal cycle; wait for it.
        cycle = max(1, round(d.sample_rate / d.nominal_frequency))
        if sq.shape[1] < cycle:
            later = replace(state, next_index=state.next_index + x.shape[1], pending=sq)
            return np.empty((sq.shape[0], 0)), np.empty(0, dtype=np.int64), later
        zi_lp, zi_w, ref, smooth = _prime(d, sq[:, :cycle].mean(axis=1))
    else:
        zi_lp, zi_w = state.zi_lowpass, state.zi_weighting
        ref, smooth = state.reference, state.smoothed
    n_box = sq.shape[1] // d.box
    rest = sq[:, n_box * d.box :]
    boxed = sq[:, : n_box * d.box]
    if d.box > 1:
        boxed = boxed.reshape(sq.shape[0], n_box, d.box).mean(axis=2)
    averaged = state.averaged
    first = (d.step - 1 - state.kept) % d.step
    if n_box:
        y1, zi_lp = signal.sosfilt(d.lowpass, boxed, axis=-1, zi=zi_lp)
        y = y1[:, first :: d.step]
    else:
        y = boxed[:, :0]
    if y.shape[1]:
        ref_t, ref, averaged = _adaptor(y, ref, averaged, d.adaptor)
        dead = ~(ref_t > 0)  # a channel that has never carried a signal
        rel = y / np.where(dead, 1.0, ref_t)
        if dead.any():
            rel[dead] = 1.0
        w, zi_w = signal.sosfilt(d.weighting, rel, axis=-1, zi=zi_w)
        pinst, smooth = _first_order(w * w, d.smoothing, smooth)
        pinst *= d.gain
        if dead.any():
            pinst[dead] = np.nan
    else:
        pinst = y
    # Absolute index of the last input sample of each kept box.
    start = state.next_index - state.pending.shape[1]
    kept_idx = np.arange(first, n_box, d.step)
    positions = start + (kept_idx + 1) * d.box - 1
    if positions.size and positions[0] < state.settle_until:
        pinst[:, positions < state.settle_until] = np.nan
    new = FlickerState(
        design=d,
        next_index=state.next_index + x.shape[1],
        pending=rest.copy(),
        kept=state.kept + n_box,
        zi_lowpass=zi_lp,
        zi_weighting=zi_w,
        reference=ref,
        smoothed=smooth,
        averaged=averaged,
        settle_until=state.settle_until,
    )
    return pinst, positions, new
