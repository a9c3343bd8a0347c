"""EN 50160:2010 weekly evaluation of the engine's records (limits: ``en50160_limits``; event
tables: ``en50160_events``).

The observation period is cut into weeks of 7 days from ``start`` (default: the start of the
earliest 10-min interval). For each week and each parameter and channel, a row gives the limit,
the share of time required, the share of the week's valid values within the limit, the worst
value and pass/fail. A week without the 1008 10-min intervals of a full week is ``partial``: its
rows are still evaluated, on the values it has.

Valid values: 10-min (and Plt) values whose record is ``flagged`` are excluded from the counts,
as the IEC 61000-4-30 §4.7 flagging concept requires (an interval touched by a dip, swell or
interruption is not a valid measurement of the continuous phenomena, which the event tables
cover instead); NaN values are excluded too. The 10-s frequency values carry no flag and are
all used. A row with no valid value is not evaluated (``passed`` None).

Pass/fail: a row passes when 100 · n_within >= required_pct · n_valid (exact for 95, 99, 99.5
and 100 %); a week passes when every evaluated row does; the result passes when every week
does. Dips, swells and interruptions are counted, never judged: EN 50160 gives indicative
values for them, not limits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from engine.compliance.common import (
    WEEK,
    Period,
    check_time,
    column,
    combine_verdicts,
    flags,
    ids,
    iso,
    num,
    period_index,
    periods,
)
from engine.compliance.en50160_events import (
    EventTable,
    Interruptions,
    count_interruptions,
    dip_table,
    swell_table,
)
from engine.compliance.en50160_limits import (
    EDITION,
    HARMONIC_LIMITS,
    PLT_LIMIT,
    THD_LIMIT_PCT,
    THD_MAX_ORDER,
    UNBALANCE_LIMIT_PCT,
    WEEKLY_PCT,
    En50160Settings,
    Limit,
    frequency_limits,
    voltage_limits,
)
from engine.pq.events import Event

__all__ = ["En50160Result", "En50160Row", "En50160Week", "evaluate_en50160"]

TEN_MINUTES = timedelta(minutes=10)
TEN_SECONDS = timedelta(seconds=10)
TWO_HOURS = timedelta(hours=2)
INTERVALS_PER_WEEK = WEEK // TEN_MINUTES  # 1008


@dataclass(frozen=True)
class En50160Row:
    """One parameter on one channel in one week.

    ``parameter``: "frequency" [Hz], "supply_voltage" [V], "flicker_plt" [1], "unbalance_u2"
    [%], "thd" [% of U1] or "harmonic" [% of U1] (with ``order``); ``phase``: "A".."C" or
    "AB".."CA", None for frequency and unbalance; ``source``: the quantity id(s) read.
    ``low``/``high``: the inclusive range (``low`` None: no lower limit) that ``required_pct``
    % of the valid values must lie within; ``pct_within``: the share that does [%];
    ``n_valid``: values used; ``n_excluded``: flagged values left out; ``worst``: the valid value
    farthest from nominal (two-sided ranges) or the largest (upper limits only); ``passed``: None
    when there is no valid value.
    """

    parameter: str
    phase: str | None
    order: int | None
    unit: str
    source: str
    low: float | None
    high: float
    required_pct: float
    n_valid: int
    n_excluded: int
    pct_within: float | None
    worst: float | None
    passed: bool | None

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return out | {"pct_within": num(self.pct_within), "worst": num(self.worst)}


@dataclass(frozen=True)
class En50160Week:
    """The evaluation of one week: ``period`` (``start < t <= end``), 10-min intervals present
    (``n_records``, of ``n_expected`` = 1008) and flagged (``n_flagged``), ``partial`` when
    fewer than 1008 are present, the ``rows``, the week's event tables and ``passed``."""

    period: Period
    n_records: int
    n_expected: int
    n_flagged: int
    partial: bool
    rows: tuple[En50160Row, ...]
    dips: EventTable
    swells: EventTable
    interruptions: Interruptions
    passed: bool | None

    def to_dict(self) -> dict:
        return {
            **self.period.to_dict(),
            "n_records": self.n_records,
            "n_expected": self.n_expected,
            "n_flagged": self.n_flagged,
            "partial": self.partial,
            "passed": self.passed,
            "rows": [r.to_dict() for r in self.rows],
            "dips": self.dips.to_dict(),
            "swells": self.swells.to_dict(),
            "interruptions": self.interruptions.to_dict(),
        }


