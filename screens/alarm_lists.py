"""The Alarms screens (front-panel.md §6): the active list, the history and one alarm's details.

- Active Alarms: what needs the operator, highest priority first: active alarms (acknowledged
  or not) and ended ones not yet acknowledged. Alarm History: ended alarms, newest first.
  Each row: the bell (priority colour; filled = active, outline = ended), the alarm's name, its
  acknowledgement and its pickup time. ▲/▼ highlight, ✓ opens the details, back.
- Details (``AlarmDetailsScreen``, drawn by the window over the list): priority, state, pickup
  time and value, extreme value, dropout time, acknowledgement time; ACK acknowledges this
  alarm, ALL every alarm (``hmi.alarm_panel``), back returns to the list.

Names come from the catalogue (``info.alarm.<id>``) for the alarms it knows, else the
configured label, else the id. Info and None priorities never reach these lists (the engine
leaves them out).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPointF, QRect
from PySide6.QtGui import QColor, QPainter

from engine.alarms.config import alarm_set
from engine.clock import local_time
from engine.quantities import QUANTITIES
from engine.snapshot import Snapshot
from screens.base import LIST_KEYS, NO_KEY, Context, DataScreen, SoftKey
from screens.canvas import BODY, MISSING, draw_chrome, draw_message
from screens.charts import RIGHT, draw_text
from screens.formats import format_date, format_time
from screens.icons import draw_bell
from screens.info import draw_parameter_list
from screens.style import PALETTE
from screens.widgets import LIST, first_visible

#: Keys of the details page: acknowledge this one, all, (nothing), back.
DETAIL_KEYS = (SoftKey("ack"), SoftKey("ack_all"), NO_KEY, SoftKey("back"))
#: The details of an alarm with nothing left to acknowledge: back only.
DETAIL_BACK = (NO_KEY, NO_KEY, NO_KEY, SoftKey("back"))
_BELL, _TIME, _STATE = 24, 64, 58  # [px] column widths of a list row


def alarm_name(alarm_id: str, label: str, tr) -> str:
    """The alarm's name as shown: catalogue, else its label, else its id."""
    key = f"info.alarm.{alarm_id}"
    text = tr(key)
    return text if text != key else (label or alarm_id)


def _local(when: datetime, ctx: Context) -> datetime:
    return local_time(when, ctx.config.clock)


def stamp(when: datetime | None, ctx: Context) -> str:
    """Date and time in the display's formats, to the millisecond on a 24-hour clock (the
    12-hour clock's AM/PM leaves no room for it), or the missing-value dashes."""
    if when is None:
        return MISSING
    local = _local(when, ctx)
    ms = f".{local.microsecond // 1000:03d}" if ctx.settings.time_format == "24h" else ""
    return f"{format_date(local, ctx.settings)} {format_time(local, ctx.settings, ctx.tr)}{ms}"


