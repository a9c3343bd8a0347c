"""Basic Reading: the voltages, currents, frequency and total power on one screen.

Two columns: voltages on the left (L-N then L-L), currents, frequency and total power on the
right. Line-to-neutral voltages and the neutral current are left out when the wiring has no
neutral (delta: the snapshot has no such values), as on the meter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter

from engine.quantities import quantity
from engine.snapshot import Snapshot
from screens.base import Translate
from screens.canvas import BODY, Row, clear, draw_title_bar, draw_value_table, format_value


@dataclass(frozen=True)
class Line:
    """A quantity shown on a row; ``optional`` rows disappear when the value is not measured."""

    qid: str
    optional: bool = False


LEFT = (
    Line("V_A", True), Line("V_B", True), Line("V_C", True),
    Line("V_AB"), Line("V_BC"), Line("V_CA"),
)  # fmt: skip
RIGHT = (
    Line("I_A"), Line("I_B"), Line("I_C"), Line("I_N", True),
    Line("FREQ"), Line("P_TOT"),
)  # fmt: skip

#: Gap between the two columns and around the table [px].
MARGIN = 4


def measured(snapshot: Snapshot, qid: str) -> bool:
    """True when ``snapshot`` holds a number for ``qid`` (not missing, not NaN)."""
    value = snapshot.values.get(qid)
    return value is not None and not math.isnan(value)


def build_row(snapshot: Snapshot, qid: str, tr: Translate) -> Row:
    """The translated label, formatted value and unit of ``qid`` (resolution from the registry)."""
    q = quantity(qid)
    text, unit = format_value(snapshot.values.get(qid), q.unit, q.resolution)
    return Row(tr(q.label_key), text, tr(f"unit.{unit}") if unit else "")


class BasicReadingScreen:
    """V L-N, V L-L, I, frequency and total active power."""

    title_key = "screen.basic_reading.title"
    columns: tuple[tuple[Line, ...], ...] = (LEFT, RIGHT)

    def rows(self, snapshot: Snapshot, tr: Translate) -> list[list[Row]]:
        """The rows of each column, as they will be drawn (no Qt needed)."""
        return [
            [
                build_row(snapshot, line.qid, tr)
                for line in column
                if not line.optional or measured(snapshot, line.qid)
            ]
            for column in self.columns
        ]

    def render(self, painter: QPainter, snapshot: Snapshot, tr: Translate) -> None:
        clear(painter)
        # The meter blanks its clock while it has no data; the engine's first snapshot is empty.
        when = snapshot.time if snapshot.values else None
        draw_title_bar(painter, tr(self.title_key), when, tr)
        columns = self.rows(snapshot, tr)
        body = BODY.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        width = (body.width() - MARGIN * (len(columns) - 1)) // len(columns)
        for i, rows in enumerate(columns):
            x = body.left() + i * (width + MARGIN)
            draw_value_table(painter, QRect(x, body.top(), width, body.height()), rows)
