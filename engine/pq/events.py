"""Voltage dips, swells and interruptions per IEC 61000-4-30 §5.4 (dips, swells) and §5.5
(interruptions), detected from the Urms(1/2) values of the voltage channels (§5.4.2.1).

Thresholds are in % of the declared input voltage Udin and are user settings
(power-quality.md §2, "typical thresholds"; defaults dip 90 %, swell 110 %, interruption 10 %,
hysteresis 2 %). With Urms(1/2) values u_c on channels c (power-quality.md §2 table):
- dip: starts when u_c < dip on any channel, ends when u_c >= dip + hysteresis on all channels;
- swell: starts when u_c > swell on any channel, ends when u_c <= swell - hysteresis on all;
- interruption: starts when u_c < interruption on all channels, ends when u_c >=
  interruption + hysteresis on any channel.
Each channel also has its own dip and swell (phase "A", "B", ...), the polyphase ones having
phase "POLY"; with one channel there is no separate polyphase dip or swell, and the interruption
carries the channel's phase. An interruption is also a dip on every channel: both are reported.
Start: the time stamp of the Urms(1/2) value that starts the event; end: that of the first value
that ends it; duration = end - start. Residual (dips, interruptions): the lowest Urms(1/2) during
the event on the channels concerned; swells: the highest; both in % of Udin.

Streaming: ``detect_events`` takes the values of one block and an ``EventState`` and returns the
events that ended in the block and the new state (the ``zi`` style); an event spanning blocks is
reported once, when it ends. ``events_in_progress`` gives the open ones for the display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from engine.pq.curves import itic_region, semi_f47

__all__ = [
    "Event",
    "EventSettings",
    "EventState",
    "classified",
    "detect_events",
    "events_in_progress",
    "initial_event_state",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def check_numbers(settings, names: str) -> None:
    """``ValueError`` unless each attribute in ``names`` (space separated) is a finite number."""
    for name in names.split():
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")


@dataclass(frozen=True)
class EventSettings:
    """Dip / swell / interruption thresholds (IEC 61000-4-30 §5.4.3, §5.5.3: user settings).

    ``declared_voltage``: Udin [V] (line-to-neutral, or line-to-line where the channels are
    line-to-line). Percentages are of Udin. ``per_phase``: also report each channel's own dips
    and swells, not only the polyphase ones.
    """

    declared_voltage: float
    dip_pct: float = 90.0
    swell_pct: float = 110.0
    interruption_pct: float = 10.0
    hysteresis_pct: float = 2.0
    per_phase: bool = True

    def __post_init__(self) -> None:
        check_numbers(self, "declared_voltage dip_pct swell_pct interruption_pct hysteresis_pct")
        if self.declared_voltage <= 0:
            raise ValueError(f"declared_voltage must be > 0 V, got {self.declared_voltage!r}")
        if not 0 < self.interruption_pct < self.dip_pct < 100 < self.swell_pct:
            raise ValueError(
                "thresholds must satisfy 0 < interruption < dip < 100 < swell (% of the declared"
                f" voltage), got interruption {self.interruption_pct}, dip {self.dip_pct},"
                f" swell {self.swell_pct}"
            )
        h = self.hysteresis_pct
        if not (0 <= h < min(100 - self.dip_pct, self.swell_pct - 100)
                and self.interruption_pct + h <= self.dip_pct):  # fmt: skip
            raise ValueError(
                f"hysteresis_pct {h} must be >= 0 and leave the end levels dip + hysteresis"
                " below 100 %, swell - hysteresis above 100 % and interruption + hysteresis"
                " at most the dip threshold"
            )
        if not isinstance(self.per_phase, bool):
            raise ValueError(f"per_phase must be True or False, got {self.per_phase!r}")

    def volts(self, pct: float) -> float:
        """``pct`` % of Udin, in [V]."""
        return pct / 100.0 * self.declared_voltage


@dataclass(frozen=True)
class Event:
    """One voltage event, with the fields of the ``analyze`` JSON contract (issue 3).

    ``type``: "dip" | "swell" | "interruption" | "rvc"; ``phase``: the channel ("A", "B", "C",
    or "AB", "BC", "CA" for line-to-line channels) or "POLY"; ``start``: UTC; ``duration_s``
    [s]; ``extreme_pct``: residual (dips, interruptions) or maximum (swells) Urms(1/2) [% of
    Udin] (RVC: the Urms(1/2) farthest from the pre-event mean); ``itic`` / ``semi_f47``:
    classifications (``engine.pq.curves``); ``direction`` / ``confidence``: disturbance
    direction (filled elsewhere); ``delta_umax_pct`` / ``delta_uss_pct``: RVC only, ΔUmax and
    ΔUss [% of Udin]; ``in_progress``: True for a view of an event that has not ended yet.
    """

    type: str
    phase: str
    start: datetime
    duration_s: float
    extreme_pct: float
    itic: str | None = None
    semi_f47: str | None = None
    direction: str = "unknown"
    confidence: float = 0.0
    delta_umax_pct: float | None = None
    delta_uss_pct: float | None = None
    in_progress: bool = False

    def to_json(self) -> dict:
        """The event as the ``analyze`` JSON record (start as ISO-8601; ΔU fields for RVCs)."""
        keys = ["type", "phase", "start", "duration_s", "extreme_pct", "itic", "semi_f47",
                "direction", "confidence"]  # fmt: skip
        if self.type == "rvc":
            keys += ["delta_umax_pct", "delta_uss_pct"]
        out = {k: getattr(self, k) for k in keys} | {"start": self.start.isoformat()}
        if self.in_progress:
            out["in_progress"] = True
        return out


def classified(event: Event) -> Event:
    """``event`` with ``itic`` and ``semi_f47`` filled (``engine.pq.curves``) from its duration
    and ``extreme_pct``; SEMI F47 applies to sags (dips, interruptions), others get "n/a"."""
    sag = event.type in ("dip", "interruption")
    return replace(
        event,
        itic=itic_region(event.duration_s, event.extreme_pct),
        semi_f47=semi_f47(event.duration_s, event.extreme_pct) if sag else "n/a",
    )


@dataclass(frozen=True, eq=False)
class EventState:
    """Streaming state between blocks: per detector (``_detectors`` order) whether an event is
    open, its start [µs since the Unix epoch] and its extreme so far [V]; the last time seen."""

    phases: tuple[str, ...]
    active: np.ndarray
    start_us: np.ndarray
    extreme: np.ndarray
    last_us: int | None = None


def _detectors(phases: Sequence[str], per_phase: bool) -> list[tuple[str, str]]:
    """(type, phase) of each detector, in the row order of ``_triggers``."""
    rows: list[tuple[str, str]] = []
    if per_phase or len(phases) == 1:
        rows += [("dip", p) for p in phases] + [("swell", p) for p in phases]
    if len(phases) > 1:
        rows += [("dip", "POLY"), ("swell", "POLY")]
    rows.append(("interruption", "POLY" if len(phases) > 1 else phases[0]))
    return rows


def initial_event_state(phases: Sequence[str], settings: EventSettings) -> EventState:
    """State for a fresh stream of the voltage channels ``phases`` (e.g. ("A", "B", "C"))."""
    phases = tuple(phases)
    if not phases or len(set(phases)) != len(phases) or "POLY" in phases:
        raise ValueError(f"phases must be distinct channel names other than POLY, got {phases}")
    d = len(_detectors(phases, settings.per_phase))
    return EventState(phases, np.zeros(d, bool), np.zeros(d, np.int64), np.full(d, np.nan), None)


def stream_inputs(
    times: np.ndarray, values: np.ndarray, n_channels: int, last_us: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Checked (times [µs since the epoch, int64], values (channels, n) [V]) of one block."""
    times = np.asarray(times)
    if times.ndim != 1 or times.dtype.kind != "M":
        raise ValueError(f"times must be a 1-D datetime64 array, got {times.dtype} {times.shape}")
    t_us = times.astype("datetime64[us]", copy=False).view(np.int64)
    v = np.asarray(values, dtype=float)
    if v.ndim == 1 and n_channels == 1:
        v = v[None, :]
    if v.shape != (n_channels, len(t_us)):
        raise ValueError(
            f"values must have shape ({n_channels}, {len(t_us)}) (channels, times), got {v.shape}"
        )
    if v.size and not 0 <= v.min() <= v.max() < np.inf:  # NaN fails too
        raise ValueError("Urms(1/2) values must be finite and >= 0 V")
    if len(t_us) and (
        not (t_us[1:] > t_us[:-1]).all() or (last_us is not None and t_us[0] <= last_us)
    ):
        raise ValueError("Urms(1/2) times must increase, also from one block to the next")
    return t_us, v


