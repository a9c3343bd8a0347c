"""Drawing helpers shared by every screen, so all screens look like one product.

The TFT is 320 × 240 logical pixels (``WIDTH`` × ``HEIGHT``): a title bar on top, the body, and
a soft-key bar at the bottom (reserved here; the navigation icons arrive with the menus). Fonts
are sized in pixels, never points, so an image renders the same whatever the screen's DPI.

Value formatting (``format_value``) is plain Python and has no Qt state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from screens.base import Context, SoftKey

WIDTH = 320
HEIGHT = 240
TITLE_HEIGHT = 20
SOFTKEY_HEIGHT = 32
#: Where screens draw their content: between the title bar and the soft-key bar.
BODY = QRect(0, TITLE_HEIGHT, WIDTH, HEIGHT - TITLE_HEIGHT - SOFTKEY_HEIGHT)

#: Shown instead of a value that is not measured (NaN) or not in the snapshot.
MISSING = "----"
#: Metric prefixes the display auto-ranges through, in steps of 1000.
PREFIXES = ("", "k", "M", "G")
#: Units that take a prefix; Hz, %, degrees and PF are shown as they are.
RANGED_UNITS = frozenset({"V", "A", "W", "var", "VA", "Wh", "varh", "VAh"})
#: Significant digits a value field shows: five fit the value column at the table's font size.
DEFAULT_DIGITS = 5
MAX_DIGITS = 6

#: Sans fonts present on a fresh Debian; Qt falls back to its default sans if neither is found.
FONT_FAMILIES = ("DejaVu Sans", "Sans Serif")


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


PALETTE = Palette()


@dataclass(frozen=True)
class Row:
    """One line of a value table, as drawn: label, formatted value, unit (all translated)."""

    label: str
    value: str
    unit: str


# -- formatting (no Qt) ------------------------------------------------------------------------


def format_value(
    value: float | None,
    unit: str,
    decimals: int | None = None,
    digits: int = DEFAULT_DIGITS,
) -> tuple[str, str]:
    """``value`` [``unit``] as (text, unit with prefix), auto-ranged V → kV → MV …

    The prefix is the smallest one that keeps the integer part below 1000. The text then has
    ``digits`` significant digits (at most ``MAX_DIGITS``) with a fixed number of decimals for a
    given range, so a value's width does not jump from one update to the next. ``decimals``
    caps the decimals in the base unit (the meter's resolution setting, e.g. 1 for 0.1 V); it
    grows by 3 per prefix step. NaN, ±inf and ``None`` give ``MISSING``.
    """
    if not 1 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be 1..{MAX_DIGITS}, got {digits}")
    if value is None or not math.isfinite(value):
        return MISSING, unit
    steps = len(PREFIXES) if unit in RANGED_UNITS else 1
    for step in range(steps):
        scaled = value / 1000.0**step
        cap = None if decimals is None else max(0, decimals + 3 * step)
        text = _fixed(scaled, digits, cap)
        # Range on the rounded text: 999.996 V must read 1.0000 kV, not 1000.0 V.
        if abs(float(text)) < 1000.0 or step == steps - 1:
            return text, PREFIXES[step] + unit
    raise AssertionError("unreachable")


def _fixed(x: float, digits: int, cap: int | None) -> str:
    def text_with(whole: int) -> str:
        places = max(0, digits - whole)
        return f"{x:.{places if cap is None else min(places, cap)}f}"

    whole = len(str(int(abs(x))))
    text = text_with(whole)
    # Rounding may carry into a new integer digit (9.99996 -> "10.0000"): one decimal less.
    if len(text.lstrip("-").split(".")[0]) > whole:
        text = text_with(whole + 1)
    # No "-0.000": a value that rounds to zero has no sign.
    return text.lstrip("-") if float(text) == 0.0 else text


# -- fonts ---------------------------------------------------------------------------------------


def font(pixels: int, bold: bool = False) -> QFont:
    """The TFT font at ``pixels`` px height (needs a QGuiApplication)."""
    f = QFont()
    f.setFamilies(list(FONT_FAMILIES))
    f.setPixelSize(pixels)
    f.setBold(bold)
    return f


def fitted(base: QFont, text: str, width: int, smallest: int = 9) -> QFont:
    """``base``, shrunk a pixel at a time (not below ``smallest`` px) until ``text`` fits."""
    f = QFont(base)
    while QFontMetrics(f).horizontalAdvance(text) > width and f.pixelSize() > smallest:
        f.setPixelSize(f.pixelSize() - 1)
    return f


# -- drawing -------------------------------------------------------------------------------------


def clear(painter: QPainter, palette: Palette = PALETTE) -> None:
    """Fill the whole TFT with the background (screens start with this)."""
    painter.fillRect(QRect(0, 0, WIDTH, HEIGHT), QColor(palette.background))
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)


def draw_title_bar(
    painter: QPainter,
    title: str,
    when: datetime | None,
    tr: Callable[[str], str],
    palette: Palette = PALETTE,
) -> None:
    """The bar on top: ``title`` left, ``when`` right (format from the catalogue; None: blank,
    as the meter clears the clock when it has no data)."""
    bar = QRect(0, 0, WIDTH, TITLE_HEIGHT)
    painter.fillRect(bar, QColor(palette.title_bar))
    painter.setPen(QColor(palette.title_text))
    inner = bar.adjusted(5, 0, -5, 0)
    stamp = "" if when is None else when.strftime(tr("format.datetime"))
    painter.setFont(font(12))
    stamp_width = painter.fontMetrics().horizontalAdvance(stamp)
    painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, stamp)
    title_box = inner.adjusted(0, 0, -(stamp_width + 8), 0)
    painter.setFont(font(13, bold=True))
    shown = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, title_box.width())
    painter.drawText(title_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)


@dataclass(frozen=True)
class TableStyle:
    """Sizes of a value table: font pixels, row height cap and the column split (fractions of
    the table width for the label and unit columns; the value column takes the rest)."""

    label_px: int = 13
    value_px: int = 17
    unit_px: int = 13
    max_row_height: int = 30
    label_share: float = 0.28
    unit_share: float = 0.22
    pad: int = 4


TABLE = TableStyle()


def draw_value_table(
    painter: QPainter,
    rect: QRect,
    rows: Sequence[Row],
    style: TableStyle = TABLE,
    palette: Palette = PALETTE,
) -> None:
    """Rows of label (left), value (right-aligned) and unit, top-aligned in ``rect``, on one
    baseline per row and with a thin rule under each. Text that would overflow its column is
    drawn smaller (values, units) or elided (labels), never cut."""
    if not rows:
        return
    row_h = min(style.max_row_height, rect.height() // len(rows))
    w, pad = rect.width(), style.pad
    label_w = round(w * style.label_share)
    unit_w = round(w * style.unit_share)
    label_x = rect.left() + pad
    unit_x = rect.right() + 1 - pad - unit_w
    value_right = unit_x - pad
    value_w = value_right - (label_x + label_w)
    label_font, value_font, unit_font = (
        font(style.label_px),
        font(style.value_px, bold=True),
        font(style.unit_px),
    )
    for i, row in enumerate(rows):
        top = rect.top() + i * row_h
        baseline = _baseline(value_font, top, row_h)
        painter.setFont(label_font)
        painter.setPen(QColor(palette.label))
        label = painter.fontMetrics().elidedText(row.label, Qt.TextElideMode.ElideRight, label_w)
        painter.drawText(QPoint(label_x, baseline), label)
        painter.setFont(fitted(value_font, row.value, value_w))
        painter.setPen(QColor(palette.text))
        advance = painter.fontMetrics().horizontalAdvance(row.value)
        painter.drawText(QPoint(value_right - advance, baseline), row.value)
        painter.setFont(fitted(unit_font, row.unit, unit_w))
        painter.setPen(QColor(palette.unit))
        painter.drawText(QPoint(unit_x, baseline), row.unit)
        painter.setPen(QColor(palette.rule))
        y = top + row_h - 1
        painter.drawLine(rect.left() + pad, y, rect.right() - pad, y)


def _baseline(f: QFont, top: int, height: int) -> int:
    """The baseline that centres ``f``'s digits (cap height) vertically in the row."""
    metrics = QFontMetrics(f)
    return top + (height + metrics.capHeight()) // 2


def draw_chrome(
    painter: QPainter,
    title: str,
    ctx: Context,
    softkeys: Sequence[SoftKey],
    palette: Palette = PALETTE,
) -> None:
    """Everything around a screen's body: the background, the title bar with the status
    (mode, revenue lock, bell, clock) and the soft-key bar with the keys' icons.

    Every screen calls this first, then draws in ``BODY``.
    """
    clear(painter, palette)
    draw_title_bar(painter, title, ctx.status.clock, ctx.tr, palette)
    draw_softkey_bar(painter, softkeys, palette)


#: Text stand-ins for the soft-key icons until they are drawn as vector icons.
_ICON_TEXT = {
    "up": "▲", "down": "▼", "left": "◄", "right": "►", "select": "✓", "back": "↩",
    "more": "…", "ack": "ACK", "edit": "✎", "cancel": "✕",
}  # fmt: skip


def draw_softkey_bar(
    painter: QPainter, softkeys: Sequence[SoftKey], palette: Palette = PALETTE
) -> None:
    """The bottom bar: one cell per soft key, its icon centred above the key."""
    bar = QRect(0, HEIGHT - SOFTKEY_HEIGHT, WIDTH, SOFTKEY_HEIGHT)
    painter.fillRect(bar, QColor(palette.title_bar))
    painter.setPen(QColor(palette.title_text))
    painter.setFont(font(15, bold=True))
    cell = WIDTH // 4
    for i, key in enumerate(softkeys[:4]):
        if key.icon is None:
            continue
        box = QRect(i * cell, bar.top(), cell, SOFTKEY_HEIGHT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, _ICON_TEXT.get(key.icon, key.icon))
