"""Aggregation of 10/12-cycle values over time per IEC 61000-4-30:2015 Class A, with flagging.

Fed the 10/12-cycle rows of the Meter block by block, ``Aggregator`` emits each value once its
interval is complete. It keeps one running sum per open interval, so memory does not grow with
the length of the recording.

Intervals ("kinds"):
- ``"150cycle"``: 150/180-cycle value, 15 consecutive 10/12-cycle values with no gap between them
  (§4.5.2). Resynchronised at each 10-min tick: a new value starts with the first window of the
  new 10-min interval, and the value in progress at the tick goes on until it holds 15 windows,
  so the two overlap. A gap in the data drops the value in progress.
- ``"10min"``: UTC 10-min clock interval, from the 10/12-cycle values (§4.5.3). A window belongs
  to the interval in which it *starts*. So the window that overlaps the tick counts in the
  interval the tick closes, and the value is time-stamped with the tick.
- ``"2h"``: 12 × 10-min values (§4.5.4), aggregated from the 10-min values, in intervals aligned
  to even UTC hours.
- ``"1s"``, ``"3s"``: UTC 1-s and 3-s clock intervals for IEEE 519-2014. Its "very short time"
  values are 3 s, and 200 of them make its 10-min "short time" value (§4.3). They use the same
  start-time rule as 10 min.

Aggregation math (§4.5.1: square root of the arithmetic mean of the squared input values). The
rule for each quantity comes from ``engine.quantities.aggregation_rule`` (``aggregation_rules``):
- ``rms``: ids whose unit is V, A or %: voltages, currents, fundamentals, sequence components,
  THD, TDD, harmonic %, unbalance U2/U0.
- ``mean``: arithmetic mean of FREQ, P/Q/S, DPF, CF, KF and PHASE_ROTATION.
- ``angle``: circular mean for HA_ angles [deg].
- ``pf``: PF as mean P / mean S of the same interval.
NaN values are skipped. An interval with no values gives NaN.

Flagging (§4.7): an aggregate that contains a flagged 10/12-cycle value is flagged. A 2-h value
is flagged when one of its 10-min values is.

Records are dicts ``{"t": end time (aware UTC datetime), "flagged": bool, id: value, ...}``, the
shape ``analyze`` uses for "10cycle". Where a recording starts or ends partway through an
interval, or has a gap, the interval's value is built from the windows it holds. It is
time-stamped with the interval's end tick, or at ``flush`` with the end of its last window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from engine.quantities import aggregation_rule

__all__ = ["GAP_TOLERANCE", "KINDS", "WINDOWS_PER_VALUE", "Aggregator", "aggregation_rules"]

KINDS = ("150cycle", "10min", "2h", "1s", "3s")
#: 10/12-cycle values in one 150/180-cycle value (IEC 61000-4-30 §4.5.2).
WINDOWS_PER_VALUE = 15
#: A window starting more than this after the previous one ended follows a gap [s].
GAP_TOLERANCE = 1e-3

_US = 1_000_000
_CLOCK_US = {"1s": _US, "3s": 3 * _US, "10min": 600 * _US}
_TWO_HOURS_US = 7200 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def aggregation_rules(ids: Iterable[str]) -> dict[str, str]:
    """How each id aggregates: ``"rms"``, ``"mean"``, ``"angle"`` or ``"pf"`` (module docstring)."""
    return {q: aggregation_rule(q) for q in ids}


class _Moments:
    """Turns value rows into summable moments and sums of moments back into values.

    Columns are reordered once (rms, then mean/pf, then angle ids) so that each rule works on a
    contiguous slice. A moment vector is [x² | x | cos x | valid counts | sin x].
    """

    def __init__(self, ids: tuple[str, ...]) -> None:
        rules = list(aggregation_rules(ids).values())
        n = self.n = len(ids)
        kinds = [[i for i, r in enumerate(rules) if r == k] for k in ("rms", "angle")]
        other = [i for i, r in enumerate(rules) if r not in ("rms", "angle")]
        self.order = np.array(kinds[0] + other + kinds[1], dtype=int)
        self.back = np.argsort(self.order)  # moment column -> id column
        self.n_rms = len(kinds[0])
        self.n_angle = len(kinds[1])
        self.size = 2 * n + self.n_angle
        col = {q: i for i, q in enumerate(ids)}
        self.pf = [
            (i, col[f"P_{q[3:]}"], col[f"S_{q[3:]}"])
            for i, (q, r) in enumerate(zip(ids, rules, strict=True))
            if r == "pf" and f"P_{q[3:]}" in col and f"S_{q[3:]}" in col
        ]

    def of(self, rows: np.ndarray) -> np.ndarray:
        """Moments of each row: shape (rows, size)."""
        n, r, a = self.n, self.n_rms, self.n_angle
        out = np.empty((len(rows), self.size))
        x = out[:, :n]
        np.take(rows, self.order, axis=1, out=x)
        valid = out[:, n : 2 * n]
        np.equal(x, x, out=valid)  # False for NaN
        np.nan_to_num(x, copy=False, nan=0.0)
        np.square(x[:, :r], out=x[:, :r])
        if a:
            rad = np.radians(x[:, n - a :])
            np.sin(rad, out=out[:, 2 * n :])  # 0 where invalid (the angle was set to 0)
            np.cos(rad, out=x[:, n - a :])
            x[:, n - a :] *= valid[:, n - a :]
        return out

    def values(self, acc: np.ndarray) -> np.ndarray:
        """Aggregated values from summed moments, shape (n,) in id order."""
        n, r, a = self.n, self.n_rms, self.n_angle
        count = acc[n : 2 * n]
        with np.errstate(divide="ignore", invalid="ignore"):
            v = acc[:n] / count  # 0/0 -> NaN where nothing was valid
            np.sqrt(v[:r], out=v[:r])
            if a:
                deg = np.degrees(np.arctan2(acc[2 * n :], acc[n - a : n]))
                v[n - a :] = np.where(count[n - a :] > 0, deg, np.nan)
        v = v[self.back]
        for i, ip, is_ in self.pf:
            if v[is_] != 0:
                v[i] = v[ip] / v[is_]
        return v


@dataclass
class _Open:
    """One interval being aggregated."""

    key: int  # clock intervals: start // period; 150cycle: unused
    acc: np.ndarray
    flagged: bool = False
    count: int = 0
    last_end: int = 0  # [µs since the epoch]

    def add(self, moments: np.ndarray, flagged: bool, end: int) -> None:
        np.add(self.acc, moments, out=self.acc)
        self.flagged |= flagged
        self.count += 1
        self.last_end = end


def _micros(times) -> np.ndarray:
    """Times (aware or naive-UTC datetimes, or datetime64) as int64 µs since the epoch."""
    if isinstance(times, np.ndarray) and times.dtype.kind == "M":
        return times.astype("datetime64[us]").astype(np.int64)
    out = []
    for t in times:
        if isinstance(t, np.datetime64):
            out.append(int(t.astype("datetime64[us]").astype(np.int64)))
        elif isinstance(t, datetime):
            t = t.replace(tzinfo=UTC) if t.tzinfo is None else t
            out.append((t - _EPOCH) // _ONE_US)
        else:
            raise ValueError(f"a window time must be a datetime or datetime64, got {t!r}")
    return np.array(out, dtype=np.int64)


def _time(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(us))


class Aggregator:
    """Streaming IEC 61000-4-30 aggregation of 10/12-cycle rows (see the module docstring).

    ``ids``: the quantity ids of a row, in order (``Layout.ids``). ``kinds``: the intervals to
    produce (default all of ``KINDS``).
    """

    def __init__(self, ids: Sequence[str], kinds: Iterable[str] = KINDS) -> None:
        self.ids = tuple(ids)
        self.kinds = tuple(kinds)
        bad = [k for k in self.kinds if k not in KINDS]
        if bad:
            raise ValueError(f"unknown aggregation interval(s) {bad}; choose from {KINDS}")
        self._m = _Moments(self.ids)
        clock = set(self.kinds) | ({"10min"} if "2h" in self.kinds else set())
        self._periods = {k: p for k, p in _CLOCK_US.items() if k in clock}
        self._reset()

    def _reset(self) -> None:
        self._clock: dict[str, _Open | None] = dict.fromkeys(self._periods)
        self._two_hour: _Open | None = None
        self._group: _Open | None = None  # the 150/180-cycle value in progress
        self._tail: _Open | None = None  # the one that was in progress at the last 10-min tick
        self._prev_start: int | None = None
        self._prev_end: int | None = None

    def _new(self, key: int = 0) -> _Open:
        return _Open(key, np.zeros(self._m.size))

    def add(
        self,
        rows: np.ndarray,
        ends: Sequence,
        flagged: Sequence[bool],
        *,
        starts: Sequence | None = None,
    ) -> dict[str, list[dict]]:
        """Feed the windows of one block; return the records completed, by kind, oldest first.

        ``rows``: shape (windows, len(ids)), values in the units of ``engine.quantities``.
        ``ends``: window end times (UTC). ``flagged``: True for a window touched by a dip,
        swell or interruption, or following a data gap (IEC 61000-4-30 §4.7).
        ``starts``: window start times. Without them each window is taken to start where the
        previous one ended, so gaps cannot be seen. Pass them when windows can follow a gap.
        Windows must come in time order.
        """
        rows = np.asarray(rows, dtype=float)
        out: dict[str, list[dict]] = {k: [] for k in self.kinds}
        if rows.size == 0 and len(ends) == 0:
            return out
        if rows.ndim != 2 or rows.shape[1] != len(self.ids):
            raise ValueError(f"rows must have shape (windows, {len(self.ids)}), got {rows.shape}")
        end_us = _micros(ends)
        flags = np.asarray(flagged, dtype=bool)
        start_us = None if starts is None else _micros(starts)
        n = len(rows)
        if len(end_us) != n or flags.shape != (n,) or (start_us is not None and len(start_us) != n):
            raise ValueError(f"{n} rows need {n} end times, flags (and start times)")
        moments = self._m.of(rows)
        for w in range(n):
            end = int(end_us[w])
            if start_us is not None:
                start = int(start_us[w])
            else:
                start = self._prev_end if self._prev_end is not None else end - 1
            if end <= start:
                raise ValueError(f"window ending {_time(end)} does not end after it starts")
            if self._prev_start is not None and start < self._prev_start:
                raise ValueError(f"window starting {_time(start)} is older than the previous one")
            self._window(moments[w], bool(flags[w]), start, end, out)
        return out

    def flush(self, partial: bool = True) -> dict[str, list[dict]]:
        """End of the data: return the intervals still open (``partial``: else drop them).

        Their records are time-stamped with the end of their last window. An unfinished
        150/180-cycle value is dropped (it needs 15 windows). The aggregator then starts afresh.
        """
        out: dict[str, list[dict]] = {k: [] for k in self.kinds}
        if partial:
            for kind, op in self._clock.items():
                if op is not None:
                    self._close(kind, op, op.last_end, out)
            if self._two_hour is not None:
                self._emit("2h", self._two_hour, self._two_hour.last_end, out)
        self._reset()
        return out

    # -- internals ---------------------------------------------------------------------------

    def _window(self, m: np.ndarray, flag: bool, start: int, end: int, out: dict) -> None:
        gap = self._prev_end is not None and start - self._prev_end > GAP_TOLERANCE * _US
        new_ten_minutes = self._prev_start is not None and (
            start // _CLOCK_US["10min"] != self._prev_start // _CLOCK_US["10min"]
        )
        self._prev_start, self._prev_end = start, end

        for kind, period in self._periods.items():
            key = start // period
            op = self._clock[kind]
            if op is not None and op.key != key:  # the data skipped this interval's tick
                self._close(kind, op, (op.key + 1) * period, out)
                op = None
            if op is None:
                op = self._clock[kind] = self._new(key)
            op.add(m, flag, end)
            if end >= (key + 1) * period:  # the tick has passed: no later window starts before it
                self._close(kind, op, (key + 1) * period, out)

        if "150cycle" in self.kinds:
            if gap:
                self._group = self._tail = None
            elif new_ten_minutes:
                self._tail, self._group = self._group, None
            if self._group is None:
                self._group = self._new()
            for name in ("_tail", "_group"):
                op = getattr(self, name)
                if op is None:
                    continue
                op.add(m, flag, end)
                if op.count == WINDOWS_PER_VALUE:
                    self._emit("150cycle", op, end, out)
                    setattr(self, name, None)

    def _close(self, kind: str, op: _Open, t: int, out: dict) -> None:
        """Close clock interval ``op`` of ``kind`` at time ``t`` [µs]; feed 10 min into 2 h."""
        self._clock[kind] = None
        values = self._emit(kind, op, t, out)
        if kind != "10min" or "2h" not in self.kinds:
            return
        key = op.key * _CLOCK_US["10min"] // _TWO_HOURS_US
        two = self._two_hour
        if two is not None and two.key != key:
            self._emit("2h", two, (two.key + 1) * _TWO_HOURS_US, out)
            two = None
        if two is None:
            two = self._two_hour = self._new(key)
        two.add(self._m.of(values[None, :])[0], op.flagged, t)
        if t >= (key + 1) * _TWO_HOURS_US:
            self._emit("2h", two, t, out)
            self._two_hour = None

    def _emit(self, kind: str, op: _Open, t: int, out: dict) -> np.ndarray:
        values = self._m.values(op.acc)
        if kind in out:
            record = {"t": _time(t), "flagged": op.flagged}
            record.update(zip(self.ids, values.tolist(), strict=True))
            out[kind].append(record)
        return values
