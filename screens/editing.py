"""How an editing session looks on the TFT: the Setup list stays, dimmed, and a box over its body
shows the password entry, a setting's editor (the highlighted digit, or the whole choice), the
"Save changes?" and reset questions (Yes / No, the highlighted answer in the selection colour)
or a message; the soft-key bar shows the session's keys.

The session itself is ``hmi.setup_controller``; its ``Overlay`` reaches this module as any
object with the fields of ``OverlayView`` (screens do not import hmi). Every string comes from
the catalogue: the allowed range after an out-of-range entry is built from the
``edit.range.<kind>`` templates, never from the engine's English description.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter

from engine.snapshot import Snapshot
from screens.base import Context, Screen, SoftKey, Translate
from screens.canvas import BODY, PALETTE, draw_message, draw_softkey_bar, fitted, font
from screens.info import number
from screens.setup_lists import RESOLUTIONS, UNIT_KEYS, choice_text, resolution
from screens.textfit import elide

#: The box drawn over the list's body, and the veil that dims the list around it.
PANEL = QRect(12, BODY.top() + 10, BODY.width() - 24, BODY.height() - 20)
VEIL = QColor(0, 0, 0, 96)
HEADING_PX, FIELD_PX, NOTE_PX, ANSWER_PX = 14, 26, 13, 15
ERROR = "#c62828"  # the out-of-range note: a red that reads on white
LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class RangeView(Protocol):
    kind: str
    low: float | None
    high: float | None


class OverlayView(Protocol):
    """What is drawn (``hmi.setup_controller.Overlay``); see there for the fields."""

    kind: str  # "password" | "editor" | "confirm" | "message"
    softkeys: tuple[SoftKey, ...]
    key: str | None
    text: str
    cursor: int | None
    value: Any
    message_key: str
    args: tuple[tuple[str, Any], ...]
    yes: bool
    range: RangeView | None


class EditingScreen:
    """``base`` (a Setup list) with ``overlay`` drawn over it; the soft keys are the overlay's."""

    def __init__(self, base: Screen, overlay: OverlayView) -> None:
        self.base, self.overlay = base, overlay
        self.id, self.title_key = base.id, base.title_key

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return self.overlay.softkeys

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return self.base.page_count(snapshot, ctx)

    def cursor_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return self.base.cursor_count(snapshot, ctx)

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return self.base.item_count(snapshot, ctx)

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        self.base.render(painter, snapshot, ctx)
        build = getattr(self.base, "build", None)
        rows = build(snapshot, ctx) if build is not None else []
        label = rows[ctx.selection][0] if 0 <= ctx.selection < len(rows) else ""
        draw_overlay(painter, self.overlay, ctx, label)


def draw_overlay(painter: QPainter, overlay: OverlayView, ctx: Context, label: str) -> None:
    """The dimmed body, the box with ``label`` (the row's, or "Enter password") as its
    heading and the overlay's content, and the overlay's soft keys."""
    tr = ctx.tr
    painter.fillRect(BODY, VEIL)
    painter.fillRect(PANEL, QColor(PALETTE.background))
    painter.setPen(QColor(PALETTE.title_bar))
    painter.drawRect(PANEL.adjusted(0, 0, -1, -1))
    heading = tr("edit.password") if overlay.kind == "password" else label
    _heading(painter, heading)
    if overlay.kind in ("password", "editor"):
        _field(painter, overlay, tr)
        if overlay.message_key and overlay.kind == "editor":
            _note(painter, overlay, tr)
    elif overlay.kind == "confirm":
        _question(painter, overlay, tr)
    else:
        draw_message(painter, message_text(overlay, tr), PANEL.adjusted(0, 34, 0, -6), 15)
    draw_softkey_bar(painter, overlay.softkeys, tr)


def message_text(overlay: OverlayView, tr: Translate) -> str:
    """The message or question, its placeholders filled ("Editing locked: 3 min")."""
    text = tr(overlay.message_key)
    try:
        return text.format(**dict(overlay.args))
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder
        return text


def range_text(overlay: OverlayView, tr: Translate) -> str:
    """The allowed values, from the catalogue template of the range's kind."""
    r = overlay.range
    if r is None:
        return ""
    unit_key = UNIT_KEYS.get(overlay.key or "")
    unit = tr(unit_key) if unit_key else ""
    low = "" if r.low is None else number(r.low)
    high = "" if r.high is None else number(r.high)
    text = tr(f"edit.range.{r.kind}")
    try:
        return text.format(min=low, max=high, unit=unit).strip()
    except (KeyError, IndexError, ValueError):
        return text


def field_suffix(overlay: OverlayView, tr: Translate) -> str:
    """What follows a digit field: its unit, or for a resolution the step it gives."""
    key = overlay.key or ""
    if key in RESOLUTIONS and overlay.text.strip().isdigit():
        return "= " + resolution(tr, int(overlay.text), RESOLUTIONS[key])
    unit_key = UNIT_KEYS.get(key)
    return tr(unit_key) if unit_key else ""


