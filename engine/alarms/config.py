"""The ``[[alarms]]`` tables of the configuration file <-> ``AlarmDefinition``s.

Each alarm is one table (``[[alarms]]``) with ``id`` and ``kind`` and the fields of its kind
(``engine.alarms.definitions``); ``quantity = "V_A"`` is short for ``quantities = ["V_A"]``.
No ``[[alarms]]`` at all: the default set (``engine.alarms.defaults``), which follows the
nominal values. Errors name the alarm and the field: ``alarms.ov1.pickup_delay: must be a
number >= 0, got -1``.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from engine.alarms.defaults import default_alarms
from engine.alarms.definitions import AlarmDefinition, evaluation_order

if TYPE_CHECKING:
    from engine.config_model import MeterConfig

_FIELDS = {f.name: f for f in fields(AlarmDefinition)}
_TUPLES = ("quantities", "inputs", "actions")
_FLOATS = ("pickup", "dropout", "pickup_delay", "dropout_delay")


def alarm_from_table(table: Any, index: int) -> AlarmDefinition:
    """One ``[[alarms]]`` table (the ``index``-th, from 1, for messages) as a definition."""
    if not isinstance(table, dict):
        raise ValueError(f"alarms: entry {index} must be a table ([[alarms]]), got {table!r}")
    table = dict(table)
    aid = table.get("id")
    if not isinstance(aid, str):
        raise ValueError(f'alarms.id: alarm {index} needs an id (a name such as "ov1")')
    where = f"alarms.{aid}."
    if "quantity" in table:
        if "quantities" in table:
            raise ValueError(f"{where}quantity: give quantity or quantities, not both")
        table["quantities"] = [table.pop("quantity")]
    for key in table:
        if key not in _FIELDS:
            known = ", ".join(sorted({*_FIELDS, "quantity"}))
            raise ValueError(f"{where}{key}: unknown setting (known here: {known})")
    for key in _TUPLES:
        if key in table:
            value = table[key]
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{where}{key}: must be a list of texts, got {value!r}")
            table[key] = tuple(value)
    for key in _FLOATS:
        value = table.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            table[key] = float(value)
    return AlarmDefinition(**table)


def alarms_from_tables(tables: Any) -> tuple[AlarmDefinition, ...]:
    """Every ``[[alarms]]`` table, checked together (unique ids, boolean inputs that exist,
    no loops)."""
    if not isinstance(tables, list):
        raise ValueError(f"alarms: must be a list of tables ([[alarms]]), got {tables!r}")
    alarms = tuple(alarm_from_table(t, i + 1) for i, t in enumerate(tables))
    evaluation_order(alarms)
    return alarms


def check_alarms(alarms: Any) -> None:
    """``ValueError`` unless ``alarms`` is None (the default set) or a valid tuple of
    definitions."""
    if alarms is None:
        return
    if not isinstance(alarms, tuple) or not all(isinstance(a, AlarmDefinition) for a in alarms):
        raise ValueError(f"alarms: must be a tuple of AlarmDefinition, got {alarms!r}")
    evaluation_order(alarms)


def alarm_set(config: MeterConfig) -> tuple[AlarmDefinition, ...]:
    """The alarms ``config`` defines, or the default set for its nominal values."""
    if config.alarms is not None:
        return config.alarms
    return default_alarms(
        config.nominal_voltage, config.nominal_frequency, config.ct_primary,
        delta=config.wiring == "3W-DELTA",
    )  # fmt: skip


#: What the panel's Setup > Alarms edits of an alarm (``alarms.<id>.<field>``).
PANEL_FIELDS = ("enabled", "pickup", "priority")


def _split_key(key: str) -> tuple[str, str]:
    parts = key.split(".")
    if len(parts) != 3 or parts[0] != "alarms" or parts[2] not in PANEL_FIELDS:
        raise KeyError(f"{key!r} is not an alarm setting (alarms.<id>.{'|'.join(PANEL_FIELDS)})")
    return parts[1], parts[2]


def alarm_setting(config: MeterConfig, key: str):
    """The value of ``alarms.<id>.enabled|pickup|priority`` in ``config`` (its alarm set);
    ``KeyError`` for another key or an unknown alarm."""
    alarm_id, name = _split_key(key)
    for d in alarm_set(config):
        if d.id == alarm_id:
            return getattr(d, name)
    raise KeyError(f"{key!r}: no alarm {alarm_id!r}")


def with_alarm_setting(config: MeterConfig, key: str, value) -> MeterConfig:
    """``config`` with ``alarms.<id>.<field>`` set: the alarm set is written out in full (from
    then on the limits no longer follow the nominal values). A new pickup moves the dropout
    with it, keeping the hysteresis in proportion. ``ValueError`` if the alarm refuses it."""
    from dataclasses import replace

    alarm_id, name = _split_key(key)
    alarms = list(alarm_set(config))
    for k, d in enumerate(alarms):
        if d.id == alarm_id:
            changes = {name: value}
            if name == "pickup":
                ratio = d.dropout / d.pickup if d.pickup else 1.0
                changes["dropout"] = value * ratio if d.pickup else value
            alarms[k] = replace(d, **changes)
            return replace(config, alarms=tuple(alarms))
    raise KeyError(f"{key!r}: no alarm {alarm_id!r}")
