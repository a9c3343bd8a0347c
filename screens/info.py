"""Information screens: inputs/outputs, nameplate, trend, and the read-only Setup lists.

The Setup screens list each parameter as "label: value" from the configuration, with ▲/▼ moving
the highlight (editing with ✎ comes with the Setup issue). Settings that are not in the
configuration file yet (communications, clock sources, time zone) show the factory defaults
defined below, marked as such. ``item_count`` tells the navigation how many rows a list has.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter

from engine.snapshot import Snapshot
from i18n import LANGUAGES
from screens.base import LIST_KEYS, Context, DataScreen, SoftKey
from screens.canvas import BODY, MISSING, PALETTE, draw_chrome, draw_message
from screens.charts import (
    LEFT,
    RIGHT,
    Column,
    draw_grid_table,
    draw_text,
    draw_x_ticks,
    draw_y_axis,
)
from screens.formats import format_date, format_time
from screens.widgets import LIST, ListStyle, first_visible

# -- defaults for settings the configuration does not hold yet (shown as they are) -------------
DEFAULT_IP = "192.168.1.100"
DEFAULT_SUBNET = "255.255.255.0"
DEFAULT_GATEWAY = "192.168.1.1"
DEFAULT_DHCP = False
DEFAULT_PROTOCOL = "Modbus RTU"
DEFAULT_BAUD = 19200
DEFAULT_UNIT_ID = 1
DEFAULT_SERIAL_PORT = "8N1"
DEFAULT_RS485_BIAS = False
DEFAULT_MODBUS_TCP_PORT = 502
DEFAULT_TZ_OFFSET = "+00:00:00"
DEFAULT_DST_OFFSET = "+01:00:00"
DEFAULT_CLOCK_SOURCE = "internal"  # Internal | Line Freq | COMM (front-panel.md §4)
DEFAULT_SYNC_SOURCE = "ethernet"
DEFAULT_SYNC_TYPE = "utc"
#: Firmware version when the package metadata is not installed.
FALLBACK_VERSION = "0.1.0"

#: The standard (setpoint and disturbance) alarms listed on Alarm Setup.
STANDARD_ALARMS = (
    "over_voltage", "under_voltage", "voltage_unbalance", "over_current", "over_current_n",
    "current_unbalance", "phase_loss", "over_frequency", "under_frequency", "over_kw_demand",
    "over_thd_v", "over_thd_i", "leading_pf", "sag", "swell",
)  # fmt: skip
RESETS = ("energy", "peak_demand", "minmax", "logs", "disturbance", "master")
_PF = {"lead/lag": "lead_lag", "+/-": "sign", "cap/ind": "cap_ind"}

Items = list[tuple[str, str]]


def number(x: float) -> str:
    """A setting as typed: 230 → "230", 1.8 → "1.8", 0.05 → "0.05" (no exponent)."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def firmware_version() -> str:
    try:
        return metadata.version("ion7400-hmi")
    except metadata.PackageNotFoundError:
        return FALLBACK_VERSION


