"""The whole panel: clicks on the bezel's buttons walk the real menu tree to real screens."""

from __future__ import annotations

from PySide6.QtCore import Qt

from hmi.screenshot import demo_snapshot
from hmi.window import MainWindow


class DemoBridge:
    """The engine's deterministic demo snapshot, as the bridge would hand it over."""

    def snapshot(self):
        return demo_snapshot()


class Clock:
    def __init__(self) -> None:
        self.now = 10.0

    def __call__(self) -> float:
        self.now += 0.1  # every look at the clock is a moment later: presses are short
        return self.now


def click(qtbot, window: MainWindow, name: str) -> None:
    qtbot.mouseClick(window.bezel.buttons[name], Qt.MouseButton.LeftButton)


def test_buttons_reach_the_expected_screens(qtbot):
    window = MainWindow(DemoBridge(), clock=Clock())
    qtbot.addWidget(window)
    window.timer.stop()
    window.led_timer.stop()
    window.refresh()
    assert window.navigator.view.screen_id == "basic.summary"  # power-up: the default screen

    click(qtbot, window, "home")
    assert window.navigator.view.screen_id == "menu"
    for _ in range(5):  # Alarms, Basic Reading, Power, Energy, Demand, Power Quality
        click(qtbot, window, "soft2")  # ▼
    click(qtbot, window, "soft3")  # ✓
    assert window.navigator.view.screen_id == "pq.harmonics"
    before = window.image.copy()
    click(qtbot, window, "soft2")  # ► cursor
    assert window.navigator.view.cursor == 1
    assert window.image != before  # the TFT followed
    click(qtbot, window, "soft3")  # … next channel
    assert window.navigator.view.page == 1
    click(qtbot, window, "soft4")  # back to the menu, Power Quality still highlighted
    assert window.navigator.view.screen_id == "menu"
    assert window.navigator.view.selection == 5
    click(qtbot, window, "soft1")  # ▲ Demand
    click(qtbot, window, "soft3")  # ✓
    assert window.navigator.view.screen_id == "demand.present"
    click(qtbot, window, "soft2")  # ▼ next screen of the group
    assert window.navigator.view.screen_id == "demand.predicted"