@dataclass(frozen=True)
class En50160Result:
    """The whole evaluation: ``edition``, the ``settings`` used, ``frequency_source`` ("10-s"
    or "10-min (fallback)"), ``start`` of the observation period, the ``weeks``, the event
    tables over the whole period (all events given), ``passed`` (None: nothing evaluated)
    and ``notes`` (what the reader must know: fallbacks, exclusions, partial weeks)."""

    edition: str
    settings: En50160Settings
    frequency_source: str
    start: datetime
    weeks: tuple[En50160Week, ...]
    dips: EventTable
    swells: EventTable
    interruptions: Interruptions
    passed: bool | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "standard": self.edition,
            "settings": self.settings.to_dict(),
            "frequency_source": self.frequency_source,
            "start": iso(self.start),
            "passed": self.passed,
            "notes": list(self.notes),
            "weeks": [w.to_dict() for w in self.weeks],
            "dips": self.dips.to_dict(),
            "swells": self.swells.to_dict(),
            "interruptions": self.interruptions.to_dict(),
        }


def _rows(spec: dict, values: np.ndarray, flagged: np.ndarray, limits, center) -> list:
    """The rows of one parameter on one channel, one per limit in ``limits``; ``center``: the
    nominal value for two-sided limits (the worst value is the farthest from it), else None
    (the worst value is the largest)."""
    number = np.isfinite(values)
    x = values[number & ~flagged]
    n_excluded = int(np.count_nonzero(number & flagged))
    worst = None
    if x.size:
        worst = float(x[np.argmax(np.abs(x - center))] if center is not None else x.max())
    out = []
    for lim in limits:
        pct = passed = None
        if x.size:
            low = -math.inf if lim.low is None else lim.low
            inside = int(np.count_nonzero((x >= low) & (x <= lim.high)))
            pct = 100.0 * inside / x.size
            # in integers and exact binary fractions (99.5): no rounding at 95.0 %
            passed = bool(100 * inside >= lim.required_pct * x.size)
        out.append(En50160Row(**spec, unit=lim.unit, low=lim.low, high=lim.high,
                              required_pct=lim.required_pct, n_valid=int(x.size),
                              n_excluded=n_excluded, pct_within=pct, worst=worst,
                              passed=passed))  # fmt: skip
    return out


def _upper(limit: float, unit: str) -> list[Limit]:
    """A one-sided weekly limit: ``limit`` for 95 % of the week."""
    return [Limit(None, limit, WEEKLY_PCT, unit)]


def _voltage_phases(records: Sequence[Mapping]) -> tuple[str, ...]:
    """The channels to evaluate: line-to-neutral where the records have any, else line-to-line."""
    keys = ids(records)
    for phases in (("A", "B", "C"), ("AB", "BC", "CA")):
        wanted = [f"{m}_{p}" for p in phases for m in ("V", "THD_V", "H_V")]
        if any(q in keys or q + "_2" in keys for q in wanted):
            return phases
    return ()


def _thd(records: Sequence[Mapping], phase: str) -> tuple[np.ndarray, str]:
    """THD [% of U1] up to h = 40 (EN 50160), from the harmonic ids where a record has them all
    (the rms-aggregated subgroups give the same value as a THD up to h = 40 aggregated alike),
    else the record's THD_V id (the engine's THD goes up to h = 63: a small overestimate)."""
    hids = [f"H_V_{phase}_{h}" for h in range(2, THD_MAX_ORDER + 1)]
    from_h = np.sqrt(np.sum(np.column_stack([column(records, q) ** 2 for q in hids]), axis=1))
    fallback = column(records, f"THD_V_{phase}")
    values = np.where(np.isfinite(from_h), from_h, fallback)
    source = f"H_V_{phase}_2..{THD_MAX_ORDER}" if np.isfinite(from_h).any() else f"THD_V_{phase}"
    return values, source


