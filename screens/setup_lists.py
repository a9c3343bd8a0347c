"""The Setup lists: every parameter of the configuration as "label: value", in the order of
the meter's Setup screens (front-panel.md §4). Values come from the configuration
(``engine.config``). Each row also names the setting it edits (dotted, as in
``engine.config.RULES``; None: not editable here): ✎ on an editable list opens that setting's
editor (``hmi.setup_controller``), and ``choice_text`` / ``UNIT_KEYS`` say how a value is
written, in the list and in the editor alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.alarms.config import alarm_set, alarm_setting
from engine.alarms.defaults import BASIC_ALARMS
from engine.config import CHANNELS, MeterConfig
from engine.quantities import QUANTITIES
from engine.snapshot import Snapshot
from i18n import LANGUAGES
from screens.base import LIST_KEYS, Context, SoftKey, Translate
from screens.canvas import MISSING
from screens.formats import format_date, format_time
from screens.info import Items, ParameterList, _on_off, number

#: The standard (setpoint and disturbance) alarms listed on Alarm Setup.
STANDARD_ALARMS = BASIC_ALARMS
RESETS = ("energy", "peak_demand", "minmax", "logs", "disturbance", "master")
#: The Test Mode list's row edits this (the meter's state, not a configuration setting).
TEST_MODE = "test_mode"
#: The Date and Time rows edit the local clock (stored as ``clock.adjust``; the same keys as
#: ``hmi.editing.CLOCK_KEYS``, which screens may not import).
DATE, TIME = "clock.date", "clock.time"
#: Keys of an editable list: ▲ ▼ ✎ back.
EDIT_KEYS = (SoftKey("up"), SoftKey("down"), SoftKey("edit"), SoftKey("back"))

#: Row: label, value (both as drawn) and the setting it edits (None: not editable).
Rows = list[tuple[str, str, str | None]]

_PF = {"lead/lag": "lead_lag", "+/-": "sign", "cap/ind": "cap_ind"}
#: The configuration's energy-pulse sources and their catalogue keys.
_PULSE_SOURCES = {
    "kWh del": "kwh_del", "kWh rec": "kwh_rec", "kWh del+rec": "kwh_del_rec",
    "kvarh del": "kvarh_del", "kvarh rec": "kvarh_rec", "kVAh": "kvah",
}  # fmt: skip
#: Choice settings written through the catalogue: the pattern of the value's key.
_CHOICES = {
    "meter.wiring": "info.wiring.{}",
    "display.language": "info.language.{}",
    "display.time_format": "info.time_format.{}",
    "display.date_format": "info.date_format.{}",
    "display.digit_grouping": "info.grouping.{}",
    "display.pf_symbol": "info.pf_symbol.{}",
    "meter.pulse_source": "info.pulsing.src.{}",
    "demand.method": "info.demand.{}",
    "meter.demand_sync": "info.demand.sync.{}",
    "clock.clock_source": "info.clock.{}",
    "clock.sync_source": "info.clock.{}",
    "clock.sync_type": "info.clock.{}",
}
_VOLTS = ("nominal_voltage", "pt_primary", "pt_secondary")
_AMPS = ("ct_primary", "ct_secondary", "i4_ct_primary", "i4_ct_secondary", "demand_current")
_SECONDS = ("backlight_timeout", "auto_scroll", "update_rate")
#: The unit written after a setting's number (catalogue key).
UNIT_KEYS = {
    **{f"meter.{n}": "unit.V" for n in _VOLTS},
    **{f"meter.{n}": "unit.A" for n in _AMPS},
    "meter.nominal_frequency": "unit.Hz",
    "meter.pulse_kt": "info.unit.wh_per_pulse",
    "meter.pulse_width": "info.unit.s",
    **{f"display.{n}": "info.unit.s" for n in _SECONDS},
    "display.contrast": "unit.%",
    "display.brightness": "unit.%",
    "demand.interval": "info.unit.s",
    "clock.tz_offset": "info.unit.min",
    "clock.dst_offset": "info.unit.min",
    "security.lockout_minutes": "info.unit.min",
    "security.password_timeout_minutes": "info.unit.min",
}
#: Resolution settings (decimals) and the unit their resolution is written in ("0.01 V").
RESOLUTIONS = {
    "display.volts_decimals": "unit.V",
    "display.current_decimals": "unit.A",
    "display.power_decimals": "unit.W",
}


def setting_value(config: MeterConfig, key: str) -> Any:
    """The value of setting ``key`` in ``config`` ("meter.channels.V1.inverted" for a
    channel's; the demand current: its effective value)."""
    parts = key.split(".")
    if parts[:2] == ["meter", "channels"]:
        return getattr(config.channels[parts[2]], parts[3])
    if parts[0] == "alarms":
        return alarm_setting(config, key)
    if key == "meter.demand_current":
        return config.tdd_current
    section, name = key.rsplit(".", 1)
    return getattr(config if section == "meter" else getattr(config, section), name)


def choice_text(key: str, value: Any, tr: Translate) -> str:
    """``value`` of setting ``key`` as the panel writes it: translated choices, on/off,
    normal/inverted polarity, else the number with its unit (``UNIT_KEYS``)."""
    if isinstance(value, bool):
        if key.endswith(".inverted"):
            return tr("edit.polarity.inverted" if value else "edit.polarity.normal")
        return _on_off(tr, value)
    if key.startswith("alarms.") and key.endswith(".priority"):
        return tr(f"alarms.priority.{value}")
    pattern = _CHOICES.get(key)
    if pattern is not None:
        return tr(pattern.format({**_PF, **_PULSE_SOURCES}.get(value, value)))
    text = number(value) if isinstance(value, float) else str(value)
    unit = UNIT_KEYS.get(key)
    return f"{text} {tr(unit)}" if unit else text


def resolution(tr: Translate, decimals: int, unit_key: str) -> str:
    """The step of a value shown with ``decimals`` decimals: "0.01 V"."""
    return f"{10.0**-decimals:.{max(decimals, 0)}f} {tr(unit_key)}"


def _offset(minutes: int) -> str:
    """A time offset [min] as ±HH:MM:SS."""
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}:00"


