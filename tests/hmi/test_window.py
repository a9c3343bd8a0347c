"""The emulator window, the TFT widget and the engine bridge (offscreen Qt)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter

from engine.config import DisplaySettings, MeterConfig, load_config
from engine.meter import Meter
from engine.snapshot import AlarmSummary, Snapshot
from engine.sources.simulated import SimulatedSource
from hmi.app import run_window
from hmi.bridge import EngineBridge
from hmi.navigation import View
from hmi.window import (
    FAST_UPDATE_MS,
    MainWindow,
    Unavailable,
    bell_of,
    panel_image,
    status_of,
)
from i18n import available, translator
from screens.base import Bell, Context, DataScreen, Status
from screens.canvas import BODY, HEIGHT, WIDTH, draw_chrome

tr_en = translator("en")

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
VALUES = {"V_A": 230.0, "V_AB": 398.4, "I_A": 100.0, "FREQ": 50.0, "P_TOT": 62100.0}


@dataclass
class FakeBridge:
    """A snapshot the test sets by hand."""

    current: Snapshot = field(default_factory=lambda: Snapshot(T0, MappingProxyType(VALUES)))

    def snapshot(self) -> Snapshot:
        return self.current

    def set(self, second: float = 0.0, alarms: AlarmSummary | None = None, **values) -> None:
        self.current = Snapshot(
            T0 + timedelta(seconds=second),
            MappingProxyType({**VALUES, **values}),
            alarms=alarms or AlarmSummary(),
        )


class FakeScreen(DataScreen):
    """Draws its id as the title (through ``tr``) and I_A in the body."""

    def __init__(self, screen_id: str) -> None:
        self.id = self.title_key = screen_id

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        painter.drawText(BODY, Qt.AlignmentFlag.AlignCenter, f"{snapshot.values.get('I_A')}")
        painter.drawText(
            BODY.adjusted(0, 20, 0, 0), Qt.AlignmentFlag.AlignCenter, str(ctx.selection)
        )


class RecordingNavigator:
    """Stands in for ``hmi.navigation.Navigator``: records the keys, shows ``view``."""

    def __init__(self, view: View | None = None) -> None:
        self.keys: list[str] = []
        self.view = view or View("basic.summary")

    def press(self, key: str, snapshot: Snapshot, now: float) -> bool:
        self.keys.append(key)
        return False

    def tick(self, snapshot: Snapshot, now: float) -> bool:
        return False

    def context(self, tr, config, status) -> Context:
        return Context(tr, config, replace(status, mode=self.view.mode))


class Clock:
    """A monotonic clock the test moves by hand [s]."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_window(qtbot, navigator=None, source=None, **kw) -> MainWindow:
    kw.setdefault("screens", FakeScreen)
    w = MainWindow(source or FakeBridge(), navigator=navigator, **kw)
    qtbot.addWidget(w)
    w.timer.stop()  # the tests drive the ticks themselves
    w.led_timer.stop()
    return w


@pytest.fixture
def window(qtbot):
    return make_window(qtbot, clock=Clock())


# -- keys ----------------------------------------------------------------------------------------


def test_clicking_soft_key_3_calls_the_navigator(qtbot):
    nav = RecordingNavigator()
    w = make_window(qtbot, nav)
    qtbot.mouseClick(w.bezel.buttons["soft3"], Qt.MouseButton.LeftButton)
    assert nav.keys == ["soft3"]
    qtbot.mouseClick(w.bezel.buttons["home"], Qt.MouseButton.LeftButton)
    assert nav.keys == ["soft3", "home"]


def test_keyboard_keys_reach_the_navigator(qtbot):
    nav = RecordingNavigator()
    w = make_window(qtbot, nav)
    k = Qt.Key
    keys = (
        k.Key_F1, k.Key_F2, k.Key_F3, k.Key_F4, k.Key_Home, k.Key_Up, k.Key_Down,
        k.Key_Left, k.Key_Right, k.Key_Escape, k.Key_Return, k.Key_PageDown, k.Key_A,
    )  # fmt: skip
    for key in keys:
        qtbot.keyClick(w, key)
    assert nav.keys == [
        "soft1", "soft2", "soft3", "soft4", "home", "up", "down", "left", "right", "back",
        "select", "more",
    ]  # fmt: skip