class AlarmListScreen(DataScreen):
    """The active alarms (``history`` False) or the alarm history."""

    def __init__(self, sid: str, title_key: str, empty_key: str, history: bool) -> None:
        self.id, self.title_key, self.empty_key, self.history = sid, title_key, empty_key, history

    def records(self, snapshot: Snapshot) -> tuple:
        return snapshot.alarm_history if self.history else snapshot.alarm_list

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return len(self.records(snapshot))

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return LIST_KEYS if self.records(snapshot) else super().softkeys(snapshot, ctx)

    def record(self, snapshot: Snapshot, row: int):
        """The occurrence on row ``row`` (None: no such row)."""
        records = self.records(snapshot)
        return records[row] if 0 <= row < len(records) else None

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        records = self.records(snapshot)
        if not records:
            draw_message(painter, ctx.tr(self.empty_key))
            return
        selection = min(max(ctx.selection, 0), len(records) - 1)
        visible = max(1, BODY.height() // LIST.row_height)
        top = first_visible(len(records), selection, visible)
        for i, rec in enumerate(records[top : top + visible]):
            self._row(painter, ctx, rec, BODY.top() + i * LIST.row_height, top + i == selection)

    def _row(self, painter: QPainter, ctx: Context, rec, y: int, chosen: bool) -> None:
        h, pad, tr = LIST.row_height, LIST.pad, ctx.tr
        if chosen:
            painter.fillRect(QRect(0, y, BODY.width(), h), QColor(PALETTE.selection))
        else:
            painter.fillRect(pad, y + h - 1, BODY.width() - 2 * pad, 1, QColor(PALETTE.rule))
        ink = PALETTE.selection_text if chosen else PALETTE.text
        bell = QColor(PALETTE.bell(rec.priority))
        draw_bell(painter, QPointF(pad + 8, y + h / 2), 15, bell, rec.active)
        x = pad + _BELL
        name_w = BODY.width() - x - _STATE - _TIME - pad
        draw_text(painter, QRect(x, y, name_w - 4, h), alarm_name(rec.alarm_id, rec.label, tr),
                  13, bold=not rec.acknowledged, colour=ink)  # fmt: skip
        state = tr("alarms.state.ack" if rec.acknowledged else "alarms.state.unack")
        draw_text(painter, QRect(x + name_w, y, _STATE - 4, h), state, 11, colour=ink)
        when = format_time(_local(rec.pickup_time, ctx), ctx.settings, tr)
        draw_text(painter, QRect(BODY.width() - pad - _TIME, y, _TIME, h), when, 11,
                  colour=ink, align=RIGHT)  # fmt: skip


def _value(value: float, alarm_id: str, kind: str, ctx: Context) -> str:
    """A pickup or extreme value with the unit of the alarm's quantity."""
    if value != value:
        return MISSING
    if kind == "disturbance":
        return f"{value:.1f} {ctx.tr('unit.%')}"
    found = next((d for d in alarm_set(ctx.config) if d.id == alarm_id), None)
    q = QUANTITIES.get(found.quantities[0]) if found is not None and found.quantities else None
    if q is None:
        return f"{value:.6g}"
    unit = ctx.tr(f"unit.{q.unit}") if q.unit else ""
    return f"{value:.{q.resolution}f} {unit}".rstrip()


class AlarmDetailsScreen(DataScreen):
    """The details of occurrence ``number`` (looked up in the snapshot's lists, so they stay
    live: the extreme grows, the dropout and the acknowledgement appear)."""

    id = "alarms.details"
    title_key = "alarms.details.title"

    def __init__(self, number: int) -> None:
        self.number = number

    def find(self, snapshot: Snapshot):
        for rec in (*snapshot.alarm_list, *snapshot.alarm_history):
            if rec.number == self.number:
                return rec
        return None

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        rec = self.find(snapshot)
        return DETAIL_KEYS if rec is not None and snapshot.alarm_list else DETAIL_BACK

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr, rec = ctx.tr, self.find(snapshot)
        title = tr(self.title_key) if rec is None else alarm_name(rec.alarm_id, rec.label, tr)
        draw_chrome(painter, title, ctx, self.softkeys(snapshot, ctx))
        if rec is None:  # dropped from a full history meanwhile
            draw_message(painter, tr("lists.no_alarm_history"))
            return
        state = f"{tr('alarms.state.active' if rec.active else 'alarms.state.ended')}, " + tr(
            "alarms.state.ack" if rec.acknowledged else "alarms.state.unack"
        )
        items = [
            (tr("alarms.detail.priority"), tr(f"alarms.priority.{rec.priority}")),
            (tr("alarms.detail.state"), state),
            (tr("alarms.detail.pickup"), stamp(rec.pickup_time, ctx)),
            (tr("alarms.detail.value"), _value(rec.value, rec.alarm_id, rec.kind, ctx)),
            (tr("alarms.detail.extreme"), _value(rec.extreme, rec.alarm_id, rec.kind, ctx)),
            (tr("alarms.detail.dropout"), stamp(rec.dropout_time, ctx)),
            (tr("alarms.detail.acknowledged"), stamp(rec.ack_time, ctx)),
        ]
        draw_parameter_list(painter, BODY, items, None)


SCREENS = (
    AlarmListScreen(
        "alarms.active", "screen.alarms.active.title", "lists.no_active_alarms", history=False
    ),
    AlarmListScreen(
        "alarms.history", "screen.alarms.history.title", "lists.no_alarm_history", history=True
    ),
)