def _seconds_or(zero_key: str) -> Callable[[float, Translate], str]:
    return lambda s, tr: tr(zero_key) if s == 0 else f"{number(s)} {tr('info.unit.s')}"


#: Settings written otherwise than ``choice_text`` does in the lists.
_SHOWN: dict[str, Callable[[Any, Translate], str]] = {
    "display.backlight_timeout": _seconds_or("info.always_on"),
    "display.auto_scroll": _seconds_or("info.off"),
    **{k: (lambda d, tr, u=u: resolution(tr, d, u)) for k, u in RESOLUTIONS.items()},
    "clock.tz_offset": lambda m, tr: _offset(m),
    "clock.dst_offset": lambda m, tr: _offset(m),
    "security.password": lambda p, tr: "********",
}


def _row(ctx: Context, label_key: str, key: str) -> tuple[str, str, str]:
    value = setting_value(ctx.config, key)
    shown = _SHOWN.get(key, lambda v, tr: choice_text(key, v, tr))
    return ctx.tr(label_key), shown(value, ctx.tr), key


def _simple(*spec: tuple[str, str]) -> Callable[[Snapshot, Context], Rows]:
    """A list of (label key, setting key) rows, each showing its setting."""
    return lambda snapshot, ctx: [_row(ctx, label, key) for label, key in spec]


