"""Demand: block and sliding (rolling) interval averages, with predicted and peak demand.

Terms as in ANSI C12.1 (Code for Electricity Metering, demand definitions) and the ION Sliding
Window Demand module:

- **block** interval demand: the average of a quantity over a fixed demand interval
  (e.g. 15 min); a new value at the end of each interval.
- **sliding** (rolling block) demand: the interval is divided into N sub-intervals; at the end of
  each sub-interval the demand is the average over the last N sub-intervals. Block is the case
  N = 1, and is computed that way here.

Boundaries are aligned to the clock: sub-intervals end at whole multiples of their length counted
from midnight UTC (a 15-min interval ends at :00, :15, :30 and :45 UTC). Leap seconds are ignored.
An external sync pulse (a digital input wired to the utility's demand pulse, ``sync``) ends the
open sub-interval where it comes, and the following ones are timed from it until the next pulse.

Each ``update`` covers ``[time − dt, time]``; its contribution is split across a boundary in
proportion to time. **Gaps**: time not covered by any update (before the first one, between an
update's start and the previous update's end, or while the value is NaN) is left out: a window's
demand is the integral over its covered time divided by that covered time, and NaN if nothing of
the window was covered. An update that overlaps the previous one counts only its new part; one
that ends at most 1 s before the previous end is ignored as stale; a larger step back (clock set
back) drops the open sub-interval and restarts accumulation at the new time.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.errors import InputError
from engine.snapshot import Extreme

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DAY_S = 86_400
_BACKSTEP_US = 1_000_000  # steps back up to this are stale updates, beyond it a clock change
_STATE_VERSION = 1
METHODS = ("block", "sliding")
#: The measurands of a DemandSet, in the order of ``DemandSet.update``'s arguments.
MEASURANDS = ("P", "Q", "S", "I")
NAN = math.nan


def to_us(time: datetime) -> int:
    """``time`` (timezone-aware) as whole microseconds since 1970-01-01 UTC."""
    try:
        return (time - _EPOCH) // _US
    except TypeError:
        raise ValueError(f"time must be a timezone-aware datetime (UTC), got {time!r}") from None


def from_us(us: int) -> datetime:
    """Microseconds since 1970-01-01 UTC as a UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


def _iso(us: int | None) -> str | None:
    return None if us is None else from_us(us).isoformat()


def _json_num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def dt_to_us(dt: float) -> int:
    """A duration ``dt`` [s] in whole microseconds; ``ValueError`` unless finite and ≥ 0."""
    if not 0.0 <= dt < math.inf:
        raise ValueError(f"demand update dt must be a finite duration >= 0 s, got {dt!r}")
    return round(dt * 1e6)


def _whole_divisor(x: object, of: int) -> int | None:
    """``x`` as an int if it is a whole number from 1 to ``of`` that divides ``of``, else None."""
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    n = int(x)
    return n if n == x and 1 <= n <= of and of % n == 0 else None


@dataclass(frozen=True)
class DemandSettings:
    """Demand method, interval [s] and sub-interval count (ignored, i.e. 1, for ``"block"``).

    The interval must divide 24 h so that boundaries fall at the same clock times every day;
    the sub-intervals must be whole seconds. Invalid values raise ``InputError`` (a
    ``ValueError``) naming the setting and its allowed range.
    """

    method: str = "block"
    interval: int = 900
    subintervals: int = 1

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError(f"demand method must be 'block' or 'sliding', got {self.method!r}")
        iv = _whole_divisor(self.interval, _DAY_S)
        if iv is None:
            raise InputError(
                "demand interval must be a whole number of seconds from 1 to 86400 that divides "
                f"24 h (e.g. 60, 300, 900, 1800, 3600), got {self.interval!r}"
            )
        object.__setattr__(self, "interval", iv)
        if self.method == "sliding":
            n = _whole_divisor(self.subintervals, iv)
            if n is None:
                raise InputError(
                    f"demand subintervals must be a whole number from 1 to {iv} that divides "
                    f"the {iv} s interval into whole seconds, got {self.subintervals!r}"
                )
            object.__setattr__(self, "subintervals", n)

    @property
    def n_sub(self) -> int:
        """Sub-intervals per window: 1 for block demand."""
        return self.subintervals if self.method == "sliding" else 1

    @property
    def sub_seconds(self) -> int:
        """Length of one sub-interval [s] (the whole interval for block demand)."""
        return self.interval // self.n_sub


