"""Drawing helpers of the graphic screens (bar charts, axes, traces, phasor arrows, legends) and
of the read-only lists, shared by the power-quality and information screens.

Coordinates are TFT pixels (320 × 240, y down). Every helper saves and restores the painter, so
a screen can call them in any order. Text is fitted (shrunk, then elided) to the box it is given:
a translated label never spills over its neighbour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from screens.base import Context
from screens.canvas import BODY, PALETTE, fitted, font
from screens.rows import label as reading_label
from screens.textfit import elide


@dataclass(frozen=True)
class ChartColours:
    """Colours of the graphic screens (hex RGB). Phases A, B, C, N in the US convention
    black / red / blue (front-panel.md §8 [G]); a selected row is green (§11.4 [G])."""

    phase: tuple[str, str, str, str] = ("#1b1b1b", "#d1242f", "#1f5fbf", "#8a6d00")
    axis: str = "#4a5560"
    grid: str = "#dde3e9"
    bar: str = "#2f6db5"
    fundamental: str = "#9aa5b1"
    cursor: str = "#e07000"
    highlight: str = "#2e7d32"
    highlight_text: str = "#ffffff"
    muted: str = "#6b7785"


COLOURS = ChartColours()
Align = Qt.AlignmentFlag
LEFT = Align.AlignLeft | Align.AlignVCenter
RIGHT = Align.AlignRight | Align.AlignVCenter
CENTRE = Align.AlignCenter
#: Height of the line under the title bar that names what a graphic screen shows [px].
HEADER_HEIGHT = 18

# -- channels by wiring (which inputs a wiring mode has; engine/wiring.py publishes these) ------

_VOLTAGES = {"3W-DELTA": ("V_AB", "V_BC", "V_CA"), "1P-2W": ("V_A",), "SPLIT-3W": ("V_A", "V_B")}
_CURRENTS = {"1P-2W": ("I_A",), "SPLIT-3W": ("I_A", "I_B")}


def voltage_channels(wiring: str) -> tuple[str, ...]:
    """Voltage channel ids of a wiring mode: line-to-line in delta, line-to-neutral otherwise."""
    return _VOLTAGES.get(wiring, ("V_A", "V_B", "V_C"))


def current_channels(wiring: str) -> tuple[str, ...]:
    """Phase-current channel ids of a wiring mode (the neutral I_N not included)."""
    return _CURRENTS.get(wiring, ("I_A", "I_B", "I_C"))


def phase_colour(channel: str) -> QColor:
    """The colour of a channel's phase: V_A, V_AB, I_A → A; I_N → N."""
    letter = channel.split("_")[1][0]
    return QColor(COLOURS.phase["ABCN".index(letter)])


def channel_label(ctx: Context, channel: str) -> str:
    """ "Va" / "Ia" with IEEE phase labels, "V1" / "I1" with IEC ones, as the numeric screens
    name them (``screens.rows.label``)."""
    return reading_label(ctx, channel)


# -- numbers ------------------------------------------------------------------------------------


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def nice_ceiling(x: float, steps: Sequence[float] = (1.0, 2.0, 5.0)) -> float:
    """The smallest step × 10^k that is ≥ ``x`` (> 0): the full scale of an auto-scaled axis."""
    if not x > 0:
        raise ValueError(f"nice_ceiling needs a positive number, got {x}")
    decade = 10.0 ** math.floor(math.log10(x))
    for step in (*steps, 10.0):
        if step * decade >= x * (1 - 1e-9):
            return step * decade
    raise AssertionError("unreachable")


def tick_text(value: float) -> str:
    """An axis label: no trailing zeros, no exponent for everyday magnitudes."""
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.2g}"


# -- text ---------------------------------------------------------------------------------------


def draw_text(
    painter: QPainter,
    rect: QRect,
    text: str,
    px: int = 12,
    *,
    bold: bool = False,
    colour: str | QColor = PALETTE.text,
    align: Qt.AlignmentFlag = LEFT,
) -> None:
    """``text`` in ``rect``, shrunk to fit its width (not below 9 px), then elided."""
    painter.save()
    f = fitted(font(px, bold), text, rect.width())
    painter.setFont(f)
    painter.setPen(QColor(colour))
    shown = elide(painter.fontMetrics(), text, rect.width())
    painter.drawText(rect, align, shown)
    painter.restore()


