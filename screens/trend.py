"""Trend: one logged quantity per page against time, the last 24 hours and the next 4.

The series come with the snapshot (``Snapshot.trend``, from the data logger's "trend"
recorder, ``engine.storage.trend_view``): hourly average (line) with its minimum-maximum band
for the past hours, and the forecast average (dashed) with its band for the hours to come, left
and right of a "now" line. The y axis fits the values shown (1-2-5 steps); the unit is the
quantity's, auto-ranged like the other screens (kW, kV ...). Pages: one per trended quantity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from engine.quantities import quantity
from engine.snapshot import Snapshot, TrendSeries
from screens.base import Context, DataScreen
from screens.canvas import BODY, draw_chrome, draw_message, format_value
from screens.charts import (
    COLOURS,
    draw_header,
    draw_text,
    draw_x_ticks,
    draw_y_axis,
    nice_ceiling,
    page_text,
    tick_text,
)
from screens.formats import PREFIXES

PAST_H, FUTURE_H = 24, 4  # [h] shown either side of now
PLOT = QRect(BODY.left() + 46, BODY.top() + 30, BODY.width() - 64, 118)
HISTORY, FORECAST = "#2f6db5", "#e07000"


def _x(t: datetime, now: datetime) -> float:
    """Fraction of the plot's width of time ``t``."""
    hours = (t - now).total_seconds() / 3600.0
    return (hours + PAST_H) / (PAST_H + FUTURE_H)


def _scale(series: TrendSeries) -> tuple[float, float, float]:
    """(low, high, step) of the y axis around every finite value shown, 1-2-5 steps."""
    values = [v for row in (*series.history, *series.forecast) for v in row[1:]
              if math.isfinite(v)]  # fmt: skip
    low, high = min(values), max(values)
    if high - low < 1e-9 * max(1.0, abs(high)):
        low, high = low - max(1.0, abs(low)) * 0.01, high + max(1.0, abs(high)) * 0.01
    step = nice_ceiling((high - low) / 4)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


class TrendScreen(DataScreen):
    id = "trend.graph"
    title_key = "info.title.trend"

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return max(1, len(snapshot.trend))

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        series = snapshot.trend[ctx.page % len(snapshot.trend)] if snapshot.trend else None
        if series is None or not any(
            math.isfinite(v) for row in (*series.history, *series.forecast) for v in row[1:]
        ):
            draw_y_axis(painter, PLOT, [(0.0, ""), (1.0, "")])  # empty axes under the message
            draw_x_ticks(painter, PLOT, [(f / 4, "") for f in range(5)])
            draw_message(painter, tr("info.trend.none"), PLOT)
            return
        unit = quantity(series.qid).unit
        low, high, step = _scale(series)
        # The unit as the other screens range it (a 62 kW reading on a W quantity shows kW).
        _, shown_unit = format_value(max(abs(low), abs(high)), unit, 0)
        factor = _prefix_factor(unit, shown_unit)
        label = f"{tr(f'quantity.{series.qid}')} [{tr(f'unit.{shown_unit}')}]" if unit else (
            tr(f"quantity.{series.qid}")
        )  # fmt: skip
        draw_header(painter, label, page_text(ctx.page, self.page_count(snapshot, ctx)))
        ticks = []
        value = low
        while value <= high + step / 2:
            ticks.append(((value - low) / (high - low), tick_text(round(value / factor, 9))))
            value += step
        draw_y_axis(painter, PLOT, ticks)
        span = PAST_H + FUTURE_H
        hours = (-24, -18, -12, -6, 0, 4)
        labels = [f"{h:+d}" if h else tr("info.trend.now") for h in hours]
        draw_x_ticks(
            painter, PLOT, [((h + PAST_H) / span, t) for h, t in zip(hours, labels, strict=True)]
        )
        now = snapshot.time
        _band(painter, series.history, now, low, high, HISTORY)
        _band(painter, series.forecast, now, low, high, FORECAST)
        _line(painter, series.history, now, low, high, HISTORY, dashed=False)
        _line(painter, series.forecast, now, low, high, FORECAST, dashed=True)
        x_now = PLOT.left() + _x(now, now) * PLOT.width()
        painter.save()
        painter.setPen(QPen(QColor(COLOURS.axis), 1, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(x_now, PLOT.top()), QPointF(x_now, PLOT.bottom()))
        painter.restore()
        legend = QRect(PLOT.left(), PLOT.bottom() + 16, PLOT.width(), 14)
        draw_text(painter, legend, f"— {tr('info.trend.history')}", 10, colour=HISTORY)
        draw_text(painter, legend, f"- - {tr('info.trend.forecast')}", 10, colour=FORECAST,
                  align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip


def _prefix_factor(unit: str, shown: str) -> float:
    """How many base units the shown unit is (kW for W: 1000), by ``format_value``'s prefixes."""
    prefix = shown[: len(shown) - len(unit)] if unit and shown.endswith(unit) else ""
    return 1000.0 ** PREFIXES.index(prefix) if prefix in PREFIXES else 1.0


def _point(t: datetime, v: float, now: datetime, low: float, high: float) -> QPointF:
    x = PLOT.left() + _x(t, now) * PLOT.width()
    y = PLOT.bottom() - (v - low) / (high - low) * PLOT.height()
    return QPointF(x, y)


def _band(painter, rows: Sequence[tuple], now, low, high, colour: str) -> None:
    """The minimum-maximum band of each hour, a light box an hour wide."""
    painter.save()
    fill = QColor(colour)
    fill.setAlpha(50)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    for start, _, lo, hi in rows:
        if not (math.isfinite(lo) and math.isfinite(hi)):
            continue
        a = _point(start, hi, now, low, high)
        b = _point(start + timedelta(hours=1), lo, now, low, high)
        box = QRectF(a, b).intersected(QRectF(PLOT))
        painter.drawRect(box)
    painter.restore()


def _line(painter, rows: Sequence[tuple], now, low, high, colour: str, dashed: bool) -> None:
    """The hourly averages joined at the middle of each hour."""
    path = QPainterPath()
    started = False
    for start, avg, _, _ in rows:
        if not math.isfinite(avg):
            started = False
            continue
        p = _point(start + timedelta(minutes=30), avg, now, low, high)
        if started:
            path.lineTo(p)
        else:
            path.moveTo(p)
            started = True
    painter.save()
    painter.setClipRect(PLOT)
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    painter.setPen(QPen(QColor(colour), 2, style))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()


SCREENS = (TrendScreen(),)
