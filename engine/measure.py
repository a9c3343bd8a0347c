"""Every quantity of one IEC 61000-4-30 10/12-cycle window, as one row of numbers.

A ``Layout`` fixes, once per wiring, which quantity ids a window reports and where each sits in
the row; ``measure_windows`` fills the rows of all windows that a block completes. Rows instead
of dicts keep the per-window cost low (the engine runs hundreds of times faster than real time).

Definitions:
- rms: true rms over the window (IEC 61000-4-30 §5.2), edges weighted (``dsp.integrate``);
- power (IEEE 1459-2010): P = mean(v·i); S = V·I; Q = fundamental reactive power
  V1·I1·sin(θv - θi), positive when the current lags (inductive, quadrants I and II);
  PF = P/S and DPF = P1/S1, both carrying the sign of the active power;
  totals: P and Q summed, S_TOT = Σ S (arithmetic); in 3W-DELTA, where per-phase values do not
  exist, S_TOT is the effective apparent power Se = 3·Ve·Ie (IEEE 1459-2010 §3.2.2.7) and the
  fundamental totals come from the two-wattmeter sum with phase B as reference;
- harmonics: ``dsp.harmonics`` subgroups, H in % of the fundamental subgroup, angles in degrees
  referred to the reference fundamental (see ``engine.quantities``);
- sequence components and unbalance from the fundamental phasors (IEC 61000-4-30 §5.7.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from engine.dsp import harmonics
from engine.dsp.symmetrical import sequence_components, unbalance
from engine.quantities import MAX_HARMONIC
from engine.wiring import INPUTS, WiringPlan, row_picks

_SQRT3 = np.sqrt(3.0)
# A harmonic smaller than this fraction of its fundamental has no meaningful angle.
_ANGLE_FLOOR = 1e-5


@dataclass(frozen=True)
class Layout:
    """The quantity ids one window reports, in row order."""

    plan: WiringPlan
    ids: tuple[str, ...]
    index: MappingProxyType

    def columns(self, ids: list[str]) -> np.ndarray:
        return np.array([self.index[i] for i in ids], dtype=int)


def layout_for(plan: WiringPlan) -> Layout:
    ids: list[str] = ["FREQ"]
    ids += [qid for qid, _ in plan.rms]
    if len(plan.line_to_neutral) == 3:
        ids.append("V_LN_AVG")
    if len(plan.line_to_line) == 3:
        ids.append("V_LL_AVG")
    ids.append("I_AVG")
    for ph in (*plan.phases, "TOT"):
        ids += [f"P_{ph}", f"Q_{ph}", f"S_{ph}", f"PF_{ph}", f"DPF_{ph}"]
    for ch, _ in plan.spectral:
        ids += [f"{ch}_1", f"HA_{ch}_1", f"THD_{ch}", f"CF_{ch}"]
        if ch.startswith("I"):
            ids += [f"TDD_{ch}", f"KF_{ch}"]
    for ch, _ in plan.spectral:
        ids += [f"H_{ch}_{h}" for h in range(2, MAX_HARMONIC + 1)]
        ids += [f"HA_{ch}_{h}" for h in range(2, MAX_HARMONIC + 1)]
    if plan.sequence_v:
        ids += ["V_SEQ_POS", "V_SEQ_NEG", "U2_V", "PHASE_ROTATION"]
        if plan.line_to_neutral:
            ids += ["V_SEQ_ZERO", "U0_V"]
    if plan.sequence_i:
        ids += ["I_SEQ_POS", "I_SEQ_NEG", "I_SEQ_ZERO", "U2_I", "U0_I"]
    return Layout(plan, tuple(ids), MappingProxyType({q: i for i, q in enumerate(ids)}))


def instantaneous_rows(
    plan: WiringPlan, samples: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Squares of every rms signal, then the instantaneous power of every power phase.

    ``samples``: shape (8, n), rows ``wiring.INPUTS`` [V, A]. Returns (in ``out`` if given)
    shape (rows, n), the integrands whose window means give rms² [V², A²] and P [W].
    """
    n_rms = len(plan.rms)
    if out is None:
        out = np.empty((n_rms + len(plan.power), samples.shape[1]))
    # Each rms signal is one input or a difference/sum of two: element-wise ops beat a matmul.
    for r, (_, mix) in enumerate(plan.rms):
        (first, *rest) = np.flatnonzero(mix)
        np.multiply(samples[first], mix[first], out=out[r])
        for j in rest:
            if mix[j] == 1.0:
                np.add(out[r], samples[j], out=out[r])
            elif mix[j] == -1.0:
                np.subtract(out[r], samples[j], out=out[r])
            else:
                out[r] += mix[j] * samples[j]
        np.square(out[r], out=out[r])
    row = {name: i for i, name in enumerate(INPUTS)}
    for k, (_, pairs) in enumerate(plan.power):
        p = out[n_rms + k]
        np.multiply(samples[row[pairs[0][0]]], samples[row[pairs[0][1]]], out=p)
        for v, i in pairs[1:]:
            p += samples[row[v]] * samples[row[i]]
    return out


