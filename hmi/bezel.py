"""The meter's panel-mount front: a 96 × 96 mm dark-grey face with the TFT, four soft keys under
it, the Home button, the LEDs with their printed labels, the revenue-lock indicator and the
optical port. Everything is drawn with QPainter from millimetre coordinates (``FaceLayout``),
so it stays crisp at any scale; the scale follows the TFT's (its 70.08 mm active area shows
320 × ``scale`` pixels).

Buttons report ``pressed(name)`` / ``released(name)`` ("soft1".."soft4", "home"); what a press
means (short or long) is decided in ``hmi.keys``. LEDs are set with ``set_led(name, colour)``
(``None`` = dark); names in ``LEDS``. Positions are a guess (front-panel.md §1, §11.2) kept
as data so that they are easy to change.

Two controls belong to the emulated installation rather than to the panel: the revenue-lock
switch (under the lock LED; ``lock_switch(bool)`` when clicked, ``set_lock_switch`` to show a
saved position) and a power button (``power_cycle()``). Both are also actions of the face's
context menu (``lock_action``, ``power_action``), ready for a menu bar or a toolbar. The bezel
only reports them: the window applies the lock at the power cycle (``hmi.leds.RevenueLockLed``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QHelpEvent,
    QLinearGradient,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QToolTip, QWidget

from hmi.bezel_parts import (
    LIT,
    PRINT,
    LedSpec,
    LedView,
    LockSwitch,
    PanelButton,
    PowerButton,
    draw_optical_port,
)
from hmi.tft import TftView
from screens.canvas import WIDTH
from screens.icons import draw_padlock

MODEL = "ION7400"
BRAND = "PowerLogic"
FACE = "#3a3c3f"
FONTS = ["DejaVu Sans", "Sans Serif"]


@dataclass(frozen=True)
class FaceLayout:
    """Where things are on the face [mm]."""

    face: float = 96.0
    corner: float = 3.0
    bevel: float = 1.2
    tft_width: float = 70.08  # 3.5 in QVGA active area (53.56 mm high)
    tft_top: float = 9.5
    frame: float = 1.6  # black glass border round the active area
    brand_y: float = 2.8
    key_top: float = 65.5
    key_size: tuple[float, float] = (13.0, 6.5)
    home: tuple[float, float, float, float] = (6.0, 78.5, 11.0, 9.0)  # x, y, w, h
    led_y: float = 81.5  # centre line of the LEDs
    led_d: float = 3.0
    label_y: float = 84.5  # top of the printed labels
    label_h: float = 2.0  # printed text height
    lock_x: float = 43.0  # the revenue-lock LED, with the padlock printed under it
    port: tuple[float, float, float] = (84.0, 83.0, 6.0)  # centre x, y, ring radius
    # The installation's controls, in the strip under the LED labels: the lock switch's slot
    # under the lock LED (centre x, y, w, h), an open / closed padlock printed at its ends,
    # and the power button (centre x, y, diameter).
    switch: tuple[float, float, float, float] = (43.0, 91.0, 8.0, 3.2)
    power: tuple[float, float, float] = (56.0, 91.0, 3.6)


LAYOUT = FaceLayout()

LEDS = (
    LedSpec("alarm", 25.0, "Alarm LED: flashing = unacknowledged alarm, steady = acknowledged"),
    LedSpec("status", 34.0, "Status LED: green = running, red flashing = no data or failed"),
    LedSpec("lock", LAYOUT.lock_x, "Revenue lock LED: on = locked, flashing = change pending"),
    LedSpec("watt", 52.0, "Watt energy-pulse LED (visible)"),
    LedSpec("watt_ir", 56.5, "Watt energy-pulse LED (infrared)", infrared=True),
    LedSpec("var", 63.0, "VAR energy-pulse LED (visible)"),
    LedSpec("var_ir", 67.5, "VAR energy-pulse LED (infrared)", infrared=True),
)
#: Printed labels under the LEDs: (text, centre x [mm]); a bracket joins each pulse pair.
LABELS = (("ALARM", 25.0), ("STATUS", 34.0), ("Wh", 54.25), ("varh", 65.25))
PAIRS = (("watt", "watt_ir"), ("var", "var_ir"))

SOFT_KEYS = ("soft1", "soft2", "soft3", "soft4")
TOOLTIPS = {
    **{k: f"Soft key {i + 1} (F{i + 1})" for i, k in enumerate(SOFT_KEYS)},
    "home": "Home (Home key; hold for NORM/ALT)",
    "port": "Optical port (infrared communications)",
    "lock": "Revenue lock indicator: {}",
    "switch": "Revenue lock switch (applies at the next power cycle)",
    "power": "Power cycle the meter (applies a revenue-lock change)",
}
#: The context-menu actions' texts.
POWER_ACTION = "Power cycle the meter"
LOCK_ACTION = "Revenue lock switch"


class Bezel(QWidget):
    """The whole face, sized from the TFT ``scale``; holds the ``tft``, the ``buttons`` and the
    ``leds`` (by name) as child widgets and paints the rest."""

    pressed = Signal(str)
    released = Signal(str)
    lock_switch = Signal(bool)  # the revenue-lock switch was moved to (True = lock)
    power_cycle = Signal()  # the power button or action: restart the emulated meter

    def __init__(
        self, scale: int = 2, layout: FaceLayout = LAYOUT, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.lay = layout
        self.tft = TftView(scale, self)
        self.px = WIDTH * scale / layout.tft_width  # pixels per mm
        side = round(layout.face * self.px)
        self.setFixedSize(side, side)
        self.locked = False
        self.tft.move(self._rect(QRectF(self._tft_x(), layout.tft_top, 1, 1)).topLeft())
        self.buttons: dict[str, PanelButton] = {}
        kw, kh = layout.key_size
        cell = layout.tft_width / 4  # each key sits under its quarter of the TFT
        for i, name in enumerate(SOFT_KEYS):
            x = self._tft_x() + (i + 0.5) * cell - kw / 2
            self._add_button(name, QRectF(x, layout.key_top, kw, kh))
        self._add_button("home", QRectF(*layout.home), house=True)
        self.leds: dict[str, LedView] = {}
        d = layout.led_d
        for spec in LEDS:
            led = LedView(spec, self)
            led.setGeometry(self._rect(QRectF(spec.x - d / 2, layout.led_y - d / 2, d, d)))
            self.leds[spec.name] = led
        self._add_installation_controls()

    # -- public -------------------------------------------------------------------------------

    def set_led(self, name: str, colour: str | None) -> None:
        """Light LED ``name`` in ``colour`` ("red" | "green"; infrared LEDs light dark red
        whatever the colour) or darken it (None)."""
        self.leds[name].set_colour(colour)

    def set_locked(self, locked: bool) -> None:
        """The revenue-lock indicator: green closed padlock when locked, grey open one if not."""
        if locked != self.locked:
            self.locked = locked
            self.update(self.lock_rect().toAlignedRect())

    def set_lock_switch(self, locked: bool) -> None:
        """Show the revenue-lock switch in position ``locked`` (a saved position, say) without
        emitting ``lock_switch``."""
        self.switch.setChecked(locked)
        self.lock_action.setChecked(locked)

    @property
    def lock_switch_position(self) -> bool:
        """Where the revenue-lock switch is: True = lock."""
        return self.switch.isChecked()

    def port_rect(self) -> QRectF:
        x, y, r = self.lay.port
        return self._rectf(QRectF(x - r, y - r, 2 * r, 2 * r))

    def lock_rect(self) -> QRectF:
        return self._rectf(QRectF(self.lay.lock_x - 1.6, self.lay.label_y - 0.2, 3.2, 3.6))

    def switch_legends(self) -> tuple[QRectF, QRectF]:
        """The padlocks printed at the switch's ends: open (left), closed (right)."""
        x, y, w, h = self.lay.switch
        size = h * 0.95
        left, right = (
            self._rectf(QRectF(cx - size / 2, y - size / 2, size, size))
            for cx in (x - w / 2 - 0.6 - size / 2, x + w / 2 + 0.6 + size / 2)
        )
        return left, right

    def tooltip_at(self, pos: QPointF) -> str | None:
        """The tooltip of a painted part at ``pos`` (the widgets carry their own)."""
        if self.port_rect().contains(pos):
            return TOOLTIPS["port"]
        if any(r.contains(pos) for r in self.switch_legends()):
            return TOOLTIPS["switch"]
        if self.lock_rect().contains(pos):
            return TOOLTIPS["lock"].format("locked" if self.locked else "unlocked")
        return None

    # -- geometry -----------------------------------------------------------------------------

    def _tft_x(self) -> float:
        return (self.lay.face - self.lay.tft_width) / 2

    def _rectf(self, mm: QRectF) -> QRectF:
        px = self.px
        return QRectF(mm.x() * px, mm.y() * px, mm.width() * px, mm.height() * px)

    def _rect(self, mm: QRectF) -> QRect:
        return self._rectf(mm).toAlignedRect()

    def _add_button(self, name: str, mm: QRectF, house: bool = False) -> None:
        button = PanelButton(name, TOOLTIPS[name], house, self)
        button.setGeometry(self._rect(mm))
        button.pressed.connect(lambda: self.pressed.emit(name))
        button.released.connect(lambda: self.released.emit(name))
        self.buttons[name] = button

    def _add_installation_controls(self) -> None:
        x, y, w, h = self.lay.switch
        self.switch = LockSwitch(TOOLTIPS["switch"], self)
        self.switch.setGeometry(self._rect(QRectF(x - w / 2, y - h / 2, w, h)))
        self.switch.clicked.connect(self._switch_moved)
        x, y, d = self.lay.power
        self.power_button = PowerButton(TOOLTIPS["power"], self)
        self.power_button.setGeometry(self._rect(QRectF(x - d / 2, y - d / 2, d, d)))
        self.power_button.clicked.connect(self.power_cycle)
        self.power_action = QAction(POWER_ACTION, self)
        self.power_action.setToolTip(TOOLTIPS["power"])
        self.power_action.triggered.connect(self.power_cycle)
        self.lock_action = QAction(LOCK_ACTION, self)
        self.lock_action.setCheckable(True)
        self.lock_action.setToolTip(TOOLTIPS["switch"])
        self.lock_action.triggered.connect(self._switch_moved)
        # Right-click on the face (the keys and the TFT pass it on) offers both.
        self.addActions([self.power_action, self.lock_action])
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _switch_moved(self, locked: bool) -> None:
        self.set_lock_switch(locked)  # the other of switch / action follows
        self.lock_switch.emit(locked)

    # -- painting -----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tooltip_at(QPointF(event.pos()))
            if tip is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), tip, self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._paint_face(p)
        self._paint_print(p)
        colour = QColor(LIT["green"] if self.locked else PRINT)
        lock = self.lock_rect()
        draw_padlock(p, lock.center(), lock.height() * 0.8, colour, self.locked)
        for rect, closed in zip(self.switch_legends(), (False, True), strict=True):
            draw_padlock(p, rect.center(), rect.height(), QColor(PRINT), closed)
        draw_optical_port(p, self.port_rect(), self.px)
        p.end()

    def _paint_face(self, p: QPainter) -> None:
        lay, px = self.lay, self.px
        outer = QRectF(self.rect())
        bevel = QLinearGradient(outer.topLeft(), outer.bottomRight())  # light from top left
        bevel.setColorAt(0.0, QColor("#5b5e62"))
        bevel.setColorAt(1.0, QColor("#1f2022"))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(bevel)
        p.drawRoundedRect(outer, lay.corner * px, lay.corner * px)
        b = lay.bevel * px
        p.setBrush(QColor(FACE))
        p.drawRoundedRect(
            outer.adjusted(b, b, -b, -b), (lay.corner - 1) * px, (lay.corner - 1) * px
        )
        f = lay.frame * px
        p.setPen(QPen(QColor("#1a1b1d"), 0.4 * px))
        p.setBrush(QColor("#0b0c0d"))  # the black glass round the active area
        p.drawRoundedRect(QRectF(self.tft.geometry()).adjusted(-f, -f, f, f), 0.8 * px, 0.8 * px)

    def _font(self, height: float, bold: bool = False) -> QFont:
        f = QFont()
        f.setFamilies(FONTS)
        f.setPixelSize(max(7, round(height * self.px)))
        f.setBold(bold)
        return f

    def _label(self, p: QPainter, text: str, cx: float, top: float, height: float) -> None:
        p.setFont(self._font(height))
        box = self._rectf(QRectF(cx - 5, top, 10, height * 1.5))
        p.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

    def _paint_print(self, p: QPainter) -> None:
        lay, px = self.lay, self.px
        p.setPen(QColor(PRINT))
        strip = self._rectf(QRectF(self._tft_x(), lay.brand_y, lay.tft_width, 4.5))
        p.setFont(self._font(3.2, bold=True))
        p.drawText(strip, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, MODEL)
        p.setFont(self._font(2.6))
        p.drawText(strip, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, BRAND)
        for text, cx in LABELS:
            self._label(p, text, cx, lay.label_y, lay.label_h)
        x_of = {spec.name: spec.x for spec in LEDS}
        y = (lay.led_y + lay.led_d / 2 + 0.9) * px
        for visible, infrared in PAIRS:
            self._label(p, "IR", x_of[infrared], lay.led_y - lay.led_d / 2 - 2.6, 1.6)
            p.setPen(QPen(QColor(PRINT), 0.25 * px))
            left, right = x_of[visible] - 1.0, x_of[infrared] + 1.0
            p.drawLine(QPointF(left * px, y), QPointF(right * px, y))
            p.setPen(QColor(PRINT))
