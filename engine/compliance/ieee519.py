"""IEEE 519-2014 evaluation of the engine's 3-s and 10-min records (limits: ``ieee519_limits``).

The assessment (IEEE 519-2014 §5.1 voltage, §5.2 current; the multipliers and percentiles are
from IEEE 519-2014 §5, not in shared/reference):
- voltage, individual harmonics h = 2..50 and THD (Table 1):
  daily 99th percentile of the 3-s values < 1.5 × limit;
  weekly 95th percentile of the 10-min values < limit;
- current, individual harmonics h = 2..50 and TDD, in % of IL (Tables 2-4):
  daily 99th percentile of the 3-s values < 2.0 × limit;
  weekly 99th percentile of the 10-min values < 1.5 × limit;
  weekly 95th percentile of the 10-min values < limit.
"Less than", as §5 writes it: a percentile exactly on the limit fails.

Percentile: nearest rank (``common.nearest_rank``): the smallest value with at least P % of the
period's valid values at or below it, no interpolation.

Days and weeks are consecutive 24-h and 7-day periods from ``start`` (default: the start of the
earliest interval of either input); a value belongs to the period its end time t falls in
(start < t <= end). A check passes when the percentile of every period with valid values is
below the limit; its row reports the worst period. Flagged values (IEC 61000-4-30 §4.7: an
interval touched by a dip, swell or interruption) are left out by default, as for EN 50160;
IEEE 519 itself does not say, so ``exclude_flagged=False`` keeps them.

Current in % of IL: the engine gives H_I_x_h in % of the fundamental I_x_1 [A]; the harmonic in
% of IL is H_I_x_h · I_x_1 / IL, and TDD = sqrt(Σ_{h=2..50} H_I_x_h²) · I_x_1 / IL (the
engine's own TDD_I_x uses the meter's configured IL, which need not be this one, so it is not
read). Both use the interval's aggregated I_x_1, a close approximation of aggregating the
products themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from engine.compliance.common import (
    DAY,
    WEEK,
    Period,
    check_time,
    columns,
    combine_verdicts,
    flags,
    ids,
    iso,
    nearest_rank,
    num,
    period_index,
    periods,
)
from engine.compliance.ieee519_limits import (
    EDITION,
    MAX_ORDER,
    CurrentLimits,
    Ieee519Settings,
    VoltageLimits,
    current_limits,
    voltage_limits,
)

__all__ = ["CHECKS", "Check", "Coverage", "Ieee519Result", "Ieee519Row", "evaluate_ieee519"]

THREE_SECONDS = timedelta(seconds=3)
TEN_MINUTES = timedelta(minutes=10)


@dataclass(frozen=True)
class Check:
    """One assessment of IEEE 519-2014 §5: the ``pct``-th percentile of the ``kind`` ("3s" or
    "10min") values over each ``period`` ("day" or "week") must be below ``multiplier`` × the
    table limit."""

    name: str
    kind: str
    period: str
    pct: float
    multiplier: float


# From IEEE 519-2014 §5.1 and §5.2, not in shared/reference.
VOLTAGE_CHECKS = (
    Check("daily 99th percentile of 3-s values", "3s", "day", 99.0, 1.5),
    Check("weekly 95th percentile of 10-min values", "10min", "week", 95.0, 1.0),
)
CURRENT_CHECKS = (
    Check("daily 99th percentile of 3-s values", "3s", "day", 99.0, 2.0),
    Check("weekly 99th percentile of 10-min values", "10min", "week", 99.0, 1.5),
    Check("weekly 95th percentile of 10-min values", "10min", "week", 95.0, 1.0),
)
CHECKS = {"voltage": VOLTAGE_CHECKS, "current": CURRENT_CHECKS}


@dataclass(frozen=True)
class Coverage:
    """A day or week: its ``period`` and the records in it (``n_records`` of ``n_expected``
    for a full period, ``n_flagged`` of them flagged)."""

    period: Period
    n_records: int
    n_expected: int
    n_flagged: int

    @property
    def partial(self) -> bool:
        return self.n_records < self.n_expected

    def to_dict(self) -> dict:
        return {**self.period.to_dict(), "n_records": self.n_records,
                "n_expected": self.n_expected, "n_flagged": self.n_flagged,
                "partial": self.partial}  # fmt: skip


@dataclass(frozen=True)
class Ieee519Row:
    """One quantity on one channel under one check.

    ``quantity``: "voltage_harmonic" / "voltage_thd" [% of the fundamental voltage] or
    "current_harmonic" / "tdd" [% of IL]; ``phase``: "A".. or "AB"..; ``order``: h for
    harmonics; ``check``: ``Check.name``; ``pct``: the percentile [%]; ``table_limit``: the
    table's limit [%]; ``limit`` = ``multiplier`` × ``table_limit`` [%]; ``value``: the highest
    percentile over the periods (days or weeks) [%], from period ``worst_period``;
    ``per_period``: (period index, valid values, percentile [%]) of each period with values;
    ``passed``: every period's percentile < limit (None: no valid value at all).
    """

    quantity: str
    phase: str
    order: int | None
    source: str
    check: str
    pct: float
    multiplier: float
    table_limit: float
    limit: float
    value: float | None
    worst_period: int | None
    per_period: tuple[tuple[int, int, float], ...]
    passed: bool | None

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["value"] = num(self.value)
        out["per_period"] = [
            {"index": k, "n_valid": n, "value": num(v)} for k, n, v in self.per_period
        ]
        return out


@dataclass(frozen=True)
class Ieee519Result:
    """The whole evaluation: ``edition``, ``settings``, the table rows used
    (``voltage_limits``, ``current_limits``), ``start`` of the observation, the ``days`` (3-s
    records) and ``weeks`` (10-min records), the ``rows``, ``passed`` (None: nothing evaluated)
    and ``notes``."""

    edition: str
    settings: Ieee519Settings
    voltage_limits: VoltageLimits
    current_limits: CurrentLimits
    start: datetime
    days: tuple[Coverage, ...]
    weeks: tuple[Coverage, ...]
    rows: tuple[Ieee519Row, ...]
    passed: bool | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "standard": self.edition,
            "settings": self.settings.to_dict(),
            "voltage_limits": self.voltage_limits.to_dict(),
            "current_limits": self.current_limits.to_dict(),
            "start": iso(self.start),
            "passed": self.passed,
            "notes": list(self.notes),
            "days": [d.to_dict() for d in self.days],
            "weeks": [w.to_dict() for w in self.weeks],
            "rows": [r.to_dict() for r in self.rows],
        }


def _phases(records: Sequence[Mapping], prefix: str, choices) -> tuple[str, ...]:
    """The first family of ``choices`` with any ``prefix`` id present, its present channels."""
    keys = ids(records)
    for family in choices:
        found = tuple(p for p in family if any(q in keys for q in prefix(p)))
        if found:
            return found
    return ()


def needed_ids(available: Sequence[str]) -> list[str]:
    """Of the quantity ids ``available``, those the evaluation reads (harmonics up to
    ``MAX_ORDER``, THD, fundamental currents): what a caller keeping 3-s records must keep."""
    wanted = {f"{m}_{p}_{h}" for m in ("H_V", "H_I") for p in ("A", "B", "C", "AB", "BC", "CA")
              for h in range(2, MAX_ORDER + 1)}  # fmt: skip
    wanted |= {f"{m}_{p}" for m in ("THD_V", "THD_I") for p in ("A", "B", "C", "AB", "BC", "CA")}
    wanted |= {f"I_{p}_1" for p in ("A", "B", "C")}
    return [q for q in available if q in wanted]


def _voltage_ids(p: str) -> list[str]:
    return [f"THD_V_{p}"] + [f"H_V_{p}_{h}" for h in range(2, MAX_ORDER + 1)]


def _series(records: Sequence[Mapping], il: float, phases_v, phases_i) -> dict:
    """(quantity, phase, order) -> (source, values [%]) for one input."""
    out: dict[tuple, tuple[str, np.ndarray]] = {}
    orders = range(2, MAX_ORDER + 1)
    wanted = [f"{m}_{p}_{h}" for m, ps in (("H_V", phases_v), ("H_I", phases_i)) for p in ps
              for h in orders]  # fmt: skip
    wanted += [f"THD_V_{p}" for p in phases_v]
    wanted += [q for p in phases_i for q in (f"THD_I_{p}", f"I_{p}_1")]
    cols = columns(records, wanted)
    nan = np.full(len(records), np.nan)

    def col(qid: str) -> np.ndarray:
        return cols.get(qid, nan)

    for p in phases_v:
        for h in orders:
            if f"H_V_{p}_{h}" in cols:
                out["voltage_harmonic", p, h] = (f"H_V_{p}_{h}", cols[f"H_V_{p}_{h}"])
        from_h = np.sqrt(sum(col(f"H_V_{p}_{h}") ** 2 for h in orders))
        if np.isfinite(from_h).any():
            out["voltage_thd", p, None] = (f"H_V_{p}_2..{MAX_ORDER}", from_h)
        elif f"THD_V_{p}" in cols:
            out["voltage_thd", p, None] = (f"THD_V_{p}", cols[f"THD_V_{p}"])
    for p in phases_i:
        scale = col(f"I_{p}_1") / il  # % of I1 -> % of IL
        for h in orders:
            if f"H_I_{p}_{h}" in cols:
                out["current_harmonic", p, h] = (f"H_I_{p}_{h}·I_{p}_1/IL",
                                                 cols[f"H_I_{p}_{h}"] * scale)  # fmt: skip
        from_h = np.sqrt(sum(col(f"H_I_{p}_{h}") ** 2 for h in orders))
        if np.isfinite(from_h).any():
            out["tdd", p, None] = (f"H_I_{p}_2..{MAX_ORDER}·I_{p}_1/IL", from_h * scale)
        elif f"THD_I_{p}" in cols:
            out["tdd", p, None] = (f"THD_I_{p}·I_{p}_1/IL", cols[f"THD_I_{p}"] * scale)
    return out


def _coverage(records, start, length, count, per_period) -> tuple[np.ndarray, list]:
    """Period index of each record, and the Coverage of each of the ``count`` periods."""
    idx = np.array([period_index(r["t"], start, length) for r in records], dtype=int)
    f = flags(records)
    plist = periods([start + length * count], start, length)
    cov = [
        Coverage(p, int(np.count_nonzero(idx == p.index)), per_period,
                 int(np.count_nonzero((idx == p.index) & f)))
        for p in plist
    ]  # fmt: skip
    return idx, cov


def evaluate_ieee519(
    records_3s: Sequence[Mapping],
    records_10min: Sequence[Mapping],
    settings: Ieee519Settings,
    *,
    start: datetime | None = None,
    exclude_flagged: bool = True,
) -> Ieee519Result:
    """Evaluate the records against IEEE 519-2014 §5 (module docstring).

    ``records_3s`` / ``records_10min``: the engine's "3s" and "10min" records (ids H_V_x_h,
    THD_V_x [% of the fundamental voltage], H_I_x_h [% of I_x_1], I_x_1 [A]); either may be
    empty, and the checks that need it are then not evaluated. ``settings``: the PCC (bus
    voltage [V], ISC/IL, IL [A]). ``start``: aware datetime, the start of the first day and week
    (default: the start of the earliest interval). ``exclude_flagged``: leave out the values of
    flagged records (default True).
    """
    if not isinstance(settings, Ieee519Settings):
        raise ValueError(f"settings must be Ieee519Settings, got {type(settings).__name__}")
    if not isinstance(exclude_flagged, bool):
        raise ValueError(f"exclude_flagged must be True or False, got {exclude_flagged!r}")
    for r in (*records_3s, *records_10min):
        check_time("record time 't'", r.get("t"))
    if start is None:
        firsts = [r["t"] - THREE_SECONDS for r in records_3s]
        firsts += [r["t"] - TEN_MINUTES for r in records_10min]
        if not firsts:
            raise ValueError("IEEE 519 evaluation needs 3-s or 10-min records")
        start = min(firsts)
    check_time("start", start)
    vl = voltage_limits(settings.bus_voltage)
    cl = current_limits(settings.bus_voltage, settings.isc_il)

    inputs = {"3s": list(records_3s), "10min": list(records_10min)}
    every = inputs["3s"] + inputs["10min"]
    phases_v = _phases(every, _voltage_ids, (("A", "B", "C"), ("AB", "BC", "CA")))
    phases_i = _phases(every, lambda p: [f"I_{p}_1"], (("A", "B", "C"),))
    n_days = len(periods([r["t"] for r in inputs["3s"]], start, DAY))
    n_weeks = len(periods([r["t"] for r in inputs["10min"]], start, WEEK))
    idx3, days = _coverage(inputs["3s"], start, DAY, n_days, DAY // THREE_SECONDS)
    idx10, weeks = _coverage(inputs["10min"], start, WEEK, n_weeks, WEEK // TEN_MINUTES)
    # the records of each period, found once (not once per row)
    index = {
        "3s": [np.flatnonzero(idx3 == k) for k in range(n_days)],
        "10min": [np.flatnonzero(idx10 == k) for k in range(n_weeks)],
    }
    series = {k: _series(v, settings.il, phases_v, phases_i) for k, v in inputs.items()}
    excluded = {
        k: flags(v) if exclude_flagged else np.zeros(len(v), bool) for k, v in inputs.items()
    }

    keys = sorted({key for s in series.values() for key in s}, key=_order)
    rows = []
    for quantity, phase, order in keys:
        table_limit = _table_limit(quantity, order, vl, cl)
        family = "voltage" if quantity.startswith("voltage") else "current"
        for check in CHECKS[family]:
            source, values = series[check.kind].get((quantity, phase, order), ("", None))
            rows.append(_row(quantity, phase, order, source, check, table_limit, values,
                             excluded[check.kind], index[check.kind]))  # fmt: skip
    passed = combine_verdicts(r.passed for r in rows)
    return Ieee519Result(EDITION, settings, vl, cl, start, tuple(days), tuple(weeks), tuple(rows),
                         passed, tuple(_notes(exclude_flagged, days, weeks)))  # fmt: skip


_QUANTITY_ORDER = ("voltage_thd", "voltage_harmonic", "tdd", "current_harmonic")


def _order(key: tuple) -> tuple:
    quantity, phase, order = key
    return (_QUANTITY_ORDER.index(quantity), phase, order or 0)


def _table_limit(quantity: str, order: int | None, vl: VoltageLimits, cl: CurrentLimits) -> float:
    if quantity == "voltage_thd":
        return vl.thd
    if quantity == "voltage_harmonic":
        return vl.individual
    if quantity == "tdd":
        return cl.tdd
    return cl.harmonic(order)


def _row(quantity, phase, order, source, check, table_limit, values, excluded, groups):
    limit = check.multiplier * table_limit
    per_period = []
    if values is not None:
        valid = np.isfinite(values) & ~excluded
        for k, g in enumerate(groups):
            x = values[g][valid[g]]
            if x.size:
                per_period.append((k, int(x.size), nearest_rank(x, check.pct)))
    worst = max(per_period, key=lambda item: item[2], default=None)
    passed = None if worst is None else all(v < limit for _, _, v in per_period)
    return Ieee519Row(quantity, phase, order, source, check.name, check.pct, check.multiplier,
                      table_limit, limit, None if worst is None else worst[2],
                      None if worst is None else worst[0], tuple(per_period), passed)  # fmt: skip


def _notes(exclude_flagged: bool, days, weeks) -> list[str]:
    notes = [
        "percentiles by the nearest-rank method; a percentile equal to the limit fails"
        " (IEEE 519-2014 §5: 'less than')",
        "multipliers 1.5 / 2.0 / 1.5 and the daily / weekly percentiles are from IEEE 519-2014"
        " §5, not in shared/reference",
        "even current harmonics at 25 % of their band's odd limit (2014 edition, not 2022)",
    ]
    if exclude_flagged:
        notes.append("flagged values (IEC 61000-4-30 §4.7) are excluded")
    notes += [f"day {d.period.index + 1} is partial: {d.n_records} of {d.n_expected} 3-s values"
              for d in days if d.partial]  # fmt: skip
    notes += [f"week {w.period.index + 1} is partial: {w.n_records} of {w.n_expected} 10-min"
              " values" for w in weeks if w.partial]  # fmt: skip
    return notes
