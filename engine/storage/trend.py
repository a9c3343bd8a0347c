"""Trend and forecast from recorder history: hourly, daily, weekly and monthly statistics, and
a forecast of the next 4 hours and the next 4 days. Pure functions over (times, values) arrays;
``channel_history`` reads them from the database for the Trend screen.

Periods are UTC: hours and days from midnight, weeks from Monday 00:00, calendar months.

Forecast method: a **same-hour-of-day profile** for the next hours and a **same-weekday
profile** for the next days. For each hour to come, the hourly means of that clock hour over
the last ``days`` days of history are collected; the forecast average is their mean, and the
band is their minimum and maximum. Days the same way, from the daily means of the same weekday
over the last ``weeks`` weeks (from every past day when fewer than two such weekdays are
known). Why: what a meter sees (load, hence current, power, voltage drop) follows the daily
and the weekly cycle of its users; a profile keeps that shape with no model to fit, needs only a
few days of history, never extrapolates a trend beyond what happened, and its band says how much
the same hour (day) varied. It does not follow a slow drift or a holiday; with no history for
an hour the forecast is NaN.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from engine.storage.database import from_ms, to_ms
from engine.storage.recorder_store import find_recorder

__all__ = [
    "PERIODS",
    "Forecast",
    "Stat",
    "channel_history",
    "forecast_days",
    "forecast_hours",
    "period_stats",
    "recorder_history",
]  # fmt: skip

PERIODS = ("hour", "day", "week", "month")
_HOUR, _DAY = 3_600_000, 86_400_000
_MONDAY0 = 4 * _DAY  # [ms] 1970-01-05, the first Monday after the epoch


@dataclass(frozen=True)
class Stat:
    """Statistics of one period [start, end): average, minimum, maximum and (population)
    standard deviation in the unit of the values; ``count`` values (NaN skipped)."""

    start: datetime
    end: datetime
    average: float
    minimum: float
    maximum: float
    std: float
    count: int


@dataclass(frozen=True)
class Forecast:
    """Expected average and band [minimum, maximum] for [start, end), from ``basis`` past
    hours or days (0: no history, values NaN)."""

    start: datetime
    end: datetime
    average: float
    minimum: float
    maximum: float
    basis: int


def _period_start(t_ms: np.ndarray, period: str) -> np.ndarray:
    """Start [ms] of the period holding each time."""
    if period == "hour":
        return t_ms - t_ms % _HOUR
    if period == "day":
        return t_ms - t_ms % _DAY
    if period == "week":
        return t_ms - (t_ms - _MONDAY0) % (7 * _DAY)
    if period == "month":
        months = t_ms.astype("datetime64[ms]").astype("datetime64[M]")
        return months.astype("datetime64[ms]").astype(np.int64)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")


def _period_end(start_ms: int, period: str) -> int:
    if period == "month":
        m = np.datetime64(start_ms, "ms").astype("datetime64[M]") + 1
        return int(m.astype("datetime64[ms]").astype(np.int64))
    return start_ms + {"hour": _HOUR, "day": _DAY, "week": 7 * _DAY}[period]


def period_stats(times_ms, values, period: str) -> list[Stat]:
    """Per ``period`` ("hour", "day", "week", "month"; UTC) statistics of ``values`` at
    ``times_ms`` [ms since 1970 UTC], oldest first; periods with no finite value are left out."""
    t = np.asarray(times_ms, dtype=np.int64)
    v = np.asarray(values, dtype=float)
    keep = np.isfinite(v)
    t, v = t[keep], v[keep]
    if not len(t):
        return []
    starts = _period_start(t, period)
    order = np.argsort(starts, kind="stable")
    starts, v = starts[order], v[order]
    keys, first = np.unique(starts, return_index=True)
    out = []
    for k, (s, a, b) in enumerate(zip(keys, first, [*first[1:], len(v)], strict=True)):
        x = v[a:b]
        out.append(Stat(from_ms(int(s)), from_ms(_period_end(int(keys[k]), period)),
                        float(x.mean()), float(x.min()), float(x.max()), float(x.std()),
                        len(x)))  # fmt: skip
    return out


def _profile(
    means: dict[int, float], slots: list[int], key, fallback: bool
) -> list[tuple[float, float, float, int]]:
    out = []
    for slot in slots:
        same = [m for s, m in means.items() if key(s) == key(slot)]
        if len(same) < 2 and fallback:
            same = list(means.values())
        if same:
            out.append((float(np.mean(same)), float(min(same)), float(max(same)), len(same)))
        else:
            out.append((np.nan, np.nan, np.nan, 0))
    return out


def forecast_hours(
    times_ms, values, now: datetime, *, hours: int = 4, days: int = 28
) -> list[Forecast]:
    """The next ``hours`` whole clock hours after ``now`` from the same-hour-of-day profile of
    the last ``days`` days (module docstring)."""
    t0 = to_ms(now)
    hist = [s for s in period_stats(times_ms, values, "hour")
            if t0 - days * _DAY <= to_ms(s.start) < t0]  # fmt: skip
    means = {to_ms(s.start): s.average for s in hist}
    first = t0 - t0 % _HOUR + _HOUR
    slots = [first + k * _HOUR for k in range(hours)]
    prof = _profile(means, slots, lambda s: (s % _DAY) // _HOUR, fallback=False)
    return [Forecast(from_ms(s), from_ms(s + _HOUR), *p) for s, p in zip(slots, prof, strict=True)]


def forecast_days(
    times_ms, values, now: datetime, *, days: int = 4, weeks: int = 8
) -> list[Forecast]:
    """The next ``days`` whole UTC days after ``now`` from the same-weekday profile of the last
    ``weeks`` weeks (every past day when fewer than two of that weekday are known)."""
    t0 = to_ms(now)
    hist = [s for s in period_stats(times_ms, values, "day")
            if t0 - weeks * 7 * _DAY <= to_ms(s.start) < t0 - t0 % _DAY]  # fmt: skip
    means = {to_ms(s.start): s.average for s in hist}
    first = t0 - t0 % _DAY + _DAY
    slots = [first + k * _DAY for k in range(days)]
    prof = _profile(means, slots, lambda s: (s // _DAY) % 7, fallback=True)
    return [Forecast(from_ms(s), from_ms(s + _DAY), *p) for s, p in zip(slots, prof, strict=True)]


def recorder_history(
    conn: sqlite3.Connection,
    recorder: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Every channel of the recorder named ``recorder`` in one read: its channels, times [ms
    since 1970 UTC] (n,) and values (n, channels) [each channel's unit; NaN where nothing
    was measured], for ``since`` < time <= ``until``. ``InputError`` for an unknown recorder."""
    rec = find_recorder(conn, recorder)
    chans = rec.definition.channels
    cols = ", ".join(f"v{k}" for k in range(len(chans)))
    lo = -(2**62) if since is None else to_ms(since)
    hi = 2**62 if until is None else to_ms(until)
    rows = conn.execute(
        f"SELECT t_ms, {cols} FROM samples WHERE recorder=? AND t_ms > ? AND t_ms <= ? "
        "ORDER BY t_ms",
        (rec.id, lo, hi),
    ).fetchall()
    table = np.array(rows, dtype=float).reshape(len(rows), 1 + len(chans))  # None -> NaN
    return chans, table[:, 0].astype(np.int64), table[:, 1:]


def channel_history(
    conn: sqlite3.Connection,
    recorder: str,
    channel: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Times [ms since 1970 UTC] and values of one channel (e.g. ``"V_A"``, ``"P_TOT:max"``)
    of the recorder named ``recorder``; ``InputError`` for an unknown recorder, ``KeyError``
    for a channel it does not log."""
    chans = find_recorder(conn, recorder).definition.channels
    if channel not in chans:
        raise KeyError(f"recorder {recorder} does not log {channel!r} (it logs {', '.join(chans)})")
    _, times, values = recorder_history(conn, recorder, since, until)
    return times, values[:, chans.index(channel)]