def _wrap_deg(angle: np.ndarray) -> np.ndarray:
    """Angles [deg] wrapped to (-180, 180]."""
    return 180.0 - np.mod(180.0 - angle, 360.0)


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """num / den, NaN where den is 0 (callers run under ``np.errstate(all="ignore")``)."""
    return np.where(np.asarray(den) != 0, np.asarray(num) / np.asarray(den), np.nan)


def measure_windows(
    layout: Layout,
    samples: np.ndarray,
    means: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    cycles: np.ndarray,
    sample_rate: float,
    tdd_current: float,
    frequency_known: np.ndarray,
) -> np.ndarray:
    """Rows of quantities for the windows [starts[w], ends[w]].

    Parameters
    ----------
    samples : ndarray, shape (8, n)
        Buffer of input samples [V, A]; positions are sample indices into it.
    means : ndarray, shape (rows, W)
        Means of ``instantaneous_rows(layout.plan, samples)`` over each window
        (``dsp.integrate.window_means``): rms² [V², A²] and P [W].
    starts, ends : ndarray of float
        Window edges [samples], each window a whole number of fundamental cycles.
    cycles : ndarray
        Cycles in each window (10 or 12; the nominal count when no frequency could be tracked).
    sample_rate : float
        [Hz]
    tdd_current : float
        I_L [A] for TDD (IEEE 519).
    frequency_known : ndarray of bool
        False where the window was timed from the nominal frequency (no usable reference):
        FREQ is NaN there.

    Returns
    -------
    ndarray, shape (len(starts), len(layout.ids))
    """
    plan = layout.plan
    idx = layout.index
    n_win = len(starts)
    out = np.full((n_win, len(layout.ids)), np.nan)
    if n_win == 0:
        return out
    with np.errstate(all="ignore"):
        n_rms = len(plan.rms)
        rms = np.sqrt(np.maximum(means[:n_rms], 0.0))
        rms_of = {q: rms[i] for i, (q, _) in enumerate(plan.rms)}
        p_mean = {ph: means[n_rms + k] for k, (ph, _) in enumerate(plan.power)}
        known = np.asarray(frequency_known, dtype=bool)
        out[:, idx["FREQ"]] = np.where(known, cycles * sample_rate / (ends - starts), np.nan)
        out[:, layout.columns([q for q, _ in plan.rms])] = rms.T
        if "V_LN_AVG" in idx:
            out[:, idx["V_LN_AVG"]] = np.mean([rms_of[q] for q in plan.line_to_neutral], axis=0)
        if "V_LL_AVG" in idx:
            out[:, idx["V_LL_AVG"]] = np.mean([rms_of[q] for q in plan.line_to_line], axis=0)
        out[:, idx["I_AVG"]] = np.mean([rms_of[q] for q in plan.line_currents], axis=0)

        phasors, subgroups, peaks = _spectra(plan, samples, starts, ends, cycles)
        crest = peaks / np.array([rms_of[ch] for ch, _ in plan.spectral]).T
        _harmonics(layout, out, phasors, subgroups, crest, tdd_current)
        fund = {ch: phasors[:, i, 1] for i, (ch, _) in enumerate(plan.spectral)}
        _powers(layout, out, fund, p_mean, rms_of)
        _sequences(layout, out, fund)
    return out


