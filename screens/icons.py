"""Vector icons of the TFT: the revenue-lock padlock, the alarm bell and the soft-key icons.

Drawn with QPainter paths, never font glyphs (▲ ✓ ✎ … are missing from many fonts on a fresh
machine). Every icon is drawn centred on a point, ``size`` pixels high; the painter's state
is restored afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _prepare(painter: QPainter) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)


# -- status icons (title bar) -----------------------------------------------------------------


def draw_padlock(painter: QPainter, c: QPointF, size: float, colour: QColor, locked: bool) -> None:
    """A padlock ``size`` px high centred on ``c``: shackle closed into the body when
    ``locked``; when open, raised with its left leg clear of the body."""
    _prepare(painter)
    w = size * 0.72
    body = QRectF(c.x() - w / 2, c.y() - size * 0.02, w, size * 0.52)
    r = w * 0.3  # shackle radius
    lift = 0.0 if locked else size * 0.2
    left, right = c.x() - r, c.x() + r
    top = c.y() - size * 0.5 - lift + (size * 0.04 if locked else size * 0.2)
    shackle = QPainterPath()
    shackle.moveTo(right, body.top())
    shackle.lineTo(right, top + r)
    shackle.arcTo(QRectF(left, top, 2 * r, 2 * r), 0, 180)
    # Locked: the left leg goes into the body; open: it stops short, leaving a visible gap.
    shackle.lineTo(left, body.top() if locked else top + r + size * 0.06)
    painter.setPen(_pen(colour, max(1.5, size * 0.13)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(shackle)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    painter.drawRoundedRect(body, 1.2, 1.2)
    painter.restore()


def draw_bell(painter: QPainter, c: QPointF, size: float, colour: QColor, filled: bool) -> None:
    """An alarm bell ``size`` px high centred on ``c``, filled (active alarm) or drawn as an
    outline (historic, not yet acknowledged)."""
    _prepare(painter)
    h = size
    x0, y0 = c.x(), c.y() - h / 2
    half = h * 0.42  # half width of the rim
    path = QPainterPath()
    path.moveTo(x0 - half, y0 + h * 0.78)
    path.cubicTo(x0 - half * 0.55, y0 + h * 0.62, x0 - half * 0.7, y0 + h * 0.1, x0, y0 + h * 0.1)
    path.cubicTo(
        x0 + half * 0.7, y0 + h * 0.1, x0 + half * 0.55, y0 + h * 0.62, x0 + half, y0 + h * 0.78
    )
    path.closeSubpath()
    pen_w = max(1.2, h * 0.1)
    if filled:
        painter.setPen(_pen(colour, pen_w * 0.6))
        painter.setBrush(QBrush(colour))
    else:
        painter.setPen(_pen(colour, pen_w))
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    # The clapper under the rim and the knob on top.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    painter.drawEllipse(QPointF(x0, y0 + h * 0.9), h * 0.1, h * 0.1)
    painter.drawEllipse(QPointF(x0, y0 + h * 0.07), h * 0.07, h * 0.07)
    painter.restore()


# -- soft-key icons ----------------------------------------------------------------------------


def _triangle(angle: int) -> Callable[[QPainter, QPointF, float], None]:
    """A solid triangle pointing up (0), right (90), down (180) or left (270)."""

    def draw(painter: QPainter, c: QPointF, s: float) -> None:
        painter.translate(c)
        painter.rotate(angle)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPolygon(
            QPolygonF(
                [QPointF(0, -s * 0.45), QPointF(s * 0.5, s * 0.4), QPointF(-s * 0.5, s * 0.4)]
            )
        )

    return draw


def _check(painter: QPainter, c: QPointF, s: float) -> None:
    painter.drawPolyline(
        QPolygonF(
            [
                QPointF(c.x() - s * 0.45, c.y() + s * 0.02),
                QPointF(c.x() - s * 0.12, c.y() + s * 0.35),
                QPointF(c.x() + s * 0.48, c.y() - s * 0.35),
            ]
        )
    )


def _back(painter: QPainter, c: QPointF, s: float) -> None:
    """↩: from the top right, down, then left to an arrow head."""
    x, y = c.x(), c.y()
    path = QPainterPath(QPointF(x + s * 0.42, y - s * 0.42))
    path.lineTo(x + s * 0.42, y)
    path.quadTo(x + s * 0.42, y + s * 0.22, x + s * 0.2, y + s * 0.22)
    path.lineTo(x - s * 0.42, y + s * 0.22)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    head = s * 0.24
    painter.drawPolyline(
        QPolygonF(
            [
                QPointF(x - s * 0.42 + head, y + s * 0.22 - head),
                QPointF(x - s * 0.42, y + s * 0.22),
                QPointF(x - s * 0.42 + head, y + s * 0.22 + head),
            ]
        )
    )


def _more(painter: QPainter, c: QPointF, s: float) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    for dx in (-0.42, 0.0, 0.42):
        painter.drawEllipse(QPointF(c.x() + s * dx, c.y()), s * 0.13, s * 0.13)


def _cancel(painter: QPainter, c: QPointF, s: float) -> None:
    d = s * 0.36
    painter.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
    painter.drawLine(QPointF(c.x() - d, c.y() + d), QPointF(c.x() + d, c.y() - d))


def _edit(painter: QPainter, c: QPointF, s: float) -> None:
    """A pencil at 45° pointing to the lower left."""
    painter.save()
    painter.translate(c)
    painter.rotate(-45)
    painter.setPen(Qt.PenStyle.NoPen)
    length, width = s * 1.05, s * 0.3
    tip = s * 0.26
    x0 = -length / 2
    body = QRectF(x0 + tip, -width / 2, length - tip, width)
    painter.drawRect(body.adjusted(0, 0, -s * 0.2, 0))  # the shaft, a gap, then the eraser
    painter.drawRect(QRectF(body.right() - s * 0.14, -width / 2, s * 0.14, width))
    painter.drawPolygon(
        QPolygonF(
            [
                QPointF(x0 + tip - 0.5, -width / 2),
                QPointF(x0, 0),
                QPointF(x0 + tip - 0.5, width / 2),
            ]
        )
    )
    painter.restore()


#: Icon name (a soft-key action, ``screens.base.ACTIONS``) -> how to draw it.
KEY_ICONS: dict[str, Callable[[QPainter, QPointF, float], None]] = {
    "up": _triangle(0),
    "right": _triangle(90),
    "down": _triangle(180),
    "left": _triangle(270),
    "select": _check,
    "back": _back,
    "more": _more,
    "cancel": _cancel,
    "edit": _edit,
}


def draw_key_icon(painter: QPainter, name: str, c: QPointF, size: float, colour: QColor) -> bool:
    """Draw the soft-key icon ``name`` centred on ``c``; False if there is no vector icon for
    it (the caller then writes a text label, e.g. "ACK")."""
    draw = KEY_ICONS.get(name)
    if draw is None:
        return False
    _prepare(painter)
    painter.setPen(_pen(colour, max(1.5, size * 0.14)))
    painter.setBrush(QBrush(colour))
    draw(painter, c, size)
    painter.restore()
    return True
