"""Information screens: inputs/outputs, nameplate and trend, and ``ParameterList``, the
"label: value" list screen that the Setup lists (``screens.setup_lists``) are made of.
``item_count`` tells the navigation how many rows a list has.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter

from engine.snapshot import Snapshot
from screens.base import LIST_KEYS, Context, DataScreen, SoftKey
from screens.canvas import BODY, MISSING, PALETTE, draw_chrome, draw_message
from screens.charts import (
    LEFT,
    RIGHT,
    Column,
    draw_grid_table,
    draw_text,
)
from screens.widgets import LIST, ListStyle, first_visible

#: Firmware version when the package metadata is not installed.
FALLBACK_VERSION = "0.1.0"

Items = list[tuple[str, str]]


def number(x: float) -> str:
    """A setting as typed: 230 → "230", 1.8 → "1.8", 0.05 → "0.05" (no exponent)."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def firmware_version() -> str:
    try:
        return metadata.version("ion7400-hmi")
    except metadata.PackageNotFoundError:
        return FALLBACK_VERSION


def draw_parameter_list(
    painter: QPainter, rect: QRect, items: Items, selection: int | None, style: ListStyle = LIST
) -> None:
    """Rows of label (left) and value (right), sized like the menu lists; the ``selection`` row
    highlighted and kept in view, with a scroll bar when the list is longer than ``rect``."""
    visible = max(1, rect.height() // style.row_height)
    top = 0 if selection is None else first_visible(len(items), selection, visible)
    scrolls = len(items) > visible
    inner = rect.adjusted(style.pad, 0, -style.pad - (style.scrollbar + 2 if scrolls else 0), 0)
    label_w = round(inner.width() * 0.55)
    for i, (label, value) in enumerate(items[top : top + visible]):
        y = rect.top() + i * style.row_height
        chosen = top + i == selection
        if chosen:
            right = inner.right() + style.pad
            painter.fillRect(
                QRect(rect.left(), y, right - rect.left(), style.row_height),
                QColor(PALETTE.selection),
            )
        else:
            painter.fillRect(
                inner.left(), y + style.row_height - 1, inner.width(), 1, QColor(PALETTE.rule)
            )
        ink = PALETTE.selection_text if chosen else PALETTE.text
        box = QRect(inner.left(), y, label_w - 6, style.row_height)
        draw_text(painter, box, label, style.text_px - 1, colour=ink if chosen else PALETTE.label)
        box = QRect(inner.left() + label_w, y, inner.width() - label_w, style.row_height)
        draw_text(painter, box, value, style.text_px - 1, bold=True, colour=ink, align=RIGHT)
    if scrolls:
        track = QRect(
            rect.right() - style.scrollbar + 1,
            rect.top() + 2,
            style.scrollbar,
            visible * style.row_height - 4,
        )
        painter.fillRect(track, QColor(PALETTE.rule))
        h = max(8, track.height() * visible // len(items))
        y = track.top() + (track.height() - h) * top // (len(items) - visible)
        painter.fillRect(QRect(track.left(), y, track.width(), h), QColor(PALETTE.scrollbar))


class ParameterList(DataScreen):
    """A list of "label: value" rows built by ``build(snapshot, ctx)``."""

    def __init__(
        self,
        sid: str,
        title_key: str,
        build: Callable[[Snapshot, Context], Items],
        selectable: bool = True,
    ) -> None:
        self.id, self.title_key, self.build, self.selectable = sid, title_key, build, selectable

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return LIST_KEYS if self.selectable else super().softkeys(snapshot, ctx)

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        """Rows the ▲/▼ highlight moves through."""
        return len(self.build(snapshot, ctx)) if self.selectable else 0

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        items = self.build(snapshot, ctx)
        selection = min(max(ctx.selection, 0), len(items) - 1) if self.selectable else None
        draw_parameter_list(painter, BODY, items, selection)


class MessageScreen(DataScreen):
    """A screen that only states why there is nothing to show."""

    def __init__(self, sid: str, title_key: str, message_key: str) -> None:
        self.id, self.title_key, self.message_key = sid, title_key, message_key

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        draw_message(painter, ctx.tr(self.message_key))


class DigitalInputsScreen(DataScreen):
    """State of each digital input; the counters arrive with the I/O engine."""

    id = "io.digital_inputs"
    title_key = "info.title.digital_inputs"

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[list[str]]:
        tr = ctx.tr
        return [
            [f"{tr('info.inputs.prefix')}{i + 1}", tr("info.on" if on else "info.off"), MISSING]
            for i, on in enumerate(snapshot.digital_inputs)
        ]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        rows = self.rows(snapshot, ctx)
        if not rows:
            draw_message(painter, tr("info.inputs.none"))
            return
        columns = (Column(0.3, LEFT), Column(0.35), Column(0.35))
        header = ["", tr("info.state"), tr("info.inputs.count")]
        draw_grid_table(painter, BODY.adjusted(8, 4, -8, -4), columns, header, rows, 14)


class OutputsScreen(DataScreen):
    """The KY pulse output of the base and the two relays: on while an alarm with a relay
    action holds them, or switched by hand here (▲/▼ pick a relay, ✓ switches it, with the
    password)."""

    id = "io.outputs"
    title_key = "info.title.outputs"

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return LIST_KEYS

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return 2  # the relays

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[list[str]]:
        tr = ctx.tr
        relays = []
        for n in (1, 2):
            state = MISSING
            if n <= len(snapshot.relays):
                state = _on_off(tr, snapshot.relays[n - 1])
            mark = "► " if ctx.selection == n - 1 else ""
            relays.append([f"{mark}{tr('info.outputs.relay')} {n}", state])
        return [[tr("info.outputs.ky"), MISSING], *relays]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        columns = (Column(0.6, LEFT), Column(0.4))
        draw_grid_table(
            painter,
            BODY.adjusted(8, 4, -8, -4),
            columns,
            ["", tr("info.state")],
            self.rows(snapshot, ctx),
            14,
        )


# -- the parameter lists ------------------------------------------------------------------------


def _with(tr, x: float, unit_key: str) -> str:
    return f"{number(x)} {tr(unit_key)}"


def _on_off(tr, on: bool) -> str:
    return tr("info.on" if on else "info.off")


def nameplate_items(snapshot: Snapshot, ctx: Context) -> Items:
    plate, tr = ctx.config.nameplate, ctx.tr
    return [
        (tr("info.nameplate.model"), plate.model or MISSING),
        (tr("info.nameplate.serial"), plate.serial_number or MISSING),
        (tr("info.nameplate.firmware"), firmware_version()),
        (tr("info.nameplate.owner"), plate.owner or MISSING),
        (tr("info.nameplate.tag"), plate.tag or MISSING),
    ]


SCREENS = (
    DigitalInputsScreen(),
    OutputsScreen(),
    MessageScreen("io.analog", "info.title.analog", "info.analog.none"),
    ParameterList("nameplate.info", "info.title.nameplate", nameplate_items, selectable=False),
)
