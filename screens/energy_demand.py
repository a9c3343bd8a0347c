"""Energy and Demand screens.

Energy: the delivered, received, net (del - rec) and total (del + rec) registers, in kWh /
kvarh / kVAh with every digit a bill needs (``canvas.format_register``). Demand: present and
predicted P, Q, S and I demand; peak demand with the time each peak was reached (the meter's
"value with timestamp" screen type).
"""

from __future__ import annotations

from PySide6.QtGui import QPainter

from engine.snapshot import Snapshot
from screens.base import Context
from screens.canvas import BODY, Row, draw_chrome, format_stamp
from screens.rows import MARGIN, TableScreen, formatted, register_row, value_of, value_row
from screens.widgets import Stamped, StampedRow, draw_stamped_table

#: The energy registers of each energy screen, in the order shown.
KINDS = ("DEL", "REC", "NET", "TOT")
#: Demand measurands: active, reactive, apparent power and average current.
DEMANDS = ("P", "Q", "S", "I")


def test_prefix(snapshot: Snapshot) -> str:
    """ "T_" while the meter is in test mode: its energy and demand screens then show the test
    registers (the billing registers are frozen; TEST is in the title bar)."""
    return "T_" if "TEST_MODE" in snapshot.flags else ""


class EnergyScreen(TableScreen):
    """Delivered, received, del - rec and del + rec of one energy (``measurand`` P, Q or S);
    the test registers in test mode."""

    def __init__(self, id: str, measurand: str) -> None:
        super().__init__(id, f"screen.{id}.title")
        self.measurand = measurand

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row]:
        prefix = test_prefix(snapshot)
        return [register_row(snapshot, ctx, f"{prefix}E_{self.measurand}_{kind}") for kind in KINDS]


class DemandScreen(TableScreen):
    """Present (``suffix`` "") or predicted (``suffix`` "_PRED") demand of P, Q, S and I."""

    def __init__(self, id: str, suffix: str) -> None:
        super().__init__(id, f"screen.{id}.title")
        self.suffix = suffix

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row]:
        # Test mode has its own present demand of P, Q and S (not of I, nor predicted).
        test = test_prefix(snapshot) if not self.suffix else ""

        def qid(m: str) -> str:
            return f"{test if m != 'I' else ''}D_{m}{self.suffix}"

        return [value_row(snapshot, ctx, qid(m), ctx.tr(f"reading.label.D_{m}")) for m in DEMANDS]


class PeakDemandScreen(TableScreen):
    """Peak P, Q, S and I demand, each with the time it was reached (``snapshot.stamps``)."""

    def __init__(self) -> None:
        super().__init__("demand.peak", "screen.demand.peak.title")

    def stamped_rows(self, snapshot: Snapshot, ctx: Context) -> list[StampedRow]:
        rows = []
        for m in DEMANDS:
            qid = f"D_{m}_PEAK"
            value = value_of(snapshot, qid)
            text, unit = formatted(value, qid, ctx)
            when = snapshot.stamps.get(qid)
            # No peak yet: the dashes of the value say it; a second row of dashes adds nothing.
            stamp = (
                "" if value is None else format_stamp(when, ctx.settings, ctx.tr, ctx.status.clock)
            )
            rows.append(StampedRow(ctx.tr(f"reading.label.D_{m}"), (Stamped(text, unit, stamp),)))
        return rows

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row]:
        """The peaks without their stamps (for tests and text export)."""
        return [
            Row(r.label, r.cells[0].value, r.cells[0].unit)
            for r in self.stamped_rows(snapshot, ctx)
        ]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        body = BODY.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        draw_stamped_table(painter, body, self.stamped_rows(snapshot, ctx))


SCREENS = (
    EnergyScreen("energy.active", "P"),
    EnergyScreen("energy.reactive", "Q"),
    EnergyScreen("energy.apparent", "S"),
    DemandScreen("demand.present", ""),
    DemandScreen("demand.predicted", "_PRED"),
    PeakDemandScreen(),
)