meter_rows = _simple(
    ("info.meter.volts_mode", "meter.wiring"),
    *((f"info.meter.{n}", f"meter.{n}") for n in ("pt_primary", "pt_secondary")),
    *((f"info.meter.{n}", f"meter.{n}") for n in ("ct_primary", "ct_secondary")),
    ("info.meter.i4_primary", "meter.i4_ct_primary"),
    ("info.meter.i4_secondary", "meter.i4_ct_secondary"),
    ("info.meter.nominal_voltage", "meter.nominal_voltage"),
    ("info.meter.nominal_frequency", "meter.nominal_frequency"),
    ("info.meter.rotation", "meter.phase_rotation"),
    ("info.meter.demand_current", "meter.demand_current"),
    *((f"edit.polarity.{ch}", f"meter.channels.{ch}.inverted") for ch in CHANNELS),
)
_COMMS = ("ip", "subnet", "gateway", "dhcp", "protocol", "baud", "unit_id")
comms_rows = _simple(
    *((f"info.comms.{n}", f"communications.{n}") for n in _COMMS),
    ("info.comms.serial_port", "communications.serial_format"),
    ("info.comms.rs485_bias", "communications.rs485_bias"),
    ("info.comms.modbus_tcp", "communications.modbus_tcp_enabled"),
    ("info.comms.modbus_tcp_port", "communications.modbus_tcp_port"),
)
clock_rows = _simple(
    ("info.clock.source", "clock.clock_source"),
    ("info.clock.sync_source", "clock.sync_source"),
    ("info.clock.sync_type", "clock.sync_type"),
)
_DISPLAY = (
    ("language", "language"), ("backlight", "backlight_timeout"), ("auto_scroll", "auto_scroll"),
    ("update_rate", "update_rate"), ("contrast", "contrast"), ("brightness", "brightness"),
    ("volts_res", "volts_decimals"), ("current_res", "current_decimals"),
    ("power_res", "power_decimals"), ("grouping", "digit_grouping"),
    ("pf_symbol", "pf_symbol"), ("phase_labels", "phase_labels"),
    ("date_format", "date_format"), ("time_format", "time_format"),
)  # fmt: skip
display_rows = _simple(*((f"info.display.{a}", f"display.{b}") for a, b in _DISPLAY))
pulsing_rows = _simple(
    ("info.pulsing.kt", "meter.pulse_kt"),
    ("info.pulsing.width", "meter.pulse_width"),
    ("info.pulsing.source", "meter.pulse_source"),
)


#: Indent of an alarm's limit and priority rows under its name.
_SUB = "    "


def alarm_rows(snapshot: Snapshot, ctx: Context) -> Rows:
    """For each basic alarm present: its name with on/off, its limit (setpoint alarms: the
    pickup threshold in the unit of its quantity) and its priority."""
    tr, rows = ctx.tr, []
    by_id = {d.id: d for d in alarm_set(ctx.config)}
    for aid in STANDARD_ALARMS:
        d = by_id.get(aid)
        if d is None:
            continue
        rows.append((tr(f"info.alarm.{aid}"), _on_off(tr, d.enabled), f"alarms.{aid}.enabled"))
        if d.kind == "setpoint":
            q = QUANTITIES.get(d.quantities[0])
            unit = f" {tr(f'unit.{q.unit}')}" if q is not None and q.unit else ""
            decimals = q.resolution if q is not None else 1
            limit = f"{d.pickup:.{min(decimals, 2)}f}{unit}"
            rows.append((_SUB + tr("info.alarm.limit"), limit, f"alarms.{aid}.pickup"))
        rows.append((_SUB + tr("info.alarm.priority"), tr(f"alarms.priority.{d.priority}"),
                     f"alarms.{aid}.priority"))  # fmt: skip
    return rows


def datetime_rows(snapshot: Snapshot, ctx: Context) -> Rows:
    s, tr, now = ctx.settings, ctx.tr, ctx.status.clock
    # The meter's local clock (the title bar's): setting it stores clock.adjust.
    return [
        (tr("info.datetime.date"), MISSING if now is None else format_date(now, s), DATE),
        (tr("info.datetime.time"), MISSING if now is None else format_time(now, s, tr), TIME),
        _row(ctx, "info.datetime.time_format", "display.time_format"),
        _row(ctx, "info.datetime.date_format", "display.date_format"),
        _row(ctx, "info.datetime.tz_offset", "clock.tz_offset"),
        _row(ctx, "info.datetime.dst_offset", "clock.dst_offset"),
    ]


def language_rows(snapshot: Snapshot, ctx: Context) -> Rows:
    current = ctx.settings.language
    active = ctx.tr("info.language.active")
    return [
        (ctx.tr(f"info.language.{code}"), active if code == current else "", None)
        for code in LANGUAGES
    ]


