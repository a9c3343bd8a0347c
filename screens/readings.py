"""Basic Reading and Power screens: voltages, currents, frequency, power and power factor.

Which rows a screen shows follows the wiring (``engine.wiring``): no line-to-neutral voltages
and no per-phase powers in 3W-DELTA, only the phases that exist in 1P-2W and SPLIT-3W. The
Basic Reading summary (the default screen) lives in ``screens.basic_reading``; energy and demand
in ``screens.energy_demand``; minimum / maximum in ``screens.minmax``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter

from engine.snapshot import Snapshot
from screens.base import Context
from screens.basic_reading import BasicReadingScreen
from screens.canvas import BODY, PALETTE, Row, draw_chrome, draw_value_table, fitted, font
from screens.rows import (
    MARGIN,
    TableScreen,
    formatted,
    has_neutral,
    label,
    value_of,
    value_row,
    wiring_plan,
)

#: The quantity ids a screen shows in a context (its wiring); None: not for this wiring.
Ids = Callable[[Context], list[str] | None]


class QuantityScreen(TableScreen):
    """A table of quantities chosen by ``ids`` from the wiring."""

    def __init__(self, id: str, ids: Ids, unavailable_key: str = "reading.not_for_wiring"):
        super().__init__(id, f"screen.{id}.title")
        self.ids = ids
        self.unavailable_key = unavailable_key

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row] | None:
        ids = self.ids(ctx)
        return None if ids is None else [value_row(snapshot, ctx, qid) for qid in ids]


def _with_average(ids: tuple[str, ...], average: str) -> list[str] | None:
    if not ids:
        return None
    return [*ids, average] if len(ids) > 1 else list(ids)


def volts_ll(ctx: Context) -> list[str] | None:
    return _with_average(wiring_plan(ctx).line_to_line, "V_LL_AVG")


def volts_ln(ctx: Context) -> list[str] | None:
    return _with_average(wiring_plan(ctx).line_to_neutral, "V_LN_AVG") if has_neutral(ctx) else None


def amps(ctx: Context) -> list[str]:
    plan = wiring_plan(ctx)
    ids = list(plan.line_currents)
    if any(qid == "I_N" for qid, _ in plan.rms):
        ids.append("I_N")
    return [*ids, "I_AVG"] if len(plan.line_currents) > 1 else ids


def per_phase(measurand: str) -> Ids:
    """``measurand`` of each phase the wiring has (none in delta), then the total."""

    def ids(ctx: Context) -> list[str]:
        phases = wiring_plan(ctx).phases
        return [*(f"{measurand}_{p}" for p in phases), f"{measurand}_TOT"]

    return ids


def power_factors(ctx: Context) -> list[str]:
    return [*per_phase("PF")(ctx), "DPF_TOT"]


def total_power(ctx: Context) -> list[str]:
    return ["P_TOT", "Q_TOT", "S_TOT", "PF_TOT"]


class FrequencyScreen(TableScreen):
    """The frequency in large digits, with the value of the last cycle under it."""

    value_px = 48

    def __init__(self) -> None:
        super().__init__("basic.frequency", "screen.basic.frequency.title")

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row]:
        return [value_row(snapshot, ctx, "FREQ_CYCLE")]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        big = QRect(BODY.left(), BODY.top() + 8, BODY.width(), BODY.height() * 3 // 5 - 8)
        text, unit = formatted(value_of(snapshot, "FREQ"), "FREQ", ctx)
        painter.setPen(QColor(PALETTE.label))
        name = label(ctx, "FREQ")
        name_box = big.adjusted(MARGIN * 2, 0, -MARGIN * 2, 0)
        painter.setFont(fitted(font(14), name, name_box.width(), 11))
        painter.drawText(name_box, Qt.AlignmentFlag.AlignTop, name)
        value_font = fitted(font(self.value_px, bold=True), text, big.width() - 90)
        painter.setFont(value_font)
        painter.setPen(QColor(PALETTE.text))
        advance = painter.fontMetrics().horizontalAdvance(text)
        baseline = big.bottom() - 8
        right = big.right() - 70
        painter.drawText(QPoint(right - advance, baseline), text)
        painter.setFont(font(20))
        painter.setPen(QColor(PALETTE.unit))
        painter.drawText(QPoint(right + 8, baseline), unit)
        table = QRect(BODY.left() + MARGIN, big.bottom() + 12, BODY.width() - 2 * MARGIN, 30)
        draw_value_table(painter, table, self.rows(snapshot, ctx))


SCREENS = (
    BasicReadingScreen(),
    QuantityScreen("basic.volts_ll", volts_ll),
    QuantityScreen("basic.volts_ln", volts_ln, "reading.not_in_delta"),
    QuantityScreen("basic.amps", amps),
    FrequencyScreen(),
    QuantityScreen("basic.power", total_power),
    QuantityScreen("power.active", per_phase("P")),
    QuantityScreen("power.reactive", per_phase("Q")),
    QuantityScreen("power.apparent", per_phase("S")),
    QuantityScreen("power.pf", power_factors),
)
