"""IEC 61000-4-15:2010 block 5: Pst from the cumulative probability of Pinst, and Plt.

Pst (§4.7.2) = √(0.0314·P0.1 + 0.0525·P1s + 0.0657·P3s + 0.28·P10s + 0.08·P50s), where Px is the
Pinst level exceeded for x % of the 10-min observation period and the smoothed percentiles are
P1s = mean(P0.7, P1, P1.5), P3s = mean(P2.2, P3, P4), P10s = mean(P6, P8, P10, P13, P17),
P50s = mean(P30, P50, P80). Plt (§4.7.3) = ∛(Σ Pst³ / 12) over the 12 Pst of 2 h.

The classifier (§4.7.1 asks for at least 64 classes) has ``CLASSES_PER_DECADE`` logarithmic
classes from ``PINST_MIN`` to ``PINST_MAX``; within a class the level is interpolated
geometrically, so the class width (0.23 %) moves Pst by well under 0.05 %. Values below the
range count in the lowest class, above it in the highest; NaN values are not counted.
Memory is fixed (a count per class and channel), whatever the sample rate.

Intervals follow the IEC 61000-4-30 clock: ``PstState`` holds the start of the open interval and
its length, both as absolute sample positions (the unit of ``flicker.flicker_step``'s positions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PINST_MIN = 1e-6
PINST_MAX = 1e6
CLASSES_PER_DECADE = 1000
N_CLASSES = round(np.log10(PINST_MAX / PINST_MIN) * CLASSES_PER_DECADE)

#: (weight, percentiles averaged) of each term of the Pst formula, §4.7.2.
PST_TERMS = (
    (0.0314, (0.1,)),
    (0.0525, (0.7, 1.0, 1.5)),
    (0.0657, (2.2, 3.0, 4.0)),
    (0.28, (6.0, 8.0, 10.0, 13.0, 17.0)),
    (0.08, (30.0, 50.0, 80.0)),
)


def classify(pinst: np.ndarray) -> np.ndarray:
    """Counts per class, shape (channels, N_CLASSES), of ``pinst`` (channels × n, NaN skipped)."""
    pinst = np.atleast_2d(np.asarray(pinst, dtype=float))
    ch = pinst.shape[0]
    ok = ~np.isnan(pinst)
    decades = np.log10(np.maximum(pinst, PINST_MIN) / PINST_MIN)
    idx = np.floor(decades * CLASSES_PER_DECADE)
    idx = np.clip(np.nan_to_num(idx), 0, N_CLASSES - 1).astype(np.int64)
    flat = (idx + N_CLASSES * np.arange(ch)[:, None])[ok]
    return np.bincount(flat, minlength=ch * N_CLASSES).reshape(ch, N_CLASSES)


def percentiles(counts: np.ndarray, exceeded: np.ndarray) -> np.ndarray:
    """Levels exceeded for ``exceeded`` [%] of the time, from class ``counts`` (channels ×
    N_CLASSES); shape (channels, len(exceeded)); NaN for a channel with no counts."""
    counts = np.atleast_2d(counts)
    exceeded = np.asarray(exceeded, dtype=float)
    above = np.cumsum(counts[:, ::-1], axis=1)  # above[:, j]: count in the top j + 1 classes
    total = above[:, -1]
    out = np.full((counts.shape[0], exceeded.size), np.nan)
    for c in range(counts.shape[0]):
        if total[c] == 0:
            continue
        k = exceeded / 100.0 * total[c]  # samples above the level
        j = np.searchsorted(above[c], k, side="left")  # first top-class set holding ≥ k samples
        j = np.minimum(j, N_CLASSES - 1)
        cls = N_CLASSES - 1 - j
        before = np.where(j > 0, above[c, np.maximum(j - 1, 0)], 0)
        inside = counts[c, cls]
        frac = np.where(inside > 0, (k - before) / np.maximum(inside, 1), 0.0)
        # Level falls geometrically from the class top as the exceeded count grows.
        out[c] = PINST_MIN * 10.0 ** ((cls + 1 - np.clip(frac, 0, 1)) / CLASSES_PER_DECADE)
    return out


def pst_from_counts(counts: np.ndarray) -> np.ndarray:
    """Pst per channel from the class counts of one observation period (§4.7.2)."""
    levels = percentiles(counts, np.concatenate([p for _, p in PST_TERMS]))
    total = np.zeros(levels.shape[0])
    i = 0
    for weight, ps in PST_TERMS:
        total = total + weight * levels[:, i : i + len(ps)].mean(axis=1)
        i += len(ps)
    return np.sqrt(total)


def pst(pinst: np.ndarray) -> np.ndarray:
    """Pst per channel of the Pinst values (channels × n) of one 10-min period."""
    return pst_from_counts(classify(pinst))


def plt(pst_values: np.ndarray, axis: int = 0) -> np.ndarray:
    """Plt = ∛(mean of Pst³) along ``axis`` (the 12 Pst of 2 h, §4.7.3); NaN propagates."""
    p = np.asarray(pst_values, dtype=float)
    return np.cbrt(np.mean(p**3, axis=axis))


@dataclass(frozen=True)
class PstState:
    """Open interval [start, start + interval) [absolute sample positions] and its counts.

    ``counts``: classes per channel (None until the first values); ``seen``: Pinst values
    counted per channel (not NaN).
    """

    start: float
    interval: float
    counts: np.ndarray | None = None
    seen: np.ndarray | None = None


def pst_init(start: float, interval: float) -> PstState:
    """State whose first interval starts at position ``start`` [samples] and lasts ``interval``
    [samples] (600 s × sample rate). Pinst before ``start`` is ignored; to follow the
    IEC 61000-4-30 clock give the 10-min tick at or before the stream's start (the first
    interval is then partial: see ``coverage``)."""
    if not interval > 0:
        raise ValueError(f"interval must be positive, not {interval}")
    return PstState(start=float(start), interval=float(interval))


def pst_step(
    pinst: np.ndarray, positions: np.ndarray, step: int, state: PstState
) -> tuple[list[tuple[float, np.ndarray, np.ndarray]], PstState]:
    """Classify the next Pinst values; return the intervals they close.

    ``pinst`` (channels × m) and ``positions`` (m,) as ``flicker.flicker_step`` returns them;
    ``step``: input samples per Pinst value (``design.box · design.step``). Each closed interval
    gives ``(end position, Pst per channel, coverage per channel)``, coverage being the fraction
    of the interval covered by valid Pinst values (1.0 for a complete one; Pst is NaN at 0).
    An interval closes on the first value at or past its end.
    """
    pinst = np.atleast_2d(np.asarray(pinst, dtype=float))
    positions = np.asarray(positions)
    done: list[tuple[float, np.ndarray, np.ndarray]] = []
    start, counts, seen = state.start, state.counts, state.seen
    if counts is None:
        counts = np.zeros((pinst.shape[0], N_CLASSES), dtype=np.int64)
        seen = np.zeros(pinst.shape[0], dtype=np.int64)
    lo = int(np.searchsorted(positions, start, side="left"))
    while lo < positions.size:
        end = start + state.interval
        hi = int(np.searchsorted(positions, end, side="left"))
        if hi > lo:
            part = pinst[:, lo:hi]
            counts = counts + classify(part)
            seen = seen + np.sum(~np.isnan(part), axis=1)
        if hi >= positions.size:
            break
        coverage = np.minimum(seen * step / state.interval, 1.0)
        done.append((end, pst_from_counts(counts), coverage))
        counts = np.zeros_like(counts)
        seen = np.zeros_like(seen)
        start, lo = end, hi
    return done, PstState(start=start, interval=state.interval, counts=counts, seen=seen)
