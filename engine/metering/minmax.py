"""Minimum / maximum of measured values with the time each was reached.

Kept as numpy arrays over the registered ids, so one update of ~100 values is a handful of
vectorised comparisons; times are stored as int64 microseconds since 1970-01-01 UTC and turned
into datetimes only when read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.snapshot import Extreme

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_STATE_VERSION = 1


class MinMaxTracker:
    """Minimum and maximum, each with its time, of the values of ``ids`` since the last reset.

    Values are in the unit of their quantity id ([V], [A], [W] …). NaN (not measured) and ids
    absent from an update are ignored; an id that never had a finite value has no extreme.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self._ids: tuple[str, ...] = tuple(dict.fromkeys(ids))  # unique, in order
        self._index = {qid: k for k, qid in enumerate(self._ids)}
        n = len(self._ids)
        self._min = np.empty(n)
        self._max = np.empty(n)
        self._min_t = np.empty(n, dtype=np.int64)  # [µs since epoch]
        self._max_t = np.empty(n, dtype=np.int64)
        self.reset()

    @property
    def ids(self) -> tuple[str, ...]:
        """The tracked ids, in the order ``update_array`` expects."""
        return self._ids

    def reset(self) -> None:
        """Forget every extreme (the front panel's Min/Max reset)."""
        # ±inf so that NaN and the first finite value need no special case: NaN never compares.
        self._min.fill(np.inf)
        self._max.fill(-np.inf)
        self._min_t.fill(0)
        self._max_t.fill(0)
        self._cache: dict[bool, dict[str, Extreme]] = {}  # minimum()/maximum() until a change

    def update(self, time: datetime, values: Mapping[str, float]) -> None:
        """Take the values [unit of each id] measured at ``time`` (UTC-aware)."""
        get = values.get
        arr = np.fromiter((get(qid, math.nan) for qid in self._ids), float, len(self._ids))
        self.update_array(time, arr)

    def update_array(self, time: datetime, values: np.ndarray) -> None:
        """``update`` with the values as an array in the order of ``ids`` (the fast path)."""
        try:
            t = (time - _EPOCH) // _US
        except TypeError:
            raise ValueError(
                f"time must be a timezone-aware datetime (UTC), got {time!r}"
            ) from None
        lo = values < self._min
        hi = values > self._max
        if lo.any() or hi.any():
            # ±inf would stick for ever: ignore it like NaN (rare, so only checked here).
            finite = np.isfinite(values)
            lo &= finite
            hi &= finite
        if lo.any():
            self._min[lo] = values[lo]
            self._min_t[lo] = t
            self._cache.pop(False, None)
        if hi.any():
            self._max[hi] = values[hi]
            self._max_t[hi] = t
            self._cache.pop(True, None)

    def _extremes(self, high: bool) -> dict[str, Extreme]:
        # Built only after a change: extremes change rarely once the tracker has settled.
        out = self._cache.get(high)
        if out is None:
            vals, times = (self._max, self._max_t) if high else (self._min, self._min_t)
            ids, t = self._ids, times.tolist()
            out = self._cache[high] = {
                ids[k]: Extreme(v, _EPOCH + timedelta(microseconds=t[k]))
                for k, v in enumerate(vals.tolist())
                if math.isfinite(v)
            }
        return dict(out)

    def minimum(self) -> dict[str, Extreme]:
        """The minimum of each id that had a finite value, with its time (UTC)."""
        return self._extremes(False)

    def maximum(self) -> dict[str, Extreme]:
        """The maximum of each id that had a finite value, with its time (UTC)."""
        return self._extremes(True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state: per id ``[min, min_time, max, max_time]`` (ISO 8601 UTC times)."""
        lo, hi = self.minimum(), self.maximum()
        return {
            "version": _STATE_VERSION,
            "extremes": {
                qid: [
                    lo[qid].value,
                    lo[qid].time.isoformat(),
                    hi[qid].value,
                    hi[qid].time.isoformat(),
                ]
                for qid in lo
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], ids: Iterable[str] | None = None) -> MinMaxTracker:
        """A tracker restored from ``to_dict`` output.

        ``ids`` defaults to the saved ones; given, it sets the tracked ids (saved ids not among
        them are dropped, new ones start empty). ``InputError`` if the data are malformed.
        """
        if data.get("version") != _STATE_VERSION:
            raise InputError(f"min/max: unsupported state version {data.get('version')!r}")
        saved = data.get("extremes")
        if not isinstance(saved, Mapping):
            raise InputError("min/max: 'extremes' must be a mapping")
        tracker = cls(saved.keys() if ids is None else ids)
        for qid, entry in saved.items():
            k = tracker._index.get(qid)
            if k is None:
                continue
            try:
                vmin, tmin, vmax, tmax = entry
                tracker._min[k], tracker._max[k] = float(vmin), float(vmax)
                tracker._min_t[k] = (datetime.fromisoformat(tmin) - _EPOCH) // _US
                tracker._max_t[k] = (datetime.fromisoformat(tmax) - _EPOCH) // _US
                tracker._cache.clear()
            except (TypeError, ValueError):
                raise InputError(f"min/max {qid}: malformed saved extreme {entry!r}") from None
        return tracker
