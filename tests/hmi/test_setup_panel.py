"""Editing the Setup from the panel (issue 5), driven through the buttons only: bezel clicks and
key names through ``MainWindow.press``. The engine is a real ``Meter`` fed by the simulator at
the meter's terminals (``Scenario(scale="secondary")``: 100 A primary through 200:5 A CTs), one
block at a time so that "within a display update" is exact; one test runs it in its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from panel import (
    DISPLAY_UPDATE,
    SECONDARY,
    Recording,
    clicker,
    keys,
    open_window,
    shown,
    to_meter_setup,
    tr,
)
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics, QImage, QPainter

from engine.config import DisplaySettings, MeterConfig, SecuritySettings, load_config
from engine.meter import Meter
from engine.snapshot import Snapshot
from engine.sources.simulated import SimulatedSource
from hmi.bridge import EngineBridge
from hmi.setup_controller import (
    CHOICE_KEYS,
    DIGIT_KEYS,
    MESSAGE_KEYS,
    MESSAGE_SECONDS,
    Overlay,
    Range,
)
from hmi.window import MainWindow, status_of
from i18n import LANGUAGES, translator
from screens import registry, textfit
from screens.base import Context, Status
from screens.canvas import BODY, HEIGHT, TITLE_HEIGHT, WIDTH, font
from screens.editing import EditingScreen
from screens.formats import format_date, format_stamp, format_time
from screens.titlebar import TITLE, draw_title_bar
from screens.widgets import LIST


@pytest.fixture
def asked(monkeypatch) -> Recording:
    recording = Recording()
    monkeypatch.setattr("hmi.window.translator", lambda language: recording)
    return recording


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "meter.toml"


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
    press("home", "up", "select", "up", "up", "up", "select")  # Setup > Password Setup
    press("down", "soft3")  # ✎ on Security: set up in ION Setup, not from the panel
    assert "edit.not_editable" in shown(asked, window)
    clock.now += MESSAGE_SECONDS
    assert "edit.not_editable" not in shown(asked, window)
    assert window.setup.overlay is None


# -- the date and time (Setup > Date & Time), and the title-bar clock ---------------------------


def to_datetime_setup(press: Callable[..., None]) -> None:
    """Home -> Setup -> Date & Time Setup (rows: Date, Time, Time/Date Format, TZ, DST)."""
    press("home", "up", "select", "down", "down", "down", "select")


def enter(window: MainWindow, press: Callable[..., None], wanted: str) -> None:
    """Type ``wanted`` into the open digit field with the panel's keys, as an operator does:
    ▲ until the highlighted cell reads right, then ◄ (round the field) to the next cell."""
    cells = sum(c.isdigit() or c in "+-" for c in wanted)
    for _ in range(cells):
        overlay = window.setup.overlay
        i = overlay.cursor
        if wanted[i].isdigit():
            press(*["soft1"] * ((int(wanted[i]) - int(overlay.text[i])) % 10))
        elif wanted[i] != overlay.text[i]:
            press("soft1")  # the sign cell: ▲ toggles
        press("soft4")
    assert window.setup.overlay.text == wanted


def reads(window: MainWindow, when: datetime) -> bool:
    """Whether the TFT's title bar shows the clock ``when`` (wall-clock time): its clock area
    is compared with a title bar drawn with that clock."""
    window.refresh()
    expected = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(expected)
    draw_title_bar(painter, "", Context(tr, window.config, Status(clock=when)))
    painter.end()
    settings = window.config.display
    lines = (format_date(when, settings), format_time(when, settings, tr))
    width = max(QFontMetrics(font(TITLE.clock_px)).horizontalAdvance(t) for t in lines)
    area = QRect(WIDTH - TITLE.pad - width - 2, 0, width + 2 + TITLE.pad, TITLE_HEIGHT)
    return window.image.copy(area) == expected.copy(area)


def wall(when: datetime) -> datetime:
    """``when`` [UTC] as the wall-clock time of a meter with no offsets, to the second."""
    return when.replace(tzinfo=None, microsecond=0)


def test_date_and_time_set_digit_by_digit_show_in_the_title_bar_and_survive_a_restart(
    qtbot, path, asked
):
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    source = bridge.snapshot().time
    to_datetime_setup(press)
    assert reads(window, wall(source)) and not reads(window, wall(source) + timedelta(seconds=1))
    press("soft3", "soft3")  # ✎ Date, password 0
    assert window.setup.overlay.text == wall(source).strftime("%Y-%m-%d")
    enter(window, press, "2027-03-15")
    press("soft3")  # ✓
    assert {"edit.save_changes", "edit.yes"} <= set(shown(asked, window))
    press("soft3")  # Yes
    assert reads(window, datetime.combine(date(2027, 3, 15), wall(source).time()))
    press("down", "soft3")  # ✎ Time (the password is still valid)
    enter(window, press, "13:45:30")
    press("soft3", "soft3")  # ✓, Yes
    entered = datetime(2027, 3, 15, 13, 45, 30)
    assert reads(window, entered)
    bridge.advance(2.0)  # the clock runs on with the source
    assert reads(window, entered + timedelta(seconds=2))
    # A stamp from the engine (source time) reads on the same clock as the title bar.
    now = status_of(bridge.snapshot(), clock=window.config.clock).clock
    assert format_stamp(bridge.snapshot().time, window.config.display, tr, now) == (
        "2027-03-15 13:45:32"
    )

    adjust = round((entered - wall(source)).total_seconds())
    assert window.config.clock.adjust == adjust and load_config(path).clock.adjust == adjust
    # A restart reads the setting from the file: the source starts again at its start time,
    # the clock at the time entered.
    again, _again_bridge, _ = open_window(qtbot, load_config(path), path)
    assert again.config.clock.adjust == adjust and reads(again, entered)


def test_tz_and_dst_offsets_move_the_clock_by_exactly_their_minutes(qtbot, path):
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    source = wall(bridge.snapshot().time)
    to_datetime_setup(press)
    press(*["down"] * 4, "soft3", "soft3")  # TZ Offset, ✎, password 0
    enter(window, press, "-330")
    press("soft3", "soft3")  # ✓, Yes
    assert reads(window, source - timedelta(minutes=330))
    press("down", "soft3")  # DST Offset, ✎
    enter(window, press, "+060")
    press("soft3", "soft3")
    assert reads(window, source - timedelta(minutes=270))
    saved = load_config(path).clock
    assert (saved.tz_offset, saved.dst_offset, saved.adjust) == (-330, 60, 0)


def test_an_impossible_date_or_time_is_refused_and_the_old_value_kept(qtbot, path, asked):
    window, bridge, _clock = open_window(qtbot, MeterConfig(), path)
    press = keys(window)
    today = wall(bridge.snapshot().time)
    to_datetime_setup(press)
    press("soft3", "soft3")  # ✎ Date, password 0
    enter(window, press, f"{today.year}-02-30")
    press("soft3")  # ✓
    assert {"edit.out_of_range", "edit.range.date"} <= set(shown(asked, window))
    assert window.setup.overlay.text == today.strftime("%Y-%m-%d")  # the old date is back
    press("soft3")  # ✓ unchanged: closed, nothing saved
    assert window.setup.overlay is None and not path.exists() and reads(window, today)
    press("down", "soft3")  # ✎ Time
    enter(window, press, "25" + window.setup.overlay.text[2:])
    press("soft3")
    assert {"edit.out_of_range", "edit.range.time"} <= set(shown(asked, window))
    assert window.config.clock.adjust == 0 and not path.exists()


def test_the_clock_cannot_be_set_before_the_source_gives_a_time(qtbot, path, asked):
    class Silent:  # a source that has delivered no data yet
        def snapshot(self) -> Snapshot:
            return Snapshot(datetime(2026, 1, 1, tzinfo=UTC))

    window, _bridge, _clock = open_window(qtbot, MeterConfig(), path, Silent())
    press = keys(window)
    to_datetime_setup(press)
    press("soft3", "soft3")  # ✎ Date, password 0
    assert "edit.no_clock" in shown(asked, window)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_clock_editing_strings_fit(qapp, language):
    config = MeterConfig(display=DisplaySettings(language=language, date_format="DD/MM/YYYY"))
    ctx = Context(translator(language), config, Status(clock=datetime(2026, 12, 31, 23, 59)))
    screen = registry.get("setup.datetime")
    overlays = (
        Overlay("editor", DIGIT_KEYS, "clock.date", "31/02/2026", 1,
                message_key="edit.out_of_range", range=Range("date", 2017, 2035)),
        Overlay("editor", DIGIT_KEYS, "clock.time", "25:00:00", 1,
                message_key="edit.out_of_range", range=Range("time")),
        Overlay("confirm", CHOICE_KEYS, "clock.date", value="31/12/2035",
                message_key="edit.save_changes"),
        Overlay("message", MESSAGE_KEYS, message_key="edit.no_clock"),
    )  # fmt: skip
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    with textfit.collecting() as overflows:
        for overlay in overlays:
            painter = QPainter(image)
            EditingScreen(screen, overlay).render(painter, Snapshot(ctx.status.clock), ctx)
            painter.end()
    assert not overflows, [(o.text, o.needed, o.available) for o in overflows]
