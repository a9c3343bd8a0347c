"""Editing the Setup from the panel (issue 5), driven through the buttons only: bezel clicks and
key names through ``MainWindow.press``. The engine is a real ``Meter`` fed by the simulator at
the meter's terminals (``Scenario(scale="secondary")``: 100 A primary through 200:5 A CTs), one
block at a time so that "within a display update" is exact; one test runs it in its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt

from engine.config import MeterConfig, SecuritySettings, load_config
from engine.meter import Meter
from engine.sources.scenario import Scenario
from engine.sources.simulated import SimulatedSource
from hmi.bridge import EngineBridge
from hmi.setup_controller import MESSAGE_SECONDS
from hmi.window import MainWindow
from i18n import translator
from screens import registry
from screens.base import Context
from screens.canvas import BODY, WIDTH
from screens.widgets import LIST

#: The simulated installation seen through 200:5 A CTs: 2.5 A at the terminals.
SECONDARY = Scenario(scale="secondary", ct_ratio=40.0, i4_ct_ratio=40.0)
DISPLAY_UPDATE = 1.0  # [s] the default display update rate
tr = translator("en")


class StepBridge:
    """The engine bridge's interface (``snapshot``, ``meter``) with the engine advanced by hand:
    ``advance(seconds)`` feeds that much signal [s] to the meter."""

    def __init__(self, config: MeterConfig) -> None:
        self.meter = Meter(config)
        self._blocks = SimulatedSource(SECONDARY).blocks()
        self.advance(1.0)

    def advance(self, seconds: float) -> None:
        for _ in range(round(seconds / 0.1)):
            self.meter.process(next(self._blocks))

    def snapshot(self):
        return self.meter.snapshot


class Clock:
    """Monotonic time [s] the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recording:
    """The window's catalogue lookup, remembering the keys asked for since ``clear``."""

    def __init__(self, language: str = "en") -> None:
        self.tr, self.keys = translator(language), []

    def __call__(self, key: str) -> str:
        self.keys.append(key)
        return self.tr(key)


@pytest.fixture
def asked(monkeypatch) -> Recording:
    recording = Recording()
    monkeypatch.setattr("hmi.window.translator", lambda language: recording)
    return recording


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "meter.toml"


def open_window(qtbot, config: MeterConfig, path: Path, bridge=None):
    """The window on ``bridge`` (a ``StepBridge`` by default), with the bridge and its clock."""
    bridge, clock = bridge or StepBridge(config), Clock()
    window = MainWindow(bridge, config, clock=clock, config_path=path)
    qtbot.addWidget(window)
    window.timer.stop()  # the test drives the display ticks
    window.led_timer.stop()
    return window, bridge, clock


def clicker(qtbot, window: MainWindow) -> Callable[..., None]:
    def click(*names: str) -> None:
        for name in names:
            qtbot.mouseClick(window.bezel.buttons[name], Qt.MouseButton.LeftButton)

    return click


def to_meter_setup(press: Callable[..., None]) -> None:
    """Home -> Setup (the last entry: ▲ goes round) -> Meter Setup."""
    press("home", "up", "select", "select")


def keys(window: MainWindow) -> Callable[..., None]:
    def press(*names: str) -> None:
        for name in names:
            window.press(name)

    return press


def shown(asked: Recording, window: MainWindow) -> list[str]:
    """The catalogue keys drawn by a fresh render of the TFT."""
    asked.keys.clear()
    window.refresh()
    return asked.keys


# -- the CT primary, from the buttons to the engine, the file and a restart ----------------------


def test_ct_primary_from_5_to_200_digit_by_digit(qtbot, path, asked):
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path)
    click = clicker(qtbot, window)
    before = bridge.snapshot().values["I_A"]
    assert before == pytest.approx(2.5, rel=0.01)  # CT 5:5 reads the terminals' 2.5 A

    click("home", "soft1", "soft3", "soft3")  # Home, ▲ to Setup, ✓, ✓ Meter Setup
    click("soft2", "soft2", "soft2")  # ▼ to CT Primary
    listed = window.image.copy()
    click("soft3")  # ✎
    assert "edit.password" in shown(asked, window)
    click("soft3")  # ✓ the default password 0
    click("soft4", "soft4", "soft1", "soft1")  # ◄ ◄ to the hundreds, ▲ ▲: 000205
    click("soft4", "soft4", "soft4", "soft4")  # ◄ round to the units
    click(*["soft2"] * 5)  # ▼ ×5: 000200
    click("soft3")  # ✓
    assert {"edit.save_changes", "edit.yes", "edit.no"} <= set(shown(asked, window))
    assert window.config.ct_primary == 5.0  # nothing changes before the answer
    click("soft3")  # ✓ Yes

    assert window.config.ct_primary == 200.0
    assert load_config(path).ct_primary == 200.0
    # Back on the list, which shows the new value in the CT Primary row.
    rows = dict(registry.get("setup.meter").build(bridge.snapshot(), Context(tr, window.config)))
    assert rows["CT Primary"] == "200 A"
    above = QRect(0, BODY.top(), WIDTH, 3 * LIST.row_height)
    row = QRect(0, above.bottom() + 1, WIDTH, LIST.row_height)
    assert window.image.copy(row) != listed.copy(row)
    assert window.image.copy(above) == listed.copy(above)  # the other rows stay as they were
    bridge.advance(DISPLAY_UPDATE)
    window.refresh()
    assert bridge.meter.config.ct_primary == 200.0
    assert bridge.snapshot().values["I_A"] == pytest.approx(40 * before, rel=0.01)

    # A restart reads the saved file: same settings, same readings.
    saved = load_config(path)
    again, again_bridge, _ = open_window(qtbot, saved, path)
    assert again.config.ct_primary == 200.0
    assert again_bridge.snapshot().values["I_A"] == pytest.approx(100.0, rel=0.01)


