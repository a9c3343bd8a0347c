"""What changed between two configurations, setting by setting, for the event log.

The event log records every change as (time, what, old -> new value); ``diff_configs`` gives
the "what, old, new" part with the setting's dotted key as in the configuration file
(``meter.ct_primary``, ``meter.channels.I2.polarity``, ``display.language``). The password is
never given in clear: both of its values read ``PASSWORD_MASK``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.config import MeterConfig

PASSWORD_MASK = "********"
#: Settings whose values a Change never shows.
SECRET_KEYS = frozenset({"security.password"})


@dataclass(frozen=True)
class Change:
    """One setting that changed: its dotted key and the values before and after (``None``
    where a setting is absent, e.g. ``meter.demand_current`` when it follows the CT primary)."""

    key: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.key}: {_text(self.old)} -> {_text(self.new)}"


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as one ``{"dotted.key": value}`` mapping, in the tables' order."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and "id" in v for v in value)
        ):  # [[alarms]]: one key per alarm and field, "alarms.ov1.pickup"
            for item in value:
                flat.update(flatten({k: v for k, v in item.items() if k != "id"},
                                    f"{prefix}{key}.{item['id']}."))  # fmt: skip
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _document(config: MeterConfig, with_alarms: bool) -> dict[str, Any]:
    from engine.alarms.config import alarm_set

    document = config.to_dict()
    if with_alarms:
        document.setdefault("alarms", [a.to_dict() for a in alarm_set(config)])
    return document


def diff_configs(old: MeterConfig, new: MeterConfig) -> list[Change]:
    """Every setting whose value differs between ``old`` and ``new``, in the file's order. When
    one side has ``[[alarms]]`` and the other none, the other counts as the default set it
    stands for, so writing that set out (the first alarm edit on the panel) shows only what was
    edited. (With neither, the default limits follow the nominal values and are no settings.)"""
    explicit = (old.alarms is None) != (new.alarms is None)
    before = flatten(_document(old, explicit))
    after = flatten(_document(new, explicit))
    keys = list(before) + [k for k in after if k not in before]
    changes = []
    for key in keys:
        a, b = before.get(key), after.get(key)
        if a == b and isinstance(a, bool) == isinstance(b, bool):
            continue  # 5 and 5.0 are the same setting; True and 1 are not
        if key in SECRET_KEYS:
            a = b = PASSWORD_MASK
        changes.append(Change(key, a, b))
    return changes
