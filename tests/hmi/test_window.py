"""The emulator window, the TFT widget and the engine bridge (offscreen Qt)."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from engine.config import MeterConfig
from engine.meter import Meter
from engine.snapshot import Snapshot
from engine.sources.simulated import SimulatedSource
from engine.sources.spec import open_source
from hmi.app import run_window
from hmi.bridge import EngineBridge
from hmi.tft import TftView
from hmi.window import DISPLAY_UPDATE_MS, MainWindow
from screens.canvas import HEIGHT, WIDTH

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
VALUES = {"V_A": 230.0, "V_AB": 398.4, "I_A": 100.0, "FREQ": 50.0, "P_TOT": 62100.0}


@dataclass
class FakeBridge:
    """A snapshot the test sets by hand."""

    current: Snapshot = field(default_factory=lambda: Snapshot(T0, MappingProxyType(VALUES)))

    def snapshot(self) -> Snapshot:
        return self.current

    def set(self, **values: float) -> None:
        self.current = Snapshot(T0, MappingProxyType({**VALUES, **values}))


@pytest.fixture
def window(qtbot):
    w = MainWindow(FakeBridge())
    qtbot.addWidget(w)
    return w


# -- window --------------------------------------------------------------------------------------


def test_view_follows_model(window):
    before = window.tft.shown().copy()
    window._source.set(I_A=250.0)
    window.refresh()
    assert window.tft.shown() != before
    window._source.set()  # back to the first values: the same picture again
    window.refresh()
    assert window.tft.shown() == before


def test_timer_pulls_snapshots(qtbot):
    assert MainWindow(FakeBridge()).timer.interval() == DISPLAY_UPDATE_MS
    fake = FakeBridge()
    w = MainWindow(fake, refresh_ms=10)
    qtbot.addWidget(w)
    before = w.image.copy()
    fake.set(V_AB=401.0)
    qtbot.waitUntil(lambda: w.image != before, timeout=1000)


def test_window_layout(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "ION7400"
    assert window.tft.size().width() == 2 * WIDTH
    assert window.tft.size().height() == 2 * HEIGHT
    tft = window.tft.geometry()  # the bezel shows round the TFT
    assert tft.left() > 0 and tft.top() > 0
    assert window.width() > tft.right() + 1 and window.height() > tft.bottom() + 1


def test_show_error_keeps_the_last_picture(window):
    before = window.tft.shown().copy()
    window.show_error("Engine stopped: OSError: port closed")
    assert window.fault.isVisibleTo(window)
    assert "port closed" in window.fault.text()
    window.refresh()
    assert window.tft.shown() == before


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


# -- application ---------------------------------------------------------------------------------


def test_run_window_screenshot(qapp, tmp_path):
    path = tmp_path / "hmi.png"
    assert run_window("sim", scale=1, screenshot=path) == 0
    shot = QImage(str(path))
    assert shot.width() > WIDTH and shot.height() > HEIGHT
    # The engine ran: the screenshot is not the blank start-up screen.
    colours = {shot.pixel(x, y) for x in range(shot.width()) for y in range(0, shot.height(), 4)}
    assert len(colours) > 10


def test_run_window_bad_source(qapp, capsys):
    assert run_window("comtrade:/nonexistent.cfg") == 2
    assert "nonexistent" in capsys.readouterr().err