def test_holding_home_gives_home_long(qtbot):
    nav, clock = RecordingNavigator(), Clock()
    w = make_window(qtbot, nav, clock=clock)
    home = w.bezel.buttons["home"]
    qtbot.mousePress(home, Qt.MouseButton.LeftButton)
    clock.now += 1.6
    qtbot.mouseRelease(home, Qt.MouseButton.LeftButton)
    qtbot.keyPress(w, Qt.Key.Key_Home)
    clock.now += 1.0  # too short: plain Home
    qtbot.keyRelease(w, Qt.Key.Key_Home)
    assert nav.keys == ["home_long", "home"]


def test_tft_follows_a_key_press_at_once(qtbot):
    w = make_window(qtbot, clock=Clock())  # the real navigator, fake screens
    before = w.tft.shown().copy()
    qtbot.mouseClick(w.bezel.buttons["home"], Qt.MouseButton.LeftButton)
    assert w.navigator.view.screen_id == "menu"
    after = w.tft.shown().copy()
    assert after != before  # redrawn without waiting for the display timer
    qtbot.mouseClick(w.bezel.buttons["soft2"], Qt.MouseButton.LeftButton)  # ▼ in the menu
    assert w.navigator.view.selection == 1 and w.tft.shown() != after


# -- view follows model --------------------------------------------------------------------------


def test_view_follows_model(window):
    before = window.tft.shown().copy()
    window._source.set(I_A=250.0)
    window.refresh()
    assert window.tft.shown() != before
    window._source.set()  # back to the first values: the same picture again
    window.refresh()
    assert window.tft.shown() == before


def test_timer_pulls_snapshots(qtbot):
    fake = FakeBridge()
    w = MainWindow(fake, screens=FakeScreen, refresh_ms=10)
    qtbot.addWidget(w)
    before = w.image.copy()
    fake.set(I_A=401.0)
    qtbot.waitUntil(lambda: w.image != before, timeout=1000)


def test_display_timer_follows_settings_and_screen(qtbot):
    w = make_window(qtbot)
    assert w.timer.interval() == 1000  # the meter's Display Update Time default
    fast = MeterConfig(display=DisplaySettings(update_rate=0.5))
    assert make_window(qtbot, config=fast).timer.interval() == 500
    nav = RecordingNavigator(View("pq.waveform"))
    w = make_window(qtbot, nav)
    assert w.timer.interval() == FAST_UPDATE_MS == 200
    nav.view = View("basic.amps")
    w.refresh()
    assert w.timer.interval() == 1000


def test_backlight_off_dims_the_tft(qtbot):
    nav = RecordingNavigator()
    w = make_window(qtbot, nav)
    lit = w.tft.shown().copy()
    nav.view = View("basic.summary", backlight=False)
    w.refresh()
    dark = w.tft.shown()
    assert mean_level(dark) < 0.3 * mean_level(lit)


def test_contrast_and_brightness(qapp):
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 100, 60))
    assert panel_image(image, DisplaySettings()) is image  # the defaults show it as drawn
    dim = panel_image(image, DisplaySettings(brightness=40))
    assert QColor(dim.pixel(5, 5)).red() < 200 * 0.75
    flat = panel_image(image, DisplaySettings(contrast=0))
    assert abs(QColor(flat.pixel(5, 5)).red() - 128) < abs(200 - 128)
    assert QColor(image.pixel(5, 5)).red() == 200  # the original is untouched


def mean_level(image: QImage) -> float:
    pixels = [
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    ]
    return sum((p >> 16 & 0xFF) + (p >> 8 & 0xFF) + (p & 0xFF) for p in pixels) / len(pixels)


def test_title_bar_status():
    empty = Snapshot(datetime.fromtimestamp(0, UTC))
    assert status_of(empty).clock is None  # no data yet: the clock is blank
    snap = Snapshot(T0, MappingProxyType(VALUES))
    assert status_of(snap, "ALT") == Status(mode="ALT", locked=False, bell=None, clock=T0)
    assert bell_of(AlarmSummary(active_unacknowledged=1, priority="high")) == Bell("high", True)
    assert bell_of(AlarmSummary(active_acknowledged=2, priority="low")) == Bell("low", True)
    assert bell_of(AlarmSummary(historic_unacknowledged=1, priority="medium")) == Bell(
        "medium", False
    )
    assert bell_of(AlarmSummary()) is None


