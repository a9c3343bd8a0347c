"""Minimum / maximum screens: each quantity's lowest and highest value since the last reset,
with the time each was reached (``snapshot.minimum`` / ``snapshot.maximum``).

Voltage has two pages in wye (L-N, then L-L with frequency; "more" steps through them) and
one in delta; current and power have one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QPainter

from engine.snapshot import Extreme, Snapshot
from screens.base import Context, DataScreen
from screens.canvas import BODY, draw_chrome, format_stamp
from screens.rows import MARGIN, formatted, has_neutral, label, wiring_plan
from screens.widgets import Stamped, StampedRow, draw_stamped_table

#: The pages of a min/max screen: lists of quantity ids, for a context.
Pages = Callable[[Context], list[list[str]]]


def voltage_pages(ctx: Context) -> list[list[str]]:
    plan = wiring_plan(ctx)
    pages = []
    if has_neutral(ctx):
        ln = list(plan.line_to_neutral)
        pages.append([*ln, "V_LN_AVG"] if len(ln) > 1 else ln)
    ll = list(plan.line_to_line)
    pages.append([*ll, "V_LL_AVG", "FREQ"] if len(ll) > 1 else [*ll, "FREQ"])
    return pages


def current_pages(ctx: Context) -> list[list[str]]:
    plan = wiring_plan(ctx)
    ids = list(plan.line_currents)
    if any(qid == "I_N" for qid, _ in plan.rms):
        ids.append("I_N")
    return [[*ids, "I_AVG"] if len(plan.line_currents) > 1 else ids]


def power_pages(ctx: Context) -> list[list[str]]:
    return [["P_TOT", "Q_TOT", "S_TOT", "PF_TOT", "DPF_TOT"]]


class MinMaxScreen(DataScreen):
    """Minimum and maximum of the quantities of the current page, each with its time."""

    def __init__(self, id: str, pages: Pages) -> None:
        self.id = id
        self.title_key = f"screen.{id}.title"
        self.pages = pages

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return len(self.pages(ctx))

    def ids(self, ctx: Context) -> list[str]:
        pages = self.pages(ctx)
        return pages[ctx.page % len(pages)]

    def cell(self, extreme: Extreme | None, qid: str, ctx: Context) -> Stamped:
        if extreme is None:  # none since the reset: dashes, and no time under them
            return Stamped(*formatted(None, qid, ctx), "")
        text, unit = formatted(extreme.value, qid, ctx)
        return Stamped(
            text, unit, format_stamp(extreme.time, ctx.settings, ctx.tr, ctx.status.clock)
        )

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[StampedRow]:
        return [
            StampedRow(
                label(ctx, qid),
                (
                    self.cell(snapshot.minimum.get(qid), qid, ctx),
                    self.cell(snapshot.maximum.get(qid), qid, ctx),
                ),
            )
            for qid in self.ids(ctx)
        ]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        count = self.page_count(snapshot, ctx)
        corner = f"{ctx.page % count + 1}/{count}" if count > 1 else ""
        headings = (ctx.tr("reading.minimum"), ctx.tr("reading.maximum"))
        body = BODY.adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
        draw_stamped_table(painter, body, self.rows(snapshot, ctx), headings, corner)


SCREENS = (
    MinMaxScreen("minmax.voltage", voltage_pages),
    MinMaxScreen("minmax.current", current_pages),
    MinMaxScreen("minmax.power", power_pages),
)