def draw_parameter_list(
    painter: QPainter, rect: QRect, items: Items, selection: int | None, style: ListStyle = LIST
) -> None:
    """Rows of label (left) and value (right), sized like the menu lists; the ``selection`` row
    highlighted and kept in view, with a scroll bar when the list is longer than ``rect``."""
    visible = max(1, rect.height() // style.row_height)
    top = 0 if selection is None else first_visible(len(items), selection, visible)
    scrolls = len(items) > visible
    inner = rect.adjusted(style.pad, 0, -style.pad - (style.scrollbar + 2 if scrolls else 0), 0)
    label_w = round(inner.width() * 0.55)
    for i, (label, value) in enumerate(items[top : top + visible]):
        y = rect.top() + i * style.row_height
        chosen = top + i == selection
        if chosen:
            right = inner.right() + style.pad
            painter.fillRect(
                QRect(rect.left(), y, right - rect.left(), style.row_height),
                QColor(PALETTE.selection),
            )
        else:
            painter.fillRect(
                inner.left(), y + style.row_height - 1, inner.width(), 1, QColor(PALETTE.rule)
            )
        ink = PALETTE.selection_text if chosen else PALETTE.text
        box = QRect(inner.left(), y, label_w - 6, style.row_height)
        draw_text(painter, box, label, style.text_px - 1, colour=ink if chosen else PALETTE.label)
        box = QRect(inner.left() + label_w, y, inner.width() - label_w, style.row_height)
        draw_text(painter, box, value, style.text_px - 1, bold=True, colour=ink, align=RIGHT)
    if scrolls:
        track = QRect(
            rect.right() - style.scrollbar + 1,
            rect.top() + 2,
            style.scrollbar,
            visible * style.row_height - 4,
        )
        painter.fillRect(track, QColor(PALETTE.rule))
        h = max(8, track.height() * visible // len(items))
        y = track.top() + (track.height() - h) * top // (len(items) - visible)
        painter.fillRect(QRect(track.left(), y, track.width(), h), QColor(PALETTE.scrollbar))


class ParameterList(DataScreen):
    """A list of "label: value" rows built by ``build(snapshot, ctx)``."""

    def __init__(
        self,
        sid: str,
        title_key: str,
        build: Callable[[Snapshot, Context], Items],
        selectable: bool = True,
    ) -> None:
        self.id, self.title_key, self.build, self.selectable = sid, title_key, build, selectable

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return LIST_KEYS if self.selectable else super().softkeys(snapshot, ctx)

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        """Rows the ▲/▼ highlight moves through."""
        return len(self.build(snapshot, ctx)) if self.selectable else 0

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        items = self.build(snapshot, ctx)
        selection = min(max(ctx.selection, 0), len(items) - 1) if self.selectable else None
        draw_parameter_list(painter, BODY, items, selection)


class MessageScreen(DataScreen):
    """A screen that only states why there is nothing to show."""

    def __init__(self, sid: str, title_key: str, message_key: str) -> None:
        self.id, self.title_key, self.message_key = sid, title_key, message_key

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        draw_message(painter, ctx.tr(self.message_key))


class DigitalInputsScreen(DataScreen):
    """State of each digital input; the counters arrive with the I/O engine."""

    id = "io.digital_inputs"
    title_key = "info.title.digital_inputs"

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[list[str]]:
        tr = ctx.tr
        return [
            [f"{tr('info.inputs.prefix')}{i + 1}", tr("info.on" if on else "info.off"), MISSING]
            for i, on in enumerate(snapshot.digital_inputs)
        ]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        rows = self.rows(snapshot, ctx)
        if not rows:
            draw_message(painter, tr("info.inputs.none"))
            return
        columns = (Column(0.3, LEFT), Column(0.35), Column(0.35))
        header = ["", tr("info.state"), tr("info.inputs.count")]
        draw_grid_table(painter, BODY.adjusted(8, 4, -8, -4), columns, header, rows, 14)


class OutputsScreen(DataScreen):
    """The KY pulse output of the base and the relays of a digital option module."""

    id = "io.outputs"
    title_key = "info.title.outputs"

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[list[str]]:
        tr = ctx.tr
        relays = [[f"{tr('info.outputs.relay')} {n}", MISSING] for n in (1, 2)]
        return [[tr("info.outputs.ky"), MISSING], *relays]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        columns = (Column(0.6, LEFT), Column(0.4))
        draw_grid_table(
            painter,
            BODY.adjusted(8, 4, -8, -4),
            columns,
            ["", tr("info.state")],
            self.rows(snapshot, ctx),
            14,
        )


class TrendScreen(DataScreen):
    """Empty axes until the logging issue brings logged quantities."""

    id = "trend.graph"
    title_key = "info.title.trend"

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        plot = BODY.adjusted(40, 12, -8, -24)
        draw_y_axis(painter, plot, [(0.0, ""), (1.0, "")])
        draw_x_ticks(painter, plot, [(f / 4, "") for f in range(5)])
        draw_message(painter, ctx.tr("info.trend.none"), plot)


# -- the parameter lists ------------------------------------------------------------------------


def _with(tr, x: float, unit_key: str) -> str:
    return f"{number(x)} {tr(unit_key)}"


def _on_off(tr, on: bool) -> str:
    return tr("info.on" if on else "info.off")


def nameplate_items(snapshot: Snapshot, ctx: Context) -> Items:
    plate, tr = ctx.config.nameplate, ctx.tr
    return [
        (tr("info.nameplate.model"), plate.model or MISSING),
        (tr("info.nameplate.serial"), plate.serial_number or MISSING),
        (tr("info.nameplate.firmware"), firmware_version()),
        (tr("info.nameplate.owner"), plate.owner or MISSING),
        (tr("info.nameplate.tag"), plate.tag or MISSING),
    ]


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
    tr = ctx.tr
    return [
        (tr("info.comms.ip"), DEFAULT_IP),
        (tr("info.comms.subnet"), DEFAULT_SUBNET),
        (tr("info.comms.gateway"), DEFAULT_GATEWAY),
        (tr("info.comms.dhcp"), _on_off(tr, DEFAULT_DHCP)),
        (tr("info.comms.protocol"), DEFAULT_PROTOCOL),
        (tr("info.comms.baud"), str(DEFAULT_BAUD)),
        (tr("info.comms.unit_id"), str(DEFAULT_UNIT_ID)),
        (tr("info.comms.serial_port"), DEFAULT_SERIAL_PORT),
        (tr("info.comms.rs485_bias"), _on_off(tr, DEFAULT_RS485_BIAS)),
        (tr("info.comms.modbus_tcp_port"), str(DEFAULT_MODBUS_TCP_PORT)),
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
        (tr("info.datetime.tz_offset"), DEFAULT_TZ_OFFSET),
        (tr("info.datetime.dst_offset"), DEFAULT_DST_OFFSET),
    ]


def clock_items(snapshot: Snapshot, ctx: Context) -> Items:
    tr = ctx.tr
    return [
        (tr("info.clock.source"), tr(f"info.clock.{DEFAULT_CLOCK_SOURCE}")),
        (tr("info.clock.sync_source"), tr(f"info.clock.{DEFAULT_SYNC_SOURCE}")),
        (tr("info.clock.sync_type"), tr(f"info.clock.{DEFAULT_SYNC_TYPE}")),
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
        (tr("info.pulsing.source"), tr("info.pulsing.source_kwh")),
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
    DigitalInputsScreen(),
    OutputsScreen(),
    MessageScreen("io.analog", "info.title.analog", "info.analog.none"),
    ParameterList("nameplate.info", "info.title.nameplate", nameplate_items, selectable=False),
    TrendScreen(),
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