def latch(set_: np.ndarray, reset: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """A set/reset latch along axis 1: True from a ``set_`` sample on, False from a ``reset``
    one, unchanged elsewhere (``initial`` (rows,) before the first sample). ``set_`` wins."""
    n = set_.shape[1]
    code = np.full(set_.shape, -1, dtype=np.int8)
    code[reset] = 0
    code[set_] = 1
    idx = np.where(code >= 0, np.arange(n), -1)
    np.maximum.accumulate(idx, axis=1, out=idx)
    held = np.take_along_axis(code, np.maximum(idx, 0), axis=1) == 1
    return np.where(idx >= 0, held, initial[:, None])


def _triggers(v: np.ndarray, s: EventSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end conditions (rows = ``_detectors``) and the values whose min (dips,
    interruptions) or max (swells) is the event's extreme [V]."""
    c = v.shape[0]
    below, recovered = v < s.volts(s.dip_pct), v >= s.volts(s.dip_pct + s.hysteresis_pct)
    over, settled = v > s.volts(s.swell_pct), v <= s.volts(s.swell_pct - s.hysteresis_pct)
    enter: list[np.ndarray] = []
    leave: list[np.ndarray] = []
    ext: list[np.ndarray] = []
    if s.per_phase or c == 1:
        enter += [below, over]
        leave += [recovered, settled]
        ext += [v, v]
    low, high = v.min(axis=0)[None], v.max(axis=0)[None]
    if c > 1:
        enter += [below.any(axis=0)[None], over.any(axis=0)[None]]
        leave += [recovered.all(axis=0)[None], settled.all(axis=0)[None]]
        ext += [low, high]
    enter.append((v < s.volts(s.interruption_pct)).all(axis=0)[None])
    leave.append((v >= s.volts(s.interruption_pct + s.hysteresis_pct)).any(axis=0)[None])
    ext.append(low)
    return np.concatenate(enter), np.concatenate(leave), np.concatenate(ext)


def _time(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(us))


def detect_events(
    times: np.ndarray, values: np.ndarray, state: EventState, settings: EventSettings
) -> tuple[list[Event], EventState]:
    """Feed one block of Urms(1/2) values; return the events that ended in it and the new state.

    Parameters
    ----------
    times : ndarray of datetime64, shape (n,)
        UTC time stamps of the values (the end of each half cycle), increasing across blocks.
    values : ndarray, shape (channels, n)
        Urms(1/2) [V] of the channels ``state.phases`` (e.g. the voltage rows of
        ``BlockResult.half_cycle``, see ``voltage_channels``).
    state : EventState
        From the previous call, or ``initial_event_state``.
    settings : EventSettings

    Events come in the order they ended, classified on the ITIC and SEMI F47 curves.
    """
    t_us, v = stream_inputs(times, values, len(state.phases), state.last_us)
    n = len(t_us)
    if n == 0:
        return [], state
    if (
        not state.active.any()
        and settings.volts(settings.dip_pct) <= v.min()
        and v.max() <= (settings.volts(settings.swell_pct))
    ):
        return [], replace(state, last_us=int(t_us[-1]))  # nothing open, nothing can start
    detectors = _detectors(state.phases, settings.per_phase)
    enter, leave, ext = _triggers(v, settings)
    active = latch(enter, leave, state.active)
    prev = np.concatenate([state.active[:, None], active[:, :-1]], axis=1)
    start_us, extreme = state.start_us.copy(), state.extreme.copy()
    done: list[tuple[int, int, Event]] = []
    for d in np.flatnonzero(state.active | active.any(axis=1)):
        kind, phase = detectors[d]
        reduce = np.fmax if kind == "swell" else np.fmin
        starts = np.flatnonzero(active[d] & ~prev[d]).tolist()
        ends = np.flatnonzero(~active[d] & prev[d]).tolist()
        if state.active[d]:
            starts.insert(0, -1)  # the event carried in from the previous block
        for k, a in enumerate(starts):
            b = ends[k] if k < len(ends) else n
            seg = ext[d, max(a, 0) : b]
            x = reduce.reduce(seg) if seg.size else np.nan
            if a < 0:
                first, x = int(state.start_us[d]), reduce(state.extreme[d], x)
            else:
                first = int(t_us[a])
            if b < n:
                event = Event(kind, phase, _time(first), (int(t_us[b]) - first) / 1e6,
                              100.0 * float(x) / settings.declared_voltage)  # fmt: skip
                done.append((int(t_us[b]), int(d), classified(event)))
            else:
                start_us[d], extreme[d] = first, x
    done.sort(key=lambda item: item[:2])
    new = EventState(state.phases, active[:, -1].copy(), start_us, extreme, int(t_us[-1]))
    return [e for _, _, e in done], new


def events_in_progress(state: EventState, settings: EventSettings) -> list[Event]:
    """The open events (``in_progress=True``; duration and extreme so far, not classified)."""
    if not state.active.any():
        return []
    detectors = _detectors(state.phases, settings.per_phase)
    return [
        Event(kind, phase, _time(state.start_us[d]),
              (state.last_us - int(state.start_us[d])) / 1e6,
              100.0 * float(state.extreme[d]) / settings.declared_voltage, in_progress=True)
        for d, (kind, phase) in enumerate(detectors) if state.active[d]
    ]  # fmt: skip
