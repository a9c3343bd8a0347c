"""Alarms on the panel, driven through the buttons: the LED and bell, the Active Alarms list,
the details page, ACK / ALL (with the password when Password Setup asks), Setup > Alarms.

The engine is a real ``Meter`` advanced by hand (``StepBridge``) on the simulated installation
(230 V, 2.5 A through 5:5 A CTs): an under-voltage alarm at 240 V and an over-current alarm at
2 A are
active from the first windows, so their states are known."""

from __future__ import annotations

import pytest
from panel import Recording, clicker, keys, open_window, shown

from engine.alarms.definitions import AlarmDefinition
from engine.config import MeterConfig, SecuritySettings, load_config
from hmi.window import status_of
from screens.base import Bell

# High speed: active within the first second the bridge runs.
UV = AlarmDefinition("uv", quantities=("V_A",), direction="under", pickup=240.0, dropout=241.0,
                     priority="high", label="Low volts", speed="high")  # fmt: skip
OC = AlarmDefinition("oc", quantities=("I_A",), pickup=2.0, dropout=1.9, priority="low",
                     label="High amps", speed="high")  # fmt: skip


@pytest.fixture
def asked(monkeypatch) -> Recording:
    recording = Recording()
    monkeypatch.setattr("hmi.window.translator", lambda language: recording)
    return recording


def _led(window) -> str:
    window.update_leds()
    return window.leds.alarm.state


def test_ack_one_then_all_from_the_details_page(qtbot, tmp_path, asked):
    window, bridge, _ = open_window(qtbot, MeterConfig(alarms=(UV, OC)), tmp_path / "c.toml")
    press = keys(window)
    snap = bridge.snapshot()
    assert [r.alarm_id for r in snap.alarm_list] == ["uv", "oc"]  # high priority first
    assert _led(window) == "flashing"
    assert status_of(snap).bell == Bell("high", True)

    press("home", "select")  # Home, ✓ Alarms: the Active Alarms list
    assert window.navigator.view.screen_id == "alarms.active"
    assert {"alarms.state.unack", "screen.alarms.active.title"} <= set(shown(asked, window))
    press("select")  # ✓ the highlighted (first) row: its details
    drawn = shown(asked, window)
    assert {"alarms.detail.pickup", "alarms.detail.extreme", "chrome.key.ack_all"} <= set(drawn)
    assert "alarms.priority.high" in drawn

    press("soft1")  # ACK: this alarm
    assert "alarms.acknowledged" in shown(asked, window)
    bridge.advance(0.2)  # applied at the meter's next block
    by_id = {r.alarm_id: r for r in bridge.snapshot().alarm_list}
    assert by_id["uv"].acknowledged and not by_id["oc"].acknowledged
    assert _led(window) == "flashing"  # the over-current is still unacknowledged

    press("soft4")  # any key closes the message; the details stay
    press("soft2")  # ALL
    bridge.advance(0.2)
    assert all(r.acknowledged for r in bridge.snapshot().alarm_list)
    assert _led(window) == "steady"  # active, all acknowledged
    press("back", "back")  # closes the message, then the details
    assert window.navigator.view.screen_id == "alarms.active" and not window.alarm_panel.open


def test_acknowledging_asks_for_the_password_when_the_setting_says_so(qtbot, tmp_path, asked):
    config = MeterConfig(alarms=(UV,), security=SecuritySettings(ack_password=True))
    window, bridge, _clock = open_window(qtbot, config, tmp_path / "c.toml")
    press = keys(window)
    press("home", "select", "select", "soft1")  # Alarms, the list, details, ACK
    assert "edit.password" in shown(asked, window)
    bridge.advance(0.2)
    assert not bridge.snapshot().alarm_list[0].acknowledged  # nothing before the password
    press("soft3")  # ✓ the default password 0
    assert "alarms.acknowledged" in shown(asked, window)
    bridge.advance(0.2)
    assert bridge.snapshot().alarm_list[0].acknowledged
    assert _led(window) == "steady"


