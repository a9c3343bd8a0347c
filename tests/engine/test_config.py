"""The configuration model: defaults, the rules of every setting, validation messages."""

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.clock import MeterZone, adjust_for, local_time
from engine.config import (
    ADJUST_LIMIT,
    CHANNELS,
    LANGUAGES,
    RULES,
    SECTIONS,
    ChannelCorrection,
    ClockSettings,
    CommsSettings,
    DisplaySettings,
    MeterConfig,
    RevenueLock,
    SecuritySettings,
    allowed,
    load_config,
    save_config,
    validate,
)
from engine.errors import InputError

GOOD = """\
version = 1
[meter]
wiring = "3W-DELTA"
nominal_voltage = 400.0
nominal_frequency = 60
pt_primary = 13800
pt_secondary = 120
ct_primary = 600
ct_secondary = 5

[meter.channels.I2]
polarity = "inverted"
phase_correction = 0.1

[demand]
method = "block"
interval = 1800
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "meter.toml"
    path.write_text(text)
    return path


def test_a_valid_file_loads_into_the_dataclasses(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.wiring == "3W-DELTA"
    assert config.pt_ratio == pytest.approx(115.0)
    assert config.ct_ratio == pytest.approx(120.0)
    assert config.channels["I2"].inverted and config.channels["I2"].phase_correction == 0.1
    assert config.demand.method == "block" and config.demand.interval == 1800
    assert config.cycles_per_window == 12
    assert config.to_dict()["meter"]["wiring"] == "3W-DELTA"
    # Tables the file leaves out keep their defaults.
    assert config.communications == CommsSettings() and config.security == SecuritySettings()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[meter]\nwiring = 'STAR'\n", 2, "wiring"),
        ("[meter]\nct_primary = -5\n", 2, "ct_primary"),
        ("[meter]\nnominal_frequency = 55\n", 2, "nominal_frequency"),
        ("[meter]\ncolour = 'red'\n", 2, "colour"),
        ("[meter\nwiring = 1\n", 1, "TOML"),
        ("version = 1\n[demand]\ninterval = 7\n", 3, "interval"),
        ("version = 9\n", 1, "version"),
    ],
)
def test_bad_settings_name_file_line_and_key(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:")
    assert words in message
    assert path.read_text() == text  # the file is never changed


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_defaults_are_valid_and_as_specified():
    config = validate(MeterConfig())
    assert config.wiring == "4W-WYE" and config.pulse_source == "kWh del+rec"
    c = config.communications
    assert (c.ip, c.subnet, c.gateway, c.dhcp) == ("192.168.1.100", "255.255.255.0",
                                                   "192.168.1.1", False)  # fmt: skip
    assert (c.protocol, c.baud, c.unit_id, c.serial_format) == ("Modbus RTU", 19200, 1, "8N1")
    assert (c.rs485_bias, c.modbus_tcp_enabled, c.modbus_tcp_port) == (False, True, 502)
    assert (config.clock.tz_offset, config.clock.dst_offset) == (0, 0)
    s = config.security
    assert (s.password, s.lockout_attempts, s.lockout_minutes) == ("0", 3, 5)
    assert s.password_timeout_minutes == 5
    assert config.revenue_lock == RevenueLock(switch=False, active=False)


def test_the_engine_knows_the_display_languages_of_i18n():
    from i18n import LANGUAGES as CATALOGUED

    assert CATALOGUED == LANGUAGES


def test_every_setting_has_a_rule():
    # Alarms check themselves (engine.alarms.definitions.check_definition).
    keys = {f"meter.{f.name}" for f in fields(MeterConfig)} - {"meter.channels", "meter.alarms"}
    keys -= {f"meter.{name}" for name in SECTIONS}
    for name, cls in SECTIONS.items():
        if name != "demand":  # DemandSettings checks itself
            keys |= {f"{name}.{f.name}" for f in fields(cls)}
    keys |= {f"meter.channels.{f.name}" for f in fields(ChannelCorrection)}
    assert keys <= set(RULES)


def _bad_value(rule):
    """A value the rule refuses, of the kind a slip of the finger gives."""
    if rule.kind is bool:
        return "yes"
    if rule.kind is str:
        return "nonsense" if rule.choices else ("x" if rule.test else 5)
    if rule.choices:
        return 1
    return -1 if rule.high is None else rule.high + 1


SETTINGS = [k for k in RULES if not k.startswith("meter.channels.")]


@pytest.mark.parametrize("key", SETTINGS)
def test_every_invalid_setting_is_refused_naming_it_and_the_allowed_values(key):
    section, name = key.split(".")
    config = MeterConfig()
    bad = _bad_value(RULES[key])
    if section == "meter":
        config = replace(config, **{name: bad})
    elif section == "demand":
        return  # refused when DemandSettings is built (tested with the file)
    else:
        config = replace(config, **{section: replace(getattr(config, section), **{name: bad})})
    with pytest.raises(ValueError) as info:
        validate(config)
    message = str(info.value)
    assert message.startswith(f"{key}: must be {allowed(key)}, got {bad!r}")


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("communications.ip", ["10.0.0.1", "0.0.0.0"], ["10.0.0", "256.1.1.1", "a.b.c.d", ""]),
        ("communications.subnet", ["255.255.0.0", "0.0.0.0"], ["255.0.255.0", "1.2.3"]),
        ("security.password", ["0", "12345678", "00000000"], ["", "123456789", "12a", " 1", 0]),
        ("display.update_rate", [0.2, 10, 1], [0.1, 11, float("nan"), True]),
        ("display.contrast", [0, 100], [50.5, -1, 101, False]),
        ("clock.tz_offset", [-720, 840, 330], [-721, 841, 1.5]),
        ("clock.dst_offset", [-180, 180], [-181, 181]),
        ("communications.baud", [2400, 115200], [1200, 19200.5, "19200"]),
        ("communications.unit_id", [1, 247], [0, 248]),
        ("communications.modbus_tcp_port", [1, 65535], [0, 65536]),
        ("security.lockout_attempts", [1, 10], [0, 11]),
        ("display.language", list(LANGUAGES), ["EN", "xx"]),
        ("meter.pulse_source", ["kVAh", "kvarh rec"], ["kwh del"]),
    ],
)
def test_rule_limits(key, good, bad):
    rule = RULES[key]
    assert all(rule.accepts(v) for v in good), [v for v in good if not rule.accepts(v)]
    assert not any(rule.accepts(v) for v in bad), [v for v in bad if rule.accepts(v)]


def test_allowed_text_for_the_editors():
    assert allowed("display.contrast") == "a whole number from 0 to 100 %"
    assert allowed("display.update_rate") == "a number from 0.2 to 10 s"
    assert allowed("communications.baud").startswith("one of 2400, 4800, 9600")
    assert "8 digits" in allowed("security.password")


def test_channel_corrections_are_checked_by_channel():
    table = dict(MeterConfig().channels)
    table["I3"] = ChannelCorrection(ratio_correction=3.0)
    with pytest.raises(ValueError, match=r"^meter\.channels\.I3\.ratio_correction: must be"):
        validate(replace(MeterConfig(), channels=table))
    assert set(MeterConfig().channels) == set(CHANNELS)


def test_a_section_of_the_wrong_type_is_refused():
    with pytest.raises(ValueError, match="clock: must be a ClockSettings"):
        validate(replace(MeterConfig(), clock=DisplaySettings()))


def test_revenue_lock_takes_effect_at_the_power_cycle():
    lock = replace(RevenueLock(), switch=True)
    assert lock.pending and not lock.active
    after = lock.power_cycled()
    assert after.active and not after.pending
    assert replace(after, switch=False).power_cycled() == RevenueLock()


def test_password_compares_as_a_number():
    security = SecuritySettings(password="12")
    assert security.password_matches("12") and security.password_matches("00000012")
    assert not security.password_matches("121") and not security.password_matches("")
    assert SecuritySettings().password_matches("0") and not SecuritySettings().password_matches("1")


def test_clock_defaults():
    assert ClockSettings().clock_source == "internal" and ClockSettings().sync_type == "utc"


# -- the clock setting (Date & Time Setup) and the meter's local clock -------------------------


def test_the_clock_setting_is_seconds_within_ten_years_and_saved_in_the_clock_table(tmp_path):
    assert ClockSettings().adjust == 0 and RULES["clock.adjust"].unit == "s"
    assert ADJUST_LIMIT >= 10 * 365.25 * 86_400  # ten years either way, leap days included
    for good in (-ADJUST_LIMIT, -1, 0, 86_400, ADJUST_LIMIT):
        validate(replace(MeterConfig(), clock=ClockSettings(adjust=good)))
    for bad in (ADJUST_LIMIT + 1, -ADJUST_LIMIT - 1, 1.5):
        with pytest.raises(ValueError, match=r"^clock\.adjust: must be a whole number"):
            validate(replace(MeterConfig(), clock=ClockSettings(adjust=bad)))
    config = replace(MeterConfig(), clock=ClockSettings(tz_offset=60, adjust=-3_600))
    path = tmp_path / "meter.toml"
    save_config(config, path)
    assert "adjust = -3600" in path.read_text().split("[clock]")[1].split("[")[0]
    assert load_config(path).clock == config.clock


SOURCE = datetime(2026, 3, 2, 14, 5, 9, 250_000, tzinfo=UTC)


def test_local_time_is_source_time_plus_zone_dst_and_setting():
    clock = ClockSettings(tz_offset=-300, dst_offset=60, adjust=90)
    local = local_time(SOURCE, clock)
    # 14:05:09.25 UTC - 5 h + 1 h + 90 s = 10:06:39.25, in a zone 4 h west of UTC.
    assert local.replace(tzinfo=None) == datetime(2026, 3, 2, 10, 6, 39, 250_000)
    assert local.utcoffset() == timedelta(hours=-4) and local.tzname() == "UTC-04:00"
    assert local == SOURCE + timedelta(seconds=90)  # the same instant as source + setting
    assert local_time(SOURCE.replace(tzinfo=None), clock) == local  # naive source: UTC
    assert local_time(SOURCE, ClockSettings()) == SOURCE


def test_the_setting_for_an_entered_time_makes_the_clock_read_it_and_run_on():
    clock = ClockSettings(tz_offset=330, dst_offset=0)
    wanted = datetime(2030, 2, 28, 23, 59, 58)
    adjust = adjust_for(wanted, SOURCE, clock)
    assert isinstance(adjust, int)
    set_clock = replace(clock, adjust=adjust)
    assert local_time(SOURCE, set_clock).replace(microsecond=0, tzinfo=None) == wanted
    later = local_time(SOURCE + timedelta(seconds=3), set_clock)
    assert later.replace(tzinfo=None) == datetime(2030, 3, 1, 0, 0, 1, 250_000)
    # Any earlier setting is replaced, not added to.
    assert adjust_for(wanted, SOURCE, replace(clock, adjust=12_345)) == adjust


def test_the_zone_carries_the_setting_for_stamps():
    zone = local_time(SOURCE, ClockSettings(tz_offset=60, dst_offset=60, adjust=5)).tzinfo
    assert isinstance(zone, MeterZone) and zone.adjust == 5
    assert zone.utcoffset(None) == timedelta(hours=2) and zone.dst(None) == timedelta(hours=1)
    assert zone == MeterZone(60, 60, 5) and zone != MeterZone(60, 60, 0)
    assert hash(zone) == hash(MeterZone(60, 60, 5))
