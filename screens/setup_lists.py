"""The Setup lists: every parameter of the configuration as "label: value", in the order of
the meter's Setup screens (front-panel.md §4). Values come from the configuration
(``engine.config``); editing them with ✎ is the Setup editors' work.
"""

from __future__ import annotations

from engine.snapshot import Snapshot
from i18n import LANGUAGES
from screens.base import Context
from screens.canvas import MISSING
from screens.formats import format_date, format_time
from screens.info import Items, ParameterList, _on_off, _with

#: The standard (setpoint and disturbance) alarms listed on Alarm Setup.
STANDARD_ALARMS = (
    "over_voltage", "under_voltage", "voltage_unbalance", "over_current", "over_current_n",
    "current_unbalance", "phase_loss", "over_frequency", "under_frequency", "over_kw_demand",
    "over_thd_v", "over_thd_i", "leading_pf", "sag", "swell",
)  # fmt: skip
RESETS = ("energy", "peak_demand", "minmax", "logs", "disturbance", "master")
_PF = {"lead/lag": "lead_lag", "+/-": "sign", "cap/ind": "cap_ind"}

#: The configuration's energy-pulse sources and their catalogue keys.
_PULSE_SOURCES = {
    "kWh del": "kwh_del", "kWh rec": "kwh_rec", "kWh del+rec": "kwh_del_rec",
    "kvarh del": "kvarh_del", "kvarh rec": "kvarh_rec", "kVAh": "kvah",
}  # fmt: skip


def _offset(minutes: int) -> str:
    """A time offset [min] as ±HH:MM:SS."""
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}:00"


def meter_items(snapshot: Snapshot, ctx: Context) -> Items:
    c, tr = ctx.config, ctx.tr
    return [
        (tr("info.meter.volts_mode"), tr(f"info.wiring.{c.wiring}")),
        (tr("info.meter.pt_primary"), _with(tr, c.pt_primary, "unit.V")),
        (tr("info.meter.pt_secondary"), _with(tr, c.pt_secondary, "unit.V")),
        (tr("info.meter.ct_primary"), _with(tr, c.ct_primary, "unit.A")),
        (tr("info.meter.ct_secondary"), _with(tr, c.ct_secondary, "unit.A")),
        (tr("info.meter.i4_primary"), _with(tr, c.i4_ct_primary, "unit.A")),
        (tr("info.meter.i4_secondary"), _with(tr, c.i4_ct_secondary, "unit.A")),
        (tr("info.meter.nominal_voltage"), _with(tr, c.nominal_voltage, "unit.V")),
        (tr("info.meter.nominal_frequency"), _with(tr, c.nominal_frequency, "unit.Hz")),
        (tr("info.meter.rotation"), c.phase_rotation),
        (tr("info.meter.demand_current"), _with(tr, c.tdd_current, "unit.A")),
    ]


def comms_items(snapshot: Snapshot, ctx: Context) -> Items:
    c, tr = ctx.config.communications, ctx.tr
    return [
        (tr("info.comms.ip"), c.ip),
        (tr("info.comms.subnet"), c.subnet),
        (tr("info.comms.gateway"), c.gateway),
        (tr("info.comms.dhcp"), _on_off(tr, c.dhcp)),
        (tr("info.comms.protocol"), c.protocol),  # protocol names are proper names
        (tr("info.comms.baud"), str(c.baud)),
        (tr("info.comms.unit_id"), str(c.unit_id)),
        (tr("info.comms.serial_port"), c.serial_format),
        (tr("info.comms.rs485_bias"), _on_off(tr, c.rs485_bias)),
        (tr("info.comms.modbus_tcp"), _on_off(tr, c.modbus_tcp_enabled)),
        (tr("info.comms.modbus_tcp_port"), str(c.modbus_tcp_port)),
    ]


def alarm_items(snapshot: Snapshot, ctx: Context) -> Items:
    return [(ctx.tr(f"info.alarm.{a}"), ctx.tr("info.disabled")) for a in STANDARD_ALARMS]


def datetime_items(snapshot: Snapshot, ctx: Context) -> Items:
    s, tr, now = ctx.settings, ctx.tr, ctx.status.clock
    return [
        (tr("info.datetime.date"), MISSING if now is None else format_date(now, s)),
        (tr("info.datetime.time"), MISSING if now is None else format_time(now, s, tr)),
        (tr("info.datetime.time_format"), tr(f"info.time_format.{s.time_format}")),
        (tr("info.datetime.date_format"), tr(f"info.date_format.{s.date_format}")),
        (tr("info.datetime.tz_offset"), _offset(ctx.config.clock.tz_offset)),
        (tr("info.datetime.dst_offset"), _offset(ctx.config.clock.dst_offset)),
    ]


