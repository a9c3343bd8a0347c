"""Rapid voltage changes (RVC) per IEC 61000-4-30 Ed. 3 §5.11, from Urms(1/2) values.

Method (§5.11.2; power-quality.md §2 row "RVC (Ed. 3)"), with N = 100 values at 50 Hz and
120 at 60 Hz:
- a channel is in steady state when all of its last N Urms(1/2) values lie within the RVC
  threshold of their arithmetic mean; once it has left, it is steady again only when they lie
  within threshold - hysteresis (the hysteresis is less than the threshold, §5.11.2 NOTE 2);
- the polyphase steady state is the AND of the channels';
- an RVC starts when the steady state turns false and ends when it is true again; if the
  dip or swell threshold is crossed meanwhile (the channel is in a dip or swell per
  ``engine.pq.events``, hysteresis included), it is a dip or swell and the RVC is discarded;
  values in a dip or swell never count towards a steady state, so detection starts afresh
  with N new values after one (and at the start of the stream);
- ΔUmax = the largest |Urms(1/2) - pre-event mean| while not steady; ΔUss = |post-event mean -
  pre-event mean|, the pre-event mean being that of the last N values before the start, the
  post-event mean that of the N values that restore the steady state; in % of Udin; over the
  channels for the polyphase event.
Start: the time stamp of the first value that is not steady. End: that of the first of the N
values that restore the steady state: "RVC event duration is 100/120 half cycles shorter than
the duration between adjacent steady states" (Metrel MI 2885 manual p. 200, cited in
power-quality.md §2), so an ideal step has duration 0. On a slow ramp the window that restores
the steady state can begin before the start (the window mean follows the ramp, so the start is
late): the duration is then 0, not negative.
Each channel reports its own RVCs (phase "A", ...) and, with several channels, the polyphase
one ("POLY"); ``extreme_pct`` is the Urms(1/2) farthest from its pre-event mean, in % of Udin,
which also places the event on the ITIC curve (SEMI F47: "n/a").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine.pq.events import (
    Event,
    EventSettings,
    _time,
    check_numbers,
    classified,
    latch,
    stream_inputs,
)

__all__ = [
    "RvcSettings",
    "RvcState",
    "detect_rvc",
    "initial_rvc_state",
    "rvc_in_progress",
    "values_per_window",
]


@dataclass(frozen=True)
class RvcSettings:
    """RVC threshold and hysteresis [% of Udin], user settings (IEC 61000-4-30 §5.11.2: 1-6 %
    considered; hysteresis less than the threshold, about half of it suggested). The default
    3.3 % is the low-voltage figure of IEC 61000-3-3 quoted there."""

    threshold_pct: float = 3.3
    hysteresis_pct: float = 1.65

    def __post_init__(self) -> None:
        check_numbers(self, "threshold_pct hysteresis_pct")
        if not self.threshold_pct > 0:
            raise ValueError(f"threshold_pct must be > 0 %, got {self.threshold_pct!r}")
        if not 0 <= self.hysteresis_pct < self.threshold_pct:
            raise ValueError(
                f"hysteresis_pct must be >= 0 and less than the threshold {self.threshold_pct} %"
                f" (IEC 61000-4-30 §5.11.2), got {self.hysteresis_pct!r}"
            )


def values_per_window(nominal_frequency: float) -> int:
    """N, the Urms(1/2) values of a steady-state test: 100 at 50 Hz, 120 at 60 Hz (one second)."""
    if nominal_frequency == 50:
        return 100
    if nominal_frequency == 60:
        return 120
    raise ValueError(f"nominal frequency must be 50 or 60 Hz, got {nominal_frequency!r}")


@dataclass(frozen=True, eq=False)
class RvcState:
    """Streaming state between blocks.

    ``tail`` (channels, N): the last N values [V], NaN where in a dip or swell or not yet seen;
    ``tail_us``: their times [µs since the epoch]; ``dip`` / ``swell`` / ``steady`` (channels,):
    latches at the last value; per signal (each channel, then POLY): ``open`` (an RVC that may
    still be reported), ``start_us``, ``pre_mean`` (channels,) [V], ``du_max`` [V] and ``far``
    (the value farthest from the pre-event mean) [V]; ``last_us``: the last time seen.
    """

    phases: tuple[str, ...]
    tail: np.ndarray
    tail_us: np.ndarray
    dip: np.ndarray
    swell: np.ndarray
    steady: np.ndarray
    open: np.ndarray
    start_us: np.ndarray
    pre_mean: np.ndarray
    du_max: np.ndarray
    far: np.ndarray
    last_us: int | None = None


def _signals(phases: tuple[str, ...], per_phase: bool) -> tuple[list[str], np.ndarray]:
    """Phase label and member channels (signals, channels) of each steady-state signal."""
    c = len(phases)
    labels: list[str] = []
    members: list[np.ndarray] = []
    if per_phase or c == 1:
        labels += list(phases)
        members += list(np.eye(c, dtype=bool))
    if c > 1:
        labels.append("POLY")
        members.append(np.ones(c, dtype=bool))
    return labels, np.array(members)


def initial_rvc_state(
    phases: Sequence[str], nominal_frequency: float, events: EventSettings
) -> RvcState:
    """State for a fresh stream of the voltage channels ``phases`` at ``nominal_frequency``
    [Hz] (50 or 60); ``events``: the dip/swell settings that bound an RVC."""
    phases = tuple(phases)
    if not phases or len(set(phases)) != len(phases) or "POLY" in phases:
        raise ValueError(f"phases must be distinct channel names other than POLY, got {phases}")
    n, c = values_per_window(nominal_frequency), len(phases)
    s = len(_signals(phases, events.per_phase)[0])
    return RvcState(
        phases, np.full((c, n), np.nan), np.zeros(n, np.int64), np.zeros(c, bool),
        np.zeros(c, bool), np.zeros(c, bool), np.zeros(s, bool), np.zeros(s, np.int64),
        np.full((s, c), np.nan), np.zeros(s), np.full(s, np.nan),
    )  # fmt: skip


def detect_rvc(
    times: np.ndarray,
    values: np.ndarray,
    state: RvcState,
    settings: RvcSettings,
    events: EventSettings,
) -> tuple[list[Event], RvcState]:
    """Feed one block of Urms(1/2) values; return the RVCs that ended in it and the new state.

    ``times`` (n,) datetime64 (UTC, increasing across blocks), ``values`` (channels, n) [V] of
    ``state.phases``, as for ``engine.pq.events.detect_events``; ``events``: Udin and the dip
    and swell thresholds. Events come in the order they ended.
    """
    t_us, v = stream_inputs(times, values, len(state.phases), state.last_us)
    n = len(t_us)
    if n == 0:
        return [], state
    e = events
    big_n = state.tail.shape[1]
    quiet = state.steady.all() and not (state.dip.any() or state.swell.any() or state.open.any())
    if quiet and e.volts(e.dip_pct) <= v.min() and v.max() <= e.volts(e.swell_pct):
        # No dip or swell can start; if the last N values and the block span no more than the
        # threshold, every window lies within it of its mean: all stays steady, nothing opens.
        x = np.concatenate([state.tail, v], axis=1)
        if (x.max(axis=1) - x.min(axis=1) <= e.volts(settings.threshold_pct)).all():
            t_ext = np.concatenate([state.tail_us, t_us])
            return [], replace(
                state, tail=x[:, -big_n:], tail_us=t_ext[-big_n:], last_us=int(t_us[-1])
            )
    dip = latch(v < e.volts(e.dip_pct), v >= e.volts(e.dip_pct + e.hysteresis_pct), state.dip)
    swell = latch(
        v > e.volts(e.swell_pct), v <= e.volts(e.swell_pct - e.hysteresis_pct), state.swell
    )
    excursion = dip | swell
    x = np.concatenate([state.tail, np.where(excursion, np.nan, v)], axis=1)
    t_ext = np.concatenate([state.tail_us, t_us])
    # Windows of N values ending at the value before each new one and at each new one.
    w = sliding_window_view(x, big_n, axis=1)
    mean = w.mean(axis=-1)
    dev = np.maximum(w.max(axis=-1) - mean, mean - w.min(axis=-1))  # NaN: not a clean window
    loose = dev[:, 1:] <= e.volts(settings.threshold_pct)
    tight = dev[:, 1:] <= e.volts(settings.threshold_pct - settings.hysteresis_pct)
    steady = latch(tight, ~loose, state.steady)

    labels, members = _signals(state.phases, e.per_phase)
    rows_steady = [steady[m].all(axis=0) for m in members]
    rows_prev = [bool(state.steady[m].all()) for m in members]
    out = [np.array(a, copy=True) for a in (state.open, state.start_us, state.pre_mean,
                                             state.du_max, state.far)]  # fmt: skip
    is_open, start_us, pre_mean, du_max, far = out
    done: list[tuple[int, int, Event]] = []
    for r, m in enumerate(members):
        cur = rows_steady[r]
        prev = np.concatenate([[rows_prev[r]], cur[:-1]])
        changes = np.flatnonzero(cur != prev)
        if not changes.size and not is_open[r]:
            continue
        pos = 0  # the open run's values before ``pos`` are already accounted for

        def accumulate(stop: int, r=r, m=m) -> None:
            nonlocal pos
            if is_open[r] and stop > pos:
                if excursion[m, pos:stop].any():
                    is_open[r] = False  # a dip or swell, not an RVC (§5.11.2)
                else:
                    d = np.abs(v[m, pos:stop] - pre_mean[r, m][:, None])
                    k = np.unravel_index(np.argmax(d), d.shape)
                    if d[k] >= du_max[r]:
                        du_max[r], far[r] = d[k], v[m, pos:stop][k]
            pos = stop

        for i in changes.tolist():
            accumulate(i)
            if not cur[i]:  # steady -> not steady: an RVC may start here
                is_open[r], start_us[r], du_max[r], far[r] = True, t_us[i], 0.0, np.nan
                pre_mean[r] = mean[:, i]
            elif is_open[r]:  # steady again: the RVC ends where the new steady window begins
                end = max(int(t_ext[i + 1]), int(start_us[r]))
                uss = float(np.max(np.abs(mean[m, i + 1] - pre_mean[r, m])))
                event = Event("rvc", labels[r], _time(start_us[r]), (end - start_us[r]) / 1e6,
                              _pct(far[r], e), delta_umax_pct=_pct(du_max[r], e),
                              delta_uss_pct=_pct(uss, e))  # fmt: skip
                done.append((int(t_us[i]), r, classified(event)))
                is_open[r] = False
        accumulate(n)
    done.sort(key=lambda item: item[:2])
    new = RvcState(
        state.phases, x[:, -big_n:].copy(), t_ext[-big_n:].copy(), dip[:, -1].copy(),
        swell[:, -1].copy(), steady[:, -1].copy(), is_open, start_us, pre_mean, du_max, far,
        int(t_us[-1]),
    )  # fmt: skip
    return [ev for _, _, ev in done], new


def _pct(volts: float, events: EventSettings) -> float:
    return 100.0 * float(volts) / events.declared_voltage


def rvc_in_progress(state: RvcState, events: EventSettings) -> list[Event]:
    """The open RVCs (``in_progress=True``; duration and ΔUmax so far, not classified)."""
    if not state.open.any():
        return []
    labels, _ = _signals(state.phases, events.per_phase)
    return [
        Event("rvc", labels[r], _time(state.start_us[r]),
              (state.last_us - int(state.start_us[r])) / 1e6, _pct(state.far[r], events),
              delta_umax_pct=_pct(state.du_max[r], events), in_progress=True)
        for r in np.flatnonzero(state.open).tolist()
    ]  # fmt: skip
