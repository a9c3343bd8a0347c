"""The pieces of the bezel that are widgets of their own (the keys and the LEDs, each with a
tooltip) and the painted parts (optical port, Home symbol). All drawn with QPainter from the
widget's size, so they stay crisp at any scale."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QRadialGradient,
)
from PySide6.QtWidgets import QAbstractButton, QWidget

#: Lit colours; an infrared LED is drawn dark red whatever colour it is given.
LIT = {"red": "#ff3a2e", "green": "#3ee05a", "infrared": "#8a1a1a"}
DARK_LED = "#2a2c2e"
PRINT = "#c9ccd0"  # the light-grey print on the face


@dataclass(frozen=True)
class LedSpec:
    """One LED: its name, centre x [mm] on the face, tooltip, and whether it is infrared."""

    name: str
    x: float
    tooltip: str
    infrared: bool = False


class PanelButton(QAbstractButton):
    """A rubber key of the panel; ``house`` draws the Home symbol on it. It never takes the
    keyboard focus: keys go to the window, which maps them (``hmi.keys``)."""

    def __init__(
        self, name: str, tooltip: str, house: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.house = house
        self.setToolTip(tooltip)
        self.setAccessibleName(tooltip)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        down = self.isDown()
        grad = QLinearGradient(r.topLeft(), r.bottomLeft())
        grad.setColorAt(0.0, QColor("#3a3d41" if down else "#6b6f75"))
        grad.setColorAt(1.0, QColor("#2b2d30" if down else "#45484d"))
        p.setPen(QPen(QColor("#1d1e20"), max(1.0, r.height() / 30)))
        p.setBrush(grad)
        radius = r.height() * 0.22
        p.drawRoundedRect(r, radius, radius)
        if self.house:
            dx, dy = r.width() * 0.3, r.height() * 0.22
            draw_house(p, r.adjusted(dx, dy, -dx, -dy))
        p.end()


def draw_house(p: QPainter, r: QRectF) -> None:
    """The Home symbol (roof and walls, outlined) filling ``r``."""
    pen = QPen(QColor(PRINT), max(1.2, r.height() / 9))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    roof = r.top() + r.height() * 0.45
    path = QPainterPath(QPointF(r.left(), roof))
    path.lineTo(r.center().x(), r.top())
    path.lineTo(r.right(), roof)
    p.drawPath(path)
    left, right = r.left() + r.width() * 0.15, r.right() - r.width() * 0.15
    top = roof - r.height() * 0.05
    p.drawPolyline(
        [
            QPointF(left, top),
            QPointF(left, r.bottom()),
            QPointF(right, r.bottom()),
            QPointF(right, top),
        ]
    )


class LedView(QWidget):
    """One round LED: dark, or lit in ``colour`` ("red" | "green")."""

    def __init__(self, spec: LedSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.colour: str | None = None
        self.setToolTip(spec.tooltip)
        self.setAccessibleName(spec.tooltip)

    def set_colour(self, colour: str | None) -> None:
        if colour != self.colour:
            self.colour = colour
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        if self.colour is None:
            base = QColor(DARK_LED)
        else:
            base = QColor(LIT["infrared" if self.spec.infrared else self.colour])
        # A highlight up and to the left makes it read as a dome.
        glow = QRadialGradient(r.center() - QPointF(r.width(), r.height()) * 0.15, r.width() / 2)
        glow.setColorAt(0.0, base.lighter(190 if self.colour else 130))
        glow.setColorAt(1.0, base)
        p.setPen(QPen(QColor("#151617"), max(1.0, r.width() / 12)))
        p.setBrush(glow)
        p.drawEllipse(r)
        p.end()


def draw_optical_port(p: QPainter, ring: QRectF, px: float) -> None:
    """The optical port: a metal ring (the probe's magnet holds on it) round a dark IR window.
    ``px``: pixels per mm, for the outline width."""
    metal = QRadialGradient(ring.center(), ring.width() / 2)
    metal.setColorAt(0.75, QColor("#8e9297"))
    metal.setColorAt(1.0, QColor("#4c4f53"))
    p.setPen(QPen(QColor("#1b1c1e"), 0.3 * px))
    p.setBrush(metal)
    p.drawEllipse(ring)
    r = ring.width() * 0.3
    window = QRectF(ring.center().x() - r, ring.center().y() - r, 2 * r, 2 * r)
    glass = QRadialGradient(window.center() - QPointF(r * 0.3, r * 0.3), r * 1.2)
    glass.setColorAt(0.0, QColor("#4a2030"))
    glass.setColorAt(1.0, QColor("#0d0608"))
    p.setBrush(glass)
    p.drawEllipse(window)