def test_a_wrong_password_is_refused_and_repeated_failures_lock_editing(qtbot, path, asked):
    security = SecuritySettings(password="1234", lockout_attempts=3, lockout_minutes=2)
    config = MeterConfig(security=security)
    window, _bridge, clock = open_window(qtbot, config, path)
    press = keys(window)
    to_meter_setup(press)
    for attempt in range(3):
        press("soft3", "soft3")  # ✎, ✓ with 00000000
        expected = "edit.locked_out" if attempt == 2 else "edit.wrong_password"
        assert expected in shown(asked, window)
        assert "edit.password" not in asked.keys  # no editor behind the message
        press("soft3")  # any key closes the message
    press("soft3")  # ✎ during the lockout: the message at once, no password asked
    assert "edit.locked_out" in shown(asked, window)
    press("soft3")
    clock.now += 2 * 60  # the lockout is over
    press("soft3")
    assert "edit.password" in shown(asked, window)
    # 1234 digit by digit: ▲×4, ◄, ▲×3, ◄, ▲×2, ◄, ▲, then ✓.
    press(*["soft1"] * 4, "soft4", *["soft1"] * 3, "soft4", "soft1", "soft1", "soft4", "soft1")
    press("soft3")
    assert "edit.password" not in shown(asked, window)
    assert window.setup.overlay.kind == "editor"  # Volts Mode's, on the highlighted row


def test_out_of_range_shows_the_range_and_keeps_the_old_value(qtbot, path, asked):
    window, _bridge, _clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    to_meter_setup(press)
    press("down", "soft3", "soft3")  # PT Primary, ✎, password 0
    press("soft2", "soft3")  # ▼ the units digit 1 -> 0, ✓
    drawn = shown(asked, window)
    assert {"edit.out_of_range", "edit.range.above"} <= set(drawn)
    assert window.config.pt_primary == 1.0
    press("soft3")  # ✓ again: the old value is back in the field, unchanged -> closed
    assert window.setup.overlay is None and window.config.pt_primary == 1.0
    assert not path.exists()  # nothing was saved

    press("up", "soft3", "soft1")  # Volts Mode: ✎, ▲ another wiring
    assert window.setup.overlay.value == "3W-WYE"
    press("soft4")  # ✕
    assert window.setup.overlay is None
    press("soft3", "soft1", "soft3", "soft2")  # ✎, ▲, ✓, ▼ to No
    assert window.setup.overlay.kind == "confirm" and not window.setup.overlay.yes
    press("soft3")  # ✓ No
    press("soft3", "soft1", "back")  # ✎, ▲, Esc
    assert window.setup.overlay is None
    assert window.config.wiring == "4W-WYE" and not path.exists()


def test_the_password_is_asked_again_after_its_timeout(qtbot, path, asked):
    config = MeterConfig(security=SecuritySettings(password_timeout_minutes=2))
    window, _bridge, clock = open_window(qtbot, config, path)
    press = keys(window)
    to_meter_setup(press)
    press("soft3", "soft3", "soft4")  # ✎, password 0, ✕ (choice editor)
    clock.now += 100  # a key within the 2 min keeps the session open
    press("down")
    clock.now += 100
    press("soft3")
    assert window.setup.overlay.kind == "editor"  # PT Primary's, no password asked
    press("soft3")  # ✓ unchanged: closed
    clock.now += 120
    press("soft3")
    assert "edit.password" in shown(asked, window)


def test_display_contrast_applies_to_the_tft_at_once(qtbot, path):
    window, _bridge, _clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    press("home", "up", "select", *["down"] * 4, "select")  # Setup > Display
    press(*["down"] * 4)  # Contrast (50 %)
    before = window.tft.shown().copy()
    press("soft3", "soft3")  # ✎, password 0
    press("soft4", "soft1", "soft1", "soft3", "soft3")  # ◄ to the tens, ▲ ▲: 070, ✓, Yes
    assert window.config.display.contrast == 70
    assert load_config(path).display.contrast == 70
    assert window.tft.shown() != before  # the same list, shown with more contrast