def test_missing_screen_draws_a_placeholder(qtbot):
    requested = []

    def tr(key: str) -> str:
        requested.append(key)
        return key

    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    Unavailable("pq.nothing").render(painter, Snapshot(T0), Context(tr))
    painter.end()
    assert "hmi.screen_unavailable" in requested
    assert tr_en("hmi.screen_unavailable") != "hmi.screen_unavailable"  # in the catalogue


def test_a_screen_that_fails_to_draw_leaves_a_placeholder(qtbot, caplog):
    class Broken(FakeScreen):
        def render(self, painter, snapshot, ctx):
            painter.save()  # left unbalanced, as a crashing screen would
            raise ZeroDivisionError("bug")

    w = make_window(qtbot, RecordingNavigator(View("basic.broken")))
    w._screens = Broken
    w.refresh()  # no exception escapes the timer slot
    placeholder = make_window(qtbot, RecordingNavigator(View("basic.broken")), screens=Unavailable)
    assert w.tft.shown() == placeholder.tft.shown()
    assert "basic.broken failed to draw" in caplog.text


# -- LEDs ----------------------------------------------------------------------------------------


def test_leds_follow_the_snapshots(qtbot):
    clock, fake = Clock(), FakeBridge()
    w = make_window(qtbot, RecordingNavigator(), fake, clock=clock)
    alarm = w.bezel.leds["alarm"]
    w.update_leds()
    assert alarm.colour is None and w.bezel.leds["status"].colour == "green"
    fake.set(1, AlarmSummary(active_unacknowledged=1, priority="high"))
    seen = []
    for k in range(20):  # 2 s polled every 0.1 s: flashing at 1 Hz
        clock.now = 101.0 + k / 10
        w.update_leds()
        seen.append(alarm.colour)
    assert seen == (["red"] * 5 + [None] * 5) * 2
    fake.set(2, AlarmSummary(active_acknowledged=1, priority="high"))  # acknowledged
    for k in range(10):
        clock.now = 103.0 + k / 10
        w.update_leds()
        assert alarm.colour == "red"
    fake.set(3)
    w.update_leds()
    assert alarm.colour is None


def test_energy_pulses_counted_over_5_s(qtbot):
    clock, fake = Clock(), FakeBridge()
    w = make_window(
        qtbot, RecordingNavigator(), fake, clock=clock, config=MeterConfig(pulse_kt=1.8)
    )
    # 12.96 kW at Kt = 1.8 Wh: two pulses a second; snapshots every 0.1 s, LEDs every 50 ms.
    flashes, before = 0, False
    for k in range(140):
        t = k * 0.05
        clock.now = 100.0 + t
        if k % 2 == 0 and t <= 5.0:
            fake.set(1 + t, E_P_DEL=12960.0 * t / 3600.0, E_P_REC=0.0)  # new times
        w.update_leds()
        lit = w.bezel.leds["watt"].colour == "red"
        assert w.bezel.leds["watt_ir"].colour == w.bezel.leds["watt"].colour
        flashes += lit and not before
        before = lit
    assert flashes == w.leds.watt.pulses == 10


def test_show_error_keeps_the_last_picture(window):
    before = window.tft.shown().copy()
    window.show_error("Engine stopped: OSError: port closed")
    assert window.fault.isVisibleTo(window)
    assert "port closed" in window.fault.text()
    window.refresh()
    assert window.tft.shown() == before
    window.update_leds()
    assert window.leds.status.colour(window._clock()) == "red"


