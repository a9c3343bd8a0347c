"""The Setup editors and the "Save changes?" question: keys in, text / cursor / value out."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from engine.clock import local_time
from engine.config import RULES, ClockSettings, CommsSettings, MeterConfig, allowed
from hmi.clock_editing import (
    DATE,
    TIME,
    DateEditor,
    TimeEditor,
    clock_adjust,
    clock_editor,
    date_order,
)
from hmi.editing import (
    CANCELLED,
    NO,
    OK,
    OUT_OF_RANGE,
    YES,
    BoolEditor,
    ChoiceEditor,
    Confirmation,
    IpEditor,
    NumericEditor,
    Refused,
    TextEditor,
    apply,
    editor_for,
)

CONFIG = MeterConfig()
ROOT = Path(__file__).resolve().parents[2]


def press(editor, *actions: str) -> None:
    for action in actions:
        editor.press(action)


def concrete(key: str) -> str:
    """A RULES key as the panel edits it (channel settings name a channel)."""
    return key.replace("meter.channels.", "meter.channels.V1.")


def expected_kind(key: str) -> type:
    """The editor the meter uses for a setting, from what the rule says it accepts."""
    rule = RULES[key]
    if rule.choices:
        return ChoiceEditor
    if rule.kind is bool:
        return BoolEditor
    if key in ("communications.ip", "communications.subnet", "communications.gateway"):
        return IpEditor
    if rule.kind is str and key != "security.password":
        return TextEditor
    return NumericEditor


# -- every setting has its editor ----------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(RULES))
def test_every_setting_gets_an_editor_of_the_right_kind(key):
    editor = editor_for(concrete(key), CONFIG)
    assert type(editor) is expected_kind(key)
    result = editor.commit()  # untouched: the stored value, unchanged
    assert (result.status, result.changed) == (OK, False)
    applied = apply(CONFIG, concrete(key), result.value)
    if key != "meter.demand_current":  # None there: "follow the CT primary", shown as its value
        assert applied == CONFIG


@pytest.mark.parametrize("key", sorted(k for k in RULES if expected_kind(k) is NumericEditor))
def test_numeric_fields_reach_the_rule_maximum_and_start_on_the_last_integer_digit(key):
    editor = editor_for(concrete(key), CONFIG)
    rule = RULES[key]
    whole = editor.digits - editor.decimals
    assert 10**whole - 10**-editor.decimals >= (rule.high if rule.high is not None else 999_999)
    assert editor.signed == (rule.low is not None and rule.low < 0)
    assert editor.text[editor.cursor].isdigit()
    assert editor.text[editor.cursor + 1 :][:1] in ("", ".")


def test_template_channel_keys_and_unknown_keys_are_refused():
    for key in ("meter.channels.inverted", "meter.channels.X9.inverted", "meter.nonsense"):
        with pytest.raises(KeyError):
            editor_for(key, CONFIG)


# -- the digit-by-digit editor -------------------------------------------------------------------


def test_digits_wrap_without_carry_and_the_cursor_wraps_round_the_field():
    editor = NumericEditor(190.5, digits=5, decimals=1, minimum=0, maximum=9999.9)
    assert (editor.text, editor.cursor) == ("0190.5", 3)  # the last integer digit
    editor.press("up")
    assert editor.text == "0191.5"
    press(editor, "left", "up")  # 9 -> 0 and the hundreds digit stays 1: no carry
    assert (editor.text, editor.cursor) == ("0101.5", 2)
    press(editor, "left", "left", "down")  # 0 -> 9 at the first digit
    assert (editor.text, editor.cursor) == ("9101.5", 0)
    editor.press("left")  # round to the last digit, past the point
    assert editor.cursor == 5
    editor.press("right")
    assert editor.cursor == 0
    assert editor.value == pytest.approx(9101.5)


def test_the_sign_cell_toggles_and_the_value_is_negative():
    editor = editor_for("clock.tz_offset", CONFIG)  # -720 .. 840 min
    assert (editor.text, editor.cursor) == ("+000", 3)
    press(editor, "up", "left", "up", "up", "up", "left", "left", "down")
    assert (editor.text, editor.cursor) == ("-031", 0)
    result = editor.commit()
    assert (result.status, result.value, result.changed) == (OK, -31, True)
    assert type(result.value) is int
    assert apply(CONFIG, "clock.tz_offset", result.value).clock.tz_offset == -31


def test_out_of_range_keeps_the_old_value_and_states_the_range():
    editor = editor_for("display.contrast", CONFIG)  # 50 %, 0 .. 100
    press(editor, "left", "left", "up")
    assert editor.text == "150"
    result = editor.commit()
    assert (result.status, result.value) == (OUT_OF_RANGE, 50)
    assert result.message == allowed("display.contrast") == "a whole number from 0 to 100 %"
    assert editor.text == "050"  # the field shows the value that stays


def test_zero_is_refused_where_the_rule_wants_a_number_above_zero():
    editor = editor_for("meter.ct_primary", CONFIG)
    press(editor, *["down"] * 5)
    assert editor.text == "000000"
    result = editor.commit()
    assert (result.status, result.value, result.message) == (OUT_OF_RANGE, 5.0, "a number > 0")


def test_the_ct_primary_from_5_to_200_by_digit_presses():
    config = MeterConfig()
    editor = editor_for("meter.ct_primary", config)
    assert (editor.text, editor.cursor) == ("000005", 5)
    press(editor, *["down"] * 5)  # units 5 -> 0
    press(editor, "left", "left", "up", "up")  # hundreds 0 -> 2
    assert editor.text == "000200"
    result = editor.commit()
    assert (result.status, result.value, result.changed) == (OK, 200.0, True)
    assert Confirmation().select() is True  # "Save changes?" Yes
    new = apply(config, "meter.ct_primary", result.value)
    assert new.ct_primary == 200 and new.ct_ratio == 40
    assert config.ct_primary == 5  # the old configuration is untouched (frozen)


def test_cancel_leaves_without_saving():
    editor = editor_for("communications.modbus_tcp_port", CONFIG)
    press(editor, "up", "left", "up")
    assert editor.text == "00513"
    result = editor.cancel()
    assert (result.status, result.value, editor.text) == (CANCELLED, 502, "00502")


def test_a_stored_value_with_more_decimals_widens_the_field_instead_of_rounding():
    config = replace(CONFIG, pt_secondary=63.51)
    editor = editor_for("meter.pt_secondary", config)
    assert editor.text == "000063.51"
    press(editor, "up")
    assert editor.commit().value == pytest.approx(64.51)


def test_a_value_that_does_not_fit_the_field_is_an_error():
    with pytest.raises(ValueError):
        NumericEditor(1000, digits=3, decimals=0, minimum=0, maximum=999)
    with pytest.raises(ValueError):
        NumericEditor(-1, digits=3, decimals=0, minimum=0, maximum=999)


# -- IP addresses, choices, on/off, text ----------------------------------------------------------


def test_ip_editing_skips_the_dots_and_saves_the_address():
    editor = editor_for("communications.ip", CONFIG)
    assert (editor.text, editor.cursor) == ("192.168.001.100", 2)
    editor.press("right")
    assert editor.cursor == 4  # over the dot
    press(editor, "left", "left", "left")
    assert editor.cursor == 0
    editor.press("left")  # round to the last digit
    assert editor.cursor == 14
    editor.press("up")
    result = editor.commit()
    assert (result.status, result.value, result.changed) == (OK, "192.168.1.101", True)
    assert apply(CONFIG, "communications.ip", result.value).communications.ip == "192.168.1.101"


def test_an_octet_above_255_is_refused_with_the_range():
    editor = editor_for("communications.ip", CONFIG)
    press(editor, *["up"] * 4, "left", *["down"] * 4, "left", "up")  # 192 -> 256
    assert editor.text == "256.168.001.100"
    result = editor.commit()
    assert (result.status, result.value) == (OUT_OF_RANGE, "192.168.1.100")
    assert "0 to 255" in result.message
    assert editor.text == "192.168.001.100"


def test_a_subnet_mask_with_a_hole_is_refused_with_the_rule():
    editor = editor_for("communications.subnet", CONFIG)  # 255.255.255.000
    press(editor, *["right"] * 9, "up")  # last octet 000 -> 001
    result = editor.commit()
    assert (result.status, result.message) == (OUT_OF_RANGE, allowed("communications.subnet"))


def test_choices_cycle_with_wrap_and_keep_the_setting_type():
    editor = editor_for("communications.baud", CONFIG)  # 19200
    press(editor, "up", "up", "up")
    assert editor.text == "115200"
    editor.press("up")
    assert editor.text == "2400"  # round to the first
    editor.press("down")
    assert editor.commit().value == 115200
    freq = editor_for("meter.nominal_frequency", CONFIG)
    freq.press("down")
    assert (freq.text, freq.value) == ("60", 60.0) and type(freq.value) is float
    assert freq.press("left") is False  # no cursor
    assert apply(CONFIG, "meter.nominal_frequency", freq.commit().value).nominal_frequency == 60


def test_a_choice_editor_shows_a_stray_stored_value_as_the_first_choice():
    editor = ChoiceEditor(("a", "b"), "zzz")
    assert editor.text == "a"
    assert editor.commit().changed


def test_on_off_toggles():
    editor = editor_for("communications.dhcp", CONFIG)
    assert editor.text == "off"
    editor.press("down")
    assert (editor.text, editor.commit().value) == ("on", True)
    channel = editor_for("meter.channels.I2.inverted", CONFIG)
    channel.press("up")
    new = apply(CONFIG, "meter.channels.I2.inverted", channel.commit().value)
    assert new.channels["I2"].inverted and not new.channels["I1"].inverted


def test_text_is_edited_character_by_character():
    editor = editor_for("nameplate.tag", CONFIG)
    press(editor, "up", "right", "up", "up")
    assert editor.text.startswith("AB ")
    assert editor.commit().value == "AB"


# -- applying, and the confirmation --------------------------------------------------------------


def test_apply_turns_a_bad_value_into_a_refusal_with_the_message():
    with pytest.raises(Refused, match=r"display\.contrast: must be a whole number from 0 to 100"):
        apply(CONFIG, "display.contrast", 150)
    with pytest.raises(Refused, match="divides"):
        apply(CONFIG, "demand.interval", 7)  # the demand interval must divide 24 h
    assert apply(CONFIG, "demand.interval", 300).demand.interval == 300
    assert isinstance(Refused("x"), ValueError)


def test_the_password_is_edited_as_digits_and_stored_as_text():
    editor = editor_for("security.password", CONFIG)
    press(editor, "up", "left", "up", "up")
    result = editor.commit()
    assert (result.value, result.changed) == ("21", True)
    assert apply(CONFIG, "security.password", result.value).security.password == "21"


def test_the_demand_current_starts_from_the_ct_primary_it_follows():
    config = replace(CONFIG, ct_primary=400.0, communications=CommsSettings())
    assert editor_for("meter.demand_current", config).text == "000400"


def test_save_confirmation_starts_on_yes_and_toggles():
    ask = Confirmation()
    assert (ask.question_key, ask.answer_key, ask.answer) == ("edit.save_changes", YES, None)
    assert ask.press("down") is True and ask.answer_key == NO
    assert ask.press("left") is False
    assert ask.select() is False and ask.answer is False
    ask.press("up")
    assert ask.select() is True


def test_reset_confirmation_starts_on_no_and_cancel_means_no():
    ask = Confirmation.for_reset("energy")
    assert (ask.question_key, ask.answer_key) == ("edit.reset_energy", NO)
    ask.press("up")
    assert ask.cancel() is False and ask.answer is False


def test_an_editor_takes_only_the_arrow_actions():
    with pytest.raises(ValueError):
        BoolEditor(True).press("select")


# -- layering -----------------------------------------------------------------------------------


def test_editors_and_gate_need_no_qt_and_read_no_clock():
    code = (
        "import sys, hmi.editing, hmi.password\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'shiboken6'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    for name in ("editing.py", "password.py"):
        tree = ast.parse((ROOT / "hmi" / name).read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        assert not imported & {"time", "datetime", "PySide6"}, name


# -- the date and time editors (Date & Time Setup) -----------------------------------------------

SOURCE = datetime(2026, 1, 31, 22, 30, 15, 600_000, tzinfo=UTC)


def test_a_date_is_edited_digit_by_digit_the_separators_skipped():
    editor = DateEditor(date(2026, 1, 31))
    assert (editor.text, editor.cursor) == ("2026-01-31", 3)  # the year's last digit
    press(editor, "up", "left", "left", "left", "left")  # 2027, round to the day's last digit
    assert (editor.text, editor.cursor) == ("2027-01-31", 9)
    press(editor, "left", "left")  # past the "-" to the month's last digit
    assert editor.cursor == 6
    press(editor, "up", "up", "right", "right")  # March; ► skips the "-" too
    assert (editor.text, editor.cursor) == ("2027-03-31", 9)
    result = editor.commit()
    assert (result.status, result.value, result.changed) == (OK, date(2027, 3, 31), True)


@pytest.mark.parametrize(
    ("date_format", "shown", "cursor"),
    [("DD/MM/YYYY", "31/01/2026", 1), ("MM/DD/YYYY", "01/31/2026", 1),
     ("YYYY-MM-DD", "2026-01-31", 3), ("YYYY/MM/DD", "2026/01/31", 3),
     ("DD.MM.YY", "2026-01-31", 3)],  # not three known fields: edited as ISO
)  # fmt: skip
def test_a_date_is_edited_in_the_configured_order(date_format, shown, cursor):
    editor = DateEditor(date(2026, 1, 31), date_format=date_format)
    assert (editor.text, editor.cursor) == (shown, cursor)
    assert date_order(date_format)[0] in (("DD", "MM", "YYYY"), ("MM", "DD", "YYYY"),
                                          ("YYYY", "MM", "DD"))  # fmt: skip


def test_an_impossible_date_is_refused_and_the_old_one_kept():
    editor = DateEditor(date(2026, 1, 31), date_format="DD/MM/YYYY", years=(2017, 2035))
    press(editor, "right", "right", "up")  # the month's last digit: 31/02/2026
    assert editor.text == "31/02/2026" and editor.value is None
    result = editor.commit()
    assert (result.status, result.value) == (OUT_OF_RANGE, date(2026, 1, 31))
    assert editor.text == "31/01/2026" and "exists" in result.message
    leap = DateEditor(date(2028, 2, 28))
    press(leap, "left", "left", "left", "left", "up")  # 2028-02-29: a leap year
    assert leap.commit().value == date(2028, 2, 29)
    press(leap, "left", "up")  # 2028-02-39
    assert leap.commit().status == OUT_OF_RANGE
    outside = DateEditor(date(2026, 1, 31), years=(2017, 2035))
    press(outside, "left", "up")  # 2036
    refused = outside.commit()
    assert refused.status == OUT_OF_RANGE and "2017 to 2035" in refused.message


def test_a_time_is_edited_as_24_h_and_25_h_is_refused():
    editor = TimeEditor(time(9, 5, 7, 400_000))
    assert (editor.text, editor.cursor) == ("09:05:07", 1)
    press(editor, "left", "up", "up")  # 29:05:07
    assert editor.value is None
    result = editor.commit()
    assert (result.status, result.value, editor.text) == (OUT_OF_RANGE, time(9, 5, 7), "09:05:07")
    assert result.message == TimeEditor.RANGE
    press(editor, "left", "down", "down", "down", "down")  # 09:05:03 (07 -> 03)
    assert (editor.text, editor.cursor) == ("09:05:03", 7)
    press(editor, "left", "up", "up", "up", "up", "up", "up")  # 09:05:63: no such second
    assert editor.commit().status == OUT_OF_RANGE and editor.text == "09:05:07"
    press(editor, "left", "up", "up", "up", "right", "right", "down")  # 09:08:06
    assert editor.commit().value == time(9, 8, 6)


def test_the_clock_editors_start_at_the_local_clock():
    config = replace(CONFIG, clock=ClockSettings(tz_offset=120, dst_offset=60, adjust=-7_200),
                     display=replace(CONFIG.display, date_format="DD/MM/YYYY"))  # fmt: skip
    # 22:30:15 UTC + 3 h - 2 h = 23:30:15 on 31 January.
    date_editor = clock_editor(DATE, config, SOURCE)
    assert (date_editor.text, date_editor.years) == ("31/01/2026", (2017, 2035))
    assert clock_editor(TIME, config, SOURCE).text == "23:30:15"
    assert isinstance(editor_for(DATE, CONFIG), DateEditor)  # without a time: the epoch
    assert editor_for(TIME, CONFIG).text == "00:00:00"


def test_the_clock_setting_makes_the_clock_read_what_was_entered():
    config = replace(CONFIG, clock=ClockSettings(tz_offset=120, dst_offset=60, adjust=-7_200))
    # A new date keeps the time of day (23:30:15 local), a new time keeps the date.
    adjust = clock_adjust(DATE, date(2026, 2, 1), config, SOURCE)
    clock = replace(config.clock, adjust=adjust)
    assert local_time(SOURCE, clock).replace(tzinfo=None) == datetime(2026, 2, 1, 23, 30, 15,
                                                                      600_000)  # fmt: skip
    adjust = clock_adjust(TIME, time(6, 0, 0), config, SOURCE)
    clock = replace(config.clock, adjust=adjust)
    assert local_time(SOURCE, clock).replace(tzinfo=None) == datetime(2026, 1, 31, 6, 0, 0,
                                                                      600_000)  # fmt: skip
    assert adjust == -(17 * 3600 + 30 * 60 + 15) - 7_200 + 0  # 23:30:15 -> 06:00:00, was -2 h
    applied = apply(config, "clock.adjust", adjust)
    assert applied.clock.adjust == adjust and applied.clock.tz_offset == 120


def test_clock_editing_needs_no_qt_and_reads_no_clock():
    code = "import sys, hmi.clock_editing\nprint('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    tree = ast.parse((ROOT / "hmi" / "clock_editing.py").read_text(encoding="utf-8"))
    called = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not called & {"now", "today", "utcnow", "time_ns", "monotonic"}
