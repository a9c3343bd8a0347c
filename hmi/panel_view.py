"""What the main window draws, apart from the window itself: the placeholder for a missing
or failing screen (``Unavailable``, ``registry_lookup``, reported once each), the title-bar
status (``status_of``, ``bell_of``) and the panel's contrast, brightness and backlight applied
to the drawn image (``panel_image``). ``hmi.window`` re-exports all of it.
"""

from __future__ import annotations

import logging
from datetime import datetime

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from engine.clock import local_time
from engine.config import ClockSettings, DisplaySettings
from engine.snapshot import AlarmSummary, Snapshot
from screens import registry
from screens.base import Bell, Context, DataScreen, Screen, Status
from screens.canvas import BODY, MISSING, draw_chrome, font

#: The window's logger (the placeholders are the window's to report).
log = logging.getLogger("hmi.window")

#: How bright a TFT looks with its backlight off (fraction of full light).
BACKLIGHT_OFF = 0.12


class Unavailable(DataScreen):
    """Drawn for a screen id that no screen module provides (yet): a title and ``----``."""

    title_key = "hmi.screen_unavailable"

    def __init__(self, screen_id: str) -> None:
        self.id = screen_id

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        painter.setFont(font(20, bold=True))
        painter.drawText(BODY, Qt.AlignmentFlag.AlignCenter, MISSING)


_reported: set[str] = set()  # screen ids already logged as failing (once each)


def report_once(screen_id: str, what: str) -> None:
    if screen_id not in _reported:
        _reported.add(screen_id)
        log.warning("screen %s %s; showing a placeholder", screen_id, what, exc_info=True)


def registry_lookup(screen_id: str) -> Screen:
    """``screens.registry.get``, or ``Unavailable`` while the screen (or its module) is missing,
    so that a half-built tree still runs."""
    try:
        return registry.get(screen_id)
    except (KeyError, ImportError):
        report_once(screen_id, "is not available")
        return Unavailable(screen_id)


def source_time(snapshot: Snapshot) -> datetime | None:
    """The source's time [UTC] the snapshot was taken at; None before the first data."""
    return snapshot.time if snapshot.values else None


def status_of(
    snapshot: Snapshot,
    mode: str = "NORM",
    locked: bool = False,
    clock: ClockSettings | None = None,
) -> Status:
    """The title-bar status: ``mode``, the revenue lock, the bell from the alarm summary, and
    the meter's local clock: the snapshot's time + TZ and DST offsets + the clock setting of
    ``clock`` (``engine.clock``; None before the first data: the meter blanks its clock)."""
    when = source_time(snapshot)
    local = None if when is None else local_time(when, clock or ClockSettings())
    return Status(mode=mode, locked=locked, bell=bell_of(snapshot.alarms), clock=local)


def bell_of(alarms: AlarmSummary) -> Bell | None:
    """Filled bell for an active alarm, outline for a historic unacknowledged one."""
    if alarms.priority is None:
        return None
    if alarms.active_unacknowledged or alarms.active_acknowledged:
        return Bell(alarms.priority, filled=True)
    if alarms.historic_unacknowledged:
        return Bell(alarms.priority, filled=False)
    return None


def panel_image(image: QImage, settings: DisplaySettings, backlight: bool = True) -> QImage:
    """``image`` as the panel shows it: contrast [%] (50 = as drawn) stretches the levels about
    mid-grey, brightness [%] (80 = as drawn) scales them, a dark backlight dims to
    ``BACKLIGHT_OFF``. One 256-entry table applied to the RGB bytes (fast for 320 × 240)."""
    gain = 0.5 + settings.contrast / 100.0
    light = (0.35 + 0.65 * settings.brightness / 80.0) * (1.0 if backlight else BACKLIGHT_OFF)
    if gain == 1.0 and light == 1.0:
        return image
    levels = np.arange(256, dtype=np.float64)
    table = np.clip(((levels - 128.0) * gain + 128.0) * light, 0, 255).astype(np.uint8)
    out = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(out.bits(), np.uint8).reshape(out.height(), out.bytesPerLine())
    rgb = pixels[:, : 4 * out.width()].reshape(out.height(), out.width(), 4)
    rgb[..., :3] = table[rgb[..., :3]]  # bytes B, G, R, then the unused alpha
    return out
