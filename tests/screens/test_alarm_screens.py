"""The Alarms screens: what the lists and the details show, and that every string fits in
every language (the text-fit check of tests/i18n, on snapshots that hold alarms)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QImage, QPainter

from engine.alarms.book import AlarmBook
from engine.alarms.defaults import default_alarms
from engine.config import DisplaySettings, MeterConfig
from engine.snapshot import Snapshot
from hmi.screenshot import render
from i18n import LANGUAGES, translator
from screens import registry, textfit
from screens.alarm_lists import AlarmDetailsScreen
from screens.base import Bell, Context, Status

T0 = datetime(2026, 12, 31, 23, 59, 58, 123000, tzinfo=UTC)


def alarm_snapshot() -> Snapshot:
    """Every default alarm picked up once; every other one ended, every third acknowledged."""
    book = AlarmBook()
    for k, d in enumerate(default_alarms(230.0, 50.0, 100.0)):
        if d.priority in ("none", "info"):
            continue
        d = replace(d, priority=("low", "medium", "high")[k % 3])
        book.pickup(d, T0 + timedelta(seconds=k), 253.456 if d.kind == "setpoint" else float("nan"))
        if k % 2:
            book.dropout(d.id, T0 + timedelta(seconds=k + 1))
        if k % 3 == 0:
            book.acknowledge(d.id, T0 + timedelta(seconds=k + 2))
    return Snapshot(T0, alarms=book.summary(), alarm_list=book.active_list(),
                    alarm_history=book.history_list())  # fmt: skip


CONFIGS = (
    MeterConfig(),
    MeterConfig(display=DisplaySettings(time_format="12h", date_format="DD/MM/YYYY")),
)
STATUS = Status(mode="TEST", locked=True, bell=Bell("high", True), clock=T0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_alarm_lists_and_details_fit_in_every_language(qapp, lang):
    snap, tr = alarm_snapshot(), translator(lang)
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    screens = [registry.get("alarms.active"), registry.get("alarms.history")]
    screens += [AlarmDetailsScreen(r.number) for r in (*snap.alarm_list, *snap.alarm_history)]
    found = []
    with textfit.collecting() as overflows:
        for config in CONFIGS:
            for screen in screens:
                for selection in range(max(1, screen.item_count(snap, Context(tr)))):
                    ctx = Context(tr, config, STATUS, selection=selection)
                    painter = QPainter(image)
                    try:
                        screen.render(painter, snap, ctx)
                    finally:
                        painter.end()
        found = sorted({f"{o.text!r} needs {o.needed} px, has {o.available}" for o in overflows})
    assert found == [], f"{lang}: " + "\n".join(found)


def test_active_list_keeps_what_needs_the_operator_and_history_the_ended():
    snap = alarm_snapshot()
    assert all(r.active or not r.acknowledged for r in snap.alarm_list)
    assert all(not r.active for r in snap.alarm_history)
    ranks = [("low", "medium", "high").index(r.priority) for r in snap.alarm_list]
    assert ranks == sorted(ranks, reverse=True)  # highest priority first


def test_details_show_the_pickup_value_with_its_unit_and_the_times(qapp, monkeypatch):
    snap = alarm_snapshot()
    rec = next(r for r in snap.alarm_history if r.alarm_id == "under_voltage")  # k = 1
    drawn: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "screens.alarm_lists.draw_parameter_list",
        lambda painter, rect, items, selection: drawn.extend(items),
    )
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        AlarmDetailsScreen(rec.number).render(painter, snap, Context(translator("en")))
    finally:
        painter.end()
    rows = dict(drawn)
    assert rows["Pickup value"] == "253.5 V"  # V_A has one decimal
    assert rows["Pickup"] == "2026-12-31 23:59:59.123"  # T0 + 1 s, as the display writes it
    assert rows["Dropout"] == "2027-01-01 00:00:00.123"
    assert rows["Acknowledged"] == "----"  # k = 1: not acknowledged
    assert rows["State"] == "Ended, Unack"
    assert render("alarms.active", snap).width() == 320
