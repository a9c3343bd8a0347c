"""Drawing helpers shared by every screen, so all screens look like one product.

The TFT is 320 × 240 logical pixels (``WIDTH`` × ``HEIGHT``): a title bar on top with the
status icons (``screens.titlebar``), the body, and a soft-key bar at the bottom with one vector
icon (``screens.icons``) over each of the four keys. Geometry, colours and fonts come from
``screens.style``, number and date formatting from ``screens.formats``; both are re-exported
here, so a screen imports its drawing helpers from this one module. Lists and timestamped
values are in ``screens.widgets``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from screens.base import Context, SoftKey, Translate
from screens.formats import (  # noqa: F401  (re-exported)
    DEFAULT_DIGITS,
    MAX_DIGITS,
    MISSING,
    PREFIXES,
    RANGED_UNITS,
    format_date,
    format_register,
    format_stamp,
    format_time,
    format_value,
    group_digits,
)
from screens.icons import draw_key_icon
from screens.style import (  # noqa: F401  (re-exported)
    BODY,
    FONT_FAMILIES,
    HEIGHT,
    KEY_CELL,
    PALETTE,
    SOFTKEY_BAR,
    SOFTKEY_HEIGHT,
    TITLE_HEIGHT,
    WIDTH,
    Palette,
    fitted,
    font,
)
from screens.textfit import elide, report
from screens.titlebar import TITLE, TitleStyle, draw_title_bar  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Row:
    """One line of a value table, as drawn: label, formatted value, unit (all translated)."""

    label: str
    value: str
    unit: str


# -- chrome --------------------------------------------------------------------------------------


def clear(painter: QPainter, palette: Palette = PALETTE) -> None:
    """Fill the whole TFT with the background (screens start with this)."""
    painter.fillRect(QRect(0, 0, WIDTH, HEIGHT), QColor(palette.background))
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)


def draw_softkey_bar(
    painter: QPainter,
    softkeys: Sequence[SoftKey],
    tr: Translate | None = None,
    palette: Palette = PALETTE,
    icon_size: int = 14,
) -> None:
    """The bottom bar: one cell per soft key, its vector icon centred above the key. Icons
    without a vector shape ("ack") are written as a catalogue label (``tr("chrome.key.ack")``)."""
    painter.fillRect(SOFTKEY_BAR, QColor(palette.softkey_bar))
    painter.setPen(QColor(palette.softkey_rule))
    for i in range(1, 4):
        x = i * KEY_CELL
        painter.drawLine(x, SOFTKEY_BAR.top() + 6, x, SOFTKEY_BAR.bottom() - 6)
    colour = QColor(palette.softkey_icon)
    for i, key in enumerate(softkeys[:4]):
        if key.icon is None:
            continue
        cell = QRect(i * KEY_CELL, SOFTKEY_BAR.top(), KEY_CELL, SOFTKEY_HEIGHT)
        centre = QPointF(cell.center().x() + 0.5, cell.center().y() + 0.5)
        if draw_key_icon(painter, key.icon, centre, icon_size, colour):
            continue
        label = tr(f"chrome.key.{key.icon}") if tr is not None else key.icon.upper()
        painter.setFont(fitted(font(13, bold=True), label, KEY_CELL - 8))
        painter.setPen(colour)
        painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, label)


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
    draw_title_bar(painter, title, ctx, palette)
    draw_softkey_bar(painter, softkeys, ctx.tr, palette)


# -- body ----------------------------------------------------------------------------------------


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
#: A table that has the body's whole width to itself: larger digits, as the meter shows them.
BIG_TABLE = TableStyle(label_px=15, value_px=22, unit_px=15, max_row_height=40)


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
        baseline = baseline_in(value_font, top, row_h)
        painter.setFont(fitted(label_font, row.label, label_w, 10))
        painter.setPen(QColor(palette.label))
        label = elide(painter.fontMetrics(), row.label, label_w)
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


def baseline_in(f: QFont, top: int, height: int) -> int:
    """The baseline that centres ``f``'s digits (cap height) vertically in a row."""
    metrics = QFontMetrics(f)
    return top + (height + metrics.capHeight()) // 2


def draw_message(
    painter: QPainter, text: str, rect: QRect = BODY, px: int = 15, palette: Palette = PALETTE
) -> None:
    """``text`` centred in ``rect`` (e.g. "No active alarms"), wrapped onto several lines if
    it is too wide for one."""
    painter.setFont(font(px))
    painter.setPen(QColor(palette.label))
    flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
    box = rect.adjusted(12, 0, -12, 0)
    used = painter.fontMetrics().boundingRect(box, int(flags), text)
    if used.width() > box.width() or used.height() > box.height():  # a word longer than a line
        report(text, used.width(), box.width())
    painter.drawText(box, flags, text)
