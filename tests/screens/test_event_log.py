"""The Event Log screen: the snapshot's events newest first, two lines each, scrolling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from screen_tests import Recording, render

from engine.config import MeterConfig
from engine.control import EngineEvent
from engine.meter import Meter
from engine.snapshot import Snapshot
from i18n import translator
from screens.base import Context
from screens.events import EventLogScreen, detail_text

T0 = datetime(2026, 4, 1, 9, 0, 0, tzinfo=UTC)
SCREEN = EventLogScreen()


def events(n: int) -> tuple:
    """``n`` configuration changes, newest first."""
    return tuple(
        EngineEvent(T0 + timedelta(seconds=k), "config", "meter.ct_primary", str(k), str(k + 1))
        for k in reversed(range(n))
    )


def test_no_events_shows_the_empty_message(qapp):
    used = Recording()
    render(SCREEN, Snapshot(T0), Context(tr=used))
    assert "lists.no_events" in used.keys
    assert SCREEN.item_count(Snapshot(T0), Context(tr=used)) == 0


def test_rows_name_the_kind_and_the_change(qapp):
    snap = Snapshot(T0, events=events(12))
    used = Recording()
    render(SCREEN, snap, Context(tr=used, selection=11))
    assert "lists.event.config" in used.keys
    assert SCREEN.item_count(snap, Context(tr=used)) == 12
    en, de = translator("en"), translator("de")
    # A setting's values as the Setup lists write them (with the unit), the reset by its name.
    assert detail_text(snap.events[0], en) == "meter.ct_primary: 11 A → 12 A"
    reset = EngineEvent(T0, "reset", "energy")
    assert detail_text(reset, en) == "Energy" and detail_text(reset, de) == de("info.resets.energy")
    # Engine words in the display language.
    relay = EngineEvent(T0, "relay", "relay2", "off", "on")
    relay_2 = f"{de('info.outputs.relay')} 2"
    assert detail_text(relay, de) == f"{relay_2}: {de('info.off')} → {de('info.on')}"
    power = EngineEvent(T0, "power", "power_down", None, "unexpected")
    assert detail_text(power, en) == "Power down: Unexpected"


def test_the_meter_publishes_its_events_newest_first():
    meter = Meter(MeterConfig())
    earlier = [EngineEvent(T0, "power", "power_up", None, None)]
    meter.preload_events(earlier)
    assert meter.event_count == 0  # preloaded events are not new
    meter.reset("minmax")
    from engine.sources.simulated import SimulatedSource

    meter.run(SimulatedSource(start=T0 + timedelta(hours=1)), paced=False, seconds=0.3)
    shown = [(e.kind, e.what) for e in meter.snapshot.events if e.kind != "alarm"]
    assert shown == [("reset", "minmax"), ("power", "power_up")]
    times = [e.time for e in meter.snapshot.events]
    assert times == sorted(times, reverse=True)