def clock_items(snapshot: Snapshot, ctx: Context) -> Items:
    c, tr = ctx.config.clock, ctx.tr
    return [
        (tr("info.clock.source"), tr(f"info.clock.{c.clock_source}")),
        (tr("info.clock.sync_source"), tr(f"info.clock.{c.sync_source}")),
        (tr("info.clock.sync_type"), tr(f"info.clock.{c.sync_type}")),
    ]


def _resolution(tr, decimals: int, unit_key: str) -> str:
    return f"{10.0**-decimals:.{max(decimals, 0)}f} {tr(unit_key)}"


def _seconds_or(tr, seconds: float, zero_key: str) -> str:
    return tr(zero_key) if seconds == 0 else _with(tr, seconds, "info.unit.s")


def display_items(snapshot: Snapshot, ctx: Context) -> Items:
    s, tr = ctx.settings, ctx.tr
    return [
        (tr("info.display.language"), tr(f"info.language.{s.language}")),
        (tr("info.display.backlight"), _seconds_or(tr, s.backlight_timeout, "info.always_on")),
        (tr("info.display.auto_scroll"), _seconds_or(tr, s.auto_scroll, "info.off")),
        (tr("info.display.update_rate"), _with(tr, s.update_rate, "info.unit.s")),
        (tr("info.display.contrast"), _with(tr, s.contrast, "unit.%")),
        (tr("info.display.brightness"), _with(tr, s.brightness, "unit.%")),
        (tr("info.display.volts_res"), _resolution(tr, s.volts_decimals, "unit.V")),
        (tr("info.display.current_res"), _resolution(tr, s.current_decimals, "unit.A")),
        (tr("info.display.power_res"), _resolution(tr, s.power_decimals, "unit.W")),
        (tr("info.display.grouping"), tr(f"info.grouping.{s.digit_grouping}")),
        (tr("info.display.pf_symbol"), tr(f"info.pf_symbol.{_PF.get(s.pf_symbol, s.pf_symbol)}")),
        (tr("info.display.phase_labels"), s.phase_labels),
        (tr("info.display.date_format"), tr(f"info.date_format.{s.date_format}")),
        (tr("info.display.time_format"), tr(f"info.time_format.{s.time_format}")),
    ]


def language_items(snapshot: Snapshot, ctx: Context) -> Items:
    current = ctx.settings.language
    return [
        (ctx.tr(f"info.language.{code}"), ctx.tr("info.language.active") if code == current else "")
        for code in LANGUAGES
    ]


def demand_items(snapshot: Snapshot, ctx: Context) -> Items:
    d, tr = ctx.config.demand, ctx.tr
    sub = d.subintervals if d.method == "sliding" else 1

    def span(seconds: float) -> str:
        return (
            _with(tr, seconds / 60, "info.unit.min")
            if seconds % 60 == 0
            else _with(tr, seconds, "info.unit.s")
        )

    return [
        (tr("info.demand.method"), tr(f"info.demand.{d.method}")),
        (tr("info.demand.interval"), span(d.interval)),
        (tr("info.demand.subintervals"), str(sub)),
        (tr("info.demand.subinterval"), span(d.interval / sub)),
    ]


def pulsing_items(snapshot: Snapshot, ctx: Context) -> Items:
    c, tr = ctx.config, ctx.tr
    return [
        (tr("info.pulsing.kt"), _with(tr, c.pulse_kt, "info.unit.wh_per_pulse")),
        (tr("info.pulsing.width"), _with(tr, c.pulse_width, "info.unit.s")),
        (tr("info.pulsing.source"), tr(f"info.pulsing.src.{_PULSE_SOURCES[c.pulse_source]}")),
    ]


def password_items(snapshot: Snapshot, ctx: Context) -> Items:
    return [
        (ctx.tr("info.password.password"), "********"),
        (ctx.tr("info.password.security"), ctx.tr("info.password.standard")),
    ]


def reset_items(snapshot: Snapshot, ctx: Context) -> Items:
    # Revenue lock blocks every reset (front-panel.md §7 [V]): say so beside each one.
    lock = ctx.tr("info.resets.locked") if ctx.status.locked else ""
    return [(ctx.tr(f"info.resets.{r}"), lock) for r in RESETS]


SCREENS = (
    ParameterList("setup.meter", "info.title.meter", meter_items),
    ParameterList("setup.comms", "info.title.comms", comms_items),
    ParameterList("setup.alarms", "info.title.alarms", alarm_items),
    ParameterList("setup.datetime", "info.title.datetime", datetime_items),
    ParameterList("setup.clock", "info.title.clock", clock_items),
    ParameterList("setup.display", "info.title.display", display_items),
    ParameterList("setup.language", "info.title.language", language_items),
    ParameterList("setup.demand", "info.title.demand", demand_items),
    ParameterList("setup.pulsing", "info.title.pulsing", pulsing_items),
    ParameterList("setup.password", "info.title.password", password_items),
    ParameterList("setup.resets", "info.title.resets", reset_items),
)
