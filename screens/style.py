"""The TFT's geometry, colours and fonts: the one place every screen takes them from
(``screens.canvas`` re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QFont

from screens.textfit import fit_font

WIDTH = 320
HEIGHT = 240
TITLE_HEIGHT = 20
SOFTKEY_HEIGHT = 32
#: Where screens draw their content: between the title bar and the soft-key bar.
BODY = QRect(0, TITLE_HEIGHT, WIDTH, HEIGHT - TITLE_HEIGHT - SOFTKEY_HEIGHT)
#: The soft-key bar and the width of one key's cell in it.
SOFTKEY_BAR = QRect(0, HEIGHT - SOFTKEY_HEIGHT, WIDTH, SOFTKEY_HEIGHT)
KEY_CELL = WIDTH // 4

#: The TFT's fonts, installed by scripts/setup.sh: DejaVu Sans for Latin, Greek and Cyrillic,
#: WenQuanYi Micro Hei for Chinese (each character is taken from the first family that has it).
FONT_FAMILIES = ("DejaVu Sans", "WenQuanYi Micro Hei")


@dataclass(frozen=True)
class Palette:
    """The TFT's colours (hex RGB)."""

    background: str = "#ffffff"
    text: str = "#000000"
    label: str = "#26303a"
    unit: str = "#4a5560"
    rule: str = "#c9d1d9"
    title_bar: str = "#12315a"
    title_text: str = "#ffffff"
    softkey_bar: str = "#2b3036"
    softkey_icon: str = "#ffffff"
    softkey_rule: str = "#4a525b"
    bell_high: str = "#ff3b30"
    bell_medium: str = "#ffb000"
    bell_low: str = "#5aa9ff"
    lock_on: str = "#34c759"
    lock_off: str = "#9aa4ae"
    test_bg: str = "#ffb000"
    test_text: str = "#000000"
    selection: str = "#1d6f42"
    selection_text: str = "#ffffff"
    scrollbar: str = "#8a96a3"

    def bell(self, priority: str) -> str:
        """Bell colour of an alarm priority ("high" | "medium" | "low")."""
        return {"high": self.bell_high, "medium": self.bell_medium}.get(priority, self.bell_low)


PALETTE = Palette()


def font(pixels: int, bold: bool = False) -> QFont:
    """The TFT font at ``pixels`` px height (needs a QGuiApplication)."""
    f = QFont()
    f.setFamilies(list(FONT_FAMILIES))
    f.setPixelSize(pixels)
    f.setBold(bold)
    return f


def fitted(base: QFont, text: str, width: int, smallest: int = 9) -> QFont:
    """``base``, shrunk a pixel at a time (not below ``smallest`` px) until ``text`` fits;
    a text that still does not fit is reported (``screens.textfit``)."""
    return fit_font(base, text, width, smallest)
