"""What the EN 50160 and IEEE 519 evaluations share: settings checks, the nearest-rank
percentile, observation periods (days, weeks) and reading values out of the engine's records.

Records are the dicts of ``engine.pq.aggregation``: ``{"t": end of the interval (aware UTC
datetime), "flagged": bool, <quantity id>: float, ...}``. A value belongs to the period
``start < t <= end``: it is time-stamped with the end of its interval, so the value ending on
a period's last tick is still that period's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from itertools import chain
from operator import itemgetter

import numpy as np

__all__ = [
    "DAY",
    "WEEK",
    "Period",
    "check_number",
    "column",
    "nearest_rank",
    "periods",
    "valid_mask",
]

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def check_number(name: str, value: object, *, positive: bool = True) -> float:
    """``value`` as a float; ``ValueError`` naming ``name`` unless it is a finite number (> 0
    when ``positive``). Booleans are refused: ``True`` is no voltage."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or (positive and value <= 0):
        raise ValueError(
            f"{name} must be a finite number{' > 0' if positive else ''}, got {value!r}"
        )
    return float(value)


def check_time(name: str, t: object) -> datetime:
    """``t`` if it is a timezone-aware datetime; ``ValueError`` otherwise (a naive time would
    silently shift the periods by the local offset)."""
    if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {t!r}")
    return t


def nearest_rank(values: Sequence[float] | np.ndarray, pct: float) -> float:
    """The ``pct``-th percentile of ``values`` by the nearest-rank method [unit of the values].

    Sorted ascending x_1 <= ... <= x_n, the result is x_r with r = ceil(pct / 100 · n) (and
    r = 1 for a tiny pct): the smallest value such that at least ``pct`` % of the values are at
    or below it. No interpolation, so the result is always one of the measured values. The rank
    is computed in exact rational arithmetic (95 % of 20 values is rank 19, not 19.000000001).
    NaN for no values. ``pct`` in (0, 100].
    """
    if not 0 < pct <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {pct!r}")
    x = np.sort(np.asarray(values, dtype=float))
    if x.size == 0:
        return math.nan
    if np.isnan(x).any():
        raise ValueError("nearest_rank needs values without NaN (drop invalid values first)")
    rank = max(1, math.ceil(Fraction(pct) * x.size / 100))
    return float(x[rank - 1])


@dataclass(frozen=True)
class Period:
    """One observation period (a day or a week): ``start < t <= end``, aware UTC datetimes."""

    index: int
    start: datetime
    end: datetime

    def to_dict(self) -> dict:
        return {"index": self.index, "start": self.start.isoformat(), "end": self.end.isoformat()}


def periods(times: Iterable[datetime], start: datetime, length: timedelta) -> list[Period]:
    """Consecutive periods of ``length`` from ``start`` up to the one holding the latest of
    ``times`` (none when no time is after ``start``). Periods in a gap of the data are kept,
    empty, so that the index of a week is its position in the observation period."""
    last = max((t for t in times if t > start), default=None)
    if last is None:
        return []
    count = -(-(last - start) // length)  # ceil, in exact integer microseconds
    return [
        Period(k, (start + k * length).astimezone(UTC), (start + (k + 1) * length).astimezone(UTC))
        for k in range(count)
    ]


def period_index(t: datetime, start: datetime, length: timedelta) -> int:
    """Index k of the period ``start + k·length < t <= start + (k+1)·length`` (-1 and below:
    before ``start``)."""
    return -(-(t - start) // length) - 1  # ceil, in exact integer microseconds


def column(records: Sequence[Mapping], qid: str) -> np.ndarray:
    """The values of ``qid`` in ``records`` as floats, NaN where a record lacks it."""
    return np.array([r.get(qid, math.nan) for r in records], dtype=float)


def columns(records: Sequence[Mapping], qids: Sequence[str]) -> dict[str, np.ndarray]:
    """``column`` of each of ``qids`` present in some record, in one pass over the records:
    a record holding them all is read at C speed (``itemgetter``), others id by id. Ids no
    record has are left out."""
    keys = ids(records)
    present = [q for q in qids if q in keys]
    if not present:
        return {}
    get = itemgetter(*present) if len(present) > 1 else (lambda r: (r[present[0]],))
    rows = []
    for r in records:
        try:
            rows.append(get(r))
        except KeyError:
            rows.append(tuple(r.get(q, math.nan) for q in present))
    flat = np.fromiter(chain.from_iterable(rows), dtype=float, count=len(rows) * len(present))
    table = flat.reshape(len(rows), len(present))
    return {q: table[:, i] for i, q in enumerate(present)}


def flags(records: Sequence[Mapping]) -> np.ndarray:
    """The ``flagged`` field of each record (False where absent: e.g. Plt or 10-s values)."""
    return np.array([bool(r.get("flagged", False)) for r in records], dtype=bool)


def valid_mask(values: np.ndarray, flagged: np.ndarray) -> np.ndarray:
    """True where a value is a number and its record is not flagged."""
    return np.isfinite(values) & ~flagged


def ids(records: Sequence[Mapping]) -> frozenset[str]:
    """Every key some record carries (one pass, so that look-ups after it are O(1))."""
    keys: set[str] = set()
    for r in records:
        keys.update(r)
    return frozenset(keys)


def combine_verdicts(verdicts: Iterable[bool | None]) -> bool | None:
    """False if any is False, True if all the others are True and there is one, else None
    (nothing evaluated)."""
    seen = [v for v in verdicts if v is not None]
    return None if not seen else all(seen)


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def num(x: float | None) -> float | None:
    """A JSON-ready number: None for NaN / None (JSON has no NaN)."""
    return None if x is None or not math.isfinite(x) else float(x)
