"""The configuration file: round trip, errors with file/line/key, kept bad files, .bak, crashes."""

import os
import re
from dataclasses import fields, replace
from pathlib import Path
from types import MappingProxyType

import pytest

import engine.config_file as config_file
from engine.alarms.definitions import AlarmDefinition
from engine.config import (
    CHANNELS,
    RULES,
    SECTIONS,
    BoardCalibration,
    ChannelCorrection,
    ClockSettings,
    CommsSettings,
    DisplaySettings,
    MeterConfig,
    Nameplate,
    PowerQualitySettings,
    RevenueLock,
    SecuritySettings,
    load_config,
    load_or_default,
    save_config,
)
from engine.config_file import config_text
from engine.errors import InputError
from engine.metering.demand import DemandSettings

DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"

# Every field differs from its default.
OTHER = MeterConfig(
    wiring="3W-DELTA",
    nominal_voltage=400.0,
    nominal_frequency=60.0,
    phase_rotation="ACB",
    pt_primary=13800.0,
    pt_secondary=120.0,
    ct_primary=600.0,
    ct_secondary=1.0,
    i4_ct_primary=200.0,
    i4_ct_secondary=1.0,
    demand_current=450.0,
    demand_sync="DI1",
    channels=MappingProxyType(
        {
            c: ChannelCorrection(True, 1.001 + i / 1000, -0.5 + i / 10)
            for i, c in enumerate(CHANNELS)
        }
    ),
    demand=DemandSettings("block", 1800, 1),
    display=DisplaySettings(
        "de", 0.0, 0.0, 0.5, 10, 100, 2, 2, 3, "space", "cap/ind", "123", "DD/MM/YYYY", "12h"
    ),
    nameplate=Nameplate("ION7400 RTU", "SN-42", "Plant 3", "Feeder 12 «Nord»"),
    pulse_kt=1.8,
    pulse_width=0.2,
    pulse_source="kvarh rec",
    communications=CommsSettings(
        "10.1.2.3", "255.255.0.0", "10.1.0.1", True, "DNP 3.00", 9600, 247, "8E1", True, False, 5020
    ),
    clock=ClockSettings(330, 60, "line", "irig-b", "local", -3600),
    security=SecuritySettings("20250101", 10, 60, 1, True),
    revenue_lock=RevenueLock(switch=True, active=True),
    board=BoardCalibration(
        **{
            f"{c.lower()}_{name}": value + k / 100
            for k, c in enumerate(CHANNELS)
            for name, value in (("gain", 1.01), ("offset", 0.5), ("phase", -1.5))
        }
    ),
    power_quality=PowerQualitySettings(240.0, 85.0, 115.0, 5.0, 1.0, 5.0, 4.0, 40.0, 1999, "ASCII"),
    alarms=(
        AlarmDefinition(
            "ov",
            quantities=("V_A", "V_B"),
            pickup=250.0,
            dropout=245.0,
            pickup_delay=0.5,
            speed="high",
            actions=("relay1", "capture"),
        ),
        AlarmDefinition("door", kind="digital", input=3, state=False, priority="low"),
        AlarmDefinition(
            "both",
            kind="boolean",
            operator="and",
            inputs=("ov", "door"),
            label="Door open in overvoltage",
            priority="high",
        ),
    ),
)


def _all_values(config: MeterConfig) -> dict[str, object]:
    flat = {}
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name in SECTIONS:
            flat.update({f"{f.name}.{g.name}": getattr(value, g.name) for g in fields(value)})
        else:
            flat[f"meter.{f.name}"] = value
    return flat


def test_the_example_changes_every_field():
    default, other = _all_values(MeterConfig()), _all_values(OTHER)
    same = [k for k in default if default[k] == other[k]]
    assert same == []
    assert all(OTHER.channels[c] != ChannelCorrection() for c in CHANNELS)


def test_round_trip_keeps_every_setting(tmp_path):
    path = tmp_path / "meter.toml"
    save_config(OTHER, path)
    assert load_config(path) == OTHER
    save_config(MeterConfig(), path)
    assert load_config(path) == MeterConfig()


