"""Harmonics: bar chart of orders 1–63 of one channel as % of its fundamental, with a cursor.

One channel per page (V_A, V_B, V_C, I_A, I_B, I_C; V_AB, V_BC, V_CA in delta), THD of that
channel in the header. ◄/► move the cursor; the read-out under the chart gives the order, its
magnitude in % of the fundamental and in V or A, and its angle (HA_{ch}_h, V_A fundamental = 0°).

Scale: the chart auto-fits the largest harmonic (order ≥ 2) to a 1-2-5 full scale of at least
1 %, and the fundamental (100 %) is clipped with an off-scale arrowhead. Harmonics in a real
installation are 0.1–10 % of the fundamental: at a fixed 100 % scale a 3 % bar would be 3 px
high, and the four soft keys (◄ ► … ↩) leave no key for a zoom. The full scale is labelled on
the axis, so the operator always reads true values. The cursor position i is order i + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter

from engine.quantities import MAX_HARMONIC, quantity
from engine.snapshot import Snapshot
from screens.base import CURSOR_KEYS, Context, DataScreen, SoftKey
from screens.canvas import BODY, MISSING, draw_chrome, format_value
from screens.charts import (
    COLOURS,
    Bar,
    channel_label,
    current_channels,
    draw_bars,
    draw_header,
    draw_text,
    draw_x_ticks,
    draw_y_axis,
    finite,
    nice_ceiling,
    page_text,
    tick_text,
    voltage_channels,
)

#: The smallest full scale [%]: keeps noise-level harmonics of a clean sine flat.
MIN_FULL_SCALE = 1.0
#: The largest full scale [%]: a channel with almost no fundamental (no load) stays readable.
MAX_FULL_SCALE = 1000.0
#: Chart geometry [px]: 63 bars of 4 px between the y labels and the right edge.
PLOT = QRect(44, BODY.top() + 26, 4 * MAX_HARMONIC, 104)
ORDER_TICKS = (1, 10, 20, 30, 40, 50, 60)


@dataclass(frozen=True)
class Readout:
    """The cursor read-out, as drawn: order, % of fundamental, rms value, angle."""

    order: str
    percent: str
    rms: str
    angle: str


def _with_unit(text: str, unit: str) -> str:
    return text if text == MISSING else (f"{text}{unit}" if unit == "°" else f"{text} {unit}")


class HarmonicsScreen(DataScreen):
    """Orders 1–63 of one channel per page."""

    id = "pq.harmonics"
    title_key = "pq.title.harmonics"

    def channels(self, ctx: Context) -> tuple[str, ...]:
        wiring = ctx.config.wiring
        return voltage_channels(wiring) + current_channels(wiring)

    def channel(self, ctx: Context) -> str:
        chans = self.channels(ctx)
        return chans[min(max(ctx.page, 0), len(chans) - 1)]

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return CURSOR_KEYS

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return len(self.channels(ctx))

    def cursor_count(self, snapshot: Snapshot, ctx: Context) -> int:
        """The highest order present for this page's channel (63 below Nyquist; 0: none)."""
        ch = self.channel(ctx)
        for h in range(MAX_HARMONIC, 1, -1):
            if finite(snapshot.values.get(f"H_{ch}_{h}")):
                return h
        return 1 if finite(snapshot.values.get(f"{ch}_1")) else 0

    def percents(self, snapshot: Snapshot, ch: str) -> list[float | None]:
        """[% of fundamental] of orders 1..63 (None: not measured); order 1 is 100 %."""
        values = snapshot.values
        first = 100.0 if finite(values.get(f"{ch}_1")) else None
        rest = [values.get(f"H_{ch}_{h}") for h in range(2, MAX_HARMONIC + 1)]
        return [first, *(v if finite(v) else None for v in rest)]

    def full_scale(self, percents: list[float | None]) -> float:
        """[%] 1-2-5 full scale fitting the largest harmonic of order ≥ 2."""
        top = max((p for p in percents[1:] if p is not None), default=0.0)
        return min(MAX_FULL_SCALE, nice_ceiling(max(top, MIN_FULL_SCALE)))

    def order(self, snapshot: Snapshot, ctx: Context) -> int:
        """The order under the cursor (1 = fundamental), 0 when there is none."""
        count = self.cursor_count(snapshot, ctx)
        return min(max(ctx.cursor, 0), count - 1) + 1 if count else 0

    def readout(self, snapshot: Snapshot, ctx: Context) -> Readout:
        """What the line under the chart shows for the order under the cursor."""
        ch, h, tr = self.channel(ctx), self.order(snapshot, ctx), ctx.tr
        if not h:
            return Readout(MISSING, MISSING, MISSING, MISSING)
        pct = self.percents(snapshot, ch)[h - 1]
        fundamental = snapshot.values.get(f"{ch}_1")
        rms = pct / 100.0 * fundamental if pct is not None and finite(fundamental) else None
        q = quantity(f"{ch}_1")
        pct_text, _ = format_value(pct, "%", 2)
        rms_text, unit = format_value(rms, q.unit, q.resolution)
        angle = snapshot.values.get(f"HA_{ch}_{h}")
        angle = (angle + 180.0) % 360.0 - 180.0 if finite(angle) else None
        angle_text, _ = format_value(angle, "deg", 1)
        return Readout(
            f"{tr('pq.harmonics.order_prefix')}{h}",
            _with_unit(pct_text, tr("unit.%")),
            _with_unit(rms_text, tr(f"unit.{unit}")),
            _with_unit(angle_text, tr("unit.deg")),
        )

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr, ch = ctx.tr, self.channel(ctx)
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        thd, _ = format_value(snapshot.values.get(f"THD_{ch}"), "%", 2)
        head = f"{channel_label(ctx, ch)}   {tr('pq.thd')} {_with_unit(thd, tr('unit.%'))}"
        draw_header(painter, head, page_text(ctx.page, self.page_count(snapshot, ctx)))
        percents = self.percents(snapshot, ch)
        full = self.full_scale(percents)
        top_tick = f"{tick_text(full)} {tr('unit.%')}"
        draw_y_axis(painter, PLOT, [(0.0, "0"), (0.5, tick_text(full / 2)), (1.0, top_tick)])
        draw_x_ticks(painter, PLOT, [((h - 0.5) / MAX_HARMONIC, str(h)) for h in ORDER_TICKS])
        bars = [
            Bar(None if p is None else p / full, COLOURS.fundamental if h == 0 else COLOURS.bar)
            for h, p in enumerate(percents)
        ]
        order = self.order(snapshot, ctx)
        draw_bars(painter, PLOT, bars, order - 1 if order else None)
        self._draw_readout(painter, self.readout(snapshot, ctx), tr)

    def _draw_readout(self, painter: QPainter, r: Readout, tr) -> None:
        keys = ("pq.harmonics.order", "pq.harmonics.percent", "pq.harmonics.rms", "pq.angle")
        top = PLOT.bottom() + 20
        cell = (BODY.width() - 8) // 4
        texts = (r.order, r.percent, r.rms, r.angle)
        for i, (key, text) in enumerate(zip(keys, texts, strict=True)):
            x = BODY.left() + 4 + i * cell
            draw_text(painter, QRect(x, top, cell - 4, 13), tr(key), 10, colour=COLOURS.muted)
            draw_text(painter, QRect(x, top + 13, cell - 4, 20), text, 15, bold=True)


SCREENS = (HarmonicsScreen(),)