def _spectra(
    plan: WiringPlan, samples: np.ndarray, starts: np.ndarray, ends: np.ndarray, cycles: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Harmonic phasors, subgroups (W, channels, 64; NaN above Nyquist) and peak values."""
    mix = plan.spectral_mix
    n_ch = mix.shape[0]
    picks = row_picks(mix)
    n_win = len(starts)
    phasors = np.full((n_win, n_ch, MAX_HARMONIC + 1), np.nan, dtype=complex)
    subgroups = np.full((n_win, n_ch, MAX_HARMONIC + 1), np.nan)
    peaks = np.empty((n_win, n_ch))
    first = np.rint(starts).astype(int)
    # FFT-friendly lengths near the windows' (the leakage model is exact for any length).
    length = np.array(
        [harmonics.fast_length(round(e - s)) for s, e in zip(starts, ends, strict=True)]
    )
    length = np.minimum(length, samples.shape[1] - first)
    for m in np.unique(length):
        group = np.flatnonzero(length == m)
        if picks is not None:  # each channel one input row as it is: no arithmetic
            seg = np.stack([samples[picks, first[w] : first[w] + m] for w in group])
        else:
            seg = np.stack([mix @ samples[:, first[w] : first[w] + m] for w in group])
        peaks[group] = np.maximum(seg.max(axis=-1), -seg.min(axis=-1))
        c = cycles[group] * m / (ends[group] - starts[group])
        ph, sg, top = harmonics.analyse_windows(seg, c)
        phasors[group, :, : top + 1] = ph
        subgroups[group, :, : top + 1] = sg
    return phasors, subgroups, peaks


def _harmonics(layout, out, phasors, subgroups, crest, tdd_current) -> None:
    """Fundamental phasors, THD, TDD, K-factor, crest factor, H and HA into ``out``."""
    plan = layout.plan
    spectral_ids = [ch for ch, _ in plan.spectral]
    ref_angle = np.angle(phasors[:, 0, 1])[:, None]  # (W, 1)
    out[:, layout.columns([f"{ch}_1" for ch in spectral_ids])] = np.abs(phasors[:, :, 1])
    out[:, layout.columns([f"HA_{ch}_1" for ch in spectral_ids])] = _wrap_deg(
        np.degrees(np.angle(phasors[:, :, 1]) - ref_angle)
    )
    sg = np.nan_to_num(subgroups)  # orders above Nyquist add nothing to THD
    out[:, layout.columns([f"THD_{ch}" for ch in spectral_ids])] = harmonics.thd(sg)
    out[:, layout.columns([f"CF_{ch}" for ch in spectral_ids])] = crest
    cur = [i for i, ch in enumerate(spectral_ids) if ch.startswith("I")]
    if cur:
        names = [spectral_ids[i] for i in cur]
        out[:, layout.columns([f"TDD_{c}" for c in names])] = harmonics.tdd(sg[:, cur], tdd_current)
        out[:, layout.columns([f"KF_{c}" for c in names])] = harmonics.k_factor(sg[:, cur])
    # H_ and HA_ blocks: per channel, orders 2..63 then their angles (see layout_for).
    rel = _ratio(subgroups[:, :, 2:], subgroups[:, :, 1:2])  # (W, C, 62)
    orders = np.arange(2, MAX_HARMONIC + 1)
    ang = _wrap_deg(np.degrees(np.angle(phasors[:, :, 2:]) - orders * ref_angle[:, :, None]))
    ang = np.where(rel > _ANGLE_FLOOR, ang, np.nan)
    start = layout.index[f"H_{spectral_ids[0]}_2"]
    span = 2 * (MAX_HARMONIC - 1)
    block = out[:, start : start + span * len(spectral_ids)].reshape(len(out), -1, span)
    block[:, :, : MAX_HARMONIC - 1] = 100.0 * rel
    block[:, :, MAX_HARMONIC - 1 :] = ang


def _powers(layout, out, fund, p_mean, rms_of) -> None:
    """Per-phase and total P, Q, S, PF, DPF into ``out`` (IEEE 1459-2010)."""
    plan = layout.plan
    idx = layout.index
    p_tot = q_tot = s_tot = p1_tot = s1_tot = 0.0
    for phase in plan.phases:
        s1 = fund[f"V_{phase}"] * np.conj(fund[f"I_{phase}"])
        p, q = p_mean[phase], s1.imag
        s = rms_of[f"V_{phase}"] * rms_of[f"I_{phase}"]
        out[:, idx[f"P_{phase}"]], out[:, idx[f"Q_{phase}"]], out[:, idx[f"S_{phase}"]] = p, q, s
        out[:, idx[f"PF_{phase}"]] = _ratio(p, s)
        out[:, idx[f"DPF_{phase}"]] = _ratio(s1.real, np.abs(s1))
        p_tot, q_tot, s_tot = p_tot + p, q_tot + q, s_tot + s
        p1_tot, s1_tot = p1_tot + s1.real, s1_tot + np.abs(s1)
    if plan.wiring == "3W-DELTA":
        p_tot = p_mean["TOT"]
        # Two-wattmeter form, reference at phase B: V_AB·I_A* + V_CB·I_C*.
        s1 = fund["V_AB"] * np.conj(fund["I_A"]) - fund["V_BC"] * np.conj(fund["I_C"])
        q_tot, p1_tot, s1_tot = s1.imag, s1.real, np.abs(s1)
        v_e = np.sqrt(sum(rms_of[q] ** 2 for q in plan.line_to_line) / 9.0)
        i_e = np.sqrt(sum(rms_of[q] ** 2 for q in plan.line_currents) / 3.0)
        s_tot = 3.0 * v_e * i_e
    out[:, idx["P_TOT"]], out[:, idx["Q_TOT"]], out[:, idx["S_TOT"]] = p_tot, q_tot, s_tot
    out[:, idx["PF_TOT"]] = _ratio(p_tot, s_tot)
    out[:, idx["DPF_TOT"]] = _ratio(p1_tot, s1_tot)


def _sequences(layout, out, fund) -> None:
    """Symmetrical components, unbalance and phase rotation into ``out``."""
    plan = layout.plan
    idx = layout.index
    if plan.sequence_v:
        zero, pos, neg = sequence_components(*(fund[c] for c in plan.sequence_v))
        u2, u0 = unbalance(zero, pos, neg)
        out[:, idx["V_SEQ_POS"]], out[:, idx["V_SEQ_NEG"]], out[:, idx["U2_V"]] = (
            np.abs(pos), np.abs(neg), u2,
        )  # fmt: skip
        # ABC when the positive sequence dominates; undecided with no voltage.
        out[:, idx["PHASE_ROTATION"]] = np.sign(np.abs(pos) - np.abs(neg))
        if "U0_V" in idx:
            out[:, idx["V_SEQ_ZERO"]], out[:, idx["U0_V"]] = np.abs(zero), u0
    if plan.sequence_i:
        zero, pos, neg = sequence_components(*(fund[c] for c in plan.sequence_i))
        u2, u0 = unbalance(zero, pos, neg)
        out[:, idx["I_SEQ_POS"]], out[:, idx["I_SEQ_NEG"]] = np.abs(pos), np.abs(neg)
        out[:, idx["I_SEQ_ZERO"]], out[:, idx["U2_I"]], out[:, idx["U0_I"]] = np.abs(zero), u2, u0
