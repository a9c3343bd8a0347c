"""Basic Reading summary (``basic.summary``, the default screen): voltages, currents,
frequency and total power on one screen.

Two columns: voltages on the left (L-N then L-L), currents, frequency and total power on the
right. Rows follow the wiring: no line-to-neutral voltages and no neutral current in 3W-DELTA,
only the phases that exist in 1P-2W and SPLIT-3W.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter

from engine.snapshot import Snapshot
from screens.base import Context, DataScreen
from screens.canvas import BODY, Row, draw_chrome, draw_value_table
from screens.rows import MARGIN, value_row, wiring_plan


def columns(ctx: Context) -> tuple[list[str], list[str]]:
    """The quantity ids of the left and right columns for the configured wiring."""
    plan = wiring_plan(ctx)
    left = [*plan.line_to_neutral, *plan.line_to_line]
    right = list(plan.line_currents)
    if any(qid == "I_N" for qid, _ in plan.rms):
        right.append("I_N")
    return left, [*right, "FREQ", "P_TOT"]


class BasicReadingScreen(DataScreen):
    """V L-N, V L-L, I, frequency and total active power."""

    id = "basic.summary"
    title_key = "screen.basic_reading.title"

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[list[Row]]:
        """The rows of each column, as they will be drawn (no painting)."""
        return [[value_row(snapshot, ctx, qid) for qid in ids] for ids in columns(ctx)]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        body = BODY.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        tables = self.rows(snapshot, ctx)
        width = (body.width() - MARGIN * (len(tables) - 1)) // len(tables)
        for i, rows in enumerate(tables):
            x = body.left() + i * (width + MARGIN)
            draw_value_table(painter, QRect(x, body.top(), width, body.height()), rows)