# -- parts ----------------------------------------------------------------------------------------


def _heading(painter: QPainter, text: str) -> None:
    box = QRect(PANEL.left() + 10, PANEL.top() + 6, PANEL.width() - 20, 22)
    painter.setFont(fitted(font(HEADING_PX, bold=True), text, box.width(), 10))
    painter.setPen(QColor(PALETTE.text))
    shown = elide(painter.fontMetrics(), text, box.width())
    painter.drawText(box, int(LEFT_MIDDLE), shown)
    painter.setPen(QColor(PALETTE.rule))
    painter.drawLine(box.left(), box.bottom() + 3, box.right(), box.bottom() + 3)


def _field(painter: QPainter, overlay: OverlayView, tr: Translate) -> None:
    """The value being edited, centred: digit by digit with the cursor's highlighted, or a
    choice highlighted whole; the unit after it."""
    choice = overlay.cursor is None
    text = choice_text(overlay.key or "", overlay.value, tr) if choice else overlay.text
    suffix = "" if choice else field_suffix(overlay, tr)
    area = QRect(PANEL.left() + 10, PANEL.top() + 40, PANEL.width() - 20, 42)
    value_font = fitted(font(FIELD_PX, bold=True), text, area.width() * 3 // 4, 12)
    unit_font = fitted(font(HEADING_PX), suffix, area.width() // 4, 9)
    metrics, unit_w = QFontMetrics(value_font), QFontMetrics(unit_font).horizontalAdvance(suffix)
    cells = [metrics.horizontalAdvance(c) for c in text]
    width = sum(cells) + (unit_w + 8 if suffix else 0)
    x = area.left() + max(0, (area.width() - width) // 2)
    painter.setFont(value_font)
    if choice:
        _cell(painter, QRect(x - 6, area.top(), sum(cells) + 12, area.height()), text, True)
    else:
        for i, (char, w) in enumerate(zip(text, cells, strict=True)):
            _cell(painter, QRect(x, area.top(), w, area.height()), char, i == overlay.cursor)
            x += w
    if suffix:
        painter.setFont(unit_font)
        painter.setPen(QColor(PALETTE.unit))
        box = QRect(x + 8, area.top(), area.right() - x - 8, area.height())
        painter.drawText(box, int(LEFT_MIDDLE), suffix)


def _cell(painter: QPainter, box: QRect, text: str, highlighted: bool) -> None:
    if highlighted:
        painter.fillRect(box.adjusted(-1, 4, 1, -4), QColor(PALETTE.selection))
    painter.setPen(QColor(PALETTE.selection_text if highlighted else PALETTE.text))
    painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)


def _note(painter: QPainter, overlay: OverlayView, tr: Translate) -> None:
    """ "Out of range" in the error colour, the allowed values under it."""
    box = QRect(PANEL.left() + 10, PANEL.top() + 90, PANEL.width() - 20, 20)
    painter.setFont(fitted(font(NOTE_PX, bold=True), tr(overlay.message_key), box.width(), 10))
    painter.setPen(QColor(ERROR))
    painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), tr(overlay.message_key))
    rest = QRect(PANEL.left(), box.bottom() + 2, PANEL.width(), PANEL.bottom() - box.bottom() - 6)
    draw_message(painter, range_text(overlay, tr), rest, NOTE_PX)


def _question(painter: QPainter, overlay: OverlayView, tr: Translate) -> None:
    """The new value (saving) under the heading, the question, then Yes and No."""
    top = PANEL.top() + 34
    if overlay.value is not None:
        value = choice_text(overlay.key or "", overlay.value, tr)
        box = QRect(PANEL.left() + 10, top, PANEL.width() - 20, 26)
        painter.setFont(fitted(font(ANSWER_PX + 2, bold=True), value, box.width(), 10))
        painter.setPen(QColor(PALETTE.text))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), value)
        top += 26
    answers_top = PANEL.bottom() - 42
    draw_message(painter, message_text(overlay, tr), QRect(PANEL.left(), top,
                 PANEL.width(), answers_top - top), ANSWER_PX)  # fmt: skip
    _answers(painter, [tr("edit.yes"), tr("edit.no")], 0 if overlay.yes else 1, answers_top)


def _answers(painter: QPainter, labels: Sequence[str], chosen: int, top: int) -> None:
    width, gap = 96, 24
    x = PANEL.center().x() - (len(labels) * width + (len(labels) - 1) * gap) // 2
    for i, text in enumerate(labels):
        box = QRect(x + i * (width + gap), top, width, 32)
        painter.setFont(fitted(font(ANSWER_PX, bold=True), text, width - 8, 10))
        if i == chosen:
            painter.fillRect(box, QColor(PALETTE.selection))
        else:
            painter.setPen(QColor(PALETTE.rule))
            painter.drawRect(box.adjusted(0, 0, -1, -1))
        painter.setPen(QColor(PALETTE.selection_text if i == chosen else PALETTE.text))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