def draw_header(painter: QPainter, left: str, right: str = "") -> QRect:
    """The header line under the title bar: ``left`` bold, ``right`` (e.g. "2/6") at the right,
    a rule under both. Returns the body below it."""
    line = QRect(BODY.left() + 4, BODY.top(), BODY.width() - 8, HEADER_HEIGHT)
    right_w = painter.fontMetrics().horizontalAdvance(right) + 16 if right else 0
    draw_text(painter, line.adjusted(0, 0, -right_w, 0), left, 13, bold=True)
    if right:
        draw_text(painter, line, right, 11, colour=COLOURS.muted, align=RIGHT)
    painter.save()
    painter.setPen(QColor(PALETTE.rule))
    painter.drawLine(line.left(), line.bottom(), line.right(), line.bottom())
    painter.restore()
    return BODY.adjusted(0, HEADER_HEIGHT, 0, 0)


def page_text(page: int, count: int) -> str:
    """ "2/6": which page of how many ("" for a one-page screen)."""
    return f"{page + 1}/{count}" if count > 1 else ""


# -- axes, bars, traces ------------------------------------------------------------------------


def draw_y_axis(painter: QPainter, plot: QRect, ticks: Sequence[tuple[float, str]]) -> None:
    """Grid lines and labels left of ``plot`` at ``ticks`` (fraction 0 = bottom, 1 = top)."""
    painter.save()
    for frac, label in ticks:
        y = round(plot.bottom() - frac * plot.height())
        painter.setPen(QColor(COLOURS.grid))
        painter.drawLine(plot.left(), y, plot.right(), y)
        box = QRect(BODY.left() + 1, y - 7, plot.left() - BODY.left() - 4, 14)
        draw_text(painter, box, label, 10, colour=COLOURS.axis, align=RIGHT)
    painter.setPen(QColor(COLOURS.axis))
    painter.drawLine(plot.left(), plot.top(), plot.left(), plot.bottom())
    painter.restore()


def draw_x_ticks(painter: QPainter, plot: QRect, ticks: Sequence[tuple[float, str]]) -> None:
    """Tick marks and labels under ``plot`` at ``ticks`` (fraction 0 = left, 1 = right)."""
    painter.save()
    painter.setPen(QColor(COLOURS.axis))
    painter.drawLine(plot.left(), plot.bottom(), plot.right(), plot.bottom())
    for frac, label in ticks:
        x = round(plot.left() + frac * plot.width())
        painter.drawLine(x, plot.bottom(), x, plot.bottom() + 3)
        draw_text(
            painter,
            QRect(x - 16, plot.bottom() + 3, 32, 12),
            label,
            10,
            colour=COLOURS.axis,
            align=CENTRE,
        )
    painter.restore()


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart: its height as a fraction of full scale (clipped at 1 with an
    off-scale mark; None draws nothing) and its colour."""

    fraction: float | None
    colour: str = COLOURS.bar


def draw_bars(painter: QPainter, plot: QRect, bars: Sequence[Bar], cursor: int | None) -> None:
    """``bars`` side by side across ``plot``; the ``cursor`` bar in the cursor colour with a
    marker line through the plot and a triangle under the axis."""
    pitch = plot.width() / len(bars)
    width = max(1, math.floor(pitch) - 1)
    painter.save()
    for i, bar in enumerate(bars):
        x = plot.left() + 1 + round(i * pitch)
        if i == cursor:
            painter.fillRect(
                QRect(x + width // 2, plot.top(), 1, plot.height()),
                QColor(COLOURS.cursor).lighter(160),
            )
            _triangle(painter, x + width / 2, plot.bottom() + 1, 4, COLOURS.cursor, down=False)
        if bar.fraction is None or not bar.fraction > 0:
            continue
        colour = COLOURS.cursor if i == cursor else bar.colour
        h = max(1, round(min(bar.fraction, 1.0) * plot.height()))
        painter.fillRect(QRect(x, plot.bottom() - h + 1, width, h), QColor(colour))
        if bar.fraction > 1.0:  # off scale: an arrowhead on top of the bar
            _triangle(painter, x + width / 2, plot.top() - 1, 4, colour, down=False)
    painter.restore()


def _triangle(painter: QPainter, x: float, y: float, size: float, colour: str, down: bool) -> None:
    """A small filled triangle with its tip at (x, y), pointing up (or down)."""
    d = size if down else -size
    tri = QPolygonF([QPointF(x, y), QPointF(x - size, y - d), QPointF(x + size, y - d)])
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawPolygon(tri)
    painter.restore()


def draw_trace(
    painter: QPainter, plot: QRect, samples: np.ndarray, full_scale: float, colour: QColor
) -> None:
    """``samples`` across the whole width of ``plot``, ±``full_scale`` top to bottom."""
    n = len(samples)
    if n < 2 or not full_scale > 0:
        return
    xs = plot.left() + np.arange(n) * (plot.width() - 1) / (n - 1)
    mid = plot.top() + (plot.height() - 1) / 2
    ys = mid - np.clip(samples / full_scale, -1, 1) * (plot.height() - 1) / 2
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(colour, 1.4))
    painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs, ys, strict=True)]))
    painter.restore()


# -- phasors -------------------------------------------------------------------------------------


def polar_point(centre: QPointF, radius: float, angle_deg: float) -> QPointF:
    """The point at ``radius`` [px] and ``angle_deg`` [deg] from ``centre``: 0° along +x,
    positive angles counter-clockwise (screen y grows downwards)."""
    a = math.radians(angle_deg)
    return QPointF(centre.x() + radius * math.cos(a), centre.y() - radius * math.sin(a))


def draw_polar_grid(painter: QPainter, centre: QPointF, radius: float) -> None:
    """The reference circle and the two axes of a phasor diagram."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(QColor(COLOURS.grid), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(centre, radius, radius)
    painter.drawEllipse(centre, radius / 2, radius / 2)
    painter.drawLine(polar_point(centre, radius, 180), polar_point(centre, radius, 0))
    painter.drawLine(polar_point(centre, radius, 90), polar_point(centre, radius, 270))
    painter.restore()


