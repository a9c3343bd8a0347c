"""What an alarm is: ``AlarmDefinition`` and the checks that keep a definition meaningful.

Kinds (front-panel.md §6 [V]: setpoint, digital, disturbance, unary; the ION "Boolean" modules
build alarm levels from other alarms):

- ``setpoint``: one or more quantity ids, ``over`` or ``under``; picks up when the value (the
  largest of the quantities for ``over``, the smallest for ``under``) is beyond ``pickup`` for
  ``pickup_delay`` [s] and drops out when it is back past ``dropout`` for ``dropout_delay``
  [s]. Thresholds are in the unit of the quantity. ``speed = "high"`` evaluates the Urms(1/2)
  values (every half cycle, IEC 61000-4-30 §5.4.2; only rms voltages and currents);
  ``"standard"`` 1-s values aggregated from the 10/12-cycle windows (``engine.alarms.seconds``)
  and, for quantities that have no window value (demand …), the published values.
- ``digital``: digital input ``input`` (1-based) equal to ``state``, with the same delays.
- ``disturbance``: a voltage ``event`` ("dip" | "swell" | "interruption") of the PQ engine;
  active from the event's start to its end.
- ``unary``: a meter ``event`` ("power_up" | "config_changed": momentary, picked up and ended
  at once; "source_lost": active while the voltage reference is missing).
- ``boolean``: ``operator`` ("and" | "or" | "not") of the active states of ``inputs`` (other
  alarm ids; "not" takes one), with the delays.

Priorities (front-panel.md §6 [V]): none (not logged, not shown: a building block for levels),
info (logged, never shown), low, medium, high. ``actions`` on pickup: "capture" (waveforms),
"snapshot" (log the readings), "relay1" / "relay2" (held on while the alarm is active).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields

KINDS = ("setpoint", "digital", "disturbance", "unary", "boolean")
DIRECTIONS = ("over", "under")
SPEEDS = ("standard", "high")
PRIORITIES = ("none", "info", "low", "medium", "high")
#: Priorities shown on the display (Info is logged, never shown: front-panel.md §6 [V]).
SHOWN = ("low", "medium", "high")
ACTIONS = ("capture", "snapshot", "relay1", "relay2")
DISTURBANCES = ("dip", "swell", "interruption")
UNARY_EVENTS = ("power_up", "config_changed", "source_lost")
OPERATORS = ("and", "or", "not")
#: At least this many alarms can be configured (issue 7); more are refused as a likely mistake.
MAX_ALARMS = 200
DIGITAL_INPUTS = 16
_ID = re.compile(r"[a-z][a-z0-9_]{0,31}")
_QID = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass(frozen=True)
class AlarmDefinition:
    """One configurable alarm (see the module docstring for the kinds). Times in [s]."""

    id: str
    kind: str = "setpoint"
    label: str = ""
    priority: str = "medium"
    enabled: bool = True
    quantities: tuple[str, ...] = ()
    direction: str = "over"
    pickup: float = 0.0
    dropout: float = 0.0
    pickup_delay: float = 0.0
    dropout_delay: float = 0.0
    speed: str = "standard"
    input: int = 1
    state: bool = True
    event: str = ""
    operator: str = "or"
    inputs: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_definition(self)

    @property
    def shown(self) -> bool:
        """Whether the display shows it (lists, LED, bell)."""
        return self.priority in SHOWN

    @property
    def logged(self) -> bool:
        """Whether its transitions are recorded as engine events (all but priority none)."""
        return self.priority != "none"

    def to_dict(self) -> dict:
        """The TOML table of this alarm: ``id``, ``kind`` and the fields its kind uses."""
        keep = {"id", "kind", "label", "priority", "enabled", "actions", *KIND_FIELDS[self.kind]}
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in keep and not (f.name in ("label", "actions") and not value):
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


#: The fields each kind reads (besides id, kind, label, priority, enabled, actions).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "setpoint": ("quantities", "direction", "pickup", "dropout", "pickup_delay", "dropout_delay",
                 "speed"),
    "digital": ("input", "state", "pickup_delay", "dropout_delay"),
    "disturbance": ("event",),
    "unary": ("event", "pickup_delay", "dropout_delay"),
    "boolean": ("operator", "inputs", "pickup_delay", "dropout_delay"),
}  # fmt: skip


def _number(where: str, value: object, low: float = -math.inf) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < low:
        bound = "" if low == -math.inf else f" >= {low:g}"
        raise ValueError(f"{where}: must be a number{bound}, got {value!r}")


def _one_of(where: str, value: object, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"{where}: must be one of {', '.join(map(str, allowed))}, got {value!r}")


def check_definition(d: AlarmDefinition) -> None:
    """``ValueError`` naming the field (``alarms.<id>.<field>: …``) for a definition that
    cannot work: unknown kind or priority, thresholds the wrong way round, negative delays …"""
    if not isinstance(d.id, str) or not _ID.fullmatch(d.id):
        raise ValueError(
            f"alarms.id: must be 1-32 lower-case letters, digits or _ starting with a letter, "
            f"got {d.id!r}"
        )
    w = f"alarms.{d.id}."
    _one_of(w + "kind", d.kind, KINDS)
    _one_of(w + "priority", d.priority, PRIORITIES)
    if not isinstance(d.enabled, bool):
        raise ValueError(f"{w}enabled: must be true or false, got {d.enabled!r}")
    if not isinstance(d.label, str):
        raise ValueError(f"{w}label: must be a text, got {d.label!r}")
    for a in d.actions:
        _one_of(w + "actions", a, ACTIONS)
    _number(w + "pickup_delay", d.pickup_delay, 0.0)
    _number(w + "dropout_delay", d.dropout_delay, 0.0)
    if d.kind == "setpoint":
        if not d.quantities:
            raise ValueError(f"{w}quantities: a setpoint alarm needs at least one quantity id")
        for q in d.quantities:
            if not isinstance(q, str) or not _QID.fullmatch(q):
                raise ValueError(f"{w}quantities: {q!r} is not a quantity id such as V_A")
        _one_of(w + "direction", d.direction, DIRECTIONS)
        _one_of(w + "speed", d.speed, SPEEDS)
        _number(w + "pickup", d.pickup)
        _number(w + "dropout", d.dropout)
        if d.direction == "over" and d.dropout > d.pickup:
            raise ValueError(f"{w}dropout: an over alarm drops out at or below its pickup "
                             f"({d.pickup:g}), got {d.dropout:g}")  # fmt: skip
        if d.direction == "under" and d.dropout < d.pickup:
            raise ValueError(f"{w}dropout: an under alarm drops out at or above its pickup "
                             f"({d.pickup:g}), got {d.dropout:g}")  # fmt: skip
        if d.speed == "high":
            for q in d.quantities:
                if high_speed_row(q) is None:
                    raise ValueError(
                        f"{w}quantities: {q} has no half-cycle value (high speed takes rms "
                        "voltages and currents such as V_A, V_AB, I_A)"
                    )
    elif d.kind == "digital":
        ok = isinstance(d.input, int) and not isinstance(d.input, bool)
        if not ok or not 1 <= d.input <= DIGITAL_INPUTS:
            raise ValueError(f"{w}input: must be a digital input 1 to {DIGITAL_INPUTS}, "
                             f"got {d.input!r}")  # fmt: skip
        if not isinstance(d.state, bool):
            raise ValueError(f"{w}state: must be true or false, got {d.state!r}")
    elif d.kind == "disturbance":
        _one_of(w + "event", d.event, DISTURBANCES)
    elif d.kind == "unary":
        _one_of(w + "event", d.event, UNARY_EVENTS)
    else:
        _one_of(w + "operator", d.operator, OPERATORS)
        if not d.inputs or any(not isinstance(i, str) for i in d.inputs):
            raise ValueError(f"{w}inputs: a boolean alarm needs the ids of other alarms")
        if d.operator == "not" and len(d.inputs) != 1:
            raise ValueError(f"{w}inputs: not takes exactly one alarm, got {len(d.inputs)}")
        if d.id in d.inputs:
            raise ValueError(f"{w}inputs: an alarm cannot be its own input")


_HALF_PHASES = ("A", "B", "C", "AB", "BC", "CA", "N")


def high_speed_row(qid: str) -> str | None:
    """The rms quantity id whose Urms(1/2) row a high-speed alarm on ``qid`` reads ("V_A" and
    "V_HALF_A" -> "V_A"), or None if ``qid`` has no half-cycle value."""
    m = re.fullmatch(r"([VI])_(?:HALF_)?([A-Z]+)", qid)
    if m is None or m.group(2) not in _HALF_PHASES:
        return None
    return f"{m.group(1)}_{m.group(2)}"


def evaluation_order(definitions: tuple[AlarmDefinition, ...]) -> tuple[AlarmDefinition, ...]:
    """The definitions with every boolean alarm after its inputs (inputs first, then levels
    built on levels). ``ValueError`` for duplicate ids, an unknown input or a loop."""
    by_id: dict[str, AlarmDefinition] = {}
    for d in definitions:
        if d.id in by_id:
            raise ValueError(f"alarms.{d.id}.id: defined twice")
        by_id[d.id] = d
    if len(by_id) > MAX_ALARMS:
        raise ValueError(f"alarms: at most {MAX_ALARMS} alarms, got {len(by_id)}")
    order: list[AlarmDefinition] = []
    state: dict[str, int] = {}  # 1: being visited, 2: placed

    def visit(d: AlarmDefinition, path: tuple[str, ...]) -> None:
        if state.get(d.id) == 2:
            return
        if state.get(d.id) == 1:
            raise ValueError(f"alarms.{d.id}.inputs: a loop ({' -> '.join((*path, d.id))})")
        state[d.id] = 1
        for i in d.inputs if d.kind == "boolean" else ():
            if i not in by_id:
                raise ValueError(f"alarms.{d.id}.inputs: no alarm with id {i!r}")
            visit(by_id[i], (*path, d.id))
        state[d.id] = 2
        order.append(d)

    for d in definitions:
        visit(d, ())
    return tuple(order)
