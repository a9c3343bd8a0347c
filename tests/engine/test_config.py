"""Configuration files: valid ones load, bad ones are refused with file, line and key."""

from pathlib import Path

import pytest

from engine.config import MeterConfig, load_config
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


def test_defaults_are_valid():
    assert MeterConfig().wiring == "4W-WYE"
