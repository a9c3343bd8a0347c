"""The title bar: the screen title on the left; right to left the clock (date over time), the
mode indicator (NORM / ALT / TEST), the revenue-lock padlock and the alarm bell
(front-panel.md §2)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPainter

from screens.base import Bell, Context, Status
from screens.formats import format_date, format_time
from screens.icons import draw_bell, draw_padlock
from screens.style import PALETTE, TITLE_HEIGHT, WIDTH, Palette, fitted, font
from screens.textfit import elide


@dataclass(frozen=True)
class TitleStyle:
    """Title bar sizes [px]: fonts, icon heights, the gap between items and the edge pad."""

    title_px: int = 13
    title_min_px: int = 11  # the title shrinks to this before it is elided
    clock_px: int = 9  # date over time, two lines in the bar
    mode_px: int = 10
    icon: int = 13
    gap: int = 5
    pad: int = 4


TITLE = TitleStyle()


def draw_title_bar(
    painter: QPainter,
    title: str,
    ctx: Context,
    palette: Palette = PALETTE,
    style: TitleStyle = TITLE,
) -> None:
    """The bar on top: ``title`` on the left; right to left the clock, the mode indicator, the
    revenue-lock padlock and the alarm bell (front-panel.md §2)."""
    painter.fillRect(QRect(0, 0, WIDTH, TITLE_HEIGHT), QColor(palette.title_bar))
    status: Status = ctx.status
    right = WIDTH - style.pad
    right = _draw_clock(painter, right, ctx, palette, style)
    right = _draw_mode(painter, right, status.mode, ctx, palette, style)
    centre_y = TITLE_HEIGHT / 2
    lock_w = round(style.icon * 0.8)
    lock_colour = QColor(palette.lock_on if status.locked else palette.lock_off)
    draw_padlock(
        painter, QPointF(right - lock_w / 2, centre_y), style.icon, lock_colour, status.locked
    )
    right -= lock_w + style.gap
    if status.bell is not None:
        right = _draw_bell(painter, right, status.bell, palette, style)
    box = QRect(style.pad + 1, 0, right - style.pad - 1, TITLE_HEIGHT)
    title_font = fitted(font(style.title_px, bold=True), title, box.width(), style.title_min_px)
    painter.setFont(title_font)
    painter.setPen(QColor(palette.title_text))
    shown = elide(painter.fontMetrics(), title, box.width())
    painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)


def _draw_clock(painter: QPainter, right: int, ctx: Context, palette: Palette, style) -> int:
    """Date over time, right-aligned at ``right``; blank when the clock is unknown. Returns the
    x where the next item ends."""
    when = ctx.status.clock
    if when is None:
        return right
    lines = (format_date(when, ctx.settings), format_time(when, ctx.settings, ctx.tr))
    painter.setFont(font(style.clock_px))
    painter.setPen(QColor(palette.title_text))
    metrics = painter.fontMetrics()
    width = max(metrics.horizontalAdvance(t) for t in lines)
    half = TITLE_HEIGHT // 2
    for i, text in enumerate(lines):
        box = QRect(right - width, i * half, width, half)
        painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
    return right - width - style.gap


def _draw_mode(painter: QPainter, right: int, mode: str, ctx: Context, palette, style) -> int:
    """NORM / ALT in the title colour, TEST on an amber tag."""
    text = ctx.tr(f"chrome.mode.{mode}")
    painter.setFont(font(style.mode_px, bold=True))
    width = painter.fontMetrics().horizontalAdvance(text) + 6
    box = QRect(right - width, 3, width, TITLE_HEIGHT - 6)
    if mode == "TEST":
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.test_bg))
        painter.drawRoundedRect(box, 2, 2)
        painter.restore()
        painter.setPen(QColor(palette.test_text))
    else:
        painter.setPen(QColor(palette.title_text))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    return right - width - style.gap


def _draw_bell(painter: QPainter, right: int, bell: Bell, palette: Palette, style) -> int:
    size = style.icon + 1
    colour = QColor(palette.bell(bell.priority))
    draw_bell(painter, QPointF(right - size / 2, TITLE_HEIGHT / 2), size, colour, bell.filled)
    return right - size - style.gap
