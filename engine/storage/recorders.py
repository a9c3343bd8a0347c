"""Data recorders: what each logs (definitions, the defaults) and the interval accumulation.

A recorder logs up to ``MAX_CHANNELS`` channels, each a quantity id with a statistic over the
interval: ``"V_A"`` (the IEC 61000-4-30 §4.5 aggregate: rms of the values for volts, amps and
percentages, arithmetic mean otherwise), ``"V_A:min"``, ``"V_A:max"``, ``"V_A:last"`` (the value
at the interval's end; the default for registers: energy ``E_…``, demand ``D_…``, counters).
Angles and PF are averaged arithmetically (no circular mean, no mean P / mean S here).

Interval 0 is the half-cycle recorder: every Urms(1/2) value (``V_HALF_A`` … ``I_HALF_C``,
IEC 61000-4-30 §5.4.2.1) as it comes, one row per half cycle stamped with its time (100 or 120
rows a second, for the voltage and current of a disturbance). Other intervals are whole
milliseconds that divide a day, from 100 ms up (1 s, 1 min, 10 min, 15 min, 1 h, 1 d …),
aligned to the UTC clock: the interval ending at ``E`` covers ``(E - interval, E]``
and its row is stamped ``E``. A value counts in the interval in which it is complete: a
10/12-cycle value by its window's end, a snapshot-only value (energy, demand, flicker, counters)
by the snapshot's time (the end of its block). A row is ``partial`` when logging began (or
resumed after a gap) inside its interval.

A recorder with a ``Trigger`` logs only from the moment its setpoint is crossed for
``duration`` seconds (rows of the intervals that overlap that span), then re-arms.

``RecorderSet`` keeps one accumulator (sum, sum of squares, count, min, max, last) per distinct
interval over the union of the ids of its recorders, so 64 recorders on the same interval cost
one vectorised update per value and one fancy-index per recorder per closed interval.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.errors import InputError
from engine.quantities import QUANTITIES, aggregation_rule

__all__ = ["DEFAULT_RECORDERS", "MAX_CHANNELS", "MAX_RECORDERS", "RecorderDef", "RecorderSet",
           "Trigger", "parse_channel", "validate_recorders"]  # fmt: skip

MAX_RECORDERS = 64
MAX_CHANNELS = 16
STATS = ("avg", "min", "max", "last")
#: [ms] shortest interval (one 0.1-s block of the live engine).
MIN_INTERVAL_MS = 100
#: The interval of a half-cycle recorder, and the ids it may log.
HALF_CYCLE = 0.0
HALF_PREFIXES = ("V_HALF_", "I_HALF_")
_DAY_MS = 86_400_000
# Rows of the per-interval statistics matrix.
_MEAN, _RMS, _MIN, _MAX, _LAST = range(5)

#: A sample row as stored: (recorder id, end [ms], n, partial, value per channel...).
Row = tuple


def _is_register(qid: str) -> bool:
    return qid.startswith(("E_", "T_E_", "D_", "T_D_")) or qid.endswith("_COUNT")


def parse_channel(spec: str) -> tuple[str, str]:
    """``"V_A:max"`` -> ("V_A", "max"); the statistic defaults to "last" for registers and
    "avg" otherwise. ``InputError`` for an unknown id or statistic."""
    qid, _, stat = str(spec).partition(":")
    if qid not in QUANTITIES:
        raise InputError(f"recorder channel {spec!r}: unknown quantity id {qid!r}")
    stat = stat or ("last" if _is_register(qid) else "avg")
    if stat not in STATS:
        raise InputError(f"recorder channel {spec!r}: statistic must be one of {STATS}")
    return qid, stat


@dataclass(frozen=True)
class Trigger:
    """Start logging when ``quantity`` goes above (``above``) or below ``level`` [its unit];
    stop ``duration`` [s] later."""

    quantity: str
    level: float
    duration: float
    above: bool = True


@dataclass(frozen=True)
class RecorderDef:
    """A recorder: ``name`` (unique), ``channels`` (≤ 16 ``parse_channel`` specs),
    ``interval`` [s] (see module), ``trigger`` (None: always logging)."""

    name: str
    channels: tuple[str, ...]
    interval: float
    trigger: Trigger | None = None

    @property
    def interval_ms(self) -> int:
        return round(self.interval * 1000)

    def to_json(self) -> str:
        d = {"name": self.name, "channels": list(self.channels), "interval": self.interval}
        if self.trigger is not None:
            d["trigger"] = vars(self.trigger)
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RecorderDef:
        try:
            d = json.loads(text)
            trig = d.get("trigger")
            return validate_recorder(
                cls(
                    str(d["name"]),
                    tuple(d["channels"]),
                    float(d["interval"]),
                    None if trig is None else Trigger(**trig),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"stored recorder definition is malformed: {exc}") from None


def validate_recorder(r: RecorderDef) -> RecorderDef:
    """``r`` if valid, else ``InputError`` naming the recorder and the problem."""
    if not r.name or not r.name.replace("_", "").replace("-", "").isalnum():
        raise InputError(f"recorder name {r.name!r}: use letters, digits, - and _")
    if not 1 <= len(r.channels) <= MAX_CHANNELS:
        raise InputError(f"recorder {r.name}: 1 to {MAX_CHANNELS} channels, got {len(r.channels)}")
    for ch in r.channels:
        parse_channel(ch)
    ms = r.interval_ms
    if r.interval == HALF_CYCLE:
        other = [c for c in r.channels if not parse_channel(c)[0].startswith(HALF_PREFIXES)]
        if other:
            raise InputError(
                f"recorder {r.name}: a half-cycle recorder (interval 0) logs Urms(1/2) values"
                f" (V_HALF_A … I_HALF_C), not {', '.join(other)}"
            )
    elif not (math.isfinite(r.interval) and ms >= MIN_INTERVAL_MS and _DAY_MS % ms == 0):
        raise InputError(
            f"recorder {r.name}: interval {r.interval!r} s must divide a day, >= 0.1 s"
            " (or 0: every half cycle)"
        )
    t = r.trigger
    if t is not None:
        if t.quantity not in QUANTITIES:
            raise InputError(f"recorder {r.name}: unknown trigger quantity {t.quantity!r}")
        if not (math.isfinite(t.level) and t.duration > 0 and math.isfinite(t.duration)):
            raise InputError(f"recorder {r.name}: trigger needs a finite level and duration > 0")
    return r


def validate_recorders(recorders: Sequence[RecorderDef]) -> tuple[RecorderDef, ...]:
    """Every recorder valid, names unique, at most ``MAX_RECORDERS``; else ``InputError``."""
    if len(recorders) > MAX_RECORDERS:
        raise InputError(f"at most {MAX_RECORDERS} recorders, got {len(recorders)}")
    names = [r.name for r in recorders]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"recorder names must be unique: {', '.join(dup)}")
    return tuple(validate_recorder(r) for r in recorders)


_PHASE_IDS = ("V_A", "V_B", "V_C", "I_A", "I_B", "I_C", "FREQ", "P_TOT")
#: The defaults of issue 7: 15-min revenue (energy, demand), 10-min PQ (IEC 61000-4-30
#: aggregates), 1-min min/max.
DEFAULT_RECORDERS: tuple[RecorderDef, ...] = (
    RecorderDef(
        "revenue",
        (
            "E_P_DEL",
            "E_P_REC",
            "E_Q_DEL",
            "E_Q_REC",
            "E_S_DEL",
            "E_S_REC",
            "D_P",
            "D_Q",
            "D_S",
            "D_I",
            "D_P_PEAK",
            "D_S_PEAK",
        ),
        900.0,
    ),
    RecorderDef(
        "pq",
        (
            "V_A",
            "V_B",
            "V_C",
            "V_AB",
            "V_BC",
            "V_CA",
            "I_A",
            "I_B",
            "I_C",
            "FREQ",
            "THD_V_A",
            "THD_V_B",
            "THD_V_C",
            "U2_V",
            "PST_A",
            "PLT_A",
        ),
        600.0,
    ),
    RecorderDef(
        "minmax",
        tuple(f"{q}:{s}" for q in _PHASE_IDS for s in ("min", "max")),
        60.0,
    ),
    # What the Trend screen draws (engine.storage.trend_view): 1-min averages.
    RecorderDef("trend", ("P_TOT", "V_LN_AVG", "I_AVG", "FREQ"), 60.0),
)


@dataclass
class _Group:
    """The open interval of every recorder with one interval."""

    interval_ms: int
    recorders: list[int] = field(default_factory=list)  # indices into RecorderSet._recs
    end: int | None = None  # [ms] end of the open interval
    partial: bool = False
    n: int = 0
    acc: np.ndarray | None = None  # (6, n_ids): sum, sum of squares, count, min, max, last

    def clear(self, n_ids: int) -> None:
        acc = np.zeros((6, n_ids))
        acc[3], acc[4], acc[5] = np.inf, -np.inf, np.nan
        self.acc, self.n = acc, 0


@dataclass
class _Rec:
    rec_id: int
    definition: RecorderDef
    flat: np.ndarray  # indices into the flattened (5, n_ids) statistics matrix
    active_from: int | None = None  # [ms] a triggered recorder's current span
    active_to: int | None = None


class RecorderSet:
    """The interval accumulation of a set of recorders ``(database id, RecorderDef)``."""

    def __init__(self, recorders: Sequence[tuple[int, RecorderDef]]) -> None:
        ids: dict[str, int] = {}
        parsed = []
        #: half-cycle recorders (rows written per Urms(1/2) value): (record, its ids)
        self.half: list[tuple[_Rec, list[str]]] = []
        for rec_id, r in recorders:
            chans = [parse_channel(c) for c in r.channels]
            if r.interval == HALF_CYCLE:
                self.half.append((_Rec(rec_id, r, np.empty(0, np.intp)), [q for q, _ in chans]))
                continue
            for q, _ in chans:
                ids.setdefault(q, len(ids))
            parsed.append((rec_id, r, chans))
        self.ids: tuple[str, ...] = tuple(ids)
        n = len(self.ids)
        self._rms = np.array([aggregation_rule(q) == "rms" for q in self.ids], dtype=bool)
        self._recs: list[_Rec] = []
        groups: dict[int, _Group] = {}
        for rec_id, r, chans in parsed:
            rows = [{"avg": _MEAN, "min": _MIN, "max": _MAX, "last": _LAST}[s] for _, s in chans]
            cols = [ids[q] for q, _ in chans]
            rows = [
                _RMS if (row == _MEAN and self._rms[c]) else row
                for row, c in zip(rows, cols, strict=True)
            ]
            flat = np.array(rows, dtype=np.intp) * n + np.array(cols, dtype=np.intp)
            g = groups.setdefault(r.interval_ms, _Group(r.interval_ms))
            g.recorders.append(len(self._recs))
            self._recs.append(_Rec(rec_id, r, flat))
        self.groups = list(groups.values())
        for g in self.groups:
            g.clear(n)
        self._triggered = [rec for rec in self._recs if rec.definition.trigger is not None]
        self._triggered += [rec for rec, _ in self.half if rec.definition.trigger is not None]
        self.covered_from: int | None = None  # [ms] logging (re)started here

    # -- input -----------------------------------------------------------------------------

    def add(self, t_ms: int, cols: np.ndarray, values: np.ndarray) -> list[Row]:
        """One sample at ``t_ms`` [ms] of the ids at ``cols`` (indices into ``ids``);
        returns the rows of the intervals it closed."""
        rows: list[Row] = []
        if self.covered_from is None:
            self.covered_from = t_ms
        for g in self.groups:
            iv = g.interval_ms
            end = -(-t_ms // iv) * iv  # the interval (end - iv, end] holding t_ms
            if g.end is None or end > g.end:
                if g.end is not None:
                    rows.extend(self._close(g))
                g.end, g.partial = end, self.covered_from > end - iv
            acc = g.acc
            finite = np.isfinite(values)
            v = np.where(finite, values, 0.0)
            acc[0, cols] += v
            acc[1, cols] += v * v
            acc[2, cols] += finite
            acc[3, cols] = np.fmin(acc[3, cols], values)
            acc[4, cols] = np.fmax(acc[4, cols], values)
            acc[5, cols] = np.where(finite, values, acc[5, cols])
            g.n += 1
        return rows

    def add_half_cycles(self, times_ms: np.ndarray, values: Mapping[str, np.ndarray]) -> list[Row]:
        """Urms(1/2) values at ``times_ms`` [ms] by id (``V_HALF_A`` …): the rows of the
        half-cycle recorders, one per value (a triggered one only within its span)."""
        rows: list[Row] = []
        for rec, qids in self.half:
            cols = [values.get(q) for q in qids]
            if all(c is None for c in cols):
                continue
            nan = np.full(len(times_ms), math.nan)
            table = np.stack([nan if c is None else c for c in cols], axis=1).tolist()
            for t, row in zip(times_ms.tolist(), table, strict=True):
                if rec.definition.trigger is not None and not (
                    rec.active_from is not None and rec.active_from <= t <= rec.active_to
                ):
                    continue
                rows.append((rec.rec_id, t, 1, 0, *row))
        return rows

    def check_triggers(self, t_ms: int, values: Mapping[str, float]) -> list[str]:
        """Arm the triggered recorders whose setpoint ``values`` cross at ``t_ms`` [ms];
        the names of those that start."""
        started = []
        for rec in self._triggered:
            trig = rec.definition.trigger
            if rec.active_to is not None and t_ms <= rec.active_to:
                continue  # logging its span; no retrigger
            v = values.get(trig.quantity, math.nan)
            if (v > trig.level) if trig.above else (v < trig.level):
                rec.active_from = t_ms
                rec.active_to = t_ms + round(trig.duration * 1000)
                started.append(rec.definition.name)
        return started

    def restart_coverage(self, t_ms: int) -> None:
        """Data resume at ``t_ms`` [ms] after a gap: the intervals it falls in are partial."""
        self.covered_from = t_ms
        for g in self.groups:
            if g.end is not None and g.end - g.interval_ms < t_ms:
                g.partial = True

    # -- output ----------------------------------------------------------------------------

    def _stats(self, g: _Group) -> np.ndarray:
        s, ss, cnt, lo, hi, last = g.acc
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s / cnt  # 0/0 -> NaN: nothing valid
            rms = np.sqrt(ss / cnt)
        lo = np.where(np.isfinite(lo), lo, np.nan)  # ±inf: no finite value came
        hi = np.where(np.isfinite(hi), hi, np.nan)
        return np.stack([mean, rms, lo, hi, last]).ravel()

    def _close(self, g: _Group) -> list[Row]:
        rows: list[Row] = []
        if g.n:
            flat = self._stats(g)
            end, start = g.end, g.end - g.interval_ms
            for k in g.recorders:
                rec = self._recs[k]
                if rec.definition.trigger is not None and not (
                    rec.active_from is not None and rec.active_from <= end
                    and start < rec.active_to
                ):  # fmt: skip
                    continue
                rows.append((rec.rec_id, end, g.n, int(g.partial), *flat[rec.flat].tolist()))
        g.clear(len(self.ids))
        g.end = None
        return rows

    def flush(self) -> list[Row]:
        """Close every open interval now (rows marked partial)."""
        rows: list[Row] = []
        for g in self.groups:
            if g.end is not None:
                g.partial = True
                rows.extend(self._close(g))
        return rows

    # -- open intervals kept across a restart ------------------------------------------------

    def open_state(self, min_interval_ms: int) -> dict[int, bytes]:
        """The open accumulators of the groups with intervals ≥ ``min_interval_ms`` [ms], as
        blobs by interval (to resume an interval after a restart)."""
        out = {}
        for g in self.groups:
            if g.interval_ms >= min_interval_ms and g.end is not None and g.n:
                head = json.dumps({
                    "end": g.end, "n": g.n, "ids": self.ids,
                    "recorders": [self._recs[k].rec_id for k in g.recorders],
                }).encode()  # fmt: skip
                out[g.interval_ms] = head + b"\0" + g.acc.tobytes()
        return out

    def resume(self, interval_ms: int, blob: bytes, t_ms: int) -> list[Row]:
        """Take back a group's open interval saved by ``open_state`` before a restart; the data
        resume at ``t_ms`` [ms]. If ``t_ms`` is still inside it, the interval goes on
        (partial); else its row is returned (partial). A blob of other recorders is ignored."""
        g = next((g for g in self.groups if g.interval_ms == interval_ms), None)
        try:
            head, _, data = bytes(blob).partition(b"\0")
            meta = json.loads(head)
            acc = np.frombuffer(data, dtype=float).reshape(6, len(self.ids)).copy()
        except (ValueError, TypeError):
            return []
        if (
            g is None
            or tuple(meta["ids"]) != self.ids
            or meta["recorders"] != [self._recs[k].rec_id for k in g.recorders]
        ):
            return []
        g.end, g.n, g.acc, g.partial = int(meta["end"]), int(meta["n"]), acc, True
        if t_ms > g.end:
            return self._close(g)
        return []
