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


class LockSwitch(QAbstractButton):
    """The emulated revenue-lock switch: a slide switch in a recessed slot, knob left = unlocked,
    right = locked (``isChecked()``). A click moves it and emits ``clicked(bool)`` with the new
    position; ``setChecked`` moves it without a signal (restoring a saved position)."""

    def __init__(self, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCheckable(True)
        self.setToolTip(tooltip)
        self.setAccessibleName(tooltip)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def knob_rect(self) -> QRectF:
        """Where the knob is drawn: the right half of the slot when locked, else the left."""
        slot = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        inset = slot.height() * 0.12
        w = slot.width() * 0.48
        x = slot.right() - inset - w if self.isChecked() else slot.left() + inset
        return QRectF(x, slot.top() + inset, w, slot.height() - 2 * inset)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        slot = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        # A slot cut into the face: dark, shaded at the top where the face overhangs it.
        well = QLinearGradient(slot.topLeft(), slot.bottomLeft())
        well.setColorAt(0.0, QColor("#050506"))
        well.setColorAt(1.0, QColor("#1c1d1f"))
        p.setPen(QPen(QColor("#5a5d62"), max(1.0, slot.height() / 16)))
        p.setBrush(well)
        p.drawRoundedRect(slot, slot.height() * 0.2, slot.height() * 0.2)
        knob = self.knob_rect()
        metal = QLinearGradient(knob.topLeft(), knob.bottomLeft())
        metal.setColorAt(0.0, QColor("#d9dce0"))
        metal.setColorAt(1.0, QColor("#7d8186"))
        p.setPen(QPen(QColor("#2a2b2d"), max(1.0, knob.height() / 14)))
        p.setBrush(metal)
        p.drawRoundedRect(knob, knob.height() * 0.15, knob.height() * 0.15)
        # Grip ridges across the knob: it reads as something to push sideways.
        p.setPen(QPen(QColor("#55585c"), max(1.0, knob.width() / 14)))
        for k in (0.3, 0.5, 0.7):
            x = knob.left() + k * knob.width()
            p.drawLine(
                QPointF(x, knob.top() + knob.height() * 0.22),
                QPointF(x, knob.bottom() - knob.height() * 0.22),
            )
        p.end()


class PowerButton(QAbstractButton):
    """A small round push button with the power symbol (IEC 60417-5009): power-cycles the
    emulated meter. Not a key of the real panel, so it is drawn plainer than the keys."""

    def __init__(self, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip(tooltip)
        self.setAccessibleName(tooltip)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        grad = QLinearGradient(r.topLeft(), r.bottomLeft())
        grad.setColorAt(0.0, QColor("#3a3d41" if self.isDown() else "#62666c"))
        grad.setColorAt(1.0, QColor("#2b2d30" if self.isDown() else "#3f4247"))
        p.setPen(QPen(QColor("#1d1e20"), max(1.0, r.height() / 24)))
        p.setBrush(grad)
        p.drawEllipse(r)
        draw_power_symbol(p, r.adjusted(*(d * r.width() * 0.27 for d in (1, 1, -1, -1))))
        p.end()


def draw_power_symbol(p: QPainter, r: QRectF) -> None:
    """The power symbol filling ``r``: a circle open at the top with a bar through the gap."""
    pen = QPen(QColor(PRINT), max(1.2, r.height() / 7))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(r, 125 * 16, 290 * 16)  # [1/16 deg] counter-clockwise from 3 o'clock, gap on top
    top = QPointF(r.center().x(), r.top() - r.height() * 0.08)
    p.drawLine(top, QPointF(r.center().x(), r.center().y()))