class Demand:
    """Present, predicted and peak demand of one quantity (unit of the values fed: [W], [var],
    [VA] or [A]); see the module docstring for the method, alignment and gap rules."""

    def __init__(self, method: str = "block", interval: int = 900, subintervals: int = 1) -> None:
        self.settings = DemandSettings(method, interval, subintervals)
        self._n = self.settings.n_sub
        self._sub_us = self.settings.sub_seconds * 1_000_000
        self._peak = NAN
        self._peak_time: int | None = None
        self.reset()
        self.reset_peak()

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget all accumulation and the present demand (not the peak; see ``reset_peak``)."""
        self._sub_end: int | None = None  # [µs since epoch] end of the open sub-interval
        self._last_end: int | None = None  # [µs] end of the last update
        self._acc = 0.0  # [unit·s] integral over the covered part of the open sub-interval
        self._cov = 0.0  # [s] covered time of the open sub-interval
        # Completed sub-intervals of the window, oldest first: (integral [unit·s], covered [s]).
        self._window: deque[tuple[float, float]] = deque(maxlen=self._n)
        self._tail = (0.0, 0.0)  # sums of the newest N−1 entries: the rest of the open window
        self._latest = NAN  # [unit] the last finite value, the rate assumed for prediction
        self._present = NAN

    def reset_peak(self) -> None:
        """Clear the peak demand and its time (the front panel's Peak Demand reset)."""
        self._peak = NAN
        self._peak_time = None

    @property
    def present(self) -> float:
        """Average of the last completed window [unit]; NaN before one completes."""
        return self._present

    @property
    def peak(self) -> Extreme | None:
        """Highest present demand since the last peak reset, with the window end at which it was
        reached; None if there was none."""
        if self._peak_time is None:
            return None
        return Extreme(self._peak, from_us(self._peak_time))

    @property
    def predicted(self) -> float:
        """What the open window will average at its end [unit]: the integral so far (the open
        sub-interval plus, for sliding demand, the N−1 completed ones that stay in the window)
        plus the latest value × the time remaining, over the window's covered + remaining time."""
        if self._sub_end is None or self._last_end is None:
            return NAN
        acc, cov = self._tail[0] + self._acc, self._tail[1] + self._cov
        if math.isfinite(self._latest):
            rest = (self._sub_end - self._last_end) * 1e-6
            acc += self._latest * rest
            cov += rest
        return acc / cov if cov > 0.0 else NAN

    # -- accumulation ------------------------------------------------------------------------

    def update(self, time: datetime, dt: float, value: float) -> None:
        """Add an interval ending at ``time`` (UTC-aware), lasting ``dt`` [s], of average
        ``value`` [unit]. NaN ``value`` counts as not covered (a gap)."""
        end = to_us(time)
        self.update_us(end - dt_to_us(dt), end, value)

    def update_us(self, start: int, end: int, value: float) -> None:
        """``update`` with the interval given as microseconds since 1970-01-01 UTC."""
        last = self._last_end
        if last is None:
            self._open(start)
        elif end <= last:
            if last - end <= _BACKSTEP_US:
                return  # stale or repeated
            self._open(start)  # the clock was set back
        elif start < last:
            start = last  # overlap: count only the new part
        finite = math.isfinite(value)
        if start >= self._sub_end:  # a gap that reaches past the open sub-interval
            self._skip_to(start)
        while end >= self._sub_end:  # split the update at each boundary it reaches
            b = self._sub_end
            if finite:
                w = (b - start) * 1e-6  # [s]
                self._acc += value * w
                self._cov += w
            self._close()
            start = b
        if finite:
            w = (end - start) * 1e-6
            self._acc += value * w
            self._cov += w
            self._latest = value
        self._last_end = end

    def sync_us(self, t: int) -> None:
        """An external demand sync pulse at ``t`` [µs since the epoch]: the open sub-interval
        ends here (its demand computed as at a clock boundary) and the next one is timed from
        the pulse. Feed the updates up to ``t`` first; a pulse before the last update's end
        counts at that end."""
        if self._sub_end is None or self._last_end is None:
            self._sub_end, self._last_end = t + self._sub_us, t
            self._acc = self._cov = 0.0
            return
        t = max(t, self._last_end)
        if t >= self._sub_end:  # a clock boundary came first: close up to it as usual
            self._skip_to(t)
        self._sub_end = t
        self._close()  # the next sub-interval ends one sub-interval after the pulse
        self._last_end = t

    def _open(self, start: int) -> None:
        """Start a fresh sub-interval at the clock-aligned one that contains ``start`` [µs]."""
        self._sub_end = (start // self._sub_us + 1) * self._sub_us
        self._acc = self._cov = 0.0
        self._last_end = start

    def _skip_to(self, t: int) -> None:
        """Close the sub-intervals that ended by ``t`` [µs] with nothing more added (a gap)."""
        closes = 0
        while self._sub_end <= t:
            if closes > self._n:
                # Every window from here on holds only empty sub-intervals: jump to t.
                self._window.clear()
                self._tail = (0.0, 0.0)
                self._present = NAN
                self._open(t)
                return
            self._close()
            closes += 1

    def _close(self) -> None:
        """End the open sub-interval at its boundary: new present demand, peak check."""
        b = self._sub_end
        window = self._window
        window.append((self._acc, self._cov))
        self._acc = self._cov = 0.0
        self._sub_end = b + self._sub_us
        acc = math.fsum(a for a, _ in window)
        cov = math.fsum(c for _, c in window)
        self._present = present = acc / cov if cov > 0.0 else NAN
        self._set_tail()
        if present > self._peak or (self._peak_time is None and present == present):
            self._peak, self._peak_time = present, b

    def _set_tail(self) -> None:
        """Sums of the completed sub-intervals that stay in the window now open (N − 1 newest)."""
        if self._n > 1:
            tail = list(self._window)[1:] if len(self._window) == self._n else self._window
            self._tail = (math.fsum(a for a, _ in tail), math.fsum(c for _, c in tail))

    # -- persistence -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state (times as ISO 8601 UTC strings, NaN as None)."""
        has_peak = self._peak_time is not None
        return {
            "version": _STATE_VERSION,
            **asdict(self.settings),
            "sub_end": _iso(self._sub_end),
            "last_end": _iso(self._last_end),
            "acc": self._acc,  # [unit·s]
            "cov": self._cov,  # [s]
            "window": [list(e) for e in self._window],
            "latest": _json_num(self._latest),
            "present": _json_num(self._present),
            "peak": _json_num(self._peak) if has_peak else None,
            "peak_time": _iso(self._peak_time),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Demand:
        """A Demand restored from ``to_dict`` output; ``InputError`` if the data are malformed."""
        if data.get("version") != _STATE_VERSION:
            raise InputError(f"demand: unsupported state version {data.get('version')!r}")
        try:
            d = cls(data["method"], data["interval"], data["subintervals"])
            d._sub_end, d._last_end, d._peak_time = (
                None if data[k] is None else to_us(datetime.fromisoformat(data[k]))
                for k in ("sub_end", "last_end", "peak_time")
            )
            d._acc, d._cov = float(data["acc"]), float(data["cov"])
            d._latest, d._present, d._peak = (
                NAN if data[k] is None else float(data[k]) for k in ("latest", "present", "peak")
            )
            d._window.extend((float(a), float(c)) for a, c in data["window"])
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"demand: malformed saved state ({exc!r})") from None
        if (d._sub_end is None) != (d._last_end is None):
            raise InputError("demand: malformed saved state (sub_end without last_end)")
        # (sub_end need not be on a clock boundary: a sync pulse times the sub-intervals.)
        d._set_tail()
        return d


class DemandSet:
    """Demand of total P [W], Q [var], S [VA] and average current I [A] with one setting.

    ``values`` gives ``D_P``, ``D_P_PEAK``, ``D_P_PRED`` … ``D_I_PRED`` (registry ids).
    """

    def __init__(self, method: str = "block", interval: int = 900, subintervals: int = 1) -> None:
        self._demands = {m: Demand(method, interval, subintervals) for m in MEASURANDS}
        self._order = tuple(self._demands.values())

    @property
    def settings(self) -> DemandSettings:
        """The method, interval [s] and sub-interval count shared by the four demands."""
        return self._order[0].settings

    def demand(self, measurand: str) -> Demand:
        """The Demand of ``"P"``, ``"Q"``, ``"S"`` or ``"I"``."""
        return self._demands[measurand]

    def update(self, time: datetime, dt: float, p: float, q: float, s: float, i: float) -> None:
        """Add one measurement interval ending at ``time`` (UTC-aware) lasting ``dt`` [s] of
        average P [W], Q [var], S [VA] and I [A]."""
        end = to_us(time)
        start = end - dt_to_us(dt)
        for d, v in zip(self._order, (p, q, s, i), strict=True):
            d.update_us(start, end, v)

    def sync(self, time: datetime) -> None:
        """An external demand sync pulse at ``time`` (UTC-aware) for all four demands."""
        t = to_us(time)
        for d in self._order:
            d.sync_us(t)

    def values(self) -> dict[str, float]:
        """Present, peak and predicted demand by quantity id; NaN where not known yet."""
        out: dict[str, float] = {}
        for m, d in self._demands.items():
            pk = d.peak
            out[f"D_{m}"] = d.present
            out[f"D_{m}_PEAK"] = NAN if pk is None else pk.value
            out[f"D_{m}_PRED"] = d.predicted
        return out

    def peak_times(self) -> dict[str, datetime]:
        """Time (window end, UTC) of each peak, by quantity id ``D_P_PEAK`` …; absent if none."""
        return {f"D_{m}_PEAK": d.peak.time for m, d in self._demands.items() if d.peak}

    def peaks(self) -> dict[str, Extreme]:
        """Each peak with its time, by quantity id ``D_P_PEAK`` …; absent if none."""
        return {f"D_{m}_PEAK": d.peak for m, d in self._demands.items() if d.peak}

    def reset_peaks(self) -> None:
        """Clear all four peaks (the Peak Demand reset)."""
        for d in self._order:
            d.reset_peak()

    def reset(self) -> None:
        """Clear all accumulation and present demand, keeping the peaks."""
        for d in self._order:
            d.reset()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state of the four demands."""
        return {"version": _STATE_VERSION, **{m: d.to_dict() for m, d in self._demands.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DemandSet:
        """A DemandSet restored from ``to_dict`` output; ``InputError`` if malformed."""
        if data.get("version") != _STATE_VERSION:
            raise InputError(f"demand: unsupported state version {data.get('version')!r}")
        try:
            parts = {m: Demand.from_dict(data[m]) for m in MEASURANDS}
        except KeyError as exc:
            raise InputError(f"demand: saved state lacks measurand {exc.args[0]!r}") from None
        if len({d.settings for d in parts.values()}) != 1:
            raise InputError("demand: saved measurands have different settings")
        ds = cls(**vars(parts["P"].settings))
        ds._demands = parts
        ds._order = tuple(parts.values())
        return ds
