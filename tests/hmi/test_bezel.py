"""The bezel widget and the key mapping (offscreen Qt)."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QImage, QKeyEvent

from hmi.bezel import LAYOUT, LEDS, SOFT_KEYS, Bezel
from hmi.keys import LONG_PRESS, KeyInput, PressTimer, key_name
from hmi.leds import LedPanel
from screens.canvas import HEIGHT, WIDTH


@pytest.fixture
def bezel(qtbot):
    b = Bezel(scale=2)
    qtbot.addWidget(b)
    return b


def region(image: QImage, rect: QRect) -> list[int]:
    """The pixels of ``rect`` in ``image``, row by row."""
    xs, ys = range(rect.left(), rect.right() + 1), range(rect.top(), rect.bottom() + 1)
    return [image.pixel(x, y) for y in ys for x in xs]


def mean_red(pixels: list[int]) -> float:
    return sum(p >> 16 & 0xFF for p in pixels) / len(pixels)


def brightness(image: QImage, rect: QRect) -> float:
    pixels = region(image, rect)
    return sum((p >> 16 & 0xFF) + (p >> 8 & 0xFF) + (p & 0xFF) for p in pixels) / 3 / len(pixels)


def halves(rect: QRect) -> tuple[QRect, QRect]:
    w = rect.width() // 2
    return QRect(rect.left(), rect.top(), w, rect.height()), rect.adjusted(w, 0, 0, 0)


# -- geometry ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_face_is_96_mm_square_at_the_tfts_scale(qtbot, scale):
    b = Bezel(scale)
    qtbot.addWidget(b)
    px_per_mm = WIDTH * scale / LAYOUT.tft_width
    assert b.width() == b.height() == round(96 * px_per_mm)
    assert (b.tft.width(), b.tft.height()) == (WIDTH * scale, HEIGHT * scale)
    tft = b.tft.geometry()
    assert abs(tft.left() - (b.width() - tft.left() - tft.width())) <= 2  # centred
    assert tft.top() > 0
    assert tft.bottom() < b.height() * 0.7


def test_controls_sit_where_a_user_expects_them_and_never_overlap(bezel):
    tft = bezel.tft.geometry()
    keys = [bezel.buttons[k].geometry() for k in SOFT_KEYS]
    quarter = tft.width() / 4
    for i, key in enumerate(keys):  # each soft key under its quarter of the TFT
        assert key.top() > tft.bottom()
        assert abs(key.center().x() - (tft.left() + (i + 0.5) * quarter)) <= 1
    home = bezel.buttons["home"].geometry()
    assert home.top() > max(k.bottom() for k in keys) and home.left() < tft.left()
    parts = [tft, *keys, home, *(led.geometry() for led in bezel.leds.values())]
    parts.append(bezel.port_rect().toAlignedRect())
    parts.append(bezel.lock_rect().toAlignedRect())
    parts += [bezel.switch.geometry(), bezel.power_button.geometry()]
    parts += [r.toAlignedRect() for r in bezel.switch_legends()]
    face = bezel.rect()
    assert all(face.contains(p) for p in parts)
    for a, b in itertools.combinations(parts, 2):
        assert not a.intersects(b), (a, b)


def test_every_control_has_a_tooltip(bezel):
    assert bezel.buttons["soft1"].toolTip() == "Soft key 1 (F1)"
    assert bezel.buttons["soft4"].toolTip() == "Soft key 4 (F4)"
    assert bezel.buttons["home"].toolTip() == "Home (Home key; hold for NORM/ALT)"
    assert bezel.leds["alarm"].toolTip().startswith("Alarm LED")
    assert all(led.toolTip() for led in bezel.leds.values())
    assert "infrared" in bezel.leds["watt_ir"].toolTip()
    assert bezel.tooltip_at(bezel.port_rect().center()).startswith("Optical port")
    assert bezel.tooltip_at(bezel.lock_rect().center()).endswith("unlocked")
    bezel.set_locked(True)
    assert bezel.tooltip_at(bezel.lock_rect().center()).endswith(": locked")
    assert bezel.tooltip_at(QPointF(2, 2)) is None
    switch = "Revenue lock switch (applies at the next power cycle)"
    assert bezel.switch.toolTip() == switch
    assert all(bezel.tooltip_at(r.center()) == switch for r in bezel.switch_legends())
    assert bezel.power_button.toolTip().startswith("Power cycle the meter")


# -- buttons and LEDs ----------------------------------------------------------------------------


def test_clicking_a_soft_key_reports_press_and_release(bezel, qtbot):
    pressed, released = [], []
    bezel.pressed.connect(pressed.append)
    bezel.released.connect(released.append)
    qtbot.mouseClick(bezel.buttons["soft3"], Qt.MouseButton.LeftButton)
    assert pressed == released == ["soft3"]
    qtbot.mousePress(bezel.buttons["home"], Qt.MouseButton.LeftButton)
    assert pressed[-1] == "home" and released == ["soft3"]  # still held
    qtbot.mouseRelease(bezel.buttons["home"], Qt.MouseButton.LeftButton)
    assert released[-1] == "home"


def test_a_lit_led_shows_on_the_face(bezel):
    rect = bezel.leds["alarm"].geometry()
    dark = region(bezel.grab().toImage(), rect)
    bezel.set_led("alarm", "red")
    lit = region(bezel.grab().toImage(), rect)
    assert lit != dark
    reds = [p for p in lit if (p >> 16 & 0xFF) > 200 and (p >> 8 & 0xFF) < 120]
    assert len(reds) > len(lit) // 4
    bezel.set_led("alarm", None)
    assert region(bezel.grab().toImage(), rect) == dark
    others = [n for n in bezel.leds if n != "alarm"]
    assert all(bezel.leds[n].colour is None for n in others)  # only the one asked for


def test_infrared_led_lights_dark_red(bezel):
    dark = mean_red(region(bezel.grab().toImage(), bezel.leds["watt_ir"].geometry()))
    bezel.set_led("watt", "red")
    bezel.set_led("watt_ir", "red")
    image = bezel.grab().toImage()
    visible = mean_red(region(image, bezel.leds["watt"].geometry()))
    infrared = mean_red(region(image, bezel.leds["watt_ir"].geometry()))
    assert visible > infrared + 30 and infrared > dark + 30


def test_lock_indicator_follows_the_lock(bezel):
    rect = bezel.lock_rect().toAlignedRect()
    unlocked = region(bezel.grab().toImage(), rect)
    bezel.set_locked(True)
    locked = region(bezel.grab().toImage(), rect)
    assert locked != unlocked
    greens = [p for p in locked if (p >> 8 & 0xFF) > 180 and (p >> 16 & 0xFF) < 120]
    assert greens


def test_led_names_are_unique():
    assert len({spec.name for spec in LEDS}) == len(LEDS) == 7


# -- keys ----------------------------------------------------------------------------------------


def test_keyboard_mapping():
    keys = Qt.Key
    assert [key_name(k) for k in (keys.Key_F1, keys.Key_F2, keys.Key_F3, keys.Key_F4)] == [
        "soft1", "soft2", "soft3", "soft4",
    ]  # fmt: skip
    assert key_name(keys.Key_Home) == "home"
    assert key_name(keys.Key_Escape) == "back"
    assert [key_name(k) for k in (keys.Key_Up, keys.Key_Down, keys.Key_Left, keys.Key_Right)] == [
        "up", "down", "left", "right",
    ]  # fmt: skip
    assert key_name(keys.Key_Return) == key_name(keys.Key_Enter) == "select"
    assert key_name(keys.Key_PageDown) == "more"
    assert key_name(keys.Key_A) is None and key_name(0x7FFFFFFF) is None


def test_short_and_long_press_on_exact_times():
    timer = PressTimer()
    assert timer.press("soft2", 0.0) == "soft2"  # plain keys go on press
    assert timer.release("soft2", 0.1) is None
    assert timer.press("home", 1.0) is None  # Home waits: short or long?
    assert timer.due(2.0) == [] and timer.release("home", 2.0) == "home"
    timer.press("home", 5.0)
    assert timer.deadline() == 5.0 + LONG_PRESS
    assert timer.due(5.0 + LONG_PRESS - 0.01) == []
    assert timer.due(5.0 + LONG_PRESS) == ["home_long"]  # while still held
    assert timer.due(9.0) == [] and timer.release("home", 9.0) is None  # sent once only
    timer.press("home", 10.0)
    assert timer.release("home", 10.0 + LONG_PRESS + 0.2) == "home_long"  # nobody asked due()
    assert timer.release("home", 20.0) is None  # a release without a press


def test_key_input_sends_the_long_form_while_held(qtbot):
    keys = KeyInput(long_press=0.1)
    sent: list[str] = []
    keys.key.connect(sent.append)
    keys.press("home")
    assert sent == []
    qtbot.waitUntil(lambda: sent == ["home_long"], timeout=1000)
    keys.release("home")
    assert sent == ["home_long"]


def test_key_input_ignores_keyboard_auto_repeat(qtbot):
    now = [0.0]
    keys = KeyInput(clock=lambda: now[0])
    sent: list[str] = []
    keys.key.connect(sent.append)

    def event(kind, key, repeat=False):
        t = QEvent.Type.KeyPress if kind == "press" else QEvent.Type.KeyRelease
        return QKeyEvent(t, key, Qt.KeyboardModifier.NoModifier, "", repeat)

    assert keys.key_event(event("press", Qt.Key.Key_Up), pressed=True)
    assert keys.key_event(event("press", Qt.Key.Key_Up, repeat=True), pressed=True)
    assert keys.key_event(event("release", Qt.Key.Key_Up), pressed=False)
    assert not keys.key_event(event("press", Qt.Key.Key_A), pressed=True)
    assert sent == ["up"]
    keys.key_event(event("press", Qt.Key.Key_Home), pressed=True)
    now[0] = 1.0  # auto-repeat while held: ignored
    keys.key_event(event("release", Qt.Key.Key_Home, repeat=True), pressed=False)
    keys.key_event(event("press", Qt.Key.Key_Home, repeat=True), pressed=True)
    assert sent == ["up"]
    now[0] = 2.5
    keys.key_event(event("release", Qt.Key.Key_Home), pressed=False)
    assert sent == ["up", "home_long"]


# -- revenue-lock switch and power cycle ---------------------------------------------------------


def test_the_lock_switch_sits_under_the_lock_led_with_the_power_button_beside_it(bezel):
    led, switch = bezel.leds["lock"].geometry(), bezel.switch.geometry()
    assert switch.top() > bezel.lock_rect().bottom()
    assert abs(switch.center().x() - led.center().x()) <= 1
    assert switch.width() > 2 * switch.height()  # a slide switch, big enough to hit
    assert switch.height() >= 0.025 * bezel.height()
    power = bezel.power_button.geometry()
    assert power.left() > switch.right() and abs(power.center().y() - switch.center().y()) <= 1


def test_clicking_the_switch_emits_its_new_position_and_moves_the_knob(bezel, qtbot):
    moves: list[bool] = []
    bezel.lock_switch.connect(moves.append)
    left, right = halves(bezel.switch.geometry())
    image = bezel.grab().toImage()
    assert brightness(image, left) > brightness(image, right) + 40  # knob left: unlocked
    qtbot.mouseClick(bezel.switch, Qt.MouseButton.LeftButton)
    assert moves == [True] and bezel.lock_switch_position and bezel.lock_action.isChecked()
    image = bezel.grab().toImage()
    assert brightness(image, right) > brightness(image, left) + 40  # knob right: lock
    qtbot.mouseClick(bezel.switch, Qt.MouseButton.LeftButton)
    assert moves == [True, False] and not bezel.lock_switch_position


def test_set_lock_switch_moves_the_switch_without_a_signal(bezel):
    moves: list[bool] = []
    bezel.lock_switch.connect(moves.append)
    before = region(bezel.grab().toImage(), bezel.switch.geometry())
    bezel.set_lock_switch(True)
    assert bezel.lock_switch_position and bezel.lock_action.isChecked() and moves == []
    assert region(bezel.grab().toImage(), bezel.switch.geometry()) != before
    bezel.set_lock_switch(False)
    assert region(bezel.grab().toImage(), bezel.switch.geometry()) == before


def test_power_button_and_context_menu_actions(bezel, qtbot):
    cycles: list[bool] = []
    moves: list[bool] = []
    bezel.power_cycle.connect(lambda: cycles.append(True))
    bezel.lock_switch.connect(moves.append)
    qtbot.mouseClick(bezel.power_button, Qt.MouseButton.LeftButton)
    assert cycles == [True]
    assert bezel.actions() == [bezel.power_action, bezel.lock_action]
    assert bezel.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    bezel.power_action.trigger()
    assert cycles == [True, True] and moves == []
    bezel.lock_action.trigger()  # the menu's switch moves the drawn one too
    assert moves == [True] and bezel.lock_switch_position


def lock_led_green(bezel: Bezel) -> bool:
    pixels = region(bezel.grab().toImage(), bezel.leds["lock"].geometry())
    return sum((p >> 8 & 0xFF) > 180 and (p >> 16 & 0xFF) < 150 for p in pixels) > 10


def test_the_lock_led_flashes_while_pending_and_is_steady_after_a_power_cycle(bezel, qtbot):
    now = [0.0]
    panel = LedPanel(kt=1.8, width=0.05)
    bezel.lock_switch.connect(lambda on: panel.lock.request(on, now[0]))
    bezel.power_cycle.connect(panel.lock.power_cycle)

    def lit_at(t: float) -> bool:
        now[0] = t
        for name, colour in panel.states(t).items():
            bezel.set_led(name, colour)
        bezel.set_locked(panel.lock.locked)
        return lock_led_green(bezel)

    assert [lit_at(t) for t in (0.0, 0.5)] == [False, False]  # unlocked: off
    qtbot.mouseClick(bezel.switch, Qt.MouseButton.LeftButton)  # at t = 0.5
    assert [lit_at(t) for t in (0.6, 1.2, 1.6)] == [True, False, True]  # pending: flashing
    assert not bezel.locked  # the padlock waits for the power cycle too
    qtbot.mouseClick(bezel.power_button, Qt.MouseButton.LeftButton)
    assert [lit_at(t) for t in (2.0, 2.2, 2.7, 3.1)] == [True] * 4 and bezel.locked
    qtbot.mouseClick(bezel.switch, Qt.MouseButton.LeftButton)  # unlock: pending again
    assert [lit_at(t) for t in (3.2, 3.8)] == [True, False] and bezel.locked
    bezel.power_action.trigger()
    assert [lit_at(t) for t in (4.0, 4.5)] == [False, False] and not bezel.locked
