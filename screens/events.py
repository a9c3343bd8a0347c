"""Event Log: what the meter recorded, newest first, two lines an event.

Each event (``Snapshot.events``: configuration changes old → new, resets, captures, alarms,
test mode, revenue lock; the last run's events come back from the data logger at start) shows
its time in the meter's local time and display format with the kind of event, then what it
concerns and the change. ▲/▼ move the highlight through the list (it scrolls); the highlighted
event's line shows all of its detail the width allows.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter

from engine.clock import local_time
from engine.snapshot import Snapshot
from screens.alarm_lists import alarm_name
from screens.base import NO_KEY, Context, DataScreen, SoftKey
from screens.canvas import BODY, draw_chrome, draw_message
from screens.charts import RIGHT, draw_text
from screens.formats import format_date, format_time
from screens.setup_lists import RESETS, choice_text
from screens.style import PALETTE
from screens.widgets import first_visible

ROW = 38  # [px] two lines an event
SCROLL_KEYS = (SoftKey("up"), SoftKey("down"), NO_KEY, SoftKey("back"))
KINDS = ("config", "reset", "test_mode", "revenue_lock", "capture", "alarm", "power", "source",
         "clock", "storage")  # fmt: skip


def kind_text(kind: str, tr) -> str:
    """The kind of an event as the catalogue names it (unknown kinds as they are)."""
    key = f"lists.event.{kind}"
    text = tr(key)
    return text if text != key else kind


#: Event values the catalogue words (the engine records them in English): value -> key.
VALUE_KEYS = {
    "on": "info.on", "off": "info.off",
    "active": "alarms.state.active", "ended": "alarms.state.ended",
    "acknowledged": "alarms.state.ack", "unacknowledged": "alarms.state.unack",
    "inactive": "lists.event.value.inactive",
    "locked": "lists.event.value.locked", "unlocked": "lists.event.value.unlocked",
    "clean": "lists.event.value.clean", "unexpected": "lists.event.value.unexpected",
}  # fmt: skip
#: What an event concerns, where the catalogue names it: (kind, what) -> key.
WHAT_KEYS = {
    ("power", "power_up"): "lists.event.power_up",
    ("power", "power_down"): "lists.event.power_down",
    ("source", "connect"): "lists.event.connect",
    ("source", "loss"): "lists.event.loss",
    **{("reset", kind): f"info.resets.{kind}" for kind in RESETS},
}


def _value(event, value: str, tr) -> str:
    if event.kind == "config":  # a setting's value as the Setup lists write it
        return choice_text(event.what, value, tr)
    key = VALUE_KEYS.get(value)
    return tr(key) if key else value


def detail_text(event, tr) -> str:
    """What the event concerns and the change, in the display language where the catalogue
    has the words ("Energy", "P tot …: Off → On"); setting ids, numbers and file names as
    they are."""
    what = WHAT_KEYS.get((event.kind, event.what))
    if what is not None:
        what = tr(what)
    elif event.kind == "alarm":
        what = alarm_name(str(event.what), "", tr)
    elif event.kind == "relay" and str(event.what).startswith("relay"):
        what = f"{tr('info.outputs.relay')} {str(event.what)[5:]}"  # "Relay 2", as on Outputs
    else:
        what = str(event.what)
    old, new = event.old, event.new
    if old is not None and new is not None:
        return f"{what}: {_value(event, old, tr)} → {_value(event, new, tr)}"
    if new is not None:
        return f"{what}: {_value(event, new, tr)}"
    return what


class EventLogScreen(DataScreen):
    id = "events.log"
    title_key = "screen.events.log.title"

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        # ▲/▼ scroll the events; each row already shows its detail, so no ✓.
        return SCROLL_KEYS if snapshot.events else super().softkeys(snapshot, ctx)

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return len(snapshot.events)

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        events = snapshot.events
        if not events:
            draw_message(painter, tr("lists.no_events"))
            return
        selection = min(ctx.selection, len(events) - 1)
        visible = max(1, BODY.height() // ROW)
        top = first_visible(len(events), selection, visible)
        for i, event in enumerate(events[top : top + visible]):
            box = QRect(BODY.left(), BODY.top() + i * ROW, BODY.width() - 6, ROW)
            self._row(painter, box, event, top + i == selection, ctx)
        if len(events) > visible:  # where the view is in the list
            bar = BODY.height() * visible // len(events)
            y = BODY.top() + (BODY.height() - bar) * top // max(1, len(events) - visible)
            painter.fillRect(QRect(BODY.right() - 3, y, 3, bar), QColor(PALETTE.rule))

    def _row(self, painter: QPainter, box: QRect, event, selected: bool, ctx: Context) -> None:
        tr, display = ctx.tr, ctx.config.display
        if selected:
            painter.fillRect(box, QColor(PALETTE.selection))
        text = PALETTE.selection_text if selected else PALETTE.text
        muted = PALETTE.selection_text if selected else "#6b7785"
        when = _local(event.time, ctx)
        stamp = f"{format_date(when, display)} {format_time(when, display, tr)}"
        top = QRect(box.left() + 6, box.top() + 2, box.width() - 12, 16)
        draw_text(painter, top, stamp, 11, colour=muted)
        draw_text(painter, top, kind_text(event.kind, tr), 12, bold=True, colour=text,
                  align=RIGHT)  # fmt: skip
        bottom = QRect(box.left() + 6, box.top() + 19, box.width() - 12, 17)
        draw_text(painter, bottom, detail_text(event, tr), 12, colour=text)
        if not selected:
            painter.setPen(QColor(PALETTE.rule))
            painter.drawLine(box.left() + 6, box.bottom(), box.right() - 6, box.bottom())


def _local(when: datetime, ctx: Context) -> datetime:
    """An event's time on the meter's clock (time zone, DST and adjustment of Clock Setup)."""
    return local_time(when, ctx.config.clock)


SCREENS = (EventLogScreen(),)