def _week_rows(records, freq, plt, settings: En50160Settings, phases, freq_source) -> list:
    """Every row of one week, in a fixed order: frequency, voltage, flicker, unbalance, THD,
    harmonics."""
    f, pf = flags(records), flags(plt)
    keys, plt_keys = ids(records), ids(plt)
    rows: list[En50160Row] = []

    def add(parameter, phase, order, source, values, flagged, limits, center=None):
        spec = {"parameter": parameter, "phase": phase, "order": order, "source": source}
        rows.extend(_rows(spec, values, flagged, limits, center))

    fn, un = float(settings.nominal_frequency), float(settings.declared_voltage)
    if freq_source == "10-s":
        hz = np.array([v for _, v in freq], dtype=float)
        add("frequency", None, None, "10-s", hz, np.zeros(hz.shape, bool),
            frequency_limits(settings), fn)  # fmt: skip
    else:
        add("frequency", None, None, "FREQ", column(records, "FREQ"), f,
            frequency_limits(settings), fn)  # fmt: skip
    for p in phases:
        if f"V_{p}" in keys:
            add("supply_voltage", p, None, f"V_{p}", column(records, f"V_{p}"), f,
                voltage_limits(settings), un)  # fmt: skip
    for p in ("A", "B", "C", "AB", "BC", "CA"):
        if f"PLT_{p}" in plt_keys:
            add("flicker_plt", p, None, f"PLT_{p}", column(plt, f"PLT_{p}"), pf,
                _upper(PLT_LIMIT, ""))  # fmt: skip
    if "U2_V" in keys:
        add("unbalance_u2", None, None, "U2_V", column(records, "U2_V"), f,
            _upper(UNBALANCE_LIMIT_PCT, "%"))  # fmt: skip
    for p in phases:
        if f"THD_V_{p}" in keys or f"H_V_{p}_2" in keys:
            values, source = _thd(records, p)
            add("thd", p, None, source, values, f, _upper(THD_LIMIT_PCT, "%"))
    for p in phases:
        for h, limit in HARMONIC_LIMITS.items():
            if f"H_V_{p}_{h}" in keys:
                add("harmonic", p, h, f"H_V_{p}_{h}", column(records, f"H_V_{p}_{h}"), f,
                    _upper(limit, "%"))  # fmt: skip
    return rows


def _by_period(items, time_of, start: datetime, count: int) -> list[list]:
    """``items`` split into ``count`` weeks from ``start`` by their time (``time_of``)."""
    out: list[list] = [[] for _ in range(count)]
    for item in items:
        k = period_index(time_of(item), start, WEEK)
        if 0 <= k < count:
            out[k].append(item)
    return out