def draw_arrow(
    painter: QPainter,
    centre: QPointF,
    length: float,
    angle_deg: float,
    colour: QColor,
    width: float,
    head: float,
) -> None:
    """A phasor: a line of ``width`` px from ``centre`` to ``length`` px at ``angle_deg``,
    ending in a filled head ``head`` px long."""
    if not length > 0:
        return
    tip = polar_point(centre, length, angle_deg)
    base = polar_point(centre, max(0.0, length - head), angle_deg)
    left = polar_point(base, head * 0.45, angle_deg + 90)
    right = polar_point(base, head * 0.45, angle_deg - 90)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.drawLine(centre, base)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(QPolygonF([tip, left, right]))
    painter.restore()


def draw_legend(
    painter: QPainter, rect: QRect, entries: Sequence[tuple[str, QColor]], px: int = 11
) -> None:
    """Colour swatches and labels side by side in ``rect``, each given an equal share."""
    if not entries:
        return
    cell = rect.width() // len(entries)
    painter.save()
    for i, (label, colour) in enumerate(entries):
        x = rect.left() + i * cell
        painter.fillRect(QRectF(x, rect.center().y() - 1, 10, 3), colour)
        draw_text(
            painter, QRect(x + 13, rect.top(), cell - 15, rect.height()), label, px, colour=colour
        )
    painter.restore()


# -- tables --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a grid table: its share of the table width and its alignment."""

    share: float
    align: Qt.AlignmentFlag = RIGHT


def draw_grid_table(
    painter: QPainter,
    rect: QRect,
    columns: Sequence[Column],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    px: int = 13,
    colours: Sequence[QColor | None] = (),
) -> None:
    """A table of text cells: a small muted header row, then ``rows`` (first cell bold, in
    ``colours[i]`` when given), a rule under each row. Row height follows ``rect`` (≤ 2.2 px)."""
    lines = len(rows) + (1 if header else 0)
    if not lines:
        return
    row_h = min(round(px * 2.2), rect.height() // lines)
    total = sum(c.share for c in columns)
    edges = [rect.left()]
    for c in columns:
        edges.append(edges[-1] + round(rect.width() * c.share / total))
    y = rect.top()
    if header:
        for i, text in enumerate(header):
            box = QRect(edges[i] + 2, y, edges[i + 1] - edges[i] - 4, row_h)
            draw_text(painter, box, text, px - 3, colour=COLOURS.muted, align=columns[i].align)
        y += row_h
    painter.save()
    for r, row in enumerate(rows):
        colour = colours[r] if r < len(colours) and colours[r] is not None else None
        for i, text in enumerate(row):
            box = QRect(edges[i] + 2, y, edges[i + 1] - edges[i] - 4, row_h)
            ink = colour if (i == 0 and colour is not None) else QColor(PALETTE.text)
            draw_text(painter, box, text, px, bold=i == 0, colour=ink, align=columns[i].align)
        painter.setPen(QColor(PALETTE.rule))
        painter.drawLine(rect.left(), y + row_h - 1, rect.right(), y + row_h - 1)
        y += row_h
    painter.restore()
