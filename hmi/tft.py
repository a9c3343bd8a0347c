"""The TFT display widget: the 320 × 240 screen image, enlarged by a whole factor."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from screens.canvas import HEIGHT, WIDTH


class TftView(QWidget):
    """Shows a ``WIDTH`` × ``HEIGHT`` image scaled by ``scale`` (an integer ≥ 1).

    Scaling is nearest-neighbour (``Qt.FastTransformation``) so every TFT pixel becomes a crisp
    ``scale`` × ``scale`` block, like the real panel seen up close; the widget has a fixed size.
    """

    def __init__(self, scale: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not isinstance(scale, int) or scale < 1:
            raise ValueError(f"scale must be a whole number >= 1, got {scale!r}")
        self.scale = scale
        self.setFixedSize(QSize(WIDTH * scale, HEIGHT * scale))
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # we paint every pixel
        blank = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
        blank.fill(Qt.GlobalColor.black)  # a TFT with nothing to show yet
        self.set_image(blank)

    def set_image(self, image: QImage) -> None:
        """Show ``image`` (``WIDTH`` × ``HEIGHT``); the widget keeps its own scaled copy."""
        if image.size() != QSize(WIDTH, HEIGHT):
            raise ValueError(
                f"TFT image must be {WIDTH}x{HEIGHT}, got {image.width()}x{image.height()}"
            )
        self._scaled = image.scaled(
            self.size(),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )
        self.update()

    def shown(self) -> QImage:
        """The image as drawn on the widget (scaled)."""
        return self._scaled

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self._scaled)
        painter.end()