def test_an_empty_list_says_so_and_history_lists_ended_alarms(qtbot, tmp_path, asked):
    window, bridge, _clock = open_window(qtbot, MeterConfig(alarms=()), tmp_path / "c.toml")
    press = keys(window)
    press("home", "select")
    assert "lists.no_active_alarms" in shown(asked, window)
    press("select")  # nothing to open
    assert not window.alarm_panel.open
    assert _led(window) == "off" and status_of(bridge.snapshot()).bell is None


def test_setup_alarms_disables_an_alarm_and_moves_a_limit(qtbot, tmp_path):
    path = tmp_path / "c.toml"
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path)
    click = clicker(qtbot, window)
    press = keys(window)
    press("home", "up", "select", "down", "down", "select")  # Setup > Alarm Setup
    assert window.navigator.view.screen_id == "setup.alarms"
    # Row 0: Over Voltage on/off. ✎, password 0, ▲ (off), ✓, Yes.
    click("soft3", "soft3", "soft1", "soft3", "soft3")
    assert load_config(path).alarms is not None
    by_id = {a.id: a for a in window.config.alarms}
    assert not by_id["over_voltage"].enabled
    # Row 1: its limit, 0000253.0 V with the units highlighted: ✎ (password still valid),
    # ◄ to the tens, ▲: 263.0, ✓, Yes.
    click("soft2", "soft3", "soft4", "soft1", "soft3", "soft3")
    ov = {a.id: a for a in load_config(path).alarms}["over_voltage"]
    assert ov.pickup == pytest.approx(263.0)
    assert ov.dropout == pytest.approx(263.0 * 0.98)  # the hysteresis moves with it
    bridge.advance(0.2)
    live = {a.id: a for a in bridge.meter.alarm_state.engine.definitions}
    assert live["over_voltage"].pickup == pytest.approx(263.0)


def test_an_alarm_relay_action_switches_a_board_relay(qtbot):
    """The engine bridge sends the meter's relay bits to a board source when they change:
    relay 2 on at the over-voltage pickup, off at its dropout."""
    from steps import _blocks

    from engine.meter import Meter
    from hmi.bridge import EngineBridge

    class Board:
        def __init__(self) -> None:
            self.sent: list[int | None] = []

        def blocks(self):
            return _blocks([(1.005, 260.0), (2.005, 230.0)], 3.0)

        def request_outputs(self, relays=None, ky_pulses=0) -> None:
            self.sent.append(relays)

        def close(self) -> None:
            pass

    ov = AlarmDefinition("ov", quantities=("V_A",), pickup=250.0, dropout=245.0,
                         actions=("relay2",), speed="high")  # fmt: skip
    board = Board()
    bridge = EngineBridge(Meter(MeterConfig(alarms=(ov,))), board, paced=False)
    with qtbot.waitSignal(bridge.finished, timeout=10_000):
        bridge.start()
    assert board.sent == [0b10, 0]


def test_a_relay_is_switched_by_hand_from_the_outputs_screen(qtbot, tmp_path, asked):
    """Inputs/Outputs > Digital Outputs: ▼ to relay 2, ✓, the password, and relay 2 is on;
    ✓ again switches it off. Each switching is an event (off -> on, on -> off)."""
    window, bridge, _ = open_window(qtbot, MeterConfig(alarms=()), tmp_path / "c.toml")
    press = keys(window)
    press("home", *["down"] * 7, "select", "down")  # Inputs/Outputs, then Digital Outputs
    assert window.navigator.view.screen_id == "io.outputs"
    assert bridge.snapshot().relays == (False, False)
    press("down", "select")  # relay 2
    assert "edit.password" in shown(asked, window)
    press("soft3")  # ✓ the default password 0
    assert "info.outputs.switched" in shown(asked, window)
    bridge.advance(0.2)
    assert bridge.snapshot().relays == (False, True)
    press("soft4", "select")  # close the message; ✓ relay 2 again (the password still open)
    bridge.advance(0.2)
    assert bridge.snapshot().relays == (False, False)
    relay_events = [(e.what, e.old, e.new) for e in bridge.meter.events if e.kind == "relay"]
    assert relay_events == [("relay2", "off", "on"), ("relay2", "on", "off")]
