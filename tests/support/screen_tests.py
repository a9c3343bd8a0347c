"""Helpers the screen tests share: a recording catalogue lookup, rendering, counting ink."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter

from i18n import translator
from screens.base import Context
from screens.canvas import HEIGHT, PALETTE, WIDTH


class Recording:
    """A ``tr`` that remembers every key asked (to check them against the catalogue)."""

    def __init__(self, language: str = "en") -> None:
        self.tr, self.keys = translator(language), []

    def __call__(self, key: str) -> str:
        self.keys.append(key)
        return self.tr(key)


def render(screen, snapshot, ctx: Context) -> QImage:
    """``screen`` drawn from ``snapshot`` into a fresh 320 × 240 image."""
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        screen.render(painter, snapshot, ctx)
    finally:
        painter.end()
    return image


def ink(image: QImage, x0: int, y0: int, x1: int, y1: int) -> int:
    """How many pixels in [x0, x1) × [y0, y1) are not the background."""
    bg = QColor(PALETTE.background).rgb()
    return sum(image.pixel(x, y) != bg for x in range(x0, x1) for y in range(y0, y1))
