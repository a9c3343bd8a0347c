"""The password gate (times in s, handed in) and the revenue-lock rules of the panel."""

from __future__ import annotations

import pytest

from engine.config import RULES, MeterConfig, SecuritySettings
from engine.control import MeterControl, RevenueLocked
from hmi.editing import apply
from hmi.password import LOCKED, OK, WRONG, PasswordGate, refused_by_lock, refused_reset

DEFAULT = SecuritySettings()  # password "0", 3 attempts, 5 min lockout, 5 min timeout


def enter(gate: PasswordGate, digits: str) -> str:
    """The digits typed into the gate's editor with ▲ and ◄, as a technician would: the text
    to submit."""
    editor = gate.start()
    for position, digit in enumerate(reversed(digits)):
        if position:
            editor.press("left")
        for _ in range(int(digit)):
            editor.press("up")
    return editor.text


def test_the_entry_is_eight_digits_from_zero_on_the_last_digit():
    editor = PasswordGate(DEFAULT).start()
    assert (editor.text, editor.cursor) == ("00000000", 7)
    assert enter(PasswordGate(DEFAULT), "1234") == "00001234"


def test_the_default_password_is_zero_with_or_without_leading_zeros():
    for text in ("00000000", "0", "000"):
        gate = PasswordGate(DEFAULT)
        assert gate.needed(0.0)
        assert gate.submit(text, 1.0) == OK
        assert not gate.needed(1.0)
    assert PasswordGate(DEFAULT).submit("00000001", 1.0) == WRONG


def test_a_set_password_typed_with_the_editor():
    gate = PasswordGate(SecuritySettings(password="4711"))
    assert gate.submit(enter(gate, "4711"), 10.0) == OK
    other = PasswordGate(SecuritySettings(password="0012"))  # stored with leading zeros
    assert other.submit("00000012", 10.0) == OK


def test_the_password_stays_valid_until_the_timeout_after_the_last_key():
    gate = PasswordGate(DEFAULT)  # 5 min = 300 s
    assert gate.submit("0", 100.0) == OK
    assert not gate.needed(399.9)
    gate.touch(200.0)  # a key in Setup
    assert not gate.needed(499.9)
    assert gate.needed(500.0)  # exactly 300 s after the last key
    gate.touch(500.5)  # a key after the timeout does not reopen the session
    assert gate.needed(501.0)
    assert gate.submit("0", 600.0) == OK and not gate.needed(600.0)


def test_a_timeout_of_its_own_length():
    gate = PasswordGate(SecuritySettings(password_timeout_minutes=1))
    gate.submit("0", 0.0)
    assert not gate.needed(59.99) and gate.needed(60.0)


def test_wrong_passwords_lock_editing_for_the_lockout_time():
    gate = PasswordGate(DEFAULT)  # 3 attempts, 5 min
    assert gate.submit("1", 10.0) == WRONG
    assert gate.submit("2", 11.0) == WRONG and gate.failures == 2
    assert gate.locked_for(11.0) == 0.0
    assert gate.submit("3", 12.0) == LOCKED  # the third failure starts the lockout
    assert gate.locked_for(12.0) == pytest.approx(300.0)
    assert gate.submit("0", 100.0) == LOCKED  # the right password is not even checked
    assert gate.locked_for(100.0) == pytest.approx(212.0)
    assert gate.needed(100.0)
    assert gate.submit("0", 311.999) == LOCKED
    assert gate.locked_for(312.0) == 0.0
    assert gate.submit("0", 312.0) == OK


def test_failures_count_afresh_after_a_lockout_and_after_a_right_password():
    gate = PasswordGate(SecuritySettings(lockout_attempts=2, lockout_minutes=1))
    assert [gate.submit("9", t) for t in (0.0, 1.0)] == [WRONG, LOCKED]
    assert gate.submit("9", 61.0) == WRONG  # the lockout is over: a first failure again
    assert gate.submit("0", 62.0) == OK and gate.failures == 0
    assert gate.submit("9", 63.0) == WRONG  # one failure only, not a lockout


def test_a_wrong_password_closes_an_open_session():
    gate = PasswordGate(DEFAULT)
    gate.submit("0", 0.0)
    assert gate.submit("5", 1.0) == WRONG
    assert gate.needed(1.0)


def test_a_new_password_applies_to_the_next_entry_and_the_session_stays_open():
    gate = PasswordGate(DEFAULT)
    gate.submit("0", 0.0)
    gate.security = SecuritySettings(password="99")
    assert not gate.needed(1.0)
    gate.close()
    assert gate.needed(1.0)
    assert gate.submit("0", 2.0) == WRONG and gate.submit("99", 3.0) == OK


def test_non_digits_are_wrong():
    assert PasswordGate(DEFAULT).submit("abc", 0.0) == WRONG


# -- revenue lock -------------------------------------------------------------------------------


BILLING = (
    "meter.wiring", "meter.pt_primary", "meter.pt_secondary", "meter.ct_primary",
    "meter.ct_secondary", "meter.i4_ct_primary", "meter.i4_ct_secondary",
)  # fmt: skip


def test_the_lock_refuses_the_billing_settings_only():
    assert {k for k in RULES if refused_by_lock(k.replace(".channels.", ".channels.V1."))} == set(
        BILLING
    )
    with pytest.raises(KeyError):
        refused_by_lock("meter.ct_primry")  # a misspelt key does not pass as "not locked"


def test_the_lock_refuses_energy_peak_demand_and_master_resets():
    kinds = ("energy", "peak_demand", "minmax", "logs", "disturbance", "master")
    assert {k for k in kinds if refused_reset(k)} == {"energy", "peak_demand", "master"}
    with pytest.raises(ValueError):
        refused_reset("everything")


def test_the_panel_refuses_what_the_engine_refuses():
    control = MeterControl(MeterConfig())
    control.set_revenue_lock(True)
    for kind in ("energy", "peak_demand", "minmax", "logs", "disturbance", "master"):
        try:
            control.reset(kind)
            engine_refuses = False
        except RevenueLocked:
            engine_refuses = True
        assert refused_reset(kind) == engine_refuses, kind
    for key, value in (("meter.ct_primary", 200.0), ("meter.wiring", "3W-DELTA")):
        assert refused_by_lock(key)
        with pytest.raises(RevenueLocked):
            control.reconfigure(apply(MeterConfig(), key, value))
    assert not refused_by_lock("display.contrast")
    control.reconfigure(apply(MeterConfig(), "display.contrast", 60))
