"""Alarm occurrences and their two states (front-panel.md §6): active / ended (the condition is
present or has gone) × acknowledged / unacknowledged.

- A pickup opens an unacknowledged, active occurrence; a dropout ends it (it joins the history).
- The "active list" holds what still needs the operator: active occurrences (acknowledged or
  not) and ended ones not yet acknowledged. Acknowledged + ended leaves it and stays in the
  history [front-panel.md §6, M].
- ``summary`` feeds the alarm LED (flashing: an active unacknowledged alarm; steady: active,
  all acknowledged; off) and the bell (colour of the highest priority; filled while one is
  active, outline for ended unacknowledged ones). Info and None priorities never count there.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime

from engine.alarms.definitions import PRIORITIES, SHOWN, AlarmDefinition
from engine.snapshot import AlarmSummary

#: How many ended occurrences the history keeps (oldest dropped first).
HISTORY_LENGTH = 500


@dataclass(frozen=True)
class AlarmRecord:
    """One occurrence of an alarm. ``number``: its sequence number since the meter started;
    ``value`` at pickup and ``extreme`` (largest for over, smallest for under alarms) while
    active, in the unit of the quantity (% of Udin for disturbances; NaN: no value, e.g. a
    digital input); times UTC; ``dropout_time`` None while active."""

    number: int
    alarm_id: str
    label: str
    priority: str
    kind: str
    pickup_time: datetime
    value: float = float("nan")
    extreme: float = float("nan")
    extreme_time: datetime | None = None
    dropout_time: datetime | None = None
    acknowledged: bool = False
    ack_time: datetime | None = None

    @property
    def active(self) -> bool:
        return self.dropout_time is None

    @property
    def state(self) -> str:
        """ "active" | "ended", then "acknowledged" | "unacknowledged", e.g. "active
        unacknowledged" (the engine event's wording)."""
        return (f"{'active' if self.active else 'ended'} "
                f"{'acknowledged' if self.acknowledged else 'unacknowledged'}")  # fmt: skip


def rank(priority: str) -> int:
    """Order of a priority: none 0 … high 4."""
    return PRIORITIES.index(priority)


class AlarmBook:
    """The open occurrences (active, or ended and unacknowledged) and the history."""

    def __init__(self, history_length: int = HISTORY_LENGTH) -> None:
        self._open: dict[int, AlarmRecord] = {}
        self._current: dict[str, int] = {}  # alarm id -> number of its active occurrence
        self.history: deque[AlarmRecord] = deque(maxlen=history_length)
        self._count = 0
        self.version = 0  # counts changes, so the published lists are rebuilt only after one

    def current(self, alarm_id: str) -> AlarmRecord | None:
        """The active occurrence of ``alarm_id`` (None: not active)."""
        n = self._current.get(alarm_id)
        return None if n is None else self._open[n]

    def pickup(self, d: AlarmDefinition, time: datetime, value: float) -> AlarmRecord:
        """Open an occurrence of ``d`` at ``time``; ``value`` [unit of the quantity]."""
        self._count += 1
        rec = AlarmRecord(
            self._count, d.id, d.label, d.priority, d.kind, time, value, value,
            None if value != value else time,
        )  # fmt: skip
        self._open[rec.number] = rec
        self._current[d.id] = rec.number
        self.version += 1
        return rec

    def extreme(self, alarm_id: str, time: datetime, value: float, direction: str) -> None:
        """Follow the extreme of the active occurrence: a ``value`` further out replaces it."""
        rec = self.current(alarm_id)
        if rec is None or value != value:
            return
        old = rec.extreme
        if old != old or (value > old if direction == "over" else value < old):
            self._open[rec.number] = replace(rec, extreme=value, extreme_time=time)
            self.version += 1

    def set_extreme(self, alarm_id: str, value: float) -> None:
        """Set the extreme of the active occurrence (a disturbance's residual or maximum)."""
        rec = self.current(alarm_id)
        if rec is not None:
            self._open[rec.number] = replace(rec, extreme=value, extreme_time=rec.pickup_time)
            self.version += 1

    def dropout(self, alarm_id: str, time: datetime) -> AlarmRecord | None:
        """End the active occurrence of ``alarm_id`` at ``time``; None if it was not active."""
        n = self._current.pop(alarm_id, None)
        if n is None:
            return None
        rec = replace(self._open[n], dropout_time=time)
        # Ended: done if acknowledged, or if never shown (Info, None: nothing to acknowledge).
        if rec.acknowledged or rec.priority not in SHOWN:
            del self._open[n]
        else:
            self._open[n] = rec
            self._bound_open()
        self.history.append(rec)
        self.version += 1
        return rec

    def _bound_open(self) -> None:
        """Keep at most ``history.maxlen`` ended unacknowledged occurrences (a chattering alarm
        nobody acknowledges must not grow the list for ever): the oldest go, staying in the
        history."""
        ended = [n for n, r in self._open.items() if not r.active]
        for n in ended[: max(0, len(ended) - (self.history.maxlen or len(ended)))]:
            del self._open[n]

    def acknowledge(self, alarm_id: str | None, time: datetime) -> list[AlarmRecord]:
        """Acknowledge every unacknowledged open occurrence of ``alarm_id`` (None: of every
        alarm) at ``time``; returns them, acknowledged. Ended ones leave the open list."""
        done = []
        for n, rec in list(self._open.items()):
            if rec.acknowledged or (alarm_id is not None and rec.alarm_id != alarm_id):
                continue
            rec = replace(rec, acknowledged=True, ack_time=time)
            done.append(rec)
            if rec.active:
                self._open[n] = rec
            else:
                del self._open[n]
                self._update_history(rec)
        self.version += len(done)
        return done

    def _update_history(self, rec: AlarmRecord) -> None:
        for i in range(len(self.history) - 1, -1, -1):
            if self.history[i].number == rec.number:
                self.history[i] = rec
                return

    # -- for the display ------------------------------------------------------------------

    def active_list(self) -> tuple[AlarmRecord, ...]:
        """The shown open occurrences: highest priority first, then newest first."""
        shown = [r for r in self._open.values() if r.priority in SHOWN]
        shown.sort(key=lambda r: (-rank(r.priority), -r.pickup_time.timestamp(), -r.number))
        return tuple(shown)

    def history_list(self) -> tuple[AlarmRecord, ...]:
        """The shown ended occurrences, newest first."""
        return tuple(r for r in reversed(self.history) if r.priority in SHOWN)

    def summary(self) -> AlarmSummary:
        """Counts for the LED and bell (shown priorities only) and the highest priority."""
        au = aa = hu = 0
        top: str | None = None
        for r in self._open.values():
            if r.priority not in SHOWN:
                continue
            if r.active and not r.acknowledged:
                au += 1
            elif r.active:
                aa += 1
            else:
                hu += 1
            if top is None or rank(r.priority) > rank(top):
                top = r.priority
        return AlarmSummary(au, aa, hu, top)

    def clear_history(self) -> None:
        """Forget the ended occurrences (the logs reset); what still needs the operator (the
        active list) stays."""
        self.history.clear()
        self.version += 1
