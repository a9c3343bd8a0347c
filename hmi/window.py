"""The main window: the meter's dark-grey bezel with the TFT in it.

The view follows the model by pulling: a ``QTimer`` at the meter's display update rate reads the
latest snapshot and re-renders the current screen into the TFT image. The engine never pushes
into the GUI, so a slow GUI cannot back it up.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel, QLayout, QMainWindow, QVBoxLayout, QWidget

from engine.snapshot import Snapshot
from hmi.tft import TftView
from i18n import DEFAULT_LANGUAGE, translator
from screens.base import Screen
from screens.basic_reading import BasicReadingScreen
from screens.canvas import HEIGHT, WIDTH

#: The meter's "Display Update Time" default [ms]: values on screen change once a second.
DISPLAY_UPDATE_MS = 1000
MODEL = "ION7400"

BEZEL_STYLE = """
#bezel { background: #3b3d40; }
#brand { color: #d6d8db; font-weight: bold; font-size: 18px; }
#fault { color: #ffb347; font-size: 12px; }
"""


class SnapshotSource(Protocol):
    """Where the window reads the meter from (``EngineBridge``, or a fake in tests)."""

    def snapshot(self) -> Snapshot: ...


class MainWindow(QMainWindow):
    """Bezel + TFT showing ``screen`` (Basic Reading by default), refreshed every
    ``refresh_ms`` [ms] from ``source.snapshot()``."""

    def __init__(
        self,
        source: SnapshotSource,
        screen: Screen | None = None,
        *,
        scale: int = 2,
        refresh_ms: int = DISPLAY_UPDATE_MS,
        language: str = DEFAULT_LANGUAGE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self.screen: Screen = screen or BasicReadingScreen()
        self._tr = translator(language)
        self.image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
        self.setWindowTitle(MODEL)

        self.tft = TftView(scale)
        self.fault = QLabel(objectName="fault", wordWrap=True)
        self.fault.hide()
        bezel = QWidget(objectName="bezel")
        bezel.setStyleSheet(BEZEL_STYLE)
        layout = QVBoxLayout(bezel)
        layout.setContentsMargins(28, 16, 28, 28)
        layout.setSpacing(10)
        layout.addWidget(QLabel(MODEL, objectName="brand"), alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.tft, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.fault)
        # The bezel has one right size (the TFT's); the window follows it.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self.setCentralWidget(bezel)

        self.timer = QTimer(self, interval=refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Render the current screen from the latest snapshot and show it."""
        snapshot = self._source.snapshot()
        painter = QPainter(self.image)
        try:
            self.screen.render(painter, snapshot, self._tr)
        finally:
            painter.end()
        self.tft.set_image(self.image)

    def show_error(self, message: str) -> None:
        """Show an engine failure on the bezel under the TFT (the last values stay frozen)."""
        self.fault.setText(message)
        self.fault.setToolTip(message)
        self.fault.show()
