"""The main window: the meter's bezel, driven by the navigation and the latest snapshot.

The view follows the model by pulling. A display timer (``settings.update_rate``, 200 ms on the
waveform and phasor screens) reads the latest snapshot, lets the ``Navigator`` tick (auto-scroll,
timeouts) and renders ``view.screen_id`` into the 320 × 240 image; a 50 ms timer drives the
LEDs only. A key (keyboard or bezel button, through ``hmi.keys``) goes to the ``Navigator`` and
the TFT is redrawn at once. The engine runs in its own thread (``hmi.bridge``) and never pushes
into the GUI, so a slow GUI cannot back it up and a busy engine cannot block a paint.

Setup: ✎ on a Setup list (or ✓ on a reset) opens an editing session (``hmi.setup_controller``);
while it is open the keys go to it and its overlay is drawn over the list
(``screens.editing``). Accepted changes go through ``hmi.bridge.MeterLink``: to the running
meter (``source.meter``, when the source has one), the configuration file and back to the
window (display settings, language, pulse LEDs) at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeyEvent, QKeySequence, QPainter
from PySide6.QtWidgets import QLabel, QLayout, QMainWindow, QVBoxLayout, QWidget

from engine.config import MeterConfig
from engine.snapshot import Snapshot
from engine.sources.board.outputs import KyFollower
from hmi.alarm_panel import ALARM_LISTS, AlarmPanel
from hmi.bezel import MODEL, Bezel
from hmi.bridge import MeterLink
from hmi.keys import KeyInput
from hmi.leds import EnergyPulseLed, LedPanel
from hmi.navigation import Navigator
from hmi.panel_view import (  # re-exported: they were defined here before the split
    BACKLIGHT_OFF,  # noqa: F401
    Unavailable,
    bell_of,  # noqa: F401
    panel_image,
    registry_lookup,
    report_once,
    source_time,
    status_of,
)
from hmi.setup_controller import SetupController
from i18n import LANGUAGES, available, translator
from screens.base import Context, Screen
from screens.canvas import HEIGHT, WIDTH
from screens.editing import EditingScreen
from screens.setup_lists import RESETS

log = logging.getLogger(__name__)

#: Screens that move faster than the display update rate [ms] (live waveforms and phasors).
FAST_SCREENS = frozenset({"pq.waveform", "pq.phasors"})
FAST_UPDATE_MS = 200
LED_UPDATE_MS = 50

STYLE = """
#panel { background: #202123; }
#fault { color: #ffb347; font-size: 12px; padding: 4px 12px; }
#note { color: #c8d0d8; font-size: 12px; padding: 4px 12px; }
"""
#: How long a note under the bezel stays [ms].
NOTE_MS = 5000
#: The keyboard shortcut of a manual waveform capture (also in the window's context menu).
CAPTURE_SHORTCUT = "F9"


class SnapshotSource(Protocol):
    """Where the window reads the meter from (``EngineBridge``, or a fake in tests)."""

    def snapshot(self) -> Snapshot: ...


class MainWindow(QMainWindow):
    """The bezel with the TFT, buttons and LEDs, reading ``source.snapshot()``.

    ``navigator`` and ``screens`` default to the real ones (``hmi.navigation.Navigator`` and
    ``screens.registry``); ``clock`` [s] to ``time.monotonic``; ``refresh_ms`` fixes the display
    timer (tests), else it follows ``config.display.update_rate`` and the screen shown;
    ``language`` overrides the configuration's; ``config_path`` is where Setup changes are
    saved. ``closed`` is emitted when the window has been closed.
    """

    closed = Signal()

    def __init__(
        self,
        source: SnapshotSource,
        config: MeterConfig | None = None,
        *,
        scale: int = 2,
        language: str | None = None,
        navigator: Navigator | None = None,
        screens: Callable[[str], Screen] = registry_lookup,
        clock: Callable[[], float] = time.monotonic,
        refresh_ms: int | None = None,
        config_path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        config = config or MeterConfig()
        # The display language lives in the configuration (Display Setup), like every setting.
        language = language or config.display.language
        config = replace(config, display=replace(config.display, language=language))
        self.link = MeterLink(config, getattr(source, "meter", None), config_path, self.show_error)
        self.link.listeners.append(self._config_changed)
        # The Date and Time rows set the clock against the time the display shows.
        self.setup = SetupController(self.link, source_time=lambda: source_time(source.snapshot()))
        self.alarm_panel = AlarmPanel()  # an alarm's details over the Alarms lists
        self._tr = translator(language)
        self._screens = screens
        self._clock = clock
        self._fixed_ms = refresh_ms
        now = clock()
        self.navigator = navigator or Navigator(screens, config.display, now=now)
        lock = config.revenue_lock
        self._pulse = (config.pulse_kt, config.pulse_width, config.pulse_source)
        self._ky = KyFollower()  # the board's KY output: pulses sent against the Watt LED's
        self.leds = LedPanel(
            config.pulse_kt, config.pulse_width, now=now, locked=lock.active,
            source=config.pulse_source,
        )  # fmt: skip
        if lock.pending:
            self.leds.lock.request(lock.switch, now)
        self.image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
        self.setWindowTitle(MODEL)
        self.setStyleSheet(STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.bezel = Bezel(scale)
        self.tft = self.bezel.tft
        self.fault = QLabel(objectName="fault", wordWrap=True)
        self.fault.hide()
        self.note = QLabel(objectName="note", wordWrap=True)
        self.note.hide()
        panel = QWidget(objectName="panel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bezel)
        layout.addWidget(self.fault)
        layout.addWidget(self.note)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # the bezel's size
        self.setCentralWidget(panel)

        self.keys = KeyInput(clock=clock, parent=self)
        self.keys.key.connect(self.press)
        self.bezel.pressed.connect(self.keys.press)
        self.bezel.released.connect(self.keys.release)
        self.bezel.set_lock_switch(lock.switch)  # the saved position
        self.bezel.lock_switch.connect(self.set_lock_switch)
        self.bezel.power_cycle.connect(self.power_cycle)

        # A manual waveform capture: F9 or the window's context menu (right click).
        capture = QAction("Capture waveform now", self, shortcut=QKeySequence(CAPTURE_SHORTCUT))
        capture.setToolTip(f"Capture the waveforms of every channel now ({CAPTURE_SHORTCUT})")
        capture.triggered.connect(self.capture_waveform)
        self.addAction(capture)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.note_timer = QTimer(self, singleShot=True, interval=NOTE_MS)
        self.note_timer.timeout.connect(self.note.hide)

        self.timer = QTimer(self, interval=self._interval())
        self.timer.timeout.connect(self.refresh)
        self.led_timer = QTimer(self, interval=LED_UPDATE_MS)
        self.led_timer.timeout.connect(self.update_leds)
        self.refresh()
        self.update_leds()
        self.timer.start()
        self.led_timer.start()

    # -- model -> view ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Display tick: advance the navigation's timers and redraw from the latest snapshot."""
        snapshot, now = self._source.snapshot(), self._clock()
        self.navigator.tick(snapshot, now)
        self.setup.tick(now)
        if self.setup.active and self.navigator.view.screen_id != self.setup.screen_id:
            self.setup.close()  # the display left the list (inactivity): so does the editor
        if self.alarm_panel.open and self.navigator.view.screen_id != self.alarm_panel.screen_id:
            self.alarm_panel.close()
        self.render(snapshot)

    def render(self, snapshot: Snapshot) -> None:
        """Draw the navigator's current screen into ``image`` and show it on the TFT."""
        view = self.navigator.view
        screen = self._screens(view.screen_id)
        if self.alarm_panel.open and view.screen_id == self.alarm_panel.screen_id:
            screen = self.alarm_panel.screen()
        if self.setup.overlay is not None:
            screen = EditingScreen(screen, self.setup.overlay)
        # The padlock follows the lock LED's model, so the icon and the LED cannot disagree.
        mode = "TEST" if "TEST_MODE" in snapshot.flags else view.mode
        status = status_of(snapshot, mode, self.leds.lock.locked, self.config.clock)
        ctx = self.navigator.context(self._tr, self.config, status)
        link = getattr(self._source, "link", None)  # the engine bridge: the board's link, live
        if link is not None:
            ctx = replace(ctx, link=link())
        if not self._draw(screen, snapshot, ctx):
            self._draw(Unavailable(view.screen_id), snapshot, ctx)
        self.tft.set_image(panel_image(self.image, self.config.display, view.backlight))
        interval = self._interval()
        if self.timer.interval() != interval:
            self.timer.setInterval(interval)

    def _draw(self, screen: Screen, snapshot: Snapshot, ctx: Context) -> bool:
        """Paint ``screen`` into ``image``; False (logged once) if it raised: one faulty screen
        must not take the whole display down."""
        painter = QPainter(self.image)
        try:
            screen.render(painter, snapshot, ctx)
            return True
        except Exception:
            report_once(screen.id, "failed to draw")
            return False
        finally:
            painter.end()

    def update_leds(self) -> None:
        """LED tick: feed the latest snapshot to the LED models and light the bezel's LEDs."""
        now = self._clock()
        self.leds.update(self._source.snapshot(), now)
        request = getattr(self._source, "request_outputs", None)
        if request is not None:  # a board's KY output follows the Watt LED's pulses
            pulses = self._ky.due(self.leds.watt.pulses)
            if pulses:
                request(ky_pulses=pulses)
        for name, colour in self.leds.states(now).items():
            self.bezel.set_led(name, colour)
        self.bezel.set_locked(self.leds.lock.locked)

    def _interval(self) -> int:
        """The display timer's period [ms]."""
        if self._fixed_ms is not None:
            return self._fixed_ms
        if self.navigator.view.screen_id in FAST_SCREENS:
            return FAST_UPDATE_MS
        return max(1, round(1000 * self.config.display.update_rate))

    # -- keys ---------------------------------------------------------------------------------

    def press(self, key: str) -> None:
        """A panel key ("soft1".."soft4", "home", "home_long", an action): to the editing
        session while one is open, else to the navigation; redraw at once, so the display
        answers the key without waiting for the next tick."""
        snapshot, now = self._source.snapshot(), self._clock()
        view = self.navigator.view
        if self.setup.active and view.backlight:
            self._navigation_touch(now)
            if self.setup.press(key, now):
                self.render(snapshot)
                return
        elif view.screen_id.startswith("setup."):
            self.setup.touch(now)  # every key in Setup keeps the password valid
        elif self.alarm_panel.open and view.backlight:
            self._navigation_touch(now)
            action = self.alarm_panel.action(key, snapshot)
            if action in ("ack", "ack_all"):
                alarm_id = self.alarm_panel.alarm_id if action == "ack" else None
                self.setup.acknowledge(view.screen_id, alarm_id, now)
            if action != "home":
                self.render(snapshot)
                return
        if self.navigator.press(key, snapshot, now):
            self._carry_out(snapshot, now)
            self.render(snapshot)

    def _carry_out(self, snapshot: Snapshot, now: float) -> None:
        """What a Setup list's ✓ or ✎ asked for (``View.pending_action``)."""
        view = self.navigator.view
        if view.pending_action == "select" and view.screen_id == "setup.language":
            self.set_language(LANGUAGES[view.selection])
        elif view.pending_action == "select" and view.screen_id == "setup.resets":
            self.setup.reset(view.screen_id, RESETS[view.selection], now)
        elif view.pending_action == "select" and view.screen_id == "io.outputs":
            relay = view.selection + 1
            on = relay <= len(snapshot.relays) and snapshot.relays[relay - 1]
            self.setup.force_relay(view.screen_id, relay, not on, now)
        elif view.pending_action == "select" and view.screen_id in ALARM_LISTS:
            record = self._screens(view.screen_id).record(snapshot, view.selection)
            if record is not None:
                self.alarm_panel.show(view.screen_id, record)
        elif view.pending_action == "edit":
            setting = getattr(self._screens(view.screen_id), "setting", None)
            if setting is not None:
                ctx = Context(self._tr, self.config, selection=view.selection)
                self.setup.edit(view.screen_id, setting(snapshot, ctx, view.selection), now)

    def _navigation_touch(self, now: float) -> None:
        """A key went to the editor: the navigation's timers restart as for any key (fakes in
        the tests may not have ``touch``)."""
        touch = getattr(self.navigator, "touch", None)
        if touch is not None:
            touch(now)

    @property
    def config(self) -> MeterConfig:
        """The configuration in force (``link.config``)."""
        return self.link.config

    @property
    def config_path(self) -> Path | None:
        return self.link.path

    @property
    def language(self) -> str:
        return self.config.display.language

    def set_language(self, language: str) -> None:
        """Switch the display language at once, on every screen, and save it in the
        configuration file (if the window has one)."""
        if language not in available():
            self.show_error(f"no catalogue for language {language!r}")
            return
        self.link.change(
            replace(self.config, display=replace(self.config.display, language=language))
        )

    def _config_changed(self, config: MeterConfig) -> None:
        """A Setup change is in force: display settings and the language apply at once."""
        self._tr = translator(config.display.language)
        self.navigator.settings = config.display
        pulse = (config.pulse_kt, config.pulse_width, config.pulse_source)
        if pulse != self._pulse:  # the pulsers start again on the new settings
            self._pulse = pulse
            self.leds.watt = EnergyPulseLed.watt(*pulse)
            self.leds.var = EnergyPulseLed.var(*pulse)

    def set_lock_switch(self, on: bool) -> None:
        """The revenue-lock switch moved: pending (LED flashing) until ``power_cycle``."""
        self.link.set_lock_switch(on)
        self.leds.lock.request(on, self._clock())

    def power_cycle(self) -> None:
        """Emulated power cycle: the lock switch comes into force, test mode and the password
        session end, the display starts again at the default screen."""
        self.link.power_cycle()
        self.leds.lock.power_cycle()
        self.setup.close()
        self.alarm_panel.close()
        self.setup.gate.close()
        self.navigator = Navigator(self._screens, self.config.display, now=self._clock())
        self.render(self._source.snapshot())

    def capture_waveform(self) -> None:
        """Ask the meter for a manual waveform capture; say where it goes, or why not."""
        where = self.link.capture()
        if where is not None:
            self.show_note(f"Waveform capture requested: written to {where} as COMTRADE")

    def show_note(self, message: str) -> None:
        """A passing note under the bezel (not a fault)."""
        self.note.setText(message)
        self.note.show()
        self.note_timer.start()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.keys.key_event(event, pressed=True):
            event.accept()
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if self.keys.key_event(event, pressed=False):
            event.accept()
        else:
            super().keyReleaseEvent(event)

    def stop(self) -> None:
        """Stop the timers (the window no longer reads the source)."""
        self.timer.stop()
        self.led_timer.stop()
        self.keys.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)
        self.closed.emit()

    # -- faults -------------------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        """An engine failure: the status LED flashes red and the message shows under the bezel
        (the last values stay on the TFT, frozen)."""
        self.leds.status.fail(self._clock())
        self.fault.setText(message)
        self.fault.setToolTip(message)
        self.fault.show()
