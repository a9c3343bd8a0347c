"""Render screens headless, deterministically: for docs, reviewers and golden-image tests.

The demo snapshot comes from the default simulated installation run for a fixed stretch of
signal from a fixed start time with a fixed seed, so the same screen gives the same pixels on
every run (frozen clock, no wall-clock time anywhere). No window is opened: screens paint
straight into a ``QImage``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from engine.config import MeterConfig
from engine.snapshot import Snapshot

#: The demo's start time and how much signal it runs: past the first 5-min demand
#: sub-interval, so that demand has a present value and a peak.
DEMO_START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
DEMO_SECONDS = 6 * 60.0


def ensure_gui_application():
    """A QGuiApplication (offscreen when there is no display) for painting text into images."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["ion7400-hmi"])
    return app


@cache
def demo_snapshot(seconds: float = DEMO_SECONDS) -> Snapshot:
    """The snapshot of the default simulated installation after ``seconds`` of signal."""
    from engine.meter import Meter
    from engine.sources.simulated import SimulatedSource

    meter = Meter(MeterConfig(), power_quality=True)
    source = SimulatedSource(seed=0, start=DEMO_START, block_seconds=1.0)
    meter.run(source, paced=False, seconds=seconds)
    return meter.snapshot


def render(
    screen_id: str,
    snapshot: Snapshot,
    *,
    config: MeterConfig | None = None,
    language: str = "en",
    page: int = 0,
    cursor: int = 0,
    selection: int = 0,
    scale: int = 1,
):
    """The 320 × 240 TFT image of ``screen_id`` (scaled by ``scale``, nearest neighbour)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    from hmi.panel_view import bell_of
    from i18n import translator
    from screens import canvas, registry
    from screens.base import Context, Status
    from screens.menu import ROOT

    ensure_gui_application()
    config = config or MeterConfig()
    screen = registry.get(screen_id)
    menu_items = tuple(entry.label_key for entry in ROOT.entries) if screen_id == "menu" else ()
    ctx = Context(
        tr=translator(language),
        config=config,
        status=Status(mode="NORM", bell=bell_of(snapshot.alarms), clock=snapshot.time),
        page=page,
        cursor=cursor,
        selection=selection,
        items=menu_items,
        title_key=ROOT.label_key if screen_id == "menu" else None,
    )
    image = QImage(canvas.WIDTH, canvas.HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        screen.render(painter, snapshot, ctx)
    finally:
        painter.end()
    if scale != 1:
        image = image.scaled(
            canvas.WIDTH * scale, canvas.HEIGHT * scale,
            Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation,
        )  # fmt: skip
    return image


def write_screens(
    screen_ids: Iterable[str], out_dir: Path, *, language: str = "en", scale: int = 2
) -> list[Path]:
    """One PNG per screen id into ``out_dir`` (created), and ``contact-sheet.png`` with all of
    them at scale 1 for reviewers; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    snapshot = demo_snapshot()
    written = []
    thumbnails = []
    for sid in screen_ids:
        path = out_dir / f"{sid}.png"
        image = render(sid, snapshot, language=language, scale=scale)
        _save(image, path)
        written.append(path)
        thumbnails.append((sid, render(sid, snapshot, language=language) if scale != 1 else image))
    sheet = out_dir / "contact-sheet.png"
    _save(contact_sheet(thumbnails, columns=6), sheet)
    return [*written, sheet]


def _save(image, path: Path) -> None:
    if not image.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")


def contact_sheet(images: list[tuple[str, object]], columns: int = 4):
    """One image with every (caption, QImage) in a grid, captions under each, for reviewers."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    from screens.canvas import font

    ensure_gui_application()
    if not images:
        raise ValueError("no images for the contact sheet")
    cell_w = max(img.width() for _, img in images) + 16
    cell_h = max(img.height() for _, img in images) + 34
    rows = -(-len(images) // columns)
    sheet = QImage(columns * cell_w, rows * cell_h, QImage.Format.Format_RGB32)
    sheet.fill(QColor("#3a3f44"))
    painter = QPainter(sheet)
    try:
        painter.setFont(font(13))
        painter.setPen(QColor("#f0f0f0"))
        for i, (caption, img) in enumerate(images):
            x, y = (i % columns) * cell_w + 8, (i // columns) * cell_h + 8
            painter.drawImage(x, y, img)
            box = QRect(x, y + img.height() + 2, img.width(), 22)
            painter.drawText(
                box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, caption
            )
    finally:
        painter.end()
    return sheet
