"""The TFT widget and the engine bridge (offscreen Qt)."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from engine.config import MeterConfig
from engine.meter import Meter
from engine.sources.simulated import SimulatedSource
from engine.sources.spec import open_source
from hmi.bridge import EngineBridge
from hmi.tft import TftView
from screens.canvas import HEIGHT, WIDTH

# -- TFT widget ----------------------------------------------------------------------------------


def test_tft_scales_by_whole_pixels(qtbot):
    view = TftView(scale=3)
    qtbot.addWidget(view)
    assert (view.width(), view.height()) == (3 * WIDTH, 3 * HEIGHT)
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    image.setPixel(1, 0, QColor("red").rgb())
    view.set_image(image)
    shown = view.shown()
    red, white = QColor("red").rgb(), QColor("white").rgb()
    assert [shown.pixel(x, 2) for x in range(7)] == [white] * 3 + [red] * 3 + [white]


def test_tft_rejects_bad_input(qtbot):
    with pytest.raises(ValueError):
        TftView(scale=0)
    view = TftView()
    qtbot.addWidget(view)
    with pytest.raises(ValueError):
        view.set_image(QImage(100, 100, QImage.Format.Format_RGB32))


# -- engine bridge -------------------------------------------------------------------------------


def test_bridge_runs_the_engine_and_stops_promptly(qtbot):
    bridge = EngineBridge(Meter(MeterConfig()), open_source("sim"))
    bridge.start()
    try:
        qtbot.waitUntil(lambda: "V_A" in bridge.snapshot().values, timeout=2000)
        first = bridge.snapshot().time
        qtbot.waitUntil(lambda: bridge.snapshot().time > first, timeout=1000)
        assert bridge.snapshot().values["V_A"] == pytest.approx(230.0, rel=1e-3)
    finally:
        t = time.monotonic()
        assert bridge.stop()
    assert time.monotonic() - t < 0.5
    assert not bridge.running()


class BrokenSource:
    """Yields one good block, then fails as a serial port might."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def blocks(self):
        yield from itertools.islice(SimulatedSource().blocks(), 1)
        raise OSError("board unplugged")

    def describe(self) -> dict:
        return {"kind": "broken"}

    def close(self) -> None:
        self.closed.set()


def test_engine_failure_is_a_signal_not_a_crash(qtbot):
    source = BrokenSource()
    bridge = EngineBridge(Meter(), source, paced=False)
    with qtbot.waitSignal(bridge.failed, timeout=2000) as blocker:
        bridge.start()
    assert blocker.args == ["Engine stopped: OSError: board unplugged"]
    assert bridge.stop()
    assert source.closed.is_set()
    assert bridge.snapshot().values  # the last good values stay readable


def test_source_that_ends_emits_finished(qtbot):
    class Finite(SimulatedSource):
        def blocks(self):
            yield from itertools.islice(super().blocks(), 5)

    bridge = EngineBridge(Meter(), Finite(), paced=False)
    with qtbot.waitSignal(bridge.finished, timeout=2000):
        bridge.start()
    assert bridge.stop()