def demand_rows(snapshot: Snapshot, ctx: Context) -> Rows:
    d, tr = ctx.config.demand, ctx.tr
    sub = d.subintervals if d.method == "sliding" else 1

    def span(seconds: float) -> str:
        if seconds % 60 == 0:
            return f"{number(seconds / 60)} {tr('info.unit.min')}"
        return f"{number(seconds)} {tr('info.unit.s')}"

    return [
        _row(ctx, "info.demand.method", "demand.method"),
        (tr("info.demand.interval"), span(d.interval), "demand.interval"),
        (tr("info.demand.subintervals"), str(sub), "demand.subintervals"),
        (tr("info.demand.subinterval"), span(d.interval / sub), None),  # follows from the two
        _row(ctx, "info.demand.sync", "meter.demand_sync"),
    ]


def password_rows(snapshot: Snapshot, ctx: Context) -> Rows:
    return [
        _row(ctx, "info.password.password", "security.password"),
        (ctx.tr("info.password.security"), ctx.tr("info.password.standard"), None),
        _row(ctx, "edit.lockout_attempts", "security.lockout_attempts"),
        _row(ctx, "edit.lockout_minutes", "security.lockout_minutes"),
        _row(ctx, "edit.password_timeout", "security.password_timeout_minutes"),
        _row(ctx, "edit.ack_password", "security.ack_password"),
    ]


def reset_rows(snapshot: Snapshot, ctx: Context) -> Rows:
    # Revenue lock blocks the billing resets (front-panel.md §7 [V]): say so beside each one.
    lock = ctx.tr("info.resets.locked") if ctx.status.locked else ""
    return [(ctx.tr(f"info.resets.{r}"), lock, None) for r in RESETS]


def testmode_rows(snapshot: Snapshot, ctx: Context) -> Rows:
    on = "TEST_MODE" in snapshot.flags
    return [(ctx.tr("edit.test_mode"), _on_off(ctx.tr, on), TEST_MODE)]


class SetupList(ParameterList):
    """A Setup list: ``rows(snapshot, ctx)`` gives (label, value, setting key) rows; ``keys``
    are its soft keys (``EDIT_KEYS``: ✎ edits the highlighted row's setting; ``LIST_KEYS``:
    ✓ chooses the row, as on the Language and Resets lists)."""

    def __init__(
        self,
        sid: str,
        title_key: str,
        rows: Callable[[Snapshot, Context], Rows],
        keys: tuple[SoftKey, ...] = EDIT_KEYS,
    ) -> None:
        super().__init__(sid, title_key, self._items)
        self.rows, self.keys = rows, keys

    def _items(self, snapshot: Snapshot, ctx: Context) -> Items:
        return [(label, value) for label, value, _ in self.rows(snapshot, ctx)]

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return self.keys

    def setting(self, snapshot: Snapshot, ctx: Context, row: int) -> str | None:
        """The setting row ``row`` edits (None: none, or no such row)."""
        rows = self.rows(snapshot, ctx)
        return rows[row][2] if 0 <= row < len(rows) else None


SCREENS = (
    SetupList("setup.meter", "info.title.meter", meter_rows),
    SetupList("setup.comms", "info.title.comms", comms_rows),
    SetupList("setup.alarms", "info.title.alarms", alarm_rows),
    SetupList("setup.datetime", "info.title.datetime", datetime_rows),
    SetupList("setup.clock", "info.title.clock", clock_rows),
    SetupList("setup.display", "info.title.display", display_rows),
    SetupList("setup.language", "info.title.language", language_rows, LIST_KEYS),
    SetupList("setup.demand", "info.title.demand", demand_rows),
    SetupList("setup.pulsing", "info.title.pulsing", pulsing_rows),
    SetupList("setup.password", "info.title.password", password_rows),
    SetupList("setup.resets", "info.title.resets", reset_rows, LIST_KEYS),
    SetupList("setup.test", "edit.title.test", testmode_rows),
)