def evaluate_en50160(
    records: Sequence[Mapping],
    settings: En50160Settings,
    *,
    frequency_10s: Sequence[tuple[datetime, float]] | None = None,
    plt: Sequence[Mapping] = (),
    events: Sequence[Event] = (),
    start: datetime | None = None,
) -> En50160Result:
    """Evaluate the records against EN 50160:2010, week by week (module docstring).

    ``records``: the 10-min records (ids FREQ [Hz], V_A.. or V_AB.. [V], U2_V [%], THD_V_..
    [%], H_V_.._h [% of U1]). ``frequency_10s``: (end time, frequency [Hz]) of each 10-s value;
    without them the 10-min FREQ values are used instead, and the result says so. ``plt``:
    Plt records (``{"t", "PLT_A", ...}``, optional ``"flagged"``; ``"complete": False`` ones,
    built from fewer than 12 Pst, are left out). ``events``: the engine's
    dips, swells and interruptions (``extreme_pct`` in % of the declared voltage). ``start``:
    the start of the observation period (aware datetime; default: the start of the earliest
    10-min interval, else of the earliest other value); pass e.g. a Monday 00:00 to align weeks.
    """
    if not isinstance(settings, En50160Settings):
        raise ValueError(f"settings must be En50160Settings, got {type(settings).__name__}")
    # A Plt built from fewer than 12 whole Pst values ("complete": False, e.g. a recording's
    # first 2 h) is no Plt (IEC 61000-4-15): left out.
    plt = [r for r in plt if r.get("complete", True)]
    for r in (*records, *plt):
        check_time("record time 't'", r.get("t"))
    for e in events:
        if not isinstance(e, Event):
            raise ValueError(f"events must be engine.pq.events.Event, got {type(e).__name__}")
        check_time("event start", e.start)
    freq = list(frequency_10s or ())
    for item in freq:
        if len(item) != 2:
            raise ValueError(f"a 10-s frequency value must be (time, hz), got {item!r}")
        check_time("10-s frequency time", item[0])
    freq_source = "10-s" if freq else "10-min (fallback)"
    candidates = [r["t"] - TEN_MINUTES for r in records] + [t - TEN_SECONDS for t, _ in freq]
    candidates += [r["t"] - TWO_HOURS for r in plt]
    if start is None:
        if not candidates:
            raise ValueError("EN 50160 evaluation needs records, 10-s frequency or Plt values")
        start = min(candidates)
    check_time("start", start)
    times = [r["t"] for r in records] + [t for t, _ in freq] + [r["t"] for r in plt]
    weeks_p = periods(times, start, WEEK)
    n = len(weeks_p)
    rec_w = _by_period(records, lambda r: r["t"], start, n)
    freq_w = _by_period(freq, lambda item: item[0], start, n)
    plt_w = _by_period(plt, lambda r: r["t"], start, n)
    ev_w = _by_period(events, lambda e: e.start, start, n)
    phases = _voltage_phases(records)

    weeks = []
    for k, period in enumerate(weeks_p):
        rows = _week_rows(rec_w[k], freq_w[k], plt_w[k], settings, phases, freq_source)
        n_flagged = int(flags(rec_w[k]).sum())
        weeks.append(En50160Week(period, len(rec_w[k]), INTERVALS_PER_WEEK, n_flagged,
                                 len(rec_w[k]) < INTERVALS_PER_WEEK, tuple(rows),
                                 dip_table(ev_w[k]), swell_table(ev_w[k]),
                                 count_interruptions(ev_w[k]),
                                 combine_verdicts(r.passed for r in rows)))  # fmt: skip

    notes = _notes(settings, freq_source, weeks)
    return En50160Result(EDITION, settings, freq_source, start, tuple(weeks), dip_table(events),
                         swell_table(events), count_interruptions(events),
                         combine_verdicts(w.passed for w in weeks), tuple(notes))  # fmt: skip


def _notes(settings: En50160Settings, freq_source: str, weeks) -> list[str]:
    notes = [
        "flagged 10-min and Plt values are excluded from every percentage (IEC 61000-4-30 §4.7"
        f" flagging concept): {sum(w.n_flagged for w in weeks)} flagged 10-min records",
        "dips, swells and interruptions are counted, not judged (EN 50160 gives no limits)",
    ]
    if freq_source != "10-s":
        notes.append("frequency: no 10-s values given, the 10-min FREQ values were used instead")
    if settings.system == "synchronous":
        notes.append("frequency: the 99.5 % share EN 50160 sets for a year is applied to each week")
    if settings.nominal_frequency != 50:
        notes.append("60 Hz: EN 50160's frequency percentages are applied to 60 Hz")
    if settings.network == "MV":
        notes.append(
            "MV: flicker, unbalance, THD and harmonic limits are the LV ones (UNCONFIRMED)"
        )
    notes.append("THD: evaluated over 95 % of each week (the reference calls the basis ambiguous)")
    for w in weeks:
        if w.partial:
            notes.append(f"week {w.period.index + 1} is partial: {w.n_records} of {w.n_expected}"
                         " 10-min intervals")  # fmt: skip
    return notes