def test_window_layout(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "ION7400"
    assert window.tft.size().width() == 2 * WIDTH
    assert window.tft.size().height() == 2 * HEIGHT
    tft = window.tft.geometry()  # the bezel shows round the TFT
    assert tft.left() > 0 and tft.top() > 0
    assert window.bezel.width() > tft.right() + 1 and window.bezel.height() > tft.bottom() + 1


def test_window_keeps_responding_while_the_engine_runs_flat_out(qtbot):
    bridge = EngineBridge(Meter(MeterConfig()), SimulatedSource(), paced=False)
    w = MainWindow(bridge)
    qtbot.addWidget(w)
    ticks: list[float] = []
    w.led_timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    bridge.start()
    try:
        qtbot.waitUntil(lambda: "V_A" in bridge.snapshot().values, timeout=3000)
        ticks.clear()
        qtbot.wait(1000)
        assert len(ticks) >= 8  # the 50 ms LED timer ran (a loaded CI machine is slower)
        assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.5
        t = time.monotonic()
        qtbot.keyClick(w, Qt.Key.Key_Home)
        assert w.navigator.view.screen_id == "menu"
        assert time.monotonic() - t < 0.5
    finally:
        assert bridge.stop()


def test_f9_captures_the_waveforms_into_the_data_directory(qtbot, tmp_path):
    meter = Meter(MeterConfig(), power_quality=True, capture_dir=tmp_path / "captures")
    bridge = EngineBridge(meter, SimulatedSource(), paced=False)
    w = MainWindow(bridge)
    qtbot.addWidget(w)
    w.show()
    bridge.start()
    try:
        qtbot.waitUntil(lambda: "V_A" in bridge.snapshot().values, timeout=3000)
        qtbot.keyClick(w, Qt.Key.Key_F9)
        assert w.note.isVisibleTo(w) and str(tmp_path / "captures") in w.note.text()
        qtbot.waitUntil(lambda: any((tmp_path / "captures").glob("manual-001-*.dat")), timeout=5000)
    finally:
        assert bridge.stop()
    assert next(e.new for e in meter.events if e.kind == "capture").startswith("manual-001-")


def test_capture_without_a_capture_directory_says_why(qtbot):
    w = MainWindow(EngineBridge(Meter(MeterConfig(), power_quality=True), SimulatedSource()))
    qtbot.addWidget(w)
    w.capture_waveform()
    assert "no capture directory" in w.fault.text()
    assert not w.note.isVisibleTo(w)


# -- application ---------------------------------------------------------------------------------


def test_run_window_screenshot(qapp, qtbot, tmp_path):
    path = tmp_path / "hmi.png"
    assert run_window("sim", scale=1, screenshot=path) == 0
    shot = QImage(str(path))
    assert shot.width() > WIDTH and shot.height() > HEIGHT
    # The engine ran: the screenshot is not the blank start-up screen.
    colours = {shot.pixel(x, y) for x in range(shot.width()) for y in range(0, shot.height(), 4)}
    assert len(colours) > 10
    # Qt event loops still run afterwards (no application-wide quit was left behind).
    fired: list[int] = []
    QTimer.singleShot(10, lambda: fired.append(1))
    qtbot.waitUntil(lambda: fired == [1], timeout=1000)


def test_run_window_bad_source(qapp, capsys):
    assert run_window("comtrade:/nonexistent.cfg") == 2
    assert "nonexistent" in capsys.readouterr().err


def test_run_window_unknown_language(qapp, capsys):
    assert "en" in available()
    assert run_window("sim", language="xx") == 2
    err = capsys.readouterr().err
    assert "'xx'" in err and "en" in err.split("available:")[1]


def test_choosing_a_language_switches_at_once_and_is_saved(qtbot, tmp_path):
    """Setup > Language: ▲/▼ to a language, ✓: every screen now speaks it, and the
    configuration file says so (written atomically, read back)."""
    path = tmp_path / "config.toml"
    w = MainWindow(FakeBridge(), MeterConfig(), clock=Clock(), config_path=path)
    qtbot.addWidget(w)
    w.timer.stop()
    w.led_timer.stop()
    w.press("home")
    w.press("up")  # Setup, the last entry of the display menu
    w.press("select")
    for _ in range(5):  # Meter, Communications, Alarms, Date/Time, Display, Language
        w.press("down")
    w.press("select")
    assert w.navigator.view.screen_id == "setup.language"
    english = w.image.copy()
    target = available()[-1]  # the last language with a catalogue
    for _ in range(available().index(target) if target != "en" else 0):
        w.press("down")
    w.press("select")
    if target == "en":
        return  # only English so far: nothing to switch to
    assert w.language == target
    assert w.image != english
    assert load_config(path).display.language == target
    assert not list(tmp_path.glob(".config.toml.*"))  # no temporary file left behind
