"""Body widgets beyond the value table: a scrolling list with a highlighted selection (menus,
alarm and event lists) and tables of values with the time they were reached (peak demand,
minimum / maximum: the meter's "value with timestamp" screen type)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPolygonF

from screens.canvas import PALETTE, Palette, baseline_in, fitted, font
from screens.textfit import elide

# -- list ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """One entry of a list, translated; ``submenu`` draws a ► chevron at its right."""

    text: str
    submenu: bool = False


@dataclass(frozen=True)
class ListStyle:
    """List sizes [px]."""

    row_height: int = 26
    text_px: int = 14
    pad: int = 8
    scrollbar: int = 4


LIST = ListStyle()


def first_visible(count: int, selection: int, visible: int) -> int:
    """Index of the first row shown: the selection is kept in view, as near the middle as the
    list allows (no state: the same selection always gives the same picture)."""
    if count <= visible:
        return 0
    return max(0, min(selection - visible // 2, count - visible))


def draw_list(
    painter: QPainter,
    rect: QRect,
    rows: Sequence[ListRow],
    selection: int,
    style: ListStyle = LIST,
    palette: Palette = PALETTE,
) -> int:
    """Rows in ``rect``, the ``selection`` highlighted, scrolled so it is in view, with a scroll
    bar at the right when the list is longer than the rect. Returns the first row shown."""
    visible = max(1, rect.height() // style.row_height)
    top = first_visible(len(rows), selection, visible)
    scrolls = len(rows) > visible
    text_right = rect.right() - style.pad - (style.scrollbar + 2 if scrolls else 0)
    base = font(style.text_px)
    for i, row in enumerate(rows[top : top + visible]):
        index = top + i
        box = QRect(rect.left(), rect.top() + i * style.row_height, rect.width(), style.row_height)
        selected = index == selection
        if scrolls:
            box.setRight(rect.right() - style.scrollbar - 2)
        if selected:
            painter.fillRect(box, QColor(palette.selection))
        colour = QColor(palette.selection_text if selected else palette.text)
        chevron = 10 if row.submenu else 0
        width = text_right - chevron - (rect.left() + style.pad)
        painter.setFont(fitted(base, row.text, width, 11))
        painter.setPen(colour)
        shown = elide(painter.fontMetrics(), row.text, width)
        baseline = baseline_in(painter.font(), box.top(), box.height())
        painter.drawText(QPoint(rect.left() + style.pad, baseline), shown)
        if row.submenu:
            _chevron(painter, QPointF(text_right - 3, box.center().y() + 0.5), colour)
        if not selected:
            painter.setPen(QColor(palette.rule))
            painter.drawLine(
                box.left() + style.pad, box.bottom(), box.right() - style.pad, box.bottom()
            )
    if scrolls:
        _scrollbar(painter, rect, top, visible, len(rows), style, palette)
    return top


def _chevron(painter: QPainter, c: QPointF, colour: QColor) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(
        QPolygonF(
            [
                QPointF(c.x() - 3, c.y() - 5),
                QPointF(c.x() + 3, c.y()),
                QPointF(c.x() - 3, c.y() + 5),
            ]
        )
    )
    painter.restore()


def _scrollbar(painter, rect: QRect, top: int, visible: int, count: int, style, palette) -> None:
    track = QRectF(
        rect.right() - style.scrollbar, rect.top() + 2, style.scrollbar, rect.height() - 4
    )
    painter.fillRect(track, QColor(palette.rule))
    thumb_h = max(8.0, track.height() * visible / count)
    y = track.top() + (track.height() - thumb_h) * top / (count - visible)
    painter.fillRect(QRectF(track.left(), y, track.width(), thumb_h), QColor(palette.scrollbar))


# -- values with timestamps ------------------------------------------------------------------


@dataclass(frozen=True)
class Stamped:
    """A formatted value, its unit and the formatted time it was reached (all translated)."""

    value: str
    unit: str
    stamp: str


@dataclass(frozen=True)
class StampedRow:
    """A label and one cell (peak demand) or two (minimum, maximum)."""

    label: str
    cells: tuple[Stamped, ...]


@dataclass(frozen=True)
class StampedStyle:
    """Sizes [px] of a timestamped table; ``label_w`` is the label column's width."""

    label_px: int = 13
    value_px: int = 16
    unit_px: int = 12
    stamp_px: int = 10
    heading_px: int = 11
    heading_h: int = 16
    max_row_height: int = 46
    label_w: int = 58
    unit_w: int = 38
    pad: int = 4


