"""Every string of every screen, in every language, fits its box at the real 320 x 240 layout.

Each screen is drawn on every page, with every row of a list highlighted (so that scrolled lists
show every row), on a wye and a delta configuration with the other display options, from the
demo snapshot and from an empty one, with the widest title-bar status (TEST, a bell, a clock).
``screens.textfit`` records each string that had to be cut or would not fit at the smallest
allowed size.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QImage, QPainter

from engine.config import DisplaySettings, MeterConfig
from engine.snapshot import Snapshot
from hmi.screenshot import demo_snapshot
from i18n import LANGUAGES, translator
from screens import registry, textfit
from screens.base import Bell, Context, Status
from screens.menu import ROOT, Menu

CONFIGS = (
    MeterConfig(),
    MeterConfig(
        wiring="3W-DELTA",
        nominal_voltage=400.0,
        display=DisplaySettings(
            phase_labels="123",
            time_format="12h",
            digit_grouping="comma",
            pf_symbol="+/-",
            date_format="DD/MM/YYYY",
        ),
    ),
)
STATUS = Status(
    mode="TEST",
    locked=True,
    bell=Bell("high", True),
    clock=datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
)


def menus(menu: Menu = ROOT) -> list[Menu]:
    found = [menu]
    for entry in menu.entries:
        if isinstance(entry, Menu):
            found += menus(entry)
    return found


def views(screen, snapshot, ctx):
    """Every context worth drawing ``screen`` in: each page, each list row, first/last cursor."""
    for page in range(max(1, screen.page_count(snapshot, ctx))):
        paged = replace(ctx, page=page)
        rows = screen.item_count(snapshot, paged)
        cursors = screen.cursor_count(snapshot, paged)
        for selection in range(max(1, rows)):
            for cursor in sorted({0, max(0, cursors - 1)}):
                yield replace(paged, selection=selection, cursor=cursor)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_fits(qapp, lang):
    tr = translator(lang)
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    empty = Snapshot(STATUS.clock)
    found: list[str] = []
    with textfit.collecting() as overflows:
        for config in CONFIGS:
            base = Context(tr=tr, config=config, status=STATUS)
            contexts = {sid: [base] for sid in registry.screen_ids() if sid != "menu"}
            contexts["menu"] = [
                replace(base, title_key=m.label_key, items=tuple(e.label_key for e in m.entries))
                for m in menus()
            ]
            for sid, starts in contexts.items():
                screen = registry.get(sid)
                for snapshot in (demo_snapshot(), empty):
                    for start in starts:
                        for ctx in views(screen, snapshot, start):
                            before = len(overflows)
                            painter = QPainter(image)
                            try:
                                screen.render(painter, snapshot, ctx)
                            finally:
                                painter.end()
                            for o in overflows[before:]:
                                found.append(
                                    f"{sid}: {o.text!r} needs {o.needed} px, has {o.available}"
                                )
    unique = sorted(set(found))
    assert unique == [], f"{lang}: {len(unique)} strings do not fit:\n" + "\n".join(unique[:60])


def test_the_check_catches_a_string_too_long(qapp):
    """The checker itself: a label far too long for its column is reported, not clipped."""

    def long_tr(key):
        return (
            "Spannung zwischen den Leitern"
            if key.startswith("reading.label")
            else translator("en")(key)
        )

    image = QImage(320, 240, QImage.Format.Format_RGB32)
    with textfit.collecting() as overflows:
        painter = QPainter(image)
        try:
            registry.get("basic.volts_ll").render(painter, demo_snapshot(), Context(tr=long_tr))
        finally:
            painter.end()
    assert any("Spannung" in o.text and o.needed > o.available for o in overflows)
