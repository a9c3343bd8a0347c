"""Changes between configurations, for the event log: exactly the changed keys, no password."""

from dataclasses import replace
from types import MappingProxyType

from engine.config import (
    PASSWORD_MASK,
    Change,
    ChannelCorrection,
    MeterConfig,
    diff_configs,
)
from engine.config_changes import flatten
from engine.metering.demand import DemandSettings

BASE = MeterConfig()


def test_no_change_no_entry():
    assert diff_configs(BASE, MeterConfig()) == []
    # 5 and 5.0 are the same CT primary.
    assert diff_configs(BASE, replace(BASE, ct_primary=5)) == []


def test_exactly_the_changed_keys_with_old_and_new_values():
    channels = dict(BASE.channels)
    channels["I2"] = ChannelCorrection(inverted=True)
    new = replace(
        BASE,
        ct_primary=200.0,
        channels=MappingProxyType(channels),
        demand=DemandSettings("block", 900, 1),
        display=replace(BASE.display, language="fr"),
        communications=replace(BASE.communications, baud=9600, dhcp=True),
        revenue_lock=replace(BASE.revenue_lock, switch=True),
    )
    changes = diff_configs(BASE, new)
    assert changes == [
        Change("meter.ct_primary", 5.0, 200.0),
        Change("meter.channels.I2.polarity", "normal", "inverted"),
        Change("demand.method", "sliding", "block"),
        Change("demand.subintervals", 3, 1),
        Change("display.language", "en", "fr"),
        Change("communications.dhcp", False, True),
        Change("communications.baud", 19200, 9600),
        Change("revenue_lock.switch", False, True),
    ]
    assert str(changes[0]) == "meter.ct_primary: 5 -> 200"
    assert str(changes[5]) == "communications.dhcp: false -> true"
    # And back: the same keys, old and new swapped.
    assert diff_configs(new, BASE) == [Change(c.key, c.new, c.old) for c in changes]


def test_a_setting_that_appears_or_disappears():
    changes = diff_configs(BASE, replace(BASE, demand_current=150.0))
    assert changes == [Change("meter.demand_current", None, 150.0)]
    assert str(changes[0]) == "meter.demand_current: (none) -> 150"


def test_the_password_is_never_shown():
    new = replace(BASE, security=replace(BASE.security, password="4711", lockout_attempts=5))
    changes = diff_configs(BASE, new)
    assert [c.key for c in changes] == ["security.password", "security.lockout_attempts"]
    assert changes[0] == Change("security.password", PASSWORD_MASK, PASSWORD_MASK)
    assert "4711" not in " ".join(str(c) for c in changes)


def test_every_setting_of_the_file_is_a_key():
    keys = set(flatten(BASE.to_dict()))
    assert {"version", "meter.ct_primary", "meter.channels.V1.polarity", "clock.tz_offset"} <= keys
    assert "security.password" in keys and "revenue_lock.active" in keys