STAMPED = StampedStyle()


def draw_stamped_table(
    painter: QPainter,
    rect: QRect,
    rows: Sequence[StampedRow],
    headings: Sequence[str] = (),
    corner: str = "",
    style: StampedStyle = STAMPED,
    palette: Palette = PALETTE,
) -> None:
    """Rows of label | value unit over its time stamp, one column per cell; ``headings`` (e.g.
    "Minimum", "Maximum") are written over the cell columns when given, ``corner`` (e.g. the
    page "1/2") over the labels."""
    if not rows:
        return
    cells = max(len(r.cells) for r in rows)
    top = rect.top()
    x0 = rect.left() + style.pad + style.label_w
    cell_w = (rect.right() + 1 - style.pad - x0) // cells
    if headings or corner:
        painter.setPen(QColor(palette.unit))
        label_box = QRect(rect.left() + style.pad, top, style.label_w, style.heading_h)
        painter.setFont(fitted(font(style.heading_px), corner, label_box.width(), 9))
        painter.drawText(
            label_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, corner
        )
        for j, text in enumerate(headings[:cells]):
            box = QRect(x0 + j * cell_w, top, cell_w, style.heading_h)
            painter.setFont(fitted(font(style.heading_px, bold=True), text, cell_w - 4))
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        top += style.heading_h
    row_h = min(style.max_row_height, (rect.bottom() + 1 - top) // len(rows))
    # One cell per row leaves room for larger digits.
    value_font = font(style.value_px + (2 if cells == 1 else 0), bold=True)
    for i, row in enumerate(rows):
        y = top + i * row_h
        value_h = row_h * 3 // 5  # the value line; the stamp takes the rest
        painter.setFont(fitted(font(style.label_px), row.label, style.label_w, 10))
        painter.setPen(QColor(palette.label))
        shown = elide(painter.fontMetrics(), row.label, style.label_w)
        painter.drawText(
            QPoint(rect.left() + style.pad, baseline_in(value_font, y, value_h)), shown
        )
        for j, cell in enumerate(row.cells):
            box = QRect(x0 + j * cell_w, y, cell_w, row_h)
            _draw_cell(painter, box, value_h, cell, value_font, style, palette)
        painter.setPen(QColor(palette.rule))
        painter.drawLine(
            rect.left() + style.pad, y + row_h - 1, rect.right() - style.pad, y + row_h - 1
        )


def _draw_cell(
    painter, box: QRect, value_h: int, cell: Stamped, value_font, style, palette
) -> None:
    unit_x = box.right() + 1 - style.unit_w
    value_right = unit_x - 3
    baseline = baseline_in(value_font, box.top(), value_h)
    painter.setFont(fitted(value_font, cell.value, value_right - box.left() - 4))
    painter.setPen(QColor(palette.text))
    advance = painter.fontMetrics().horizontalAdvance(cell.value)
    painter.drawText(QPoint(value_right - advance, baseline), cell.value)
    painter.setFont(fitted(font(style.unit_px), cell.unit, style.unit_w))
    painter.setPen(QColor(palette.unit))
    painter.drawText(QPoint(unit_x, baseline), cell.unit)
    stamp_box = QRect(box.left(), box.top() + value_h, box.width() - 2, box.height() - value_h - 2)
    painter.setFont(fitted(font(style.stamp_px), cell.stamp, stamp_box.width(), 8))
    painter.setPen(QColor(palette.label))
    painter.drawText(stamp_box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, cell.stamp)
