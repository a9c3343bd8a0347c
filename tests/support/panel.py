"""Driving the emulated panel in the hmi tests: the window over a real ``Meter`` advanced by
hand (``StepBridge``), a hand-moved monotonic clock, a recording catalogue lookup, and the
buttons pressed by name (bezel clicks, or key names through ``MainWindow.press``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt

from engine.config import MeterConfig
from engine.meter import Meter
from engine.sources.scenario import Scenario
from engine.sources.simulated import SimulatedSource
from hmi.window import MainWindow
from i18n import translator

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