def _replace_setting(text: str, key: str, value: str) -> tuple[str, int]:
    """``text`` with setting ``key`` (dotted) set to the TOML literal ``value``, and its line."""
    table, name = key.rsplit(".", 1)
    lines = text.splitlines()
    current = ""
    for i, line in enumerate(lines):
        m = re.match(r"^\[(.+)\]$", line)
        if m:
            current = m.group(1)
        elif current == table and line.startswith(f"{name} = "):
            lines[i] = f"{name} = {value}"
            return "\n".join(lines) + "\n", i + 1
    raise AssertionError(f"{key} not in the text")


def _bad_literal(key: str) -> str:
    rule = RULES[key]
    if rule.kind is bool:
        return '"yes"'
    if rule.kind is str:
        return '"nonsense"' if rule.choices or rule.test else "5"
    if rule.choices:
        return "1"
    return "-1" if rule.high is None else repr(rule.high + 1)


FILE_KEYS = [k for k in RULES if not k.startswith("meter.channels.")]


@pytest.mark.parametrize("key", [*FILE_KEYS, "demand.interval", "demand.subintervals"])
def test_each_invalid_value_names_file_line_and_key(tmp_path, key):
    if key == "demand.subintervals":  # 7 does not divide OTHER's 1800 s sliding interval
        text = config_text(OTHER).replace('method = "block"', 'method = "sliding"')
        text, line = _replace_setting(text, key, "7")
    elif key == "demand.interval":  # 7 s does not divide 24 h
        text, line = _replace_setting(config_text(OTHER), key, "7")
    else:  # OTHER has every key, demand_current too
        text, line = _replace_setting(config_text(OTHER), key, _bad_literal(key))
    path = tmp_path / "meter.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: {key}: "), message
    assert path.read_text() == text


@pytest.mark.parametrize(
    ("old", "new", "key", "at"),
    [
        ('[meter.channels.I3]\npolarity = "normal"', '[meter.channels.I3]\npolarity = "up"',
         "meter.channels.I3.polarity", 'polarity = "up"'),
        ("[meter.channels.I3]\npolarity = \"normal\"\nratio_correction = 1.0",
         "[meter.channels.I3]\npolarity = \"normal\"\nratio_correction = 9.0",
         "meter.channels.I3.ratio_correction", "ratio_correction = 9.0"),
        ("[meter.channels.I3]", "[meter.channels.I9]", "meter.channels.I9", "[meter.channels.I9]"),
        ("[clock]\n", "[clock]\nsummer = 1\n", "clock.summer", "summer = 1"),
        ("[security]", "[secrets]", "secrets", "[secrets]"),
        ('[security]\npassword = "0"', "[security]\npassword = 1234", "security.password",
         "password = 1234"),
    ],
)  # fmt: skip
def test_errors_in_tables_point_at_the_right_line(tmp_path, old, new, key, at):
    text = config_text(MeterConfig())
    assert old in text
    text = text.replace(old, new)
    path = _write(tmp_path / "meter.toml", text)
    with pytest.raises(InputError) as info:
        load_config(path)
    line = text.splitlines().index(at) + 1
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: {key}: "), message


def _bad_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.bad-*"))


