"""The alarm engine of one meter: evaluates every alarm on each block's values, keeps the
occurrences (``engine.alarms.book``) and says what changed.

Per block (``step``), in ``definitions.evaluation_order``: setpoint alarms on their samples
(Urms(1/2) for high speed; for standard the 1-s values aggregated from the 10/12-cycle
windows, ``engine.alarms.seconds``, or the published values such as demand),
digital inputs, the PQ engine's dips / swells / interruptions, the unary meter events, then
boolean levels from the transitions of their inputs in the same block, so a level is timed as
exactly as the alarms it is built on. Times in the engine are seconds since the epoch (UTC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from engine.alarms.book import AlarmBook, AlarmRecord
from engine.alarms.definitions import AlarmDefinition, evaluation_order, high_speed_row
from engine.alarms.evaluate import Tracker, Transition, feed_levels, feed_samples


def _dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def seconds(times: np.ndarray) -> np.ndarray:
    """``datetime64`` times as float seconds since the epoch [s]."""
    return times.astype("datetime64[us]").astype(np.int64) / 1e6


@dataclass(frozen=True)
class Disturbance:
    """A voltage event of the PQ engine: ``type`` ("dip" | "swell" | "interruption"),
    ``start`` and ``end`` [s] (end None while in progress), ``extreme`` [% of Udin]."""

    type: str
    start: float
    end: float | None
    extreme: float


@dataclass(frozen=True)
class AlarmInputs:
    """What one block gives the alarms.

    ``start`` / ``end`` [s]: the block's span; ``half_time`` [s] and ``half`` (rms quantity id
    -> Urms(1/2) values [V, A]); ``window_time`` [s] and ``windows`` (quantity id -> 1-s values
    from the 10/12-cycle windows, timed at the end of each second); ``values``: other published
    values at ``end`` (demand …);
    ``digital``: (times [s], states (n_inputs, n)) changes of the digital inputs;
    ``disturbances``: events ended or in progress; ``unary``: (event name, time [s]) of the
    momentary meter events; ``no_reference``: the voltage reference is missing at ``end``.
    """

    start: float
    end: float
    half_time: np.ndarray = field(default_factory=lambda: np.empty(0))
    half: Mapping[str, np.ndarray] = field(default_factory=dict)
    window_time: np.ndarray = field(default_factory=lambda: np.empty(0))
    windows: Mapping[str, np.ndarray] = field(default_factory=dict)
    values: Mapping[str, float] = field(default_factory=dict)
    digital: tuple[np.ndarray, np.ndarray] | None = None
    disturbances: Sequence[Disturbance] = ()
    unary: Sequence[tuple[str, float]] = ()
    no_reference: bool = False


@dataclass(frozen=True)
class Change:
    """One change of an alarm for the event log and the actions: ``what`` is "pickup",
    "dropout" or "acknowledged"; ``record`` the occurrence after it."""

    time: datetime
    what: str
    definition: AlarmDefinition
    record: AlarmRecord


class AlarmEngine:
    """Every alarm's state machine and the book of occurrences."""

    def __init__(self, definitions: Sequence[AlarmDefinition]) -> None:
        self.book = AlarmBook()
        self._trackers: dict[str, Tracker] = {}
        self._order: tuple[AlarmDefinition, ...] = ()
        self._by_id: dict[str, AlarmDefinition] = {}
        self._started = False
        self._stacks: dict[tuple, np.ndarray] = {}  # a block's rows by quantities (shared)
        self.configure(tuple(definitions), None)

    @property
    def definitions(self) -> tuple[AlarmDefinition, ...]:
        return self._order

    def configure(
        self, definitions: tuple[AlarmDefinition, ...], time: float | None
    ) -> list[Change]:
        """Use ``definitions`` from now on. An alarm whose definition is unchanged keeps its
        state; one changed, disabled or removed while active ends at ``time`` [s]."""
        order = evaluation_order(definitions)
        changes = []
        new_ids = {d.id: d for d in order}
        for d in self._order:
            if new_ids.get(d.id) != d:
                if time is not None and self.book.current(d.id) is not None:
                    rec = self.book.dropout(d.id, _dt(time))
                    changes.append(Change(_dt(time), "dropout", d, rec))
                self._trackers.pop(d.id, None)
        self._order, self._by_id = order, new_ids
        for d in order:
            self._trackers.setdefault(d.id, Tracker())
        return changes

    def active(self, alarm_id: str) -> bool:
        return self._trackers[alarm_id].active

    def acknowledge(self, alarm_id: str | None, time: float) -> list[Change]:
        """Acknowledge ``alarm_id`` (None: all); ``ValueError`` for an unknown id."""
        if alarm_id is not None and alarm_id not in self._by_id:
            raise ValueError(f"acknowledge: no alarm with id {alarm_id!r}")
        return [
            Change(_dt(time), "acknowledged", self._by_id.get(r.alarm_id) or _gone(r), r)
            for r in self.book.acknowledge(alarm_id, _dt(time))
        ]

    def step(self, x: AlarmInputs) -> list[Change]:
        """Evaluate every enabled alarm on one block; the changes in time order."""
        self._stacks = {}
        changes: list[Change] = []
        moved: dict[str, list[Transition]] = {}
        before: dict[str, bool] = {}
        for d in self._order:
            tr = self._trackers[d.id]
            before[d.id] = tr.active
            if not d.enabled:  # (``configure`` ended it if it was active)
                moved[d.id] = []
                continue
            moved[d.id] = self._evaluate(d, tr, x, before, moved, changes)
        self._started = True
        changes.sort(key=lambda c: (c.time, c.what != "pickup"))
        return changes

    # -- per kind --------------------------------------------------------------------------

    def _evaluate(self, d, tr, x, before, moved, changes) -> list[Transition]:
        if d.kind == "setpoint":
            times, values = self._series(d, x)
            if times is None:
                return []
            found = feed_samples(tr, times, values, d.direction, d.pickup, d.dropout,
                                 d.pickup_delay, d.dropout_delay)  # fmt: skip
            self._record(d, found, changes, before[d.id], times, values)
            return found
        if d.kind == "digital":
            levels = self._digital(d, tr, x)
        elif d.kind == "disturbance":
            levels = self._disturbance(d, x)
        elif d.kind == "unary":
            if d.event == "source_lost":
                levels = [(x.end, x.no_reference)]
            else:
                found = []
                times = [t for name, t in x.unary if name == d.event]
                if d.event == "power_up" and not self._started:
                    times.insert(0, x.start)
                for t in times:  # momentary: picked up and ended at once
                    found += [Transition(t, True), Transition(t, False)]
                self._record(d, found, changes, before[d.id])
                return found
        else:
            levels = self._boolean(d, tr, x, before, moved)
        found = feed_levels(tr, levels, x.end, d.pickup_delay, d.dropout_delay)
        extreme = None
        if d.kind == "disturbance":
            extreme = {round(e.start, 6): e.extreme for e in x.disturbances if e.type == d.event}
        self._record(d, found, changes, before[d.id], extreme=extreme)
        return found

    def _series(self, d: AlarmDefinition, x: AlarmInputs):
        """The samples of a setpoint alarm: times [s] and the largest (over) or smallest
        (under) of its quantities; (None, None) when none of them is measured."""
        if d.speed == "high":
            rows = [x.half[q] for q in map(high_speed_row, d.quantities) if q in x.half]
            times = x.half_time
        else:
            rows = [x.windows[q] for q in d.quantities if q in x.windows]
            times = x.window_time
            if not rows:  # not a window value (demand, 10-s frequency …): the block's value
                got = [x.values[q] for q in d.quantities if q in x.values]
                rows = [np.array([v]) for v in got]
                times = np.array([x.end])
        if not rows or len(times) == 0:
            return None, None
        key = (d.speed, d.quantities)
        stack = self._stacks.get(key)
        if stack is None:  # over- and under-voltage alarms read the same rows
            stack = self._stacks[key] = np.vstack(rows)
        with np.errstate(all="ignore"):
            nan = np.isnan(stack).all(axis=0)
            filled = np.where(np.isnan(stack), -np.inf if d.direction == "over" else np.inf, stack)
            values = filled.max(axis=0) if d.direction == "over" else filled.min(axis=0)
        values = np.where(nan, np.nan, values)
        return np.asarray(times, dtype=float), values

    def _digital(self, d: AlarmDefinition, tr: Tracker, x: AlarmInputs):
        if x.digital is None:
            return []
        times, states = x.digital
        if d.input > states.shape[0]:
            return []
        level = states[d.input - 1] == d.state
        prev = np.concatenate([[tr.condition], level[:-1]])
        idx = np.flatnonzero(level != prev)
        return [(float(times[i]), bool(level[i])) for i in idx]

    def _disturbance(self, d: AlarmDefinition, x: AlarmInputs):
        levels = []
        for e in x.disturbances:
            if e.type != d.event:
                continue
            levels.append((e.start, True))
            if e.end is not None:
                levels.append((e.end, False))
        return sorted(levels, key=lambda c: (c[0], c[1]))

    def _boolean(self, d: AlarmDefinition, tr: Tracker, x: AlarmInputs, before, moved):
        """The level's changes from its inputs' states at the block's start and their
        transitions in it."""
        state = {i: before.get(i, False) for i in d.inputs}

        def combine() -> bool:
            vals = [state[i] for i in d.inputs]
            if d.operator == "and":
                return all(vals)
            if d.operator == "or":
                return any(vals)
            return not vals[0]

        levels = []
        if combine() != tr.condition:  # e.g. a NOT level on the first block
            levels.append((x.start, combine()))
        moves = sorted((m.time, name, m.active) for name in d.inputs for m in moved[name])
        for t, name, active in moves:
            state[name] = active
            levels.append((t, combine()))
        return levels

    # -- into the book ---------------------------------------------------------------------

    def _record(self, d, found, changes, was_active, times=None, values=None, extreme=None):
        """Apply transitions ``found`` to the book and follow the extreme over ``values``."""
        active_from = -np.inf if was_active else None
        for t in found:
            if t.active:
                at = _dt(t.time)
                rec = self.book.pickup(d, at, t.value)
                if extreme is not None and round(t.time, 6) in extreme:
                    self.book.set_extreme(d.id, extreme[round(t.time, 6)])
                active_from = t.time
                changes.append(Change(at, "pickup", d, self.book.current(d.id) or rec))
            else:
                self._follow(d, times, values, active_from, t.time)
                active_from = None
                rec = self.book.dropout(d.id, _dt(t.time))
                if rec is not None:
                    changes.append(Change(_dt(t.time), "dropout", d, rec))
        if active_from is not None:
            self._follow(d, times, values, active_from, np.inf)
            if extreme is not None:
                rec = self.book.current(d.id)
                if rec is not None:
                    key = round(rec.pickup_time.timestamp(), 6)
                    if key in extreme:
                        self.book.set_extreme(d.id, extreme[key])

    def _follow(self, d, times, values, start: float, stop: float) -> None:
        """Extreme of the samples in [start, stop) while active."""
        if times is None or d.kind != "setpoint":
            return
        mask = (times >= start) & (times < stop) & ~np.isnan(values)
        if not mask.any():
            return
        seg_t, seg_v = times[mask], values[mask]
        i = int(np.argmax(seg_v) if d.direction == "over" else np.argmin(seg_v))
        self.book.extreme(d.id, _dt(float(seg_t[i])), float(seg_v[i]), d.direction)


def _gone(rec: AlarmRecord) -> AlarmDefinition:
    """A stand-in definition for an occurrence whose alarm has since been removed."""
    return AlarmDefinition(rec.alarm_id, kind="unary", event="power_up", priority=rec.priority,
                           label=rec.label)  # fmt: skip
