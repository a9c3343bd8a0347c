"""Phasors: the fundamental voltage and current phasors as a diagram and a table
(front-panel.md §8 [V S7]).

V_A (V_AB in delta) lies on +x; angles (HA_{ch}_1) grow counter-clockwise. Voltages are drawn
relative to the largest voltage and currents relative to the largest current, each set with its
own length (currents shorter, so an in-phase current stays visible beside its voltage);
voltages thick, currents thin, phase colours A / B / C. Page 1: the diagram with a compact
table of magnitude ({ch}_1) and angle; page 2: the same table at reading size, for an operator
copying values down.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect
from PySide6.QtGui import QColor, QPainter

from engine.quantities import quantity
from engine.snapshot import Snapshot
from screens.base import Context, DataScreen
from screens.canvas import BODY, MISSING, draw_chrome, format_value
from screens.charts import (
    CENTRE as MIDDLE,
)
from screens.charts import (
    COLOURS,
    LEFT,
    Column,
    channel_label,
    current_channels,
    draw_arrow,
    draw_grid_table,
    draw_polar_grid,
    draw_text,
    finite,
    phase_colour,
    polar_point,
    voltage_channels,
)

#: Diagram geometry [px]: centre, reference circle, full lengths of voltage and current arrows.
CENTRE = QPointF(80.5, BODY.top() + 92.5)
RADIUS = 76.0
VOLTAGE_LENGTH = 60.0
CURRENT_LENGTH = 42.0
#: Where the page-1 table sits, right of the diagram.
SIDE_TABLE = QRect(164, BODY.top() + 4, 152, 150)
#: Table columns: label, magnitude with unit, angle (shares of the width).
COLUMNS = (Column(0.22, LEFT), Column(0.44), Column(0.34))
PAGES = 2


class PhasorScreen(DataScreen):
    """Phasor diagram (page 1) and phasor table (page 2)."""

    id = "pq.phasors"
    title_key = "pq.title.phasors"

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return PAGES

    def channels(self, ctx: Context) -> tuple[str, ...]:
        wiring = ctx.config.wiring
        return voltage_channels(wiring) + current_channels(wiring)

    def phasors(self, snapshot: Snapshot, ctx: Context) -> list[tuple[str, float, float]]:
        """(channel, magnitude [V or A], angle [deg]) of every channel with both measured."""
        found = []
        for ch in self.channels(ctx):
            mag, ang = snapshot.values.get(f"{ch}_1"), snapshot.values.get(f"HA_{ch}_1")
            if finite(mag) and finite(ang):
                found.append((ch, mag, ang))
        return found

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[list[str]]:
        """Table rows as drawn: label, magnitude with unit, angle."""
        tr, rows = ctx.tr, []
        for ch in self.channels(ctx):
            q = quantity(f"{ch}_1")
            mag, unit = format_value(snapshot.values.get(q.id), q.unit, q.resolution)
            ang = snapshot.values.get(f"HA_{ch}_1")
            ang_text, _ = format_value((ang + 180) % 360 - 180 if finite(ang) else None, "deg", 1)
            deg = "" if ang_text == MISSING else tr("unit.deg")
            label = channel_label(ctx, ch)
            mag = mag if mag == MISSING else f"{mag} {tr(f'unit.{unit}')}"
            rows.append([label, mag, ang_text + deg])
        return rows

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        colours = [phase_colour(ch) for ch in self.channels(ctx)]
        header = ["", tr("pq.phasors.magnitude"), tr("pq.angle")]
        rows = self.rows(snapshot, ctx)
        if ctx.page % PAGES == 1:
            table = BODY.adjusted(8, 6, -8, -6)
            draw_grid_table(painter, table, COLUMNS, header, rows, 17, colours)
            return
        self._draw_diagram(painter, snapshot, ctx)
        draw_grid_table(painter, SIDE_TABLE, COLUMNS, header, rows, 12, colours)
        self._draw_key(painter, tr)

    def _draw_diagram(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_polar_grid(painter, CENTRE, RADIUS)
        phasors = self.phasors(snapshot, ctx)
        volts = [p for p in phasors if p[0].startswith("V")]
        amps = [p for p in phasors if p[0].startswith("I")]
        for group, length, width, head in (
            (amps, CURRENT_LENGTH, 1.6, 7.0),
            (volts, VOLTAGE_LENGTH, 3.2, 9.0),
        ):
            top = max((m for _, m, _ in group), default=0.0)
            for ch, mag, ang in group:
                if top > 0:
                    draw_arrow(
                        painter, CENTRE, length * mag / top, ang, phase_colour(ch), width, head
                    )
        top = max((m for _, m, _ in volts), default=0.0)
        for ch, mag, ang in volts:  # labels beyond the voltage tips
            if top > 0 and mag > 0:
                tip = polar_point(CENTRE, VOLTAGE_LENGTH * mag / top + 9, ang)
                box = QRect(round(tip.x()) - 14, round(tip.y()) - 7, 28, 14)
                draw_text(
                    painter,
                    box,
                    channel_label(ctx, ch),
                    10,
                    bold=True,
                    colour=phase_colour(ch),
                    align=MIDDLE,
                )

    def _draw_key(self, painter: QPainter, tr) -> None:
        """Which line is which: thick = voltage, thin = current."""
        top = SIDE_TABLE.bottom() + 6
        for i, (key, width) in enumerate((("pq.phasors.voltage", 3), ("pq.phasors.current", 1))):
            x = SIDE_TABLE.left() + i * (SIDE_TABLE.width() // 2)
            painter.fillRect(QRect(x, top + 7 - width // 2, 14, width), QColor(COLOURS.axis))
            draw_text(painter, QRect(x + 18, top, SIDE_TABLE.width() // 2 - 20, 14), tr(key), 11)


SCREENS = (PhasorScreen(),)