def test_language_from_display_setup_switches_at_once(qtbot, path, asked):
    window, _bridge, _clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    press("home", "up", "select", *["down"] * 4, "select", "soft3", "soft3")  # Language, ✎, 0
    press("soft1", "soft3", "soft3")  # ▲ Français, ✓, Yes
    assert window.language == "fr" and load_config(path).display.language == "fr"


# -- the revenue lock ----------------------------------------------------------------------------


def lock_by_the_bezel(qtbot, window: MainWindow) -> None:
    """Slide the lock switch, then power-cycle the emulated meter."""
    window.bezel.switch.click()
    assert not window.link.revenue_locked  # pending until the power cycle
    qtbot.mouseClick(window.bezel.power_button, Qt.MouseButton.LeftButton)
    assert window.link.revenue_locked


def test_revenue_lock_blocks_a_ct_change_and_an_energy_reset(qtbot, path, asked):
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path)
    lock_by_the_bezel(qtbot, window)
    assert load_config(path).revenue_lock.active
    press = keys(window)
    to_meter_setup(press)
    press("down", "down", "down", "soft3")  # CT Primary, ✎
    assert "edit.revenue_locked" in shown(asked, window)
    assert "edit.password" not in asked.keys  # refused whatever the password
    press("soft3", "back")  # close the message, back to the Setup menu
    press(*["up"] * 2, "select")  # Resets (the Setup menu ends with Resets, Test Mode)
    assert window.navigator.view.screen_id == "setup.resets"
    press("soft3")  # ✓ Energy
    assert "edit.revenue_locked" in shown(asked, window)
    press("soft3", "down", "down", "soft3", "soft3")  # Min/Max: allowed; password 0
    assert "edit.reset_minmax" in shown(asked, window)
    press("soft3")  # ✓ on the preselected No: nothing happens
    assert window.setup.overlay is None
    press("soft3", "soft1", "soft3")  # again, ▲ Yes, ✓
    assert "edit.done" in shown(asked, window)
    bridge.advance(0.1)
    assert [e.what for e in bridge.meter.events if e.kind == "reset"] == ["minmax"]
    # A restart reads the lock from the file: still in force, in the engine too.
    again, again_bridge, _ = open_window(qtbot, load_config(path), path)
    assert again.leds.lock.locked and again_bridge.meter.revenue_locked


def test_test_mode_shows_test_and_is_refused_while_locked(qtbot, path, asked):
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    press("home", "up", "select", "up", "select")  # Setup > Test Mode
    assert window.navigator.view.screen_id == "setup.test"
    press("soft3", "soft3", "soft1", "soft3", "soft3")  # ✎, password, ▲ On, ✓, Yes
    bridge.advance(0.1)
    assert "chrome.mode.TEST" in shown(asked, window)
    lock_by_the_bezel(qtbot, window)  # the lock ends test mode
    bridge.advance(0.1)
    assert "chrome.mode.TEST" not in shown(asked, window)
    press("home", "up", "select", "up", "select", "soft3")
    assert "edit.revenue_locked" in shown(asked, window)


# -- the engine in its thread --------------------------------------------------------------------


def test_a_change_reaches_the_running_engine_within_a_display_update(qtbot, path):
    bridge = EngineBridge(Meter(MeterConfig()), SimulatedSource(SECONDARY), paced=True)
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path, bridge)
    bridge.start()
    try:
        qtbot.waitUntil(lambda: "I_A" in bridge.snapshot().values, timeout=3000)
        press = keys(window)
        to_meter_setup(press)
        press("down", "down", "down", "soft3", "soft3")  # CT Primary, ✎, password 0
        press("soft4", "soft4", "soft1", "soft1", "soft4", "soft4", "soft4", "soft4")
        press(*["soft2"] * 5, "soft3", "soft3")  # 000200, ✓, Yes
        qtbot.waitUntil(
            lambda: bridge.snapshot().values.get("I_A", 0) > 90, timeout=1000 * DISPLAY_UPDATE
        )
    finally:
        assert bridge.stop()


def test_a_message_goes_by_itself_and_rows_without_a_setting_say_so(qtbot, path, asked):
    window, _bridge, clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    press("home", "up", "select", "down", "down", "down", "select")  # Setup > Date & Time
    press("soft3")  # ✎ on Date: set by the clock source, not from the panel
    assert "edit.not_editable" in shown(asked, window)
    clock.now += MESSAGE_SECONDS
    assert "edit.not_editable" not in shown(asked, window)
    assert window.setup.overlay is None
