"""Rows of the numeric screens: labels in the configured phase labelling, values with the
configured resolution, power factor with its lead/lag symbol, energy registers, and the base
class of a screen that is one value table.

Labels: a phase quantity (V_A, V_AB, I_N, P_B, PF_C …) is a catalogue template with ``{p}``
("V{p}") filled with the phase name of ``DisplaySettings.phase_labels`` (ABC: Va, Vab, Ia;
123: V1, V12, I1); every other quantity has its own key ``reading.label.<id>``.
"""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtGui import QPainter

from engine.config import DisplaySettings
from engine.quantities import quantity
from engine.snapshot import Snapshot
from engine.wiring import WiringPlan, plan_for
from screens.base import Context, DataScreen
from screens.canvas import (
    BIG_TABLE,
    BODY,
    MISSING,
    Row,
    draw_chrome,
    draw_message,
    draw_value_table,
    format_register,
    format_value,
)

#: Phase suffixes a quantity id can end with.
PHASES = frozenset({"A", "B", "C", "N", "AB", "BC", "CA"})
#: Which sign "+/-" gives a lagging power factor [G: the sign ION meters use is not confirmed;
#: Schneider's IEEE setting on other meters is the opposite]. Leading gets the other sign.
LAG_SIGN = "+"
#: Margin around a screen's value table [px].
MARGIN = 4


@cache
def plan(wiring: str) -> WiringPlan:
    """What ``wiring`` measures (which voltages, currents and per-phase powers exist)."""
    return plan_for(wiring)


def wiring_plan(ctx: Context) -> WiringPlan:
    return plan(ctx.config.wiring)


def has_neutral(ctx: Context) -> bool:
    """True when the wiring has line-to-neutral voltages (not 3W-DELTA)."""
    return bool(wiring_plan(ctx).line_to_neutral)


def label(ctx: Context, qid: str) -> str:
    """The row label of ``qid`` in the configured phase labelling."""
    measurand, _, phase = qid.rpartition("_")
    if measurand and phase in PHASES:
        name = ctx.tr(f"reading.phase.{ctx.settings.phase_labels}.{phase}")
        return ctx.tr(f"reading.label.{measurand}").replace("{p}", name)
    return ctx.tr(f"reading.label.{qid}")


def decimals_for(unit: str, settings: DisplaySettings, default: int) -> int:
    """Decimals in the base unit: the Volts / Current / Power resolution settings, else
    ``default`` (the quantity's own resolution)."""
    if unit == "V":
        return settings.volts_decimals
    if unit == "A":
        return settings.current_decimals
    if unit in ("W", "var", "VA"):
        return settings.power_decimals
    return default


def value_of(snapshot: Snapshot, qid: str) -> float | None:
    """The value of ``qid``, None when not measured (absent or NaN)."""
    value = snapshot.values.get(qid)
    return None if value is None or math.isnan(value) else value


def formatted(value: float | None, qid: str, ctx: Context) -> tuple[str, str]:
    """``value`` of quantity ``qid`` as (text, translated unit) per the display settings."""
    q = quantity(qid)
    if q.group == "power_factor":
        return pf_text(value, None, ctx)
    decimals = decimals_for(q.unit, ctx.settings, q.resolution)
    text, unit = format_value(value, q.unit, decimals, grouping=ctx.settings.digit_grouping)
    return text, unit_text(unit, ctx)


def unit_text(unit: str, ctx: Context) -> str:
    return ctx.tr(f"unit.{unit}") if unit else ""


def value_row(snapshot: Snapshot, ctx: Context, qid: str, text: str | None = None) -> Row:
    """Label, value and unit of ``qid``; ``text`` replaces the label."""
    if quantity(qid).group == "power_factor":
        return pf_row(snapshot, ctx, qid, text)
    value, unit = formatted(value_of(snapshot, qid), qid, ctx)
    return Row(label(ctx, qid) if text is None else text, value, unit)


def pf_quadrant(p: float | None, q: float | None) -> str | None:
    """ "lag" when the current lags (P and Q of the same sign), "lead" when it leads, None when
    Q is zero or unknown. Q is positive for a lagging current (engine.measure)."""
    if p is None or q is None or q == 0.0 or p == 0.0:
        return None
    return "lag" if (p > 0) == (q > 0) else "lead"


def pf_text(pf: float | None, quadrant: str | None, ctx: Context) -> tuple[str, str]:
    """A power factor as (text, symbol) per the PF Symbol setting: "0.899", "lag" (lead/lag),
    "0.899", "ind" (cap/ind) or "+0.899", "" (+/-). Unity and unknown quadrants get no symbol."""
    if pf is None or not math.isfinite(pf):
        return MISSING, ""
    text = f"{abs(pf):.3f}"
    if quadrant is None or text == "1.000":
        return text, ""
    symbol = ctx.settings.pf_symbol
    if symbol == "+/-":
        lead_sign = "-" if LAG_SIGN == "+" else "+"
        return (LAG_SIGN if quadrant == "lag" else lead_sign) + text, ""
    if symbol == "cap/ind":
        return text, ctx.tr("reading.pf.ind" if quadrant == "lag" else "reading.pf.cap")
    return text, ctx.tr(f"reading.pf.{quadrant}")


def pf_row(snapshot: Snapshot, ctx: Context, qid: str, text: str | None = None) -> Row:
    """PF_x or DPF_x with lead/lag from the sign of Q_x against P_x."""
    phase = qid.split("_", 1)[1]
    quadrant = pf_quadrant(value_of(snapshot, f"P_{phase}"), value_of(snapshot, f"Q_{phase}"))
    value, symbol = pf_text(value_of(snapshot, qid), quadrant, ctx)
    return Row(label(ctx, qid) if text is None else text, value, symbol)


def register_row(snapshot: Snapshot, ctx: Context, qid: str) -> Row:
    """An energy register E_x_KIND, labelled by its kind (Del, Rec, Del-Rec, Del+Rec)."""
    q = quantity(qid)
    value, unit = format_register(value_of(snapshot, qid), q.unit, ctx.settings.digit_grouping)
    kind = qid.rsplit("_", 1)[1]
    return Row(ctx.tr(f"reading.energy.{kind}"), value, unit_text(unit, ctx))


class TableScreen(DataScreen):
    """A data screen that is one value table in the body; ``rows`` returns None when the screen
    does not apply to the wiring (then ``unavailable_key`` is shown, centred)."""

    unavailable_key = "reading.not_in_delta"

    def __init__(self, id: str, title_key: str) -> None:
        self.id = id
        self.title_key = title_key

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row] | None:
        raise NotImplementedError

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        rows = self.rows(snapshot, ctx)
        if rows is None:
            draw_message(painter, ctx.tr(self.unavailable_key))
            return
        body = BODY.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        draw_value_table(painter, body, rows, BIG_TABLE)
