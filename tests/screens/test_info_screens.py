"""Information screens: inputs/outputs, nameplate, trend and the read-only Setup lists."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime
from importlib import metadata
from types import MappingProxyType

import pytest
from PySide6.QtGui import QColor, QImage
from screen_tests import Recording, ink, render

from engine.config import ClockSettings, CommsSettings, DisplaySettings, MeterConfig, Nameplate
from engine.meter import Meter
from engine.snapshot import Snapshot
from engine.sources.simulated import SimulatedSource
from i18n import LANGUAGES, catalogue, tr
from screens import info, setup_lists
from screens.base import LIST_KEYS, Context, Status
from screens.canvas import BODY, HEIGHT, MISSING, PALETTE, WIDTH
from screens.setup_lists import EDIT_KEYS
from screens.widgets import LIST

WHEN = datetime(2026, 3, 2, 14, 5, 9, tzinfo=UTC)
ALL = (*info.SCREENS, *setup_lists.SCREENS)
BY_ID = {s.id: s for s in ALL}
SETUP = list(setup_lists.SCREENS)


def snap(inputs: tuple[bool, ...] = (), values: dict[str, float] | None = None) -> Snapshot:
    return Snapshot(time=WHEN, values=MappingProxyType(values or {}), digital_inputs=inputs)


@pytest.fixture(scope="module")
def real() -> Snapshot:
    meter = Meter()
    meter.run(SimulatedSource(), paced=False, seconds=1.0)
    return meter.snapshot


def items(sid: str, ctx: Context, snapshot: Snapshot | None = None) -> dict[str, str]:
    return dict(BY_ID[sid].build(snapshot or snap(), ctx))


CONFIGS = [
    MeterConfig(),
    MeterConfig(
        wiring="3W-DELTA",
        display=DisplaySettings(
            time_format="12h",
            date_format="DD/MM/YYYY",
            phase_labels="123",
            backlight_timeout=0,
            auto_scroll=0,
            digit_grouping="space",
            pf_symbol="+/-",
            language="de",
        ),
        nameplate=Nameplate(owner="Plant 3", tag="Feeder 12"),
    ),
]


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "delta-12h"])
def test_every_screen_renders_and_asks_only_catalogued_strings(qapp, real, config):
    for snapshot, locked in ((real, True), (snap(), False), (snap((True, False, True)), False)):
        status = Status(locked=locked, clock=WHEN if snapshot.values else None)
        for screen in ALL:
            used = Recording()
            image = render(screen, snapshot, Context(tr=used, config=config, status=status))
            assert ink(image, 0, BODY.top() + 2, WIDTH, BODY.bottom()) > 100, screen.id
            assert sorted(set(used.keys) - set(catalogue("en"))) == [], screen.id


def test_language_names_for_every_language():
    assert all(f"info.language.{code}" in catalogue("en") for code in LANGUAGES)
    assert len(LANGUAGES) == 8


# -- inputs and outputs ----------------------------------------------------------------------------


def test_digital_inputs_states_and_counters():
    screen = BY_ID["io.digital_inputs"]
    rows = screen.rows(snap((True, False, True)), Context(tr=tr))
    assert rows == [["S1", "On", MISSING], ["S2", "Off", MISSING], ["S3", "On", MISSING]]


def test_no_digital_inputs_gives_a_message(qapp):
    used = Recording()
    render(BY_ID["io.digital_inputs"], snap(), Context(tr=used))
    assert "info.inputs.none" in used.keys
    used = Recording()
    render(BY_ID["io.digital_inputs"], snap((False,)), Context(tr=used))
    assert "info.inputs.none" not in used.keys


def test_outputs_and_analog(qapp):
    rows = BY_ID["io.outputs"].rows(snap(), Context(tr=tr))
    assert [r[0] for r in rows] == ["KY pulse (D1)", "► Relay 1", "Relay 2"]  # 1 highlighted
    assert {r[1] for r in rows} == {MISSING}  # no relay state published
    lit = replace(snap(), relays=(False, True))
    rows = BY_ID["io.outputs"].rows(lit, Context(tr=tr, selection=1))
    assert rows[1:] == [["Relay 1", "Off"], ["► Relay 2", "On"]]
    used = Recording()
    render(BY_ID["io.analog"], snap(), Context(tr=used))
    assert "info.analog.none" in used.keys


# -- nameplate -------------------------------------------------------------------------------------


def test_nameplate_from_config_and_package_version(monkeypatch):
    ctx = Context(tr=tr, config=MeterConfig(nameplate=Nameplate(serial_number="X1", tag="F12")))
    shown = items("nameplate.info", ctx)
    assert shown["Model"] == "ION7400" and shown["Serial number"] == "X1"
    assert shown["Tag"] == "F12" and shown["Owner"] == MISSING
    assert shown["Firmware"] == metadata.version("ion7400-hmi")

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(info.metadata, "version", missing)
    assert items("nameplate.info", ctx)["Firmware"] == "0.1.0"
    assert BY_ID["nameplate.info"].item_count(snap(), ctx) == 0  # not a list to move through


# -- setup lists -----------------------------------------------------------------------------------


def test_setup_lists_use_list_or_edit_keys_and_count_their_rows():
    """Lists whose rows are settings offer ✎ (edit); the others (language, resets, alarms) ✓."""
    for screen in SETUP:
        ctx = Context(tr=tr)
        assert screen.softkeys(snap(), ctx) in (LIST_KEYS, EDIT_KEYS)
        assert screen.item_count(snap(), ctx) == len(screen.build(snap(), ctx)) > 0
    keys = {s.id: s.softkeys(snap(), Context(tr=tr)) for s in SETUP}
    assert keys["setup.meter"] == EDIT_KEYS and keys["setup.resets"] == LIST_KEYS


def test_meter_setup_follows_the_config():
    config = MeterConfig(wiring="3W-DELTA", ct_primary=400.0, pt_primary=13800.0,
                         pt_secondary=120.0, nominal_frequency=60.0)  # fmt: skip
    shown = items("setup.meter", Context(tr=tr, config=config))
    assert shown["Volts Mode"] == "Delta"
    assert shown["CT Primary"] == "400 A" and shown["PT Primary"] == "13800 V"
    assert shown["PT Secondary"] == "120 V" and shown["Nominal Freq."] == "60 Hz"
    assert shown["Phase Rotation"] == "ABC"


def test_comms_follow_the_configuration_and_password_masked():
    shown = items("setup.comms", Context(tr=tr))
    assert shown["IP Address"] == "192.168.1.100"  # the configuration's default
    assert (shown["Baud Rate"], shown["Unit ID"], shown["DHCP"]) == ("19200", "1", "Off")
    assert shown["Protocol"] == "Modbus RTU" and shown["Modbus TCP Port"] == "502"
    comms = CommsSettings(ip="10.1.2.3", baud=9600, dhcp=True, modbus_tcp_enabled=False)
    shown = items("setup.comms", Context(tr=tr, config=MeterConfig(communications=comms)))
    assert (shown["IP Address"], shown["Baud Rate"], shown["DHCP"]) == ("10.1.2.3", "9600", "On")
    assert shown["Modbus TCP"] == "Off"
    assert items("setup.password", Context(tr=tr))["Password"] == "********"


def test_clock_and_time_zone_follow_the_configuration():
    clock = ClockSettings(tz_offset=-330, dst_offset=60, clock_source="line", sync_type="local")
    ctx = Context(tr=tr, config=MeterConfig(clock=clock))
    shown = items("setup.datetime", ctx)
    assert (shown["TZ Offset"], shown["DST Offset"]) == ("-05:30:00", "+01:00:00")
    shown = items("setup.clock", ctx)
    assert (shown["Clock Source"], shown["Time Sync Type"]) == ("Line Freq", "Local")


def test_display_setup_lists_every_display_setting():
    settings = DisplaySettings(volts_decimals=2, backlight_timeout=0, language="fr")
    shown = items("setup.display", Context(tr=tr, config=MeterConfig(display=settings)))
    assert len(shown) == len(fields(DisplaySettings))
    assert shown["Volts Resolution"] == "0.01 V" and shown["Current Resolution"] == "0.001 A"
    assert shown["Backlight Timeout"] == "Always on" and shown["Language"] == "Français"


def test_datetime_demand_pulsing_alarms_resets():
    ctx = Context(tr=tr, status=Status(clock=WHEN))
    shown = items("setup.datetime", ctx)
    assert (shown["Date"], shown["Time"], shown["Time Format"]) == (
        "2026-03-02",
        "14:05:09",
        "24 H",
    )
    assert items("setup.datetime", Context(tr=tr))["Date"] == MISSING  # no clock: no data
    demand = items("setup.demand", ctx)
    assert (demand["Method"], demand["Interval"], demand["Subinterval"]) == (
        "Sliding Block", "15 min", "5 min",
    )  # fmt: skip
    pulsing = replace(ctx, config=replace(ctx.config, pulse_kt=1.8))
    assert items("setup.pulsing", pulsing)["Kt"] == "1.8 Wh/pulse"
    alarms = items("setup.alarms", ctx)  # the default set: 253 V is 110 % of 230 V
    assert (alarms["Over Voltage"], alarms["Over Current"]) == ("On", "Off")
    from screens.setup_lists import alarm_rows

    rows = alarm_rows(Snapshot(WHEN), ctx)
    assert rows[:3] == [
        ("Over Voltage", "On", "alarms.over_voltage.enabled"),
        ("    Limit", "253.0 V", "alarms.over_voltage.pickup"),
        ("    Priority", "Medium", "alarms.over_voltage.priority"),
    ]
    assert set(items("setup.resets", ctx).values()) == {""}
    locked = Context(tr=tr, status=Status(locked=True))
    assert set(items("setup.resets", locked).values()) == {"Locked"}
    language = items("setup.language", ctx)
    assert language["English"] == "Active" and language["Deutsch"] == ""


def _highlighted_rows(image: QImage) -> list[int]:
    """Indices of the list rows whose left edge has the selection colour."""
    sel = QColor(PALETTE.selection).rgb()
    rows = BODY.height() // LIST.row_height
    return [i for i in range(rows) if image.pixel(2, BODY.top() + i * LIST.row_height + 5) == sel]


def test_selection_is_highlighted_and_kept_in_view(qapp):
    screen = BY_ID["setup.display"]  # 14 rows: longer than the body
    assert _highlighted_rows(render(screen, snap(), Context(tr=tr, selection=0))) == [0]
    assert _highlighted_rows(render(screen, snap(), Context(tr=tr, selection=2))) == [2]
    last = render(screen, snap(), Context(tr=tr, selection=13))
    assert _highlighted_rows(last) == [BODY.height() // LIST.row_height - 1]
    beyond = render(screen, snap(), Context(tr=tr, selection=99))  # clamped to the last row
    assert beyond == last
    assert render(screen, snap(), Context(tr=tr, selection=5)) != last


def test_changing_the_config_changes_the_picture(qapp):
    screen = BY_ID["setup.meter"]
    base = render(screen, snap(), Context(tr=tr))
    changed = render(screen, snap(), Context(tr=tr, config=replace(MeterConfig(), ct_primary=400)))
    diff = [
        y for x in range(WIDTH) for y in range(HEIGHT) if base.pixel(x, y) != changed.pixel(x, y)
    ]
    # Only the CT primary row (the 4th) differs.
    row = LIST.row_height
    assert diff and BODY.top() + 3 * row <= min(diff) and max(diff) < BODY.top() + 4 * row