@pytest.mark.parametrize("text", ["[meter\nwiring = 1\n", "[display]\ncontrast = 400\n"])
def test_a_bad_file_is_kept_as_bad_copy_and_never_changed(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_config(path)
    (copy,) = _bad_copies(path)
    assert re.fullmatch(r"config\.toml\.bad-\d{8}T\d{6}", copy.name)
    assert copy.read_text() == text and path.read_text() == text
    assert f"kept as {copy}" in str(info.value)
    # Loading again reuses the identical copy instead of piling up new ones.
    with pytest.raises(InputError):
        load_config(path)
    assert _bad_copies(path) == [copy]
    # Another bad content gets its own copy; the first one is not overwritten.
    path.write_text(text + "# another\n")
    with pytest.raises(InputError):
        load_config(path)
    assert len(_bad_copies(path)) == 2 and copy.read_text() == text


def test_same_second_copies_do_not_overwrite(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    first = config_file.keep_bad_copy(_write(path, "a"))
    second = config_file.keep_bad_copy(_write(path, "b"))
    third = config_file.keep_bad_copy(_write(path, "c"))
    assert len({first, second, third}) == 3
    assert [p.read_text() for p in (first, second, third)] == ["a", "b", "c"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_validating_without_keeping_copies(tmp_path):
    path = _write(tmp_path / "x.toml", "[meter]\nwiring = 'STAR'\n")
    with pytest.raises(InputError) as info:
        load_config(path, keep_bad=False)
    assert "kept as" not in str(info.value) and _bad_copies(path) == []


def test_bak_holds_the_previous_file(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    assert save_config(MeterConfig(), path) is None  # first write: nothing to keep
    assert not path.with_name("config.toml.bak").exists()
    first = path.read_bytes()
    bak = save_config(OTHER, path)
    assert bak == path.with_name("config.toml.bak") and bak.read_bytes() == first
    assert load_config(path) == OTHER and load_config(bak) == MeterConfig()
    # Saving the same settings again writes nothing: .bak still holds the previous ones.
    assert save_config(OTHER, path) is None and load_config(bak) == MeterConfig()
    if os.name == "posix":
        assert path.stat().st_mode & 0o077 == 0  # it holds the password


def test_an_invalid_file_being_replaced_is_kept_as_bad_not_bak(tmp_path):
    path = tmp_path / "config.toml"
    save_config(MeterConfig(), path)
    save_config(OTHER, path)
    path.write_text("[meter\n")  # broken by hand
    kept = save_config(MeterConfig(), path)
    assert kept.name.startswith("config.toml.bad-") and kept.read_text() == "[meter\n"
    assert load_config(path.with_name("config.toml.bak")) == MeterConfig()


def test_an_invalid_config_is_not_written(tmp_path):
    path = tmp_path / "config.toml"
    save_config(OTHER, path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"display\.contrast"):
        save_config(replace(OTHER, display=replace(OTHER.display, contrast=-1)), path)
    assert path.read_bytes() == before


def test_a_crash_before_the_rename_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    save_config(MeterConfig(), path)
    before = path.read_bytes()
    real_replace = os.replace

    def crash(src, dst):
        if Path(dst) == path:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(config_file.os, "replace", crash)
    with pytest.raises(OSError):
        save_config(OTHER, path)
    assert path.read_bytes() == before and load_config(path) == MeterConfig()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_load_or_default(tmp_path):
    path = tmp_path / "none" / "config.toml"
    assert load_or_default(path) == MeterConfig()
    assert not path.exists() and not path.parent.exists()
    save_config(OTHER, path)
    assert load_or_default(path) == OTHER
    path.write_text("[meter]\nct_primary = 0\n")
    with pytest.raises(InputError, match="ct_primary"):
        load_or_default(path)


def test_optional_tables_and_comments(tmp_path):
    path = _write(tmp_path / "c.toml", "# hand-written\nversion = 1\n[clock]\ntz_offset = -300\n")
    config = load_config(path)
    assert config.clock.tz_offset == -300 and config.display == DisplaySettings()
    assert load_config(_write(tmp_path / "empty.toml", "")) == MeterConfig()


def test_the_documentation_lists_every_setting():
    text = DOCS.read_text(encoding="utf-8")
    for key in RULES:
        if not key.startswith("meter.channels."):
            assert f"`{key.split('.')[-1]}`" in text, key
    for name in ("meter", *SECTIONS):
        assert f"[{name}]" in text


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("version = 1\nclock = 5\n", 2, "clock"),
        ("[meter]\nchannels = 5\n", 2, "meter.channels"),
        ("[meter.channels]\nI2 = 'x'\n", 2, "meter.channels.I2"),
    ],
)
def test_a_setting_where_a_table_belongs(tmp_path, text, line, key):
    path = _write(tmp_path / "c.toml", text)
    with pytest.raises(InputError) as info:
        load_config(path, keep_bad=False)
    assert str(info.value).startswith(f"{path}:{line}: {key}: must be a table")
