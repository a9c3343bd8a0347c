"""From a Setup setting to its editor and back into the configuration: ``editor_for`` picks
and sizes the editor for a dotted key, ``apply`` puts the edited value into a ``MeterConfig``
(front-panel.md §3.5-3.6, issue 5 "Editing the way the meter does").

The editors themselves (what ▲/▼/◄/► do, what ✓ saves) are in ``hmi.editors`` and the
"Save changes?" question in ``hmi.confirmation``; both are re-exported here, so
``from hmi.editing import NumericEditor, Confirmation, …`` keeps working.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from engine.alarms.config import alarm_setting, with_alarm_setting
from engine.alarms.definitions import PRIORITIES
from engine.config import CHANNELS, RULES, MeterConfig, Rule, validate
from hmi.confirmation import NO, SAVE_QUESTION, YES, Confirmation
from hmi.editors import (
    CANCELLED,
    CURSOR_WRAPS,
    OK,
    OUT_OF_RANGE,
    TEXT_CHARS,
    BoolEditor,
    ChoiceEditor,
    Editor,
    IpEditor,
    NumericEditor,
    Result,
    TextEditor,
    _Field,
)

__all__ = [
    "CANCELLED",
    "CLOCK_KEYS",
    "CURSOR_WRAPS",
    "DECIMALS",
    "EXTRA_RULES",
    "IP_KEYS",
    "MAX_DECIMALS",
    "NO",
    "OK",
    "OPEN_MAX",
    "OUT_OF_RANGE",
    "SAVE_QUESTION",
    "TEXT_CHARS",
    "YES",
    "BoolEditor",
    "ChoiceEditor",
    "Confirmation",
    "Editor",
    "IpEditor",
    "NumericEditor",
    "Refused",
    "Result",
    "TextEditor",
    "_Field",
    "apply",
    "current",
    "editor_for",
    "rule_for",
]

#: Settings without an upper limit (a number > 0) get a field this wide: the ION7400's own
#: limit for PT/CT primaries is 999 999 [M].
OPEN_MAX = 999_999.0
MAX_DECIMALS = 4  # a stored value with more decimals than its field shows widens the field
#: Decimals shown per float setting; others get as many as their lower limit has.
DECIMALS = {
    "meter.nominal_voltage": 1, "meter.pt_primary": 1, "meter.pt_secondary": 1,
    "meter.ct_primary": 0, "meter.ct_secondary": 0, "meter.i4_ct_primary": 0,
    "meter.i4_ct_secondary": 0, "meter.demand_current": 0, "meter.pulse_kt": 2,
    "meter.channels.ratio_correction": 4, "meter.channels.phase_correction": 2,
    "display.update_rate": 1,
}  # fmt: skip
#: The Date and Time rows: the local clock, stored as ``clock.adjust`` (``hmi.clock_editing``).
CLOCK_KEYS = ("clock.date", "clock.time")
IP_KEYS = frozenset({"communications.ip", "communications.subnet", "communications.gateway"})
#: Demand Setup fields that DemandSettings checks itself (not in engine.config.RULES).
EXTRA_RULES = {
    "demand.interval": Rule(
        int, low=1, high=86_400, unit="s", test=lambda v: 86_400 % v == 0,
        text="a whole number of seconds from 1 to 86400 that divides 24 h",
    ),
    "demand.subintervals": Rule(int, low=1, high=86_400),
}  # fmt: skip


#: What Setup > Alarms edits of each alarm (``alarms.<id>.<field>``): on/off, the pickup
#: limit in the unit of its quantity (the dropout follows), the priority.
ALARM_RULES = {
    "enabled": Rule(bool),
    "pickup": Rule(float, low=0.0, high=9_999_999.0),
    "priority": Rule(str, PRIORITIES),
}
#: Decimals of an alarm limit's field (more if the stored value has them).
ALARM_DECIMALS = 1


def _alarm_key(key: str) -> bool:
    return key.startswith("alarms.") and key.count(".") == 2


class Refused(ValueError):
    """``apply`` refused a value; ``str()`` is the message for the TFT."""


def _places(x: float) -> int:
    """Decimals needed to write ``x`` exactly (up to MAX_DECIMALS)."""
    text = f"{abs(x):.{MAX_DECIMALS}f}".rstrip("0")
    return len(text.split(".")[1])


def _split(key: str) -> tuple[str, str | None, str]:
    """``key`` as (section, channel or None, name); "meter.channels.V1.inverted" has a channel."""
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["meter", "channels"]:
        if parts[2] not in CHANNELS:
            raise KeyError(f"{key}: unknown channel {parts[2]!r} (use {', '.join(CHANNELS)})")
        return "meter.channels", parts[2], parts[3]
    section, _, name = key.rpartition(".")
    return section, None, name


def rule_for(key: str) -> Rule:
    """The rule of dotted ``key``; channel settings are keyed "meter.channels.V1.inverted",
    alarm settings "alarms.over_voltage.pickup"."""
    if _alarm_key(key) and key.rsplit(".", 1)[1] in ALARM_RULES:
        return ALARM_RULES[key.rsplit(".", 1)[1]]
    section, channel, name = _split(key)
    rule = RULES.get(f"{section}.{name}") or EXTRA_RULES.get(key)
    if rule is None or (section == "meter.channels") != (channel is not None):
        raise KeyError(f"{key!r} is not an editable setting")
    return rule


def current(config: MeterConfig, key: str) -> Any:
    """The value of setting ``key`` in ``config`` (the demand current: its effective value)."""
    rule_for(key)
    if _alarm_key(key):
        return alarm_setting(config, key)
    section, channel, name = _split(key)
    if channel is not None:
        return getattr(config.channels[channel], name)
    if key == "meter.demand_current":
        return config.tdd_current
    return getattr(config if section == "meter" else getattr(config, section), name)


def editor_for(key: str, config: MeterConfig) -> Editor:
    """The editor the meter uses for setting ``key`` (dotted, as in ``RULES``), starting at its
    value in ``config``: choices, on/off, IP address, password, text or a digit field sized by
    the rule's range (``OPEN_MAX`` when it has no maximum). The Date and Time rows
    (``CLOCK_KEYS``) get the date or time editor (``hmi.clock_editing.clock_editor``, which
    the panel calls with the source's time)."""
    if key in CLOCK_KEYS:
        from hmi.clock_editing import clock_editor  # it builds on this module's _Field

        return clock_editor(key, config)
    rule, value = rule_for(key), current(config, key)
    if rule.choices:
        cast = float if rule.kind is float else (lambda c: c)
        return ChoiceEditor(tuple(cast(c) for c in rule.choices), value, rule=rule)
    if rule.kind is bool:
        return BoolEditor(value, rule=rule)
    if key in IP_KEYS:
        return IpEditor(value, rule=rule)
    if key == "security.password":  # up to 8 digits; the meter compares them as a number
        return NumericEditor(
            int(value), digits=8, decimals=0, minimum=0, maximum=99_999_999, result_type=str,
            rule=rule,
        )  # fmt: skip
    if rule.kind is str:
        return TextEditor(value, rule=rule)
    low = rule.low if rule.low is not None else 0.0
    high = rule.high if rule.high is not None else OPEN_MAX
    section, _, name = _split(key)
    decimals = 0
    if rule.kind is float:  # the key's decimals, more if the stored value has them
        wanted = ALARM_DECIMALS if _alarm_key(key) else _places(low)
        decimals = max(DECIMALS.get(f"{section}.{name}", wanted), _places(value))
    whole = max(len(str(int(abs(x)))) for x in (low, high, value))
    return NumericEditor(
        value, digits=whole + decimals, decimals=decimals, minimum=low, maximum=high,
        signed=low < 0, result_type=rule.kind, unit=rule.unit, range_text=rule.allowed(),
        rule=rule,
    )  # fmt: skip


def apply(config: MeterConfig, key: str, value: Any) -> MeterConfig:
    """``config`` with setting ``key`` set to ``value``, validated; ``Refused`` (a ValueError,
    its text for the TFT) if the configuration does not accept it. The revenue lock is the
    caller's check (``hmi.password.refused_by_lock``)."""
    section, channel, name = _split(key)
    rule_for(key)
    try:
        if _alarm_key(key):
            return validate(with_alarm_setting(config, key, value))
        if channel is not None:
            channels = dict(config.channels)
            channels[channel] = replace(channels[channel], **{name: value})
            new = replace(config, channels=MappingProxyType(channels))
        elif section == "meter":
            new = replace(config, **{name: value})
        else:
            new = replace(config, **{section: replace(getattr(config, section), **{name: value})})
        return validate(new)
    except (TypeError, ValueError) as error:
        raise Refused(str(error)) from None
